"""The sending clinician's page, as reads: one referral with all it needs on one page, the
open referrals of a caseload (one query) with the follow-up each is due for, and a directory
search for another option, from what the client's record says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.cases import read_case
from referwell.db.models import Client, User
from referwell.db.referrals.models import Partner, Referral, ReferralOption, ReleaseConsent
from referwell.db.uow import UnitOfWork
from referwell.domain.caseformat import parse_case
from referwell.domain.directory.matching import Options
from referwell.domain.directory.needs import NeedQuestion
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.referrals.follow_up import (
    REASONS,
    FollowUpFacts,
    FollowUpSettings,
    due_reasons,
)
from referwell.domain.referrals.status import CLOSED_STATUSES
from referwell.domain.vocabulary import SERVICES
from referwell.services.auditing import ReadAudit
from referwell.services.directory.search import case_query, place_of, search_directory
from referwell.services.errors import NotFound
from referwell.services.permissions import (
    Permission,
    Person,
    Role,
    authorize,
    require_permission,
)
from referwell.services.referrals.access import load_referral
from referwell.services.referrals.drafting import NextStep, next_steps
from referwell.services.referrals.opening import checklist_of
from referwell.services.referrals.sending import SendCheck, send_check
from referwell.services.referrals.views import (
    ChecklistView,
    ConsentView,
    ReferralView,
    consent_view,
    delivery_pending,
    referral_view,
)


@dataclass(frozen=True, slots=True)
class ReferralPage:
    """Everything the referral page shows."""

    referral: ReferralView
    client_name: str
    writable: bool
    consents: tuple[ConsentView, ...]  # the client's, newest first
    checklist: ChecklistView
    blocks: SendCheck | None  # a draft's: what stops it from being sent now
    steps: tuple[NextStep, ...]  # what the sender may record from here
    partner_name: str | None  # the receiver, when it uses referwell
    due: tuple[str, ...]  # follow-up reasons, in words


def referral_page(
    uow: UnitOfWork,
    person: Person,
    client_id: int,
    referral_id: int,
    reads: ReadAudit,
    *,
    settings: FollowUpSettings | None = None,
    now: datetime | None = None,
) -> ReferralPage:
    """The referral of this client, if the person may see it (else `NotFound`); audited as
    a read of the referral."""
    now = now or utcnow()
    with uow:
        session = uow.session
        referral = load_referral(session, person, referral_id)
        if referral.client_id != client_id or referral.direction != "outgoing":
            raise NotFound("referral", referral_id)
        client = session.get(Client, client_id)
        assert client is not None  # noqa: S101 - the referral's own client
        rows = session.scalars(
            select(ReleaseConsent)
            .where(ReleaseConsent.client_id == client_id)
            .order_by(ReleaseConsent.id.desc())
        ).all()
        consents = tuple(consent_view(row, now.date()) for row in rows)
        checklist = checklist_of(session, referral, on=now.date())
        blocks = send_check(session, referral, now=now) if referral.status == "draft" else None
        partner = session.get(Partner, referral.partner_id) if referral.partner_id else None
        partner_name = partner.name if partner else None  # read while the session is open
        view = referral_view(referral)
        writable = client.clinician_id == person.user_id
        client_name = client.display_name
        reads.record_read(
            person, AuditAction.REFERRAL_READ, target_type="referral", target_ids=[referral.id]
        )
    due = due_reasons(_facts(view), now.date(), settings or FollowUpSettings())
    return ReferralPage(
        referral=view,
        client_name=client_name,
        writable=writable,
        consents=consents,
        checklist=checklist,
        blocks=blocks,
        steps=next_steps(view) if writable else (),
        partner_name=partner_name,
        due=tuple(REASONS[code] for code in due),
    )


def _facts(view: Any) -> FollowUpFacts:
    return FollowUpFacts(
        status=view.status,
        business_status=view.business_status,
        sent_at=view.sent_at,
        accepted_at=view.accepted_at,
        appointment_on=view.appointment_on,
        follow_up_on=view.follow_up_on,
    )


@dataclass(frozen=True, slots=True)
class OpenReferral:
    """One open referral in a list: whose, to whom, where it stands, and why it is due."""

    referral_id: int
    client_id: int
    client_name: str
    clinician_name: str
    need_service: str | None
    receiver: str  # the chosen option's name, or "" while none is chosen
    status: str
    business_status: str
    appointment_on: date | None
    follow_up_on: date | None
    updated_at: datetime
    due: tuple[str, ...]  # follow-up reasons, in words, most urgent first
    delivery_pending: bool = False  # sent to a partner practice not reached yet


def open_referrals(
    uow: UnitOfWork,
    person: Person,
    reads: ReadAudit,
    *,
    today: date,
    settings: FollowUpSettings | None = None,
    with_supervisees: bool = False,
) -> list[OpenReferral]:
    """The person's open outgoing referrals (a supervisor's supervisees' too, when asked),
    the ones due for a nudge first, then the newest: one query. Audited as a list read."""
    require_permission(person, Permission.CLINICAL)
    settings = settings or FollowUpSettings()
    with uow:
        ids = [person.user_id]
        if with_supervisees and person.role is Role.SUPERVISOR:
            ids += uow.staff.supervisee_ids(person.user_id, person.practice_id)
        rows = uow.session.execute(
            select(Referral, Client.display_name, User.display_name, ReferralOption.name)
            .join(Client, Client.id == Referral.client_id)
            .join(User, User.id == Referral.clinician_id)
            .outerjoin(
                ReferralOption,
                and_(ReferralOption.referral_id == Referral.id, ReferralOption.chosen),
            )
            .where(
                Referral.practice_id == person.practice_id,
                Referral.direction == "outgoing",
                Referral.clinician_id.in_(ids),
                Referral.status.not_in(CLOSED_STATUSES),
            )
            .order_by(Referral.updated_at.desc(), Referral.id.desc(), ReferralOption.id)
        ).all()
        found: dict[int, OpenReferral] = {}
        for referral, client_name, clinician_name, receiver in rows:
            if referral.id in found:
                continue
            found[referral.id] = OpenReferral(
                referral_id=referral.id,
                client_id=referral.client_id or 0,
                client_name=client_name,
                clinician_name=clinician_name,
                need_service=referral.need_service,
                receiver=receiver or "",
                status=referral.status,
                business_status=referral.business_status,
                appointment_on=referral.appointment_on,
                follow_up_on=referral.follow_up_on,
                updated_at=referral.updated_at,
                due=tuple(REASONS[c] for c in due_reasons(_facts(referral), today, settings)),
                delivery_pending=delivery_pending(
                    referral.direction, referral.partner_id, referral.remote_id, referral.status
                ),
            )
        if found:
            reads.record_read(
                person, AuditAction.REFERRAL_LIST, target_type="referral", target_ids=list(found)
            )
    listed = list(found.values())
    return sorted(listed, key=lambda r: not r.due)  # stable: due first, newest first within


def client_referrals(uow: UnitOfWork, person: Person, client_id: int) -> list[ReferralView]:
    """Every outgoing referral of one client (closed too), newest first, as a part of the
    client's page: the page's own permission check and read entry of the client cover it."""
    with uow:
        authorize(uow.session, person, Permission.CLIENT_READ, client_id=client_id)
        rows = uow.session.scalars(
            select(Referral)
            .where(Referral.client_id == client_id, Referral.direction == "outgoing")
            .order_by(Referral.created_at.desc(), Referral.id.desc())
        ).all()
        return [referral_view(r) for r in rows]


def search_for_referral(
    uow: UnitOfWork,
    person: Person,
    client_id: int,
    referral_id: int,
    *,
    service: str,
    include_waitlist: bool,
    today: date,
) -> Options:
    """The directory's options for `service`, for this referral's client: their age, place,
    insurance, languages and preferences from the record (nothing typed into an address)."""
    if service not in SERVICES or service == "crisis":
        raise InvalidInput([FieldError("service", "choose a service from the list")], what="search")
    with uow:
        referral = load_referral(uow.session, person, referral_id)
        if referral.client_id != client_id:
            raise NotFound("referral", referral_id)
        stored = read_case(uow.session, client_id, today)
    try:
        case = parse_case(stored.case, today=today)
    except InvalidInput:
        raise InvalidInput(
            [FieldError("service", "the client's record does not validate: correct it first")],
            what="search",
        ) from None
    question = NeedQuestion(frozenset({service}), (), adjunct=False, urgent=False)
    query = case_query(
        case, question, place_of(case.client.postal_code), include_waitlist=include_waitlist
    )
    return search_directory(uow, person, query)


__all__ = [
    "OpenReferral",
    "ReferralPage",
    "client_referrals",
    "open_referrals",
    "referral_page",
    "search_for_referral",
]
