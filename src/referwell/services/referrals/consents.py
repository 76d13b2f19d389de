"""Consent to release information: recorded by the client's clinician for a recipient (a
directory entry, a partner practice, or both), by scope, until a date; revocable. Revoking
stops further sharing: every letter, Bundle and status link reads consent when it is made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.directory.models import DirectoryEntry
from referwell.db.referrals.models import Partner, ReleaseConsent
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.referrals.consent import (
    Consent,
    Recipient,
    check_dates,
    check_scopes,
    scopes_covered,
)
from referwell.services.auditing import ReadAudit, audit_write
from referwell.services.errors import NotFound
from referwell.services.permissions import Actor, Permission, Person, authorize
from referwell.services.referrals.views import ConsentView, consent_of, consent_view


def partner_for_entry(session: Session, practice_id: int, external_id: str) -> Partner | None:
    """The practice's partner (not revoked) answering for the directory entry, if any."""
    for partner in session.scalars(
        select(Partner).where(Partner.practice_id == practice_id, Partner.revoked_at.is_(None))
    ):
        if external_id in partner.entry_external_ids:
            return partner
    return None


def recipient_of(
    session: Session, practice_id: int, entry_id: int | None, external_id: str
) -> Recipient:
    """The recipient a referral to this entry goes to: the entry, and its partner if any."""
    partner = partner_for_entry(session, practice_id, external_id)
    if entry_id is None and partner is None:
        # The entry left the directory and nobody answers for it: a recipient nobody consented to.
        return Recipient(entry_id=-1)
    return Recipient(entry_id=entry_id, partner_id=partner.id if partner else None)


def consents_of_client(session: Session, client_id: int) -> list[Consent]:
    rows = session.scalars(
        select(ReleaseConsent)
        .where(ReleaseConsent.client_id == client_id)
        .order_by(ReleaseConsent.id)
    )
    return [consent_of(row) for row in rows]


def covered_scopes(
    session: Session, client_id: int, recipient: Recipient, on: date
) -> frozenset[str]:
    """What `recipient` may receive of the client on `on` (no permission check: for the
    letter, the Bundle and the status link, after their own)."""
    return scopes_covered(consents_of_client(session, client_id), recipient, on)


def record_consent(
    uow: UnitOfWork,
    person: Person,
    client_id: int,
    *,
    scopes: Sequence[str],
    valid_until: date,
    entry_id: int | None = None,
    partner_id: int | None = None,
    valid_from: date | None = None,
    now: datetime | None = None,
) -> ConsentView:
    """Record the client's consent (their own clinician only). Scopes other than the four
    codes are refused (never psychotherapy notes)."""
    now = now or utcnow()
    today = now.date()
    valid_from = valid_from or today
    checked = check_scopes(scopes)
    check_dates(valid_from, valid_until, today)
    if entry_id is None and partner_id is None:
        raise InvalidInput(
            [FieldError("recipient", "name the directory entry or the partner practice")],
            what="consent",
        )
    with uow:
        session = uow.session
        access = authorize(session, person, Permission.CLIENT_WRITE, client_id=client_id).client
        assert access is not None  # noqa: S101 - authorize returns the client it checked
        names = []
        if entry_id is not None:
            entry = session.get(DirectoryEntry, entry_id)
            if entry is None:
                raise InvalidInput(
                    [FieldError("entry_id", f"no directory entry {entry_id}")], what="consent"
                )
            names.append(entry.name)
        if partner_id is not None:
            partner = session.get(Partner, partner_id)
            if partner is None or partner.practice_id != access.practice_id:
                raise InvalidInput(
                    [FieldError("partner_id", f"no partner practice {partner_id}")],
                    what="consent",
                )
            names.append(partner.name)
        row = ReleaseConsent(
            client_id=client_id,
            entry_id=entry_id,
            partner_id=partner_id,
            recipient_name=" / ".join(dict.fromkeys(names)),
            scopes=sorted(checked),
            valid_from=valid_from,
            valid_until=valid_until,
            granted_by=person.user_id,
            created_at=now,
        )
        session.add(row)
        session.flush()
        audit_write(
            session, person, AuditAction.CONSENT_GRANT, target_type="consent", target_ids=[row.id]
        )
        view = consent_view(row, today)
        uow.commit()
        return view


def revoke_consent(
    uow: UnitOfWork, person: Person, consent_id: int, *, now: datetime | None = None
) -> ConsentView:
    """Revoke a consent (the client's own clinician): nothing more is shared under it."""
    now = now or utcnow()
    with uow:
        session = uow.session
        row = session.get(ReleaseConsent, consent_id)
        if row is None:
            raise NotFound("consent", consent_id)
        authorize(session, person, Permission.CLIENT_WRITE, client_id=row.client_id)
        if row.revoked_at is None:
            row.revoked_at = now
            row.revoked_by = person.user_id
            audit_write(
                session,
                person,
                AuditAction.CONSENT_REVOKE,
                target_type="consent",
                target_ids=[row.id],
            )
        view = consent_view(row, now.date())
        uow.commit()
        return view


def list_consents(
    uow: UnitOfWork, actor: Actor, client_id: int, reads: ReadAudit, *, on: date | None = None
) -> list[ConsentView]:
    """The client's consents, newest first, with their state on `on` (read audited)."""
    on = on or utcnow().date()
    with uow:
        session = uow.session
        authorize(session, actor, Permission.CLIENT_READ, client_id=client_id)
        rows = session.scalars(
            select(ReleaseConsent)
            .where(ReleaseConsent.client_id == client_id)
            .order_by(ReleaseConsent.id.desc())
        ).all()
        reads.record_read(
            actor, AuditAction.CLIENT_READ, target_type="client", target_ids=[client_id]
        )
        return [consent_view(row, on) for row in rows]
