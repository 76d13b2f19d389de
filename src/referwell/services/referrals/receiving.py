"""The receiving practice's side of an incoming referral (from a partner practice).

Incoming referrals wait in the inbox of the practice's supervisors (`worklist.inbox`).
Accepting one assigns it to a clinician and creates the client's record from what came,
which is only what the client's consent covered (the Bundle's Patient: name, year of birth,
contact). Then the receiver records its steps (`RECEIVER_STEPS`): acknowledged, scheduled,
no-show, first appointment attended, care established, waitlisted, declined. After each,
the web or the command pushes the Task to the sender (`delivery.push_task`), or the sender's
poll picks it up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.cases import import_case, new_external_id
from referwell.db.ids import record_id
from referwell.db.models import User
from referwell.db.referrals.models import Referral
from referwell.db.uow import UnitOfWork
from referwell.domain.case import CASE_FORMAT
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import MISSING, FieldError, InvalidInput
from referwell.domain.referrals.status import Side, Step, waitlist_steps
from referwell.services.auditing import ReadAudit, audit_write
from referwell.services.clients.entries import store_reassessment
from referwell.services.errors import Forbidden
from referwell.services.permissions import (
    CLINICAL_ROLES,
    Permission,
    Person,
    Role,
    require_permission,
)
from referwell.services.referrals.access import check_version, load_referral
from referwell.services.referrals.transitions import (
    apply_transition,
    flush_or_conflict,
    record_steps,
)
from referwell.services.referrals.views import ReferralView, referral_view


@dataclass(frozen=True, slots=True)
class ReceiverStep:
    code: str
    label: str
    steps: tuple[Step, ...]
    needs_date: bool = False
    needs_reason: bool = False


# The receiver's actions on an incoming referral, as the inbox offers them.
RECEIVER_STEPS: Final[Mapping[str, ReceiverStep]] = {
    s.code: s
    for s in (
        ReceiverStep("acknowledge", "Acknowledge", (Step("received", "acknowledged"),)),
        ReceiverStep(
            "decline",
            "Decline",
            (Step("rejected", "declined_by_receiver"),),
            needs_reason=True,
        ),
        ReceiverStep("schedule", "Schedule", (Step("accepted", "scheduled"),), needs_date=True),
        ReceiverStep(
            "reschedule", "Reschedule", (Step("accepted", "rescheduled"),), needs_date=True
        ),
        ReceiverStep("no_show", "Record a no-show", (Step("accepted", "no_show"),)),
        ReceiverStep(
            "first_appointment",
            "Record the first appointment attended",
            (Step("in-progress", "first_appointment_attended"),),
        ),
        ReceiverStep(
            "care_established", "Record care established", (Step("completed", "care_established"),)
        ),
        ReceiverStep("waitlist", "Put on the waitlist", (Step("on-hold", "waitlisted"),)),
    )
}


def incoming_patient(payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the Bundle's Patient carries: `name`, `birth_year`, `email`, `phone` (each only
    when it came)."""
    patient: dict[str, Any] = {}
    for entry in (payload or {}).get("entry") or ():
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
            patient = resource
            break
    out: dict[str, Any] = {}
    for name in patient.get("name") or ():
        if isinstance(name, dict):
            text = name.get("text") or " ".join(
                [*(name.get("given") or ()), str(name.get("family") or "")]
            )
            if str(text).strip():
                out["name"] = str(text).strip()[:200]
                break
    birth = str(patient.get("birthDate") or "")
    if len(birth) >= 4 and birth[:4].isdigit():
        out["birth_year"] = int(birth[:4])
    for telecom in patient.get("telecom") or ():
        if isinstance(telecom, dict) and telecom.get("system") in ("email", "phone"):
            out.setdefault(str(telecom["system"]), str(telecom.get("value", ""))[:200])
    return out


def accept_incoming(
    uow: UnitOfWork,
    person: Person,
    referral_id: int,
    *,
    clinician_id: Any,
    expected_version: int,
    today: date,
    appointment_on: date | None = None,
    waitlisted: bool = False,
    now: datetime | None = None,
) -> ReferralView:
    """Accept an incoming referral (a supervisor): assign it to `clinician_id`, create the
    client's record from what came, and record `accepted` (with `scheduled` when
    `appointment_on` is given; with `waitlisted` accepted then on hold). One transaction."""
    require_permission(person, Permission.SUPERVISOR)
    now = now or utcnow()
    errors: list[FieldError] = []
    wanted = record_id(clinician_id)
    with uow:
        session = uow.session
        referral = load_referral(session, person, referral_id, write=True)
        check_version(referral, expected_version)
        if referral.direction != "incoming" or referral.client_id is not None:
            raise Forbidden("only an incoming referral not yet accepted is accepted here")
        clinician = session.get(User, wanted) if wanted is not None else None
        if (
            clinician is None
            or clinician.practice_id != person.practice_id
            or not clinician.active
            or clinician.role not in {role.value for role in CLINICAL_ROLES}
        ):
            errors.append(
                FieldError(
                    "clinician_id",
                    "choose an active clinician of the practice to take the client",
                    kind=MISSING if wanted is None else "",
                )
            )
        patient = incoming_patient(referral.payload)
        if "name" not in patient or "birth_year" not in patient:
            errors.append(
                FieldError(
                    "(referral)",
                    "the referral came without the client's name and year of birth (no "
                    "consent to share them): decline it, or ask the sender to renew consent",
                )
            )
        if errors:
            raise InvalidInput(errors, what="referral")
        assert clinician is not None  # noqa: S101 - checked above
        age = max(0, min(120, today.year - patient["birth_year"]))
        document = {
            "format": CASE_FORMAT,
            "id": new_external_id(),
            "as_of": today.isoformat(),
            "clinician": {
                "competencies": [row.code for row in clinician.competencies],
                "in_training": [row.code for row in clinician.in_training],
            },
            "client": {"age": age},
            "concerns": [],
            "format_of_care": "individual",
        }
        parsed = parse_case(document, today=today)
        client = import_case(
            session,
            person.practice_id,
            clinician.id,
            document,
            display_name=patient["name"],
            email=patient.get("email"),
            phone=patient.get("phone"),
            clinician_profile="keep",
            opened_on=today,
        )
        client.episodes[0].opened_by = person.user_id
        session.flush()
        audit_write(
            session, person, AuditAction.CLIENT_CREATE, target_type="client", target_ids=[client.id]
        )
        store_reassessment(uow, person, client, parsed, person.practice_id)
        referral.client_id = client.id
        referral.clinician_id = clinician.id
        if waitlisted:
            steps: tuple[Step, ...] = waitlist_steps(referral.status)
        else:
            steps = (Step("accepted", "scheduled" if appointment_on else "accepted"),)
        for step in steps:
            apply_transition(
                session,
                referral,
                person,
                Side.RECEIVER,
                status=step.status,
                business_status=step.business_status,
                appointment_on=appointment_on if step.business_status == "scheduled" else None,
                now=now,
            )
        flush_or_conflict(session, referral, expected_version)
        view = referral_view(referral)
        uow.commit()
    return view


def receiver_step(
    uow: UnitOfWork,
    person: Person,
    referral_id: int,
    code: str,
    *,
    expected_version: int,
    appointment_on: date | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> ReferralView:
    """One of `RECEIVER_STEPS` on an incoming referral (its clinician or a supervisor)."""
    step = RECEIVER_STEPS.get(code)
    if step is None:
        raise InvalidInput(
            [FieldError("step", "choose one of " + ", ".join(RECEIVER_STEPS), kind=MISSING)],
            what="referral",
        )
    return record_steps(
        uow,
        person,
        referral_id,
        step.steps,
        expected_version=expected_version,
        appointment_on=appointment_on,
        reason=reason,
        now=now,
    )


@dataclass(frozen=True, slots=True)
class IncomingRow:
    """An incoming referral as the inbox shows it, with what came of the client."""

    view: ReferralView
    patient: dict[str, Any]


def incoming(
    uow: UnitOfWork, person: Person, reads: ReadAudit
) -> tuple[list[IncomingRow], list[IncomingRow]]:
    """The inbox (a supervisor's: incoming referrals not yet accepted) and the accepted
    incoming referrals the person follows (assigned to them, or to their supervisees)."""
    from referwell.services.referrals import worklist

    waiting = worklist.inbox(uow, person, reads) if person.role is Role.SUPERVISOR else []
    assigned = [
        v
        for v in worklist.list_referrals(uow, person, reads, direction="incoming")
        if v.client_id is not None
    ]
    ids = [v.referral_id for v in (*waiting, *assigned)]
    with uow:
        rows = uow.session.execute(
            select(Referral.id, Referral.payload).where(Referral.id.in_(ids))
        ).all()
        payloads: dict[int, Any] = {row[0]: row[1] for row in rows}
    return (
        [IncomingRow(v, incoming_patient(payloads.get(v.referral_id))) for v in waiting],
        [IncomingRow(v, incoming_patient(payloads.get(v.referral_id))) for v in assigned],
    )
