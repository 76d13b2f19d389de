"""Referrals between two referwell practices, as FHIR R4 (docs/referrals.md).

The sender posts a referral Bundle to the receiver's endpoint (`receive_bundle`): it lands
in the receiving practice's inbox as an incoming referral holding only what came. Either
end reads the other's `Task` (`read_task`) and updates it with `If-Match` (`update_task`):
the changes the other end made are brought in as that end's steps (`apply_task`), each one
checked against the status table, recorded and audited in one transaction.

Every function here acts for a `PartnerPractice` (built from the token it presented) and
sees only the referrals exchanged with that partner.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.referrals.models import Referral, ReferralEvent
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.referrals.status import Side
from referwell.services.auditing import ReadAudit, audit_write
from referwell.services.errors import Conflict, NotFound
from referwell.services.permissions import Actor, PartnerPractice, Permission, require_permission
from referwell.services.referrals.access import load_referral, side_of
from referwell.services.referrals.fhir_task import (
    PRIORITY_OF_URGENCY,
    REFERRAL_SYSTEM,
    URGENCY_OF_PRIORITY,
    TaskState,
    steps_to,
    task_of,
    task_state,
)
from referwell.services.referrals.transitions import apply_transition, flush_or_conflict
from referwell.services.referrals.views import ReferralView, referral_view

_SERVICE_CODE: Final = re.compile(r"[a-z][a-z0-9_.]{0,63}")
REASON_MAX: Final = 4000


# --- the Bundle a sender posts ---------------------------------------------------------


def outgoing_bundle(session: Session, referral: Referral, on: date) -> dict[str, Any]:
    """The Bundle for an outgoing referral to its chosen recipient: only what the client's
    consent covers today (no permission check: the caller loaded the referral).

    TODO(issue 11): switch to the letter engineer's `services.referrals.fhir_bundle` builder
    once it lands; this minimal one carries the Task, the ServiceRequest and the Patient.
    """
    from referwell.services.referrals.consents import covered_scopes
    from referwell.services.referrals.release import gather_facts, release_of

    facts, recipient = gather_facts(session, referral, on)
    assert referral.client_id is not None  # noqa: S101 - gather_facts refused it otherwise
    release = release_of(facts, covered_scopes(session, referral.client_id, recipient, on))
    task = task_of(referral)
    task["basedOn"] = [{"reference": "ServiceRequest/sr"}]
    task["for"] = {"reference": "Patient/pt"}
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": "sr",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/pt"},
        "requester": {"display": f"{facts.sender.clinician_name}, {facts.sender.practice_name}"},
        "performer": [{"display": facts.recipient_name}],
    }
    if release.reason is not None:
        request["priority"] = PRIORITY_OF_URGENCY.get(release.reason.urgency, "routine")
        request["reasonCode"] = [{"text": release.reason.text or "(no reason given)"}]
        if release.reason.need_service:
            request["code"] = {
                "coding": [
                    {
                        "system": "https://referwell.example/fhir/CodeSystem/service",
                        "code": release.reason.need_service,
                    }
                ],
                "text": release.reason.service_label or release.reason.need_service,
            }
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "pt"}
    if release.identity is not None:
        identity = release.identity
        patient["name"] = [{"text": identity.name}]
        # The record holds an age, not a date of birth: the year it implies.
        patient["birthDate"] = str(on.year - identity.age)
        telecom = []
        if identity.email:
            telecom.append({"system": "email", "value": identity.email})
        if identity.phone:
            telecom.append({"system": "phone", "value": identity.phone})
        if telecom:
            patient["telecom"] = telecom
    entries = [task, request, patient]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:referwell:{r['resourceType']}:{r['id']}", "resource": r}
            for r in entries
        ],
    }


# --- receiving a Bundle ------------------------------------------------------------------


def _resources(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for entry in bundle.get("entry") or ():
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            found.setdefault(str(resource.get("resourceType")), resource)
    return found


def _check_bundle(body: Any) -> dict[str, Any]:
    """The Bundle as sent, checked as FHIR R4B and for what a referral needs."""
    if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
        raise InvalidInput(
            [FieldError("resourceType", 'send a FHIR R4 resource of type "Bundle"')],
            what="Bundle",
        )
    from fhir.resources.R4B.bundle import Bundle

    try:
        Bundle.model_validate(body)
    except ValueError as refused:
        lines = str(refused).splitlines()
        raise InvalidInput(
            [FieldError("Bundle", " ".join(lines[1:3])[:300] or "not a valid R4 Bundle")],
            what="Bundle",
        ) from None
    found = _resources(body)
    errors = [
        FieldError(f"entry[{kind}]", f"a referral Bundle holds a {kind}")
        for kind in ("Task", "ServiceRequest")
        if kind not in found
    ]
    task = found.get("Task", {})
    if task and not _remote_id(task):
        errors.append(FieldError("Task.id", "give the referral's id at the sender as Task.id"))
    if errors:
        raise InvalidInput(errors, what="Bundle")
    return found


def _remote_id(task: dict[str, Any]) -> str | None:
    for identifier in task.get("identifier") or ():
        if isinstance(identifier, dict) and identifier.get("system") == REFERRAL_SYSTEM:
            value = identifier.get("value")
            if isinstance(value, str) and 0 < len(value) <= 200:
                return value
    value = task.get("id")
    return value if isinstance(value, str) and 0 < len(value) <= 200 else None


def receive_bundle(
    uow: UnitOfWork, partner: PartnerPractice, body: Any, *, now: datetime | None = None
) -> tuple[ReferralView, bool]:
    """An incoming referral from `partner`, in the inbox of the practice's supervisors:
    `requested`/`sent`, holding the Bundle as it came. A Bundle sent again (same sender
    Task id) returns the referral made the first time (`created` False)."""
    require_permission(partner, Permission.REFERRAL_PARTNER)
    found = _check_bundle(body)
    now = now or utcnow()
    task, request = found["Task"], found["ServiceRequest"]
    remote_id = _remote_id(task)
    with uow:
        session = uow.session
        existing = session.scalar(
            select(Referral).where(
                Referral.practice_id == partner.practice_id,
                Referral.direction == "incoming",
                Referral.partner_id == partner.partner_id,
                Referral.remote_id == remote_id,
            )
        )
        if existing is not None:
            return referral_view(existing), False
        reason = " ".join(
            str(code.get("text", "")) for code in request.get("reasonCode") or () if code
        ).strip()
        service = None
        for coding in (request.get("code") or {}).get("coding") or ():
            code = coding.get("code") if isinstance(coding, dict) else None
            if isinstance(code, str) and _SERVICE_CODE.fullmatch(code):
                service = code
        referral = Referral(
            practice_id=partner.practice_id,
            direction="incoming",
            need_service=service,
            reason=reason[:REASON_MAX],
            urgency=URGENCY_OF_PRIORITY.get(str(request.get("priority")), "routine"),
            status="requested",
            business_status="sent",
            partner_id=partner.partner_id,
            remote_id=remote_id,
            sent_at=now,
            payload=body,
            created_by=partner.audit_name,
            created_at=now,
            updated_at=now,
        )
        referral.events.append(
            ReferralEvent(
                from_status=None,
                to_status="requested",
                business_status="sent",
                side=Side.SENDER.value,
                actor_kind=partner.kind.value,
                actor=partner.audit_name,
                at=now,
            )
        )
        session.add(referral)
        session.flush()
        audit_write(
            session,
            partner,
            AuditAction.REFERRAL_RECEIVE,
            target_type="referral",
            target_ids=[referral.id],
        )
        view = referral_view(referral)
        uow.commit()
    return view, True


# --- reading and updating a Task ---------------------------------------------------------


def task_id_of(value: str) -> int:
    """A Task id of this end (a referral id); `NotFound` for anything else."""
    # A referral id is a database integer (PostgreSQL's `integer`: at most 2**31 - 1).
    if not (value.isascii() and value.isdigit() and len(value) <= 10) or int(value) >= 2**31:
        raise NotFound("Task", value[:40])
    return int(value)


def read_task(
    uow: UnitOfWork, partner: PartnerPractice, task_id: str, reads: ReadAudit
) -> dict[str, Any]:
    """The `Task` of a referral exchanged with `partner` (read audited)."""
    wanted = task_id_of(task_id)
    with uow:
        referral = load_referral(uow.session, partner, wanted)
        task = task_of(referral)
    reads.record_read(
        partner, AuditAction.REFERRAL_READ, target_type="referral", target_ids=[wanted]
    )
    return task


def apply_task(
    session: Session,
    referral: Referral,
    actor: Actor,
    state: TaskState,
    *,
    now: datetime,
) -> int:
    """Bring `referral` to what the other end's Task says, as the steps of the side `actor`
    stands at (no permission check: the caller loaded the referral); the number of steps."""
    side = side_of(actor, referral)
    steps = steps_to(referral, side, state)
    for number, step in enumerate(steps):
        final = number == len(steps) - 1
        apply_transition(
            session,
            referral,
            actor,
            side,
            status=step.status,
            business_status=step.business_status,
            appointment_on=state.appointment_on if final else None,
            reason=state.reason if final else None,
            now=now,
        )
    return len(steps)


def update_task(
    uow: UnitOfWork,
    partner: PartnerPractice,
    task_id: str,
    body: Any,
    *,
    if_match: int | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """`PUT Task/{id}` from `partner`: the referral at version `if_match` brought to the
    Task's status as the partner's steps. `Conflict` when the version moved (412)."""
    require_permission(partner, Permission.REFERRAL_PARTNER)
    wanted = task_id_of(task_id)
    state = task_state(body)
    now = now or utcnow()
    if if_match is None:
        raise InvalidInput(
            [FieldError("If-Match", 'give the version read, as If-Match: W/"<version>"')],
            what="Task",
        )
    with uow:
        session = uow.session
        referral = load_referral(session, partner, wanted, write=True)
        if referral.version != if_match:
            raise Conflict("referral", referral.id, expected=if_match, current=referral.version)
        if apply_task(session, referral, partner, state, now=now):
            flush_or_conflict(session, referral, if_match)
        task = task_of(referral)
        uow.commit()
    return task
