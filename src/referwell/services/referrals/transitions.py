"""Changing a referral's status: the table's check, the event, the audit entry, one
transaction. A change made against an older version than the referral's is a `Conflict`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.referrals.models import Referral, ReferralEvent
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import FieldError
from referwell.domain.referrals.status import (
    Side,
    Step,
    TransitionRefused,
    check_transition,
    is_closed,
    waitlist_steps,
)
from referwell.services.auditing import audit_write
from referwell.services.errors import Conflict
from referwell.services.permissions import Actor
from referwell.services.referrals.access import check_version, load_referral, side_of
from referwell.services.referrals.views import ReferralView, referral_view


def apply_transition(
    session: Session,
    referral: Referral,
    actor: Actor,
    side: Side,
    *,
    status: str,
    business_status: str,
    appointment_on: date | None = None,
    reason: str | None = None,
    reported_by: str | None = None,
    now: datetime | None = None,
    new: bool = False,
) -> ReferralEvent:
    """Check and apply one transition to a loaded referral, with its event and audit entry
    (added to `session`, committed by the caller). No permission check: callers load the
    referral through `access.load_referral`. `new`: the referral is being opened (from no
    status to `draft`)."""
    now = now or utcnow()
    current = None if new else referral.status
    last_side = Side(referral.events[-1].side) if referral.events else None
    check_transition(
        current,
        status,
        business_status,
        side=side,
        appointment_on=appointment_on,
        reason=reason,
        error_side=last_side,
    )
    event = ReferralEvent(
        from_status=current,
        to_status=status,
        business_status=business_status,
        side=side.value,
        actor_kind=actor.kind.value,
        actor=actor.audit_name,
        reported_by=reported_by.strip() if reported_by else None,
        at=now,
        note=reason.strip() if reason and reason.strip() else None,
        appointment_on=appointment_on,
    )
    referral.events.append(event)
    referral.status = status
    referral.business_status = business_status
    if appointment_on is not None:
        referral.appointment_on = appointment_on
    if status == "requested" and referral.sent_at is None:
        referral.sent_at = now
    if status == "accepted" and referral.accepted_at is None:
        referral.accepted_at = now
    if is_closed(status):
        referral.closed_at = now
    referral.updated_at = now
    session.flush()
    audit_write(
        session,
        actor,
        AuditAction.REFERRAL_STATUS,
        target_type="referral",
        target_ids=[referral.id],
    )
    return event


def flush_or_conflict(session: Session, referral: Referral, expected_version: int) -> None:
    """Flush; an update that found the row at another version is a `Conflict`."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("referral", referral.id, expected=expected_version, current=None) from None


def record_transition(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    status: str,
    business_status: str,
    *,
    expected_version: int,
    appointment_on: date | None = None,
    reason: str | None = None,
    reported_by: str | None = None,
    now: datetime | None = None,
) -> ReferralView:
    """Record one change of status by `actor` (its side follows from who it is; with
    `reported_by`, the sender records the receiver's change on their behalf).

    Raises `TransitionRefused` (not in the table, missing date or reason), `Conflict` (the
    referral is no longer at `expected_version`), `NotFound`/`Forbidden`. Sending
    (`draft` to `requested`) goes through `sending.send_referral`, which checks consent.
    """
    return record_steps(
        uow,
        actor,
        referral_id,
        (Step(status, business_status),),
        expected_version=expected_version,
        appointment_on=appointment_on,
        reason=reason,
        reported_by=reported_by,
        now=now,
    )


def waitlist(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    *,
    expected_version: int,
    reported_by: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> ReferralView:
    """The receiver can only offer a waitlist: accepted, then on hold, in one action (two
    events, one transaction)."""
    return _record(
        uow,
        actor,
        referral_id,
        lambda referral: waitlist_steps(referral.status),
        expected_version=expected_version,
        reason=note,
        reported_by=reported_by,
        now=now,
    )


def record_steps(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    steps: Sequence[Step],
    *,
    expected_version: int,
    appointment_on: date | None = None,
    reason: str | None = None,
    reported_by: str | None = None,
    now: datetime | None = None,
) -> ReferralView:
    """Record `steps` in order, all or none."""
    return _record(
        uow,
        actor,
        referral_id,
        lambda _: steps,
        expected_version=expected_version,
        appointment_on=appointment_on,
        reason=reason,
        reported_by=reported_by,
        now=now,
    )


def _record(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    steps_for: Callable[[Referral], Sequence[Step]],
    *,
    expected_version: int,
    appointment_on: date | None = None,
    reason: str | None = None,
    reported_by: str | None = None,
    now: datetime | None = None,
) -> ReferralView:
    with uow:
        session = uow.session
        referral = load_referral(session, actor, referral_id, write=True)
        check_version(referral, expected_version)
        side = side_of(actor, referral, reported_by=reported_by)
        steps = steps_for(referral)
        if any(step.status == "requested" for step in steps):
            raise TransitionRefused(
                [
                    FieldError(
                        "status",
                        "a referral becomes requested by sending it (which checks consent, "
                        "the guards and the checklist), not by a change of status",
                    )
                ]
            )
        for step in steps:
            apply_transition(
                session,
                referral,
                actor,
                side,
                status=step.status,
                business_status=step.business_status,
                appointment_on=appointment_on,
                reason=reason,
                reported_by=reported_by,
                now=now,
            )
        flush_or_conflict(session, referral, expected_version)
        view = referral_view(referral)
        uow.commit()
        return view
