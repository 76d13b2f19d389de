"""Status links: how a receiving provider without referwell answers a referral.

The sending clinician makes a link for a sent referral (`create_status_link`); only the
SHA-256 of its token is kept, and it expires after `status_link_days` (a setting). Whoever
holds it (`StatusLinkHolder`) sees only what the client's consent covers today (the
letter's `Release`), and may acknowledge, accept with an appointment date, decline with a
reason, or report the first appointment, until it expires or the referral closes. Every
use is audited by the link's id (`referral_status_link:use`), every refusal of a known link
too (`referral_status_link:refused`); the token is never stored, logged or audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar, Final

from sqlalchemy import select, update

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.referrals.models import Referral, StatusLink
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.referrals.status import CLOSED_STATUSES, Step
from referwell.services.auditing import ReadAudit, audit_write
from referwell.services.errors import UnusableLink
from referwell.services.permissions import (
    Permission,
    Person,
    StatusLinkHolder,
    require_permission,
)
from referwell.services.referrals.access import check_version, load_referral, side_of
from referwell.services.referrals.release import Release, load_release
from referwell.services.referrals.transitions import apply_transition, flush_or_conflict
from referwell.services.referrals.views import ReferralView, referral_view
from referwell.services.tokens import new_token, token_digest

TOKEN_PREFIX: Final = "rws_"  # noqa: S105 - a prefix, not a secret

# What the holder may do, as (label, steps, needs a date, needs a reason).
ACTIONS: Final[Mapping[str, tuple[str, tuple[Step, ...], bool, bool]]] = {
    "acknowledge": ("Acknowledge the referral", (Step("received", "acknowledged"),), False, False),
    "accept": ("Accept, with the first appointment's date", (Step("accepted", "scheduled"),),
               True, False),
    "decline": ("Decline, with the reason", (Step("rejected", "declined_by_receiver"),),
                False, True),
    "first_appointment": ("The client came to the first appointment",
                          (Step("in-progress", "first_appointment_attended"),), False, False),
}  # fmt: skip


class StatusLinkUnusable(UnusableLink):
    """The link cannot be used: `why` is "unknown", "expired", "withdrawn" or "closed"."""

    MESSAGES: ClassVar[Mapping[str, str]] = {
        "unknown": "This link is not one we know. Check that it was copied whole, or ask the "
        "referring clinician for a new one.",
        "expired": "This link has expired. Ask the referring clinician for a new one.",
        "withdrawn": "This link is no longer in use. Ask the referring clinician for a new one.",
        "closed": "This referral is closed: there is nothing more to record here.",
    }


@dataclass(frozen=True, slots=True)
class NewStatusLink:
    """A link just made: the token is shown once, here, and never stored."""

    link_id: int
    referral_id: int
    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class StatusLinkPage:
    """What the holder sees: the release (cut to the consent), the status, the actions."""

    link_id: int
    release: Release
    status: str
    business_status: str
    appointment_on: date | None
    version: int
    actions: tuple[str, ...]  # the ACTIONS legal from here


def create_status_link(
    uow: UnitOfWork, person: Person, referral_id: int, *, days: int, now: datetime | None = None
) -> NewStatusLink:
    """A status link for a sent, open outgoing referral (its clinician), valid `days` days."""
    now = now or utcnow()
    with uow:
        session = uow.session
        referral = load_referral(session, person, referral_id, write=True)
        if referral.direction != "outgoing" or referral.status == "draft":
            raise InvalidInput(
                [FieldError("referral", "send the referral first: a status link follows it")],
                what="status link",
            )
        if referral.status in CLOSED_STATUSES:
            raise InvalidInput(
                [FieldError("referral", "this referral is closed: no link is needed")],
                what="status link",
            )
        token = new_token(TOKEN_PREFIX)
        link = StatusLink(
            referral_id=referral.id,
            token_hash=token_digest(token),
            created_by=person.user_id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        session.add(link)
        session.flush()
        audit_write(
            session,
            person,
            AuditAction.STATUS_LINK_CREATE,
            target_type="referral_status_link",
            target_ids=[link.id],
        )
        made = NewStatusLink(link.id, referral.id, token, link.expires_at)
        uow.commit()
    return made


def _holder(uow: UnitOfWork, token: str, now: datetime) -> StatusLinkHolder:
    """The holder of a usable link; `StatusLinkUnusable` (audited when the link is known)."""
    with uow:
        session = uow.session
        link = session.scalar(
            select(StatusLink).where(StatusLink.token_hash == token_digest(token))
        )
        if link is None:
            raise StatusLinkUnusable("unknown")
        referral = session.get(Referral, link.referral_id)
        why = None
        if link.revoked_at is not None or referral is None:
            why = "withdrawn"
        elif _aware(link.expires_at) <= now:
            why = "expired"
        elif referral.status in CLOSED_STATUSES:
            why = "closed"
        holder = StatusLinkHolder(
            link.id, link.referral_id, referral.practice_id if referral else 0
        )
        if why is not None:
            audit_write(
                session,
                holder,
                AuditAction.STATUS_LINK_REFUSED,
                target_type="referral_status_link",
                target_ids=[link.id],
            )
            uow.commit()
            raise StatusLinkUnusable(why)
    require_permission(holder, Permission.REFERRAL_STATUS_LINK)
    return holder


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def open_status_link(
    uow: UnitOfWork, token: str, reads: ReadAudit, *, now: datetime | None = None
) -> StatusLinkPage:
    """What the link shows (a read audited as the holder's)."""
    now = now or utcnow()
    holder = _holder(uow, token, now)
    release = load_release(uow, holder, holder.referral_id, reads, on=now.date())
    with uow:
        referral = load_referral(uow.session, holder, holder.referral_id)
        view = referral_view(referral)
    return _page(holder, release, view)


def _page(holder: StatusLinkHolder, release: Release, view: ReferralView) -> StatusLinkPage:
    from referwell.domain.referrals.status import Side

    legal = set(view.next_steps(Side.RECEIVER))
    actions = tuple(
        code
        for code, (_, steps, _, _) in ACTIONS.items()
        if (steps[0].status, steps[0].business_status) in legal
    )
    return StatusLinkPage(
        holder.link_id,
        release,
        view.status,
        view.business_status,
        view.appointment_on,
        view.version,
        actions,
    )


def use_status_link(
    uow: UnitOfWork,
    token: str,
    action: str,
    *,
    expected_version: int,
    appointment_on: date | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> ReferralView:
    """Record the holder's answer (one of `ACTIONS`) on the link's referral: the transition
    and its audit entry, the link's use counted and audited (`referral_status_link:use`)."""
    now = now or utcnow()
    if action not in ACTIONS:
        raise InvalidInput(
            [FieldError("action", "choose one of: " + ", ".join(ACTIONS))], what="status link"
        )
    holder = _holder(uow, token, now)
    _, steps, _, _ = ACTIONS[action]
    with uow:
        session = uow.session
        referral = load_referral(session, holder, holder.referral_id, write=True)
        check_version(referral, expected_version)
        side = side_of(holder, referral)
        for step in steps:
            apply_transition(
                session,
                referral,
                holder,
                side,
                status=step.status,
                business_status=step.business_status,
                appointment_on=appointment_on,
                reason=reason,
                now=now,
            )
        session.execute(
            update(StatusLink)
            .where(StatusLink.id == holder.link_id)
            .values(uses=StatusLink.uses + 1, last_used_at=now)
        )
        audit_write(
            session,
            holder,
            AuditAction.STATUS_LINK_USE,
            target_type="referral_status_link",
            target_ids=[holder.link_id],
        )
        flush_or_conflict(session, referral, expected_version)
        view = referral_view(referral)
        uow.commit()
    return view
