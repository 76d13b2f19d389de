"""Reading referrals: one, a clinician's (their caseload), the practice's inbox of incoming
ones, and the follow-up worklist of those that need a nudge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.referrals.models import Referral
from referwell.db.uow import UnitOfWork
from referwell.domain.referrals.follow_up import FollowUpFacts, FollowUpSettings, due_reasons
from referwell.domain.referrals.status import CLOSED_STATUSES
from referwell.services.auditing import ReadAudit
from referwell.services.permissions import (
    Actor,
    Operator,
    Permission,
    Person,
    Role,
    require_permission,
)
from referwell.services.referrals.access import load_referral
from referwell.services.referrals.views import ReferralView, referral_view


def get_referral(uow: UnitOfWork, actor: Actor, referral_id: int, reads: ReadAudit) -> ReferralView:
    """One referral the actor may see (read audited)."""
    with uow:
        referral = load_referral(uow.session, actor, referral_id)
        reads.record_read(
            actor, AuditAction.REFERRAL_READ, target_type="referral", target_ids=[referral.id]
        )
        return referral_view(referral)


def list_referrals(
    uow: UnitOfWork,
    actor: Actor,
    reads: ReadAudit,
    *,
    client_id: int | None = None,
    include_closed: bool = False,
    direction: str = "outgoing",
) -> list[ReferralView]:
    """Referrals the actor may see, newest first: a person's own (as the referring or the
    assigned clinician; a supervisor also their supervisees'); the operator every practice's.
    `client_id` narrows to one client; closed ones only with `include_closed`."""
    with uow:
        session = uow.session
        query = select(Referral).where(Referral.direction == direction)
        if isinstance(actor, Operator):
            require_permission(actor, Permission.OPERATE)
        else:
            person = _person(actor)
            query = query.where(Referral.practice_id == person.practice_id)
            ids = [person.user_id]
            if person.role is Role.SUPERVISOR:
                ids += uow.staff.supervisee_ids(person.user_id, person.practice_id)
            query = query.where(Referral.clinician_id.in_(ids))
        if client_id is not None:
            query = query.where(Referral.client_id == client_id)
        if not include_closed:
            query = query.where(Referral.status.not_in(CLOSED_STATUSES))
        rows = session.scalars(query.order_by(Referral.updated_at.desc(), Referral.id.desc())).all()
        reads.record_read(
            actor,
            AuditAction.REFERRAL_LIST,
            target_type="referral",
            target_ids=[r.id for r in rows],
        )
        return [referral_view(r) for r in rows]


def inbox(uow: UnitOfWork, person: Person, reads: ReadAudit) -> list[ReferralView]:
    """Incoming referrals not yet assigned to a clinician: the practice's supervisors' inbox."""
    require_permission(person, Permission.SUPERVISOR)
    with uow:
        rows = uow.session.scalars(
            select(Referral)
            .where(
                Referral.practice_id == person.practice_id,
                Referral.direction == "incoming",
                Referral.client_id.is_(None),
                Referral.status.not_in(CLOSED_STATUSES),
            )
            .order_by(Referral.created_at, Referral.id)
        ).all()
        reads.record_read(
            person,
            AuditAction.REFERRAL_LIST,
            target_type="referral",
            target_ids=[r.id for r in rows],
        )
        return [referral_view(r) for r in rows]


@dataclass(frozen=True, slots=True)
class DueReferral:
    referral: ReferralView
    reasons: tuple[str, ...]  # domain.referrals.follow_up reason codes, most urgent first


def due_referrals(
    uow: UnitOfWork,
    actor: Actor,
    reads: ReadAudit,
    *,
    settings: FollowUpSettings | None = None,
    today: date | None = None,
) -> list[DueReferral]:
    """The follow-up worklist: the actor's open outgoing referrals that need a nudge today."""
    settings = settings or FollowUpSettings()
    today = today or utcnow().date()
    due = []
    for view in list_referrals(uow, actor, reads):
        facts = FollowUpFacts(
            status=view.status,
            business_status=view.business_status,
            sent_at=view.sent_at,
            accepted_at=view.accepted_at,
            appointment_on=view.appointment_on,
            follow_up_on=view.follow_up_on,
        )
        reasons = due_reasons(facts, today, settings)
        if reasons:
            due.append(DueReferral(view, reasons))
    return due


def _person(actor: Actor) -> Person:
    checked = require_permission(actor, Permission.CLINICAL)
    assert isinstance(checked, Person)  # noqa: S101 - CLINICAL is held by people only
    return checked
