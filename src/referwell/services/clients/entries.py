"""Use cases: adding to a client's record (a questionnaire, a session, an event, a factor …).

Each one builds the client's case as of today with the new entry appended,
validates the WHOLE case with the case format's validator (so an error names
its field by the case's path, `measures[3].items[2]`), and saves nothing when
anything is wrong. Otherwise it writes the entry, audits the write and stores
the reassessment, all in one transaction.

Arguments are taken as given (form strings, JSON values): the validator, not
this module, says what is wrong with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from referwell.db.assessments import store_assessment
from referwell.db.audit import AuditAction
from referwell.db.case_parts import (
    ClinicianFactor,
    Event,
    Goal,
    GoalStatusChange,
    Measure,
    ReferralReason,
    StepTaken,
    TherapySession,
)
from referwell.db.cases import read_case
from referwell.db.models import Client
from referwell.db.record_entries import current_episode_start
from referwell.db.uow import UnitOfWork
from referwell.domain.assessment import assess_case
from referwell.domain.case import Case
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import SAME_DAY_AGAIN, FieldError, InvalidInput
from referwell.domain.recording import check_entry_day
from referwell.domain.settings import RULES_VERSION
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.permissions import (
    Actor,
    Permission,
    Person,
    client_access,
    require_permission,
)


class RecordRefused(InvalidInput):
    """The new entry (or, rarely, the rest of the case) does not validate; nothing was saved.

    `section` and `index` say where the new entry sits in the case, so a form
    can put each error beside its own field (`entry_errors`).
    """

    def __init__(self, errors: Sequence[FieldError], section: str, index: int) -> None:
        super().__init__(errors, what="case")
        self.section = section
        self.index = index

    def entry_errors(self) -> tuple[dict[str, list[FieldError]], list[FieldError]]:
        """The errors of the new entry by field (`items[2]`, `date`; `""` for a bare code),
        and the others, which concern the stored case."""
        prefix = f"{self.section}[{self.index}]"
        mine: dict[str, list[FieldError]] = {}
        others: list[FieldError] = []
        for error in self.errors:
            if error.path == prefix or error.path.startswith((prefix + ".", prefix + "[")):
                local = error.path[len(prefix) :].removeprefix(".")
                mine.setdefault(local, []).append(error)
            else:
                others.append(error)
        return mine, others


@dataclass(frozen=True, slots=True)
class Saved:
    """What a write left: the client and its new assessment (None when nothing changed)."""

    client_id: int
    assessment: Mapping[str, Any] | None
    changed: bool


def add_measure(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    *,
    today: date,
    instrument: Any,
    day: Any,
    items: Sequence[Any],
    confirm_same_day: bool = False,
) -> Saved:
    """Add a questionnaire given by its item answers (PHQ-9, GAD-7, PHQ-15 or PCL-5). A
    second one of the same instrument on the same day is saved only with
    `confirm_same_day`."""
    entry = {"instrument": instrument, "date": day, "items": list(items)}

    def write(client: Client) -> bool:
        client.measures.append(
            Measure(
                instrument=instrument,
                date=date.fromisoformat(day),
                items=list(items),
                total=sum(items),
            )
        )
        return True

    return _add(
        uow,
        actor,
        client_id,
        today,
        "measures",
        entry=entry,
        write=write,
        confirm_same_day=confirm_same_day,
    )


def add_session(
    uow: UnitOfWork, actor: Person, client_id: int, *, today: date, day: Any, attendance: Any
) -> Saved:
    """Add a scheduled session and its attendance."""

    def write(client: Client) -> bool:
        client.sessions.append(TherapySession(date=date.fromisoformat(day), attendance=attendance))
        return True

    entry = {"date": day, "attendance": attendance}
    return _add(uow, actor, client_id, today, "sessions", entry=entry, write=write)


def add_event(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    *,
    today: date,
    day: Any,
    kind: Any,
    discussed: Any = False,
) -> Saved:
    """Add an event (a suicidal statement, a threat, a boundary crossing …)."""

    def write(client: Client) -> bool:
        client.events.append(Event(date=date.fromisoformat(day), kind=kind, discussed=discussed))
        return True

    entry = {"date": day, "kind": kind, "discussed": discussed}
    return _add(uow, actor, client_id, today, "events", entry=entry, write=write)


def add_clinician_factor(
    uow: UnitOfWork, actor: Person, client_id: int, *, today: date, code: Any
) -> Saved:
    """Add something the clinician notices in themselves (once per code)."""

    def write(client: Client) -> bool:
        if any(f.code == code and f.in_error_at is None for f in client.clinician_factors):
            return False
        client.clinician_factors.append(ClinicianFactor(code=code))
        return True

    return _add(uow, actor, client_id, today, "clinician_factors", entry=code, write=write)


def consider_referral(
    uow: UnitOfWork, actor: Person, client_id: int, *, today: date, reason: Any
) -> Saved:
    """Record why the clinician is considering referral; the assessment's cautions answer it."""

    def write(client: Client) -> bool:
        if any(r.code == reason and r.in_error_at is None for r in client.referral_reasons):
            return False
        client.referral_reasons.append(ReferralReason(code=reason))
        return True

    return _add(
        uow, actor, client_id, today, "considering_referral_because", entry=reason, write=write
    )


def add_step(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    *,
    today: date,
    step: Any,
    day: Any = None,
    also: Callable[[Session, Client], None] | None = None,
) -> Saved:
    """Record a step taken (supervision, consultation …), with its date when known.

    A step is kept once, with its latest date, as the case format says. `also` writes
    what goes with the step in the same transaction (a supervision record and its note,
    `services.growth.supervision_records`); with it, the write is always saved.
    """

    def write(client: Client) -> bool:
        when = date.fromisoformat(day) if day is not None else None
        existing = next(
            (row for row in client.steps_taken if row.step == step and row.in_error_at is None),
            None,
        )
        if also is not None:
            also(uow.session, client)
        if existing is None:
            client.steps_taken.append(StepTaken(step=step, date=when))
            return True
        if when is not None and (existing.date is None or existing.date < when):
            existing.date = when
            return True
        return also is not None

    entry: Any = step if day is None else {"step": step, "date": day}
    return _add(uow, actor, client_id, today, "steps_taken", entry=entry, write=write)


def add_goal(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    *,
    today: date,
    status: Any,
    description: Any = None,
) -> Saved:
    """Add a treatment goal and how far it is."""

    def write(client: Client) -> bool:
        client.goals.append(
            Goal(
                description=description,
                status=status,
                status_changes=[
                    GoalStatusChange(status=status, on=today, changed_by=actor.user_id)
                ],
            )
        )
        return True

    entry: dict[str, Any] = {"status": status}
    if description is not None:
        entry = {"description": description, "status": status}
    return _add(uow, actor, client_id, today, "goals", entry=entry, write=write)


def _entry_date_problems(
    session: Session, client_id: int, today: date, *, path: str, entry: Any
) -> list[FieldError]:
    """The new entry's date checked as a date entered by hand (the case format has passed)."""
    if not isinstance(entry, Mapping) or entry.get("date") in (None, ""):
        return []
    on = date.fromisoformat(str(entry["date"]))
    problem = check_entry_day(
        on,
        today=today,
        opened_on=current_episode_start(session, client_id),
        path=f"{path}.date",
    )
    return [problem] if problem is not None else []


def _same_day_again(
    entries: Sequence[Any], index: int, entry: Mapping[str, Any]
) -> list[FieldError]:
    """A second questionnaire of one instrument on one day is asked about first."""
    same = [
        m for m in entries if m["instrument"] == entry["instrument"] and m["date"] == entry["date"]
    ]
    if not same:
        return []
    return [
        FieldError(
            f"measures[{index}].date",
            f"a {entry['instrument']} is already recorded on {entry['date']}; "
            "confirm that this is a second one that day (confirm_same_day)",
            kind=SAME_DAY_AGAIN,
            detail={"instrument": entry["instrument"], "day": date.fromisoformat(entry["date"])},
        )
    ]


def store_reassessment(
    uow: UnitOfWork, actor: Actor, client: Client, parsed: Case, practice_id: int
) -> dict[str, Any]:
    """Assess the client's case as it now stands under the practice's settings, store the
    assessment and audit it; in the caller's transaction. The assessment's JSON."""
    session = uow.session
    assessment = assess_case(parsed, uow.practices.rule_settings(practice_id))
    result = assessment.as_dict()
    store_assessment(
        session, client, result, rules_version=RULES_VERSION, display=assessment.display()
    )
    audit_write(
        session, actor, AuditAction.ASSESSMENT_STORE, target_type="client", target_ids=[client.id]
    )
    return result


def _add(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    today: date,
    section: str,
    *,
    entry: Any,
    write: Callable[[Client], bool],
    confirm_same_day: bool = False,
) -> Saved:
    """Validate the case with `entry` appended to `section`, and the entry's date as one
    entered by hand (`domain.recording`); then write, audit and reassess. A questionnaire
    of an instrument already given that day needs `confirm_same_day`."""
    require_permission(actor, Permission.CLIENT_WRITE)
    with uow:
        session = uow.session
        access = client_access(session, actor, client_id, write=True)
        client = session.get(Client, client_id)
        if client is None:  # pragma: no cover - removed while we read
            raise NotFound("client", client_id)
        if client.discharged_on is not None:
            raise InvalidInput(
                [
                    FieldError(
                        "(client)",
                        f"this client was discharged on {client.discharged_on.isoformat()}: "
                        "readmit them to add to the record",
                    )
                ],
                "case",
            )
        case = read_case(session, client_id, today).case
        entries = list(case.get(section, []))
        index = len(entries)
        case[section] = [*entries, entry]
        try:
            parsed = parse_case(case, today=today)
        except InvalidInput as error:
            raise RecordRefused(error.errors, section, index) from None
        problems = _entry_date_problems(
            session, client_id, today, path=f"{section}[{index}]", entry=entry
        )
        if section == "measures" and not confirm_same_day:
            problems += _same_day_again(entries, index, entry)
        if problems:
            raise RecordRefused(problems, section, index)
        if not write(client):
            return Saved(client_id, None, changed=False)
        session.flush()
        audit_write(
            session, actor, AuditAction.CLIENT_UPDATE, target_type="client", target_ids=[client_id]
        )
        result = store_reassessment(uow, actor, client, parsed, access.practice_id)
        uow.commit()
    return Saved(client_id, result, changed=True)
