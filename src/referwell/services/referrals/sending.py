"""Sending a referral (`draft` to `requested`): only with one chosen receiver, a valid
consent covering it, no financial arrangement paying for referrals, the `reason.*` cautions
addressed or overridden with a reason, and (when it ends care) the checklist complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.directory.models import DirectoryEntry
from referwell.db.referrals.models import Referral
from referwell.db.uow import UnitOfWork
from referwell.domain.citations import Citation
from referwell.domain.errors import FieldError
from referwell.domain.referrals.consent import missing_to_send
from referwell.domain.referrals.guards import (
    ReferralBlocked,
    financial_block,
    reason_cautions,
)
from referwell.domain.referrals.status import Side
from referwell.services.auditing import audit_write
from referwell.services.permissions import Person
from referwell.services.referrals.access import check_version, load_referral
from referwell.services.referrals.consents import (
    consents_of_client,
    partner_for_entry,
    recipient_of,
)
from referwell.services.referrals.opening import checklist_of
from referwell.services.referrals.transitions import apply_transition, flush_or_conflict
from referwell.services.referrals.views import ReferralView, referral_view


@dataclass(frozen=True, slots=True)
class SendCheck:
    """What stops a referral from being sent now (empty `errors`: nothing)."""

    errors: tuple[FieldError, ...]
    citations: tuple[Citation, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def send_check(session: Session, referral: Referral, *, now: datetime) -> SendCheck:
    """Every reason `referral` cannot be sent, each naming its field (no permission check)."""
    errors: list[FieldError] = []
    citations: list[Citation] = []
    chosen = referral.chosen
    if len(chosen) != 1:
        errors.append(
            FieldError(
                "options",
                f"choose exactly one option to send the referral to ({len(chosen)} chosen); "
                "open another referral to refer to a second receiver as well",
            )
        )
    for option in chosen:
        entry = session.get(DirectoryEntry, option.entry_id) if option.entry_id else None
        arrangement = entry.financial_arrangement if entry else option.financial_arrangement
        block = financial_block(arrangement)
        if block is not None:
            errors.append(FieldError(f"options[{option.id}].financial_arrangement", block.message))
            citations.extend(block.citations)
        if referral.client_id is not None:
            recipient = recipient_of(
                session, referral.practice_id, option.entry_id, option.external_id
            )
            missing = missing_to_send(
                consents_of_client(session, referral.client_id), recipient, now.date()
            )
            if missing:
                errors.append(
                    FieldError(
                        "consent",
                        f"no valid consent lets {option.name} receive {', '.join(missing)}: "
                        "record the client's consent (or renew an expired or revoked one)",
                    )
                )
    found = reason_cautions(referral.cautions)
    if found and not (referral.override_reason and referral.override_reason.strip()):
        errors.append(
            FieldError(
                "override_reason",
                f"the assessment cautions that {', '.join(found)} is not an ethical ground "
                "for referral: address the caution first (supervision, consultation), or "
                "give the reason you go on",
            )
        )
    if referral.pretermination:
        for item in checklist_of(session, referral, on=now.date()).items:
            if not item.done and item.code != "consent":  # consent is reported above
                errors.append(FieldError(f"checklist.{item.code}", item.why))
    return SendCheck(tuple(errors), tuple(dict.fromkeys(citations)))


def send_referral(
    uow: UnitOfWork,
    person: Person,
    referral_id: int,
    *,
    expected_version: int,
    override_reason: str | None = None,
    now: datetime | None = None,
) -> ReferralView:
    """Send a draft referral (its clinician): `ReferralBlocked` lists every reason it cannot
    go (with citations for a financial conflict); else it becomes `requested`/`sent`, the
    receiver's partner (if it uses referwell) is recorded, and the send is audited.

    Delivery (the partner's endpoint, the letter, a status link) is the caller's next step.
    """
    now = now or utcnow()
    with uow:
        session = uow.session
        referral = load_referral(session, person, referral_id, write=True)
        check_version(referral, expected_version)
        if override_reason is not None and override_reason.strip():
            referral.override_reason = override_reason.strip()
        check = send_check(session, referral, now=now)
        if not check.ok:
            raise ReferralBlocked(list(check.errors), check.citations)
        option = referral.chosen[0]
        partner = partner_for_entry(session, referral.practice_id, option.external_id)
        referral.partner_id = partner.id if partner else None
        apply_transition(
            session,
            referral,
            person,
            Side.SENDER,
            status="requested",
            business_status="sent",
            now=now,
        )
        flush_or_conflict(session, referral, expected_version)
        audit_write(
            session,
            person,
            AuditAction.REFERRAL_SEND,
            target_type="referral",
            target_ids=[referral.id],
        )
        view = referral_view(referral)
        uow.commit()
        return view
