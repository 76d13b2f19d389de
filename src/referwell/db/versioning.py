"""Keeps `Client.case_version` moving: any change to what the case says bumps it.

A stored assessment names the case version it was computed from; a different
version now means the assessment is stale. The ORM bumps the version when it
updates a client row (`version_id_col`), so this flush hook makes sure the
client row is updated whenever the case changed anywhere: the client's own
columns, a part of the case (a measure, a session …), or the competencies of
the clinician or their evidence, which every one of their clients' cases shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from referwell.db.base import utcnow
from referwell.db.case_parts import CASE_PART_MODELS
from referwell.db.growth.models import COMPETENCE_EVIDENCE_MODELS
from referwell.db.models import Client, ClinicianCompetency, ClinicianTraining, User

# Attributes of a client that are not part of its case.
_NOT_CASE = frozenset(
    {"assessments", "created_at", "updated_at", "case_version", "episodes", "discharged_on"}
)
_PROFILE_COLLECTIONS = ("competencies", "in_training")


def bump_case_versions(
    session: Session, flush_context: UOWTransaction, instances: Iterable[Any] | None
) -> None:
    """A `before_flush` hook: touch every existing client whose case this flush changes."""
    del flush_context, instances
    clients: dict[int, Client] = {}
    clinician_ids: set[int] = set()
    with session.no_autoflush:
        for obj in chain(session.new, session.dirty, session.deleted):
            if isinstance(obj, Client):
                if _changed(obj, exclude=_NOT_CASE):
                    clients[id(obj)] = obj
            elif isinstance(obj, CASE_PART_MODELS):
                client = _client_of(session, obj)
                if client is not None:
                    clients[id(client)] = client
            elif isinstance(obj, ClinicianCompetency | ClinicianTraining) or (
                # Evidence for a competency changes which claims count (`db.growth`).
                isinstance(obj, COMPETENCE_EVIDENCE_MODELS) and obj.code is not None
            ):
                user = obj.__dict__.get("user")
                user_id = obj.user_id if obj.user_id is not None else getattr(user, "id", None)
                if user_id is not None:  # None: a clinician not yet inserted has no clients
                    clinician_ids.add(user_id)
            elif isinstance(obj, User) and inspect(obj).persistent:
                attrs = inspect(obj).attrs
                if any(attrs[key].history.has_changes() for key in _PROFILE_COLLECTIONS):
                    clinician_ids.add(obj.id)
        if clinician_ids:
            for client in session.scalars(
                select(Client).where(Client.clinician_id.in_(clinician_ids))
            ):
                clients[id(client)] = client
        now = utcnow()
        for client in clients.values():
            if client not in session.new and client not in session.deleted:
                client.updated_at = now


def _changed(obj: object, *, exclude: frozenset[str]) -> bool:
    state = inspect(obj)
    if state.pending or state.deleted:
        return False
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in exclude)


def _client_of(session: Session, part: Any) -> Client | None:
    client = part.__dict__.get("client")
    if isinstance(client, Client):
        return client
    if part.client_id is None:
        return None
    return session.get(Client, part.client_id)
