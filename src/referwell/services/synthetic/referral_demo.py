"""The demo practice's referrals: one in every state of the referral's status table (issue
11), each with its options, the events that led there (every step checked by the domain's
table), and the consent a sent referral needs, so that a new user sees the whole loop.

Rows are written directly (the demo's clock counts back from the demo day); each step is
checked by `domain.referrals.status.check_transition`, so the demo holds no transition the
app would refuse. Synthetic people only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from referwell.domain.referrals.checklist import ChecklistRecord
from referwell.domain.referrals.status import Side, check_transition, is_closed

S, R = Side.SENDER, Side.RECEIVER


@dataclass(frozen=True, slots=True)
class DemoReferral:
    """One demo referral: for which need, and its steps (status, business status, side, days
    before the demo day, a note or an appointment `days` after the demo day)."""

    need: str | None
    reason: str
    steps: tuple[tuple[str, str, Side, int], ...]
    appointment_in: int | None = None  # days after the demo day (negative: before)
    note: str | None = None
    reported_by: str | None = None  # the receiver's steps, reported to the sender


SENT = ("requested", "sent", S, 20)
DEMO_REFERRALS: Final[tuple[DemoReferral, ...]] = (
    DemoReferral("dbt", "Needs a full DBT program", ()),
    DemoReferral("psychiatry", "A medication review", (SENT,)),
    DemoReferral("trauma_focused", "Trauma-focused therapy", (
        ("requested", "sent", S, 12), ("received", "acknowledged", R, 10)),
        reported_by="Intake coordinator"),
    DemoReferral("eating_disorders", "Eating disorder treatment", (
        SENT, ("received", "acknowledged", R, 18), ("accepted", "scheduled", R, 15)),
        appointment_in=6, reported_by="Intake coordinator"),
    DemoReferral("emdr", "EMDR for the accident memories", (
        SENT, ("accepted", "accepted", R, 17), ("on-hold", "waitlisted", R, 17)),
        reported_by="Front desk"),
    DemoReferral("couples", "Couples therapy alongside", (
        ("requested", "sent", S, 40), ("accepted", "scheduled", R, 35),
        ("in-progress", "first_appointment_attended", R, 21)),
        appointment_in=-21, reported_by="Their clinician"),
    DemoReferral("bipolar", "Bipolar disorder care", (
        ("requested", "sent", S, 60), ("accepted", "scheduled", R, 55),
        ("in-progress", "first_appointment_attended", R, 45),
        ("completed", "care_established", R, 30)),
        appointment_in=-45, reported_by="Their clinician"),
    DemoReferral("addiction", "Addiction treatment", (
        SENT, ("rejected", "declined_by_receiver", R, 16)),
        note="Not taking clients of this age", reported_by="Intake coordinator"),
    DemoReferral("family", "Family therapy", (SENT, ("cancelled", "withdrawn", S, 9)),
                 note="The family chose to stay here for now"),
    DemoReferral("erp", "ERP for OCD", (
        ("requested", "sent", S, 50), ("failed", "no_contact", S, 20)),
        note="No answer to three calls"),
    DemoReferral(None, "The client asked for a group", (
        SENT, ("entered-in-error", "entered_in_error", S, 19)),
        note="Opened for the wrong client"),
    DemoReferral("psychiatry", "A medication review; the first appointment was missed", (
        ("requested", "sent", S, 30), ("accepted", "scheduled", R, 25),
        ("accepted", "no_show", R, 3)),
        appointment_in=-3, reported_by="Front desk"),
)  # fmt: skip
SCOPES: Final = ["identity_contact", "referral_reason", "transfer_summary"]


def _at(day: date, days_before: int) -> datetime:
    moment = day - timedelta(days=days_before)
    return datetime(moment.year, moment.month, moment.day, 10, tzinfo=UTC)


def seed_demo_referrals(
    session: Any,
    actor: Any,
    practice_id: int,
    clients: Sequence[tuple[int, int]],
    *,
    entries: Mapping[str, Sequence[Any]],
    day: date,
) -> list[int]:
    """Write `DEMO_REFERRALS` for `clients` ((client id, clinician id), one each, in order),
    each offering two of `entries` (directory rows by the service they offer). Returns the
    referrals' ids."""
    from referwell.db.audit import AuditAction
    from referwell.db.referrals.models import (
        Referral,
        ReferralEvent,
        ReferralOption,
        ReleaseConsent,
    )
    from referwell.services.auditing import audit_write

    made: list[int] = []
    for (client_id, clinician_id), demo in zip(clients, DEMO_REFERRALS, strict=False):
        offered = list(entries.get(demo.need or "psychotherapy", ()))[:2]
        first = demo.steps[0][3] + 2 if demo.steps else 2
        opened = _at(day, first)
        appointment = day + timedelta(days=demo.appointment_in) if demo.appointment_in else None
        referral = Referral(
            practice_id=practice_id, direction="outgoing", client_id=client_id,
            clinician_id=clinician_id, need_service=demo.need, reason=demo.reason,
            urgency="soon" if demo.need == "psychiatry" else "routine",
            status="draft", business_status="drafted",
            checklist=ChecklistRecord(
                ending_discussed=bool(demo.steps), follow_up_on=day + timedelta(days=14),
                options_available=len(offered),
            ).as_json(),
            follow_up_on=day + timedelta(days=14),
            transfer_summary="A synthetic summary for the demo." if demo.steps else None,
            created_by=actor.audit_name, created_at=opened, updated_at=opened,
        )  # fmt: skip
        referral.options = [
            ReferralOption(entry_id=e.id, external_id=e.external_id, name=e.name,
                           financial_arrangement=e.financial_arrangement,
                           chosen=bool(demo.steps) and i == 0, added_at=opened)
            for i, e in enumerate(offered)
        ]  # fmt: skip
        events = [ReferralEvent(from_status=None, to_status="draft", business_status="drafted",
                                side="sender", actor_kind=actor.kind.value, actor=actor.audit_name,
                                at=opened)]  # fmt: skip
        current = "draft"
        last_side: Side | None = S
        for status, business, side, days_before in demo.steps:
            dated = business in ("scheduled", "rescheduled")
            check_transition(
                current, status, business, side=side, error_side=last_side,
                appointment_on=appointment if dated else None, reason=demo.note,
            )  # fmt: skip
            at = _at(day, days_before)
            events.append(
                ReferralEvent(
                    from_status=current, to_status=status, business_status=business,
                    side=side.value, actor_kind=actor.kind.value, actor=actor.audit_name,
                    reported_by=demo.reported_by if side is R else None, at=at,
                    note=demo.note if status in ("rejected", "cancelled", "failed",
                                                 "entered-in-error") else None,
                    appointment_on=appointment if dated else None,
                )
            )  # fmt: skip
            if status == "requested":
                referral.sent_at = at
            if status == "accepted" and referral.accepted_at is None:
                referral.accepted_at = at
            if is_closed(status):
                referral.closed_at = at
            referral.status, referral.business_status = status, business
            referral.updated_at = at
            current, last_side = status, side
        referral.appointment_on = appointment if demo.appointment_in else None
        referral.events = events
        session.add(referral)
        if demo.steps and offered:
            session.add(
                ReleaseConsent(
                    client_id=client_id, entry_id=offered[0].id, recipient_name=offered[0].name,
                    scopes=SCOPES, valid_from=opened.date(),
                    valid_until=day + timedelta(days=180), granted_by=clinician_id,
                    created_at=opened,
                )
            )  # fmt: skip
        session.flush()
        made.append(referral.id)
    if made:
        audit_write(session, actor, AuditAction.REFERRAL_CREATE, target_type="referral",
                    target_ids=made)  # fmt: skip
    return made
