"""Keeping stored assessments current: what is stale, and recomputing it before it is shown.

A stored assessment is current when it was made today, from the client's
current case version, by these rules with these settings. Anything else is
stale and is recomputed (and stored, with an audit entry naming referwell as
the actor) before anybody sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.assessments import (
    columns_are_current,
    newest_assessment_id,
    store_assessment_of_version,
)
from referwell.db.audit import AuditAction
from referwell.db.cases import read_cases
from referwell.db.models import Client, StoredAssessment
from referwell.db.uow import UnitOfWork
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import InvalidInput
from referwell.domain.settings import RULES_VERSION, RuleSettings
from referwell.services.auditing import audit_system_write

log = logging.getLogger(__name__)


def is_current(
    *,
    as_of: date | None,
    case_version: int | None,
    rules_version: str | None,
    settings: Any,
    client_case_version: int,
    today: date,
    wanted_settings: Mapping[str, Any],
) -> bool:
    """Whether a stored assessment (its columns; all None when there is none) is current
    under these rules and the settings wanted (`RuleSettings.as_dict()`)."""
    return columns_are_current(
        as_of=as_of,
        case_version=case_version,
        rules_version=rules_version,
        settings=settings,
        client_case_version=client_case_version,
        today=today,
        wanted_rules_version=RULES_VERSION,
        wanted_settings=wanted_settings,
    )


@dataclass(frozen=True, slots=True)
class Assessed:
    """An assessment computed from one version of a client's case, not yet stored."""

    case_version: int
    result: dict[str, Any]
    display: dict[str, Any]


def assess_clients(
    session: Session, client_ids: Sequence[int], *, today: date, settings: RuleSettings
) -> dict[int, Assessed]:
    """Assess these clients as of `today` from what `session` reads; nothing is written.

    A stored case that no longer validates (which the write paths prevent) is
    left out and logged by client id; the others are still assessed.
    """
    assessed: dict[int, Assessed] = {}
    if not client_ids:
        return assessed
    for client_id, found in read_cases(session, client_ids, as_of=today).items():
        try:
            parsed = parse_case(found.case, today=today)
        except InvalidInput as error:
            log.warning(
                "client %d: stored case does not validate (%d errors); assessment left stale",
                client_id,
                len(error.errors),
            )
            continue
        assessment = assess_case(parsed, settings)
        assessed[client_id] = Assessed(
            found.case_version, assessment.as_dict(), assessment.display()
        )
    return assessed


def store_assessed(
    session: Session, assessed: Mapping[int, Assessed]
) -> dict[int, StoredAssessment]:
    """Store assessments computed by `assess_clients` and audit it; not committed.

    Each is stored as of the case version it was computed from: when the case changed
    in between, the stored one is simply not current and is computed again when next shown.
    """
    stored = {
        client_id: store_assessment_of_version(
            session,
            client_id,
            item.case_version,
            item.result,
            rules_version=RULES_VERSION,
            display=item.display,
        )
        for client_id, item in assessed.items()
    }
    if stored:
        audit_system_write(
            session, AuditAction.ASSESSMENT_STORE, target_type="client", target_ids=sorted(stored)
        )
        session.flush()  # every stored assessment has its id
    return stored


def refresh_assessments(
    session: Session, client_ids: Sequence[int], *, today: date, settings: RuleSettings
) -> dict[int, StoredAssessment]:
    """Assess these clients as of `today`, store the results and audit it; not committed."""
    return store_assessed(
        session, assess_clients(session, client_ids, today=today, settings=settings)
    )


def stored_if_current(
    session: Session, client_id: int, *, today: date, settings: RuleSettings
) -> tuple[StoredAssessment | None, bool]:
    """The client's newest stored assessment, and whether it is current."""
    row = session.execute(
        select(Client.case_version, StoredAssessment)
        .select_from(Client)
        .outerjoin(StoredAssessment, StoredAssessment.id == newest_assessment_id())
        .where(Client.id == client_id)
    ).one()
    client_version, stored = row
    current = stored is not None and is_current(
        as_of=stored.as_of,
        case_version=stored.case_version,
        rules_version=stored.rules_version,
        settings=stored.settings,
        client_case_version=client_version,
        today=today,
        wanted_settings=settings.key(),
    )
    return stored, current


@dataclass(frozen=True, slots=True)
class Current:
    """A client's current assessment: the JSON document, and its words for people."""

    result: dict[str, Any]
    display: dict[str, Any] | None


def current_assessment(
    uow: UnitOfWork,
    client_id: int,
    practice_id: int,
    *,
    today: date,
    writes: UnitOfWork | None = None,
) -> Current | None:
    """The client's current assessment (the `referwell.assessment/1` document and its
    words); when the stored one is stale it is recomputed and stored first, in a
    transaction of its own (`writes`, by default `uow`).

    None only when the stored case does not validate and nothing was ever stored (an
    older stored one is still returned then, stale, rather than nothing).
    """
    with uow:
        settings = uow.practices.rule_settings(practice_id)
        stored, current = stored_if_current(uow.session, client_id, today=today, settings=settings)
        found = _current(stored) if stored is not None else None
        if current:
            return found
        # Computed while only reading; the write transaction below only stores it.
        assessed = assess_clients(uow.session, [client_id], today=today, settings=settings)
    writes = writes or uow
    with writes:
        fresh = store_assessed(writes.session, assessed)
        if client_id in fresh:
            found = _current(fresh[client_id])
        writes.commit()
    return found


def _current(stored: StoredAssessment) -> Current:
    return Current(
        dict(stored.result), dict(stored.display) if stored.display is not None else None
    )
