"""What the referral use cases return: plain data, detached from any session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from referwell.db.referrals.models import Referral, ReferralEvent, ReferralOption, ReleaseConsent
from referwell.domain.referrals.checklist import ChecklistItem
from referwell.domain.referrals.consent import Consent, Recipient
from referwell.domain.referrals.status import Side, is_closed, next_steps


@dataclass(frozen=True, slots=True)
class OptionView:
    option_id: int
    entry_id: int | None
    external_id: str
    name: str
    financial_arrangement: str | None
    chosen: bool


@dataclass(frozen=True, slots=True)
class EventView:
    event_id: int
    from_status: str | None
    to_status: str
    business_status: str
    side: str
    actor_kind: str
    actor: str
    reported_by: str | None
    at: datetime
    note: str | None
    appointment_on: date | None


@dataclass(frozen=True, slots=True)
class ReferralView:
    """A referral as its pages, the API and the commands show it (`version` for If-Match)."""

    referral_id: int
    practice_id: int
    direction: str
    client_id: int | None
    clinician_id: int | None
    need_service: str | None
    reason: str
    urgency: str
    status: str
    business_status: str
    version: int
    pretermination: bool
    follow_up_on: date | None
    transfer_summary: str | None
    cautions: tuple[str, ...]
    override_reason: str | None
    partner_id: int | None
    remote_id: str | None
    appointment_on: date | None
    sent_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    options: tuple[OptionView, ...]
    events: tuple[EventView, ...]

    @property
    def closed(self) -> bool:
        return is_closed(self.status)

    @property
    def delivery_pending(self) -> bool:
        """Sent to a partner practice that has not taken it yet (`poll` tries again)."""
        return delivery_pending(self.direction, self.partner_id, self.remote_id, self.status)

    @property
    def chosen(self) -> tuple[OptionView, ...]:
        return tuple(o for o in self.options if o.chosen)

    def next_steps(self, side: Side) -> tuple[tuple[str, str], ...]:
        """The legal (status, business status) pairs for `side` from here."""
        last = self.events[-1].side if self.events else None
        return next_steps(self.status, side, Side(last) if last else None)


def delivery_pending(
    direction: str, partner_id: int | None, remote_id: str | None, status: str
) -> bool:
    """An outgoing referral sent to a partner practice with no Task id of the partner's kept
    yet: its delivery failed (the partner down, say) and the next poll tries again."""
    return (
        direction == "outgoing"
        and partner_id is not None
        and remote_id is None
        and status != "draft"
        and not is_closed(status)
    )


@dataclass(frozen=True, slots=True)
class ConsentView:
    consent_id: int
    client_id: int
    entry_id: int | None
    partner_id: int | None
    recipient_name: str
    scopes: tuple[str, ...]
    valid_from: date
    valid_until: date
    granted_by: int
    created_at: datetime
    revoked_at: datetime | None
    state: str  # valid, expired, not_yet_valid or revoked, on the day it was read

    def as_domain(self) -> Consent:
        return consent_of_values(
            entry_id=self.entry_id,
            partner_id=self.partner_id,
            scopes=self.scopes,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            revoked_at=self.revoked_at,
        )


@dataclass(frozen=True, slots=True)
class ChecklistView:
    referral_id: int
    applies: bool  # the referral ends care (a `refer` recommendation): it must be complete
    items: tuple[ChecklistItem, ...]

    @property
    def complete(self) -> bool:
        return all(i.done for i in self.items)


def consent_of_values(
    *,
    entry_id: int | None,
    partner_id: int | None,
    scopes: tuple[str, ...] | list[str],
    valid_from: date,
    valid_until: date,
    revoked_at: datetime | None,
) -> Consent:
    return Consent(
        recipient=Recipient(entry_id=entry_id, partner_id=partner_id),
        scopes=frozenset(scopes),
        valid_from=valid_from,
        valid_until=valid_until,
        revoked_at=revoked_at,
    )


def consent_of(row: ReleaseConsent) -> Consent:
    return consent_of_values(
        entry_id=row.entry_id,
        partner_id=row.partner_id,
        scopes=row.scopes,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        revoked_at=row.revoked_at,
    )


def consent_view(row: ReleaseConsent, today: date) -> ConsentView:
    return ConsentView(
        consent_id=row.id,
        client_id=row.client_id,
        entry_id=row.entry_id,
        partner_id=row.partner_id,
        recipient_name=row.recipient_name,
        scopes=tuple(row.scopes),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        granted_by=row.granted_by,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        state=consent_of(row).state(today),
    )


def option_view(o: ReferralOption) -> OptionView:
    return OptionView(o.id, o.entry_id, o.external_id, o.name, o.financial_arrangement, o.chosen)


def event_view(e: ReferralEvent) -> EventView:
    return EventView(
        e.id,
        e.from_status,
        e.to_status,
        e.business_status,
        e.side,
        e.actor_kind,
        e.actor,
        e.reported_by,
        e.at,
        e.note,
        e.appointment_on,
    )


def referral_view(r: Referral) -> ReferralView:
    return ReferralView(
        referral_id=r.id,
        practice_id=r.practice_id,
        direction=r.direction,
        client_id=r.client_id,
        clinician_id=r.clinician_id,
        need_service=r.need_service,
        reason=r.reason,
        urgency=r.urgency,
        status=r.status,
        business_status=r.business_status,
        version=r.version,
        pretermination=r.pretermination,
        follow_up_on=r.follow_up_on,
        transfer_summary=r.transfer_summary,
        cautions=tuple(r.cautions),
        override_reason=r.override_reason,
        partner_id=r.partner_id,
        remote_id=r.remote_id,
        appointment_on=r.appointment_on,
        sent_at=r.sent_at,
        accepted_at=r.accepted_at,
        closed_at=r.closed_at,
        created_at=r.created_at,
        updated_at=r.updated_at,
        options=tuple(option_view(o) for o in r.options),
        events=tuple(event_view(e) for e in r.events),
    )
