"""Use cases: correcting a client's record the way clinical records are corrected.

Nothing is deleted. An entry found wrong (a mistyped questionnaire, an event
that did not happen, a concern that was not one) is marked *entered in error*
with a reason: it stays in the record, shown struck through, and leaves the
case, so the assessment, the screen and the exports stop seeing it. A goal's
status changes from a day on, and the change is kept. Each act is audited with
who and when; the reason is kept on the entry itself (the audit log holds no
clinical words).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from referwell.db import case_parts as parts
from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.cases import read_case
from referwell.db.models import Client
from referwell.db.record_entries import current_episode_start
from referwell.db.uow import UnitOfWork
from referwell.domain import vocabulary as v
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import EMPTY, MISSING, NOT_A_DATE, TOO_LONG, FieldError, InvalidInput
from referwell.domain.recording import check_entry_day
from referwell.services.auditing import audit_write
from referwell.services.clients.entries import Saved, store_reassessment
from referwell.services.errors import NotFound
from referwell.services.permissions import Permission, Person, client_access, require_permission

REASON_MAX: Final = 500


@dataclass(frozen=True, slots=True)
class EntryKind:
    """A kind of entry of the record: its key in the case, its table, how a URL names it,
    and what a person calls one."""

    key: str
    model: Any
    slug: str
    noun: str


ENTRY_KINDS: Final[tuple[EntryKind, ...]] = (
    EntryKind("concerns", parts.Concern, "concerns", "concern"),
    EntryKind("physical_symptoms", parts.PhysicalSymptom, "physical-symptoms", "physical symptom"),
    EntryKind("measures", parts.Measure, "questionnaires", "questionnaire"),
    EntryKind("sessions", parts.TherapySession, "sessions", "session"),
    EntryKind("events", parts.Event, "events", "event"),
    EntryKind("clinician_factors", parts.ClinicianFactor, "clinician-factors", "clinician factor"),
    EntryKind(
        "considering_referral_because",
        parts.ReferralReason,
        "referral-reasons",
        "reason for considering referral",
    ),
    EntryKind("steps_taken", parts.StepTaken, "steps", "step taken"),
    EntryKind("goals", parts.Goal, "goals", "goal"),
    EntryKind(
        "financial_arrangements",
        parts.FinancialArrangement,
        "financial-arrangements",
        "financial arrangement",
    ),
    EntryKind("current_care", parts.CurrentCare, "current-care", "current care"),
)
KINDS_BY_SLUG: Final[Mapping[str, EntryKind]] = {kind.slug: kind for kind in ENTRY_KINDS}
KINDS_BY_KEY: Final[Mapping[str, EntryKind]] = {kind.key: kind for kind in ENTRY_KINDS}


def entry_kind(slug: str) -> EntryKind:
    """The kind of entry a URL names; `NotFound` for any other word."""
    kind = KINDS_BY_SLUG.get(slug)
    if kind is None:
        raise NotFound("kind of entry", slug)
    return kind


def written_reason(reason: Any, path: str = "reason") -> str:
    """A reason as a person wrote it: some words, at most `REASON_MAX` characters."""
    if reason is None:
        raise InvalidInput([FieldError(path, "say why, in a few words", kind=MISSING)], "form")
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput([FieldError(path, "say why, in a few words", kind=EMPTY)], "form")
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            [
                FieldError(
                    path,
                    f"keep it to {REASON_MAX} characters (it has {len(reason)})",
                    kind=TOO_LONG,
                    detail={"length": len(reason), "most": REASON_MAX},
                )
            ],
            "form",
        )
    return reason.strip()


def mark_in_error(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    *,
    today: date,
    kind: EntryKind,
    entry_id: int,
    reason: Any,
) -> Saved:
    """Mark one entry of the client's record entered in error, with the reason; reassess.

    An entry already in error is left as it is (`changed` is False).
    """
    require_permission(actor, Permission.CLIENT_WRITE)
    why = written_reason(reason)
    with uow:
        session = uow.session
        access = client_access(session, actor, client_id, write=True)
        row = session.get(kind.model, entry_id)
        if row is None or row.client_id != client_id:
            raise NotFound(kind.noun, entry_id)
        if row.in_error_at is not None:
            return Saved(client_id, None, changed=False)
        row.in_error_at = utcnow()
        row.in_error_by = actor.user_id
        row.in_error_reason = why
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.ENTRY_IN_ERROR,
            target_type=kind.model.__tablename__,
            target_ids=[entry_id],
        )
        audit_write(
            session, actor, AuditAction.CLIENT_UPDATE, target_type="client", target_ids=[client_id]
        )
        client = session.get(Client, client_id)
        if client is None:  # pragma: no cover - removed while we wrote
            raise NotFound("client", client_id)
        session.expire(client)
        parsed = parse_case(read_case(session, client_id, today).case, today=today)
        result = store_reassessment(uow, actor, client, parsed, access.practice_id)
        uow.commit()
    return Saved(client_id, result, changed=True)


def change_goal_status(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    *,
    today: date,
    goal_id: int,
    status: Any,
    day: Any,
) -> Saved:
    """A goal's status from `day` on (progressing, met, dropped …), kept with who set it."""
    require_permission(actor, Permission.CLIENT_WRITE)
    errors = []
    if status not in v.GOAL_STATUSES:
        errors.append(
            FieldError(
                "status",
                "choose one of " + ", ".join(v.GOAL_STATUSES),
                kind=MISSING if status in (None, "") else "unknown_code",
            )
        )
    with uow:
        session = uow.session
        access = client_access(session, actor, client_id, write=True)
        goal = session.get(parts.Goal, goal_id)
        if goal is None or goal.client_id != client_id:
            raise NotFound("goal", goal_id)
        if goal.in_error_at is not None:
            raise InvalidInput(
                [FieldError("status", "this goal was entered in error; add the right one")],
                "form",
            )
        on = entry_day(session, client_id, day, today, errors)
        if errors:
            raise InvalidInput(errors, "form")
        if on is None:  # pragma: no cover - entry_day adds an error instead
            raise InvalidInput([FieldError("date", "give the date")], "form")
        if goal.status == status:
            return Saved(client_id, None, changed=False)
        goal.status = status
        goal.status_changes.append(
            parts.GoalStatusChange(status=status, on=on, changed_by=actor.user_id)
        )
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.GOAL_STATUS_CHANGE,
            target_type="client_goals",
            target_ids=[goal_id],
        )
        audit_write(
            session, actor, AuditAction.CLIENT_UPDATE, target_type="client", target_ids=[client_id]
        )
        client = session.get(Client, client_id)
        if client is None:  # pragma: no cover - removed while we wrote
            raise NotFound("client", client_id)
        parsed = parse_case(read_case(session, client_id, today).case, today=today)
        result = store_reassessment(uow, actor, client, parsed, access.practice_id)
        uow.commit()
    return Saved(client_id, result, changed=True)


def entry_day(
    session: Any, client_id: int, day: Any, today: date, errors: list[FieldError]
) -> date | None:
    """A form's date for this client's record: a real day, not after today, not before the
    client's current episode of care opened. Adds to `errors` and gives None otherwise."""
    if day in (None, ""):
        errors.append(FieldError("date", "give the date", kind=MISSING))
        return None
    try:
        on = day if isinstance(day, date) else date.fromisoformat(str(day))
    except ValueError:
        errors.append(FieldError("date", "give a date as YYYY-MM-DD", kind=NOT_A_DATE))
        return None
    opened = current_episode_start(session, client_id)
    problem = check_entry_day(on, today=today, opened_on=opened, path="date")
    if problem is not None:
        errors.append(problem)
        return None
    return on
