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


def refresh_assessments(
    session: Session, client_ids: Sequence[int], *, today: date, settings: RuleSettings
) -> dict[int, StoredAssessment]:
    """Assess these clients as of `today`, store the results and audit it; not committed.

    A stored case that no longer validates (which the write paths prevent) is
    left stale and logged by client id; the others are still refreshed.
    """
    if not client_ids:
        return {}
    stored: dict[int, StoredAssessment] = {}
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
        stored[client_id] = store_assessment_of_version(
            session,
            client_id,
            found.case_version,
            assessment.as_dict(),
            rules_version=RULES_VERSION,
            display=assessment.display(),
        )
    if stored:
        audit_system_write(
            session, AuditAction.ASSESSMENT_STORE, target_type="client", target_ids=sorted(stored)
        )
        session.flush()  # every stored assessment has its id
    return stored


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
    writes = writes or uow
    with writes:
        fresh = refresh_assessments(writes.session, [client_id], today=today, settings=settings)
        if client_id in fresh:
            found = _current(fresh[client_id])
        writes.commit()
    return found


def _current(stored: StoredAssessment) -> Current:
    return Current(
        dict(stored.result), dict(stored.display) if stored.display is not None else None
    )
