"""Opening a referral (from a referral need, or none), its options, the pretermination
checklist and the transfer summary: the clinician's work before sending."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.directory.models import DirectoryEntry
from referwell.db.models import StoredAssessment
from referwell.db.referrals.models import URGENCIES, Referral, ReferralOption
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import UNKNOWN_CODE, FieldError, InvalidInput, quoted_choice
from referwell.domain.referrals.checklist import MIN_OPTIONS, ChecklistRecord, checklist_state
from referwell.domain.referrals.consent import Consent, missing_to_send
from referwell.domain.referrals.guards import reason_cautions
from referwell.domain.referrals.status import Side
from referwell.domain.vocabulary import SERVICES
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.permissions import Permission, Person, authorize
from referwell.services.referrals.access import check_version, load_referral
from referwell.services.referrals.consents import consents_of_client, recipient_of
from referwell.services.referrals.transitions import apply_transition, flush_or_conflict
from referwell.services.referrals.views import ChecklistView, ReferralView, referral_view

MAX_TEXT = 20_000


def open_referral(
    uow: UnitOfWork,
    person: Person,
    client_id: int,
    *,
    need_service: str | None = None,
    reason: str = "",
    urgency: str = "routine",
    entry_ids: Sequence[int] = (),
    options_available: int | None = None,
    now: datetime | None = None,
) -> ReferralView:
    """Open a draft referral for the client (their own clinician only), from a referral need's
    service code or none (a client's request), offering `entry_ids` as options.

    The latest stored assessment decides whether the pretermination checklist applies (its
    recommendation is `refer`) and which `reason.*` cautions need an override to send.
    `options_available`: how many matching options the directory has (the checklist asks
    for two, or all of them when it has fewer). `crisis` never opens a referral (crisis
    resources are shown instead).
    """
    errors = []
    if need_service == "crisis":
        errors.append(
            FieldError(
                "need_service",
                "crisis never opens a referral: show the crisis resources (988 and local "
                "crisis services) instead",
            )
        )
    elif need_service is not None and need_service not in SERVICES:
        errors.append(
            FieldError("need_service", f'"{need_service}" is not a service code', UNKNOWN_CODE)
        )
    if urgency not in URGENCIES:
        errors.append(FieldError("urgency", f'"{urgency}": use {quoted_choice(URGENCIES)}'))
    if len(reason) > MAX_TEXT:
        errors.append(FieldError("reason", f"at most {MAX_TEXT} characters"))
    if errors:
        raise InvalidInput(errors, what="referral")
    now = now or utcnow()
    with uow:
        session = uow.session
        access = authorize(session, person, Permission.CLIENT_WRITE, client_id=client_id).client
        assert access is not None  # noqa: S101 - authorize returns the client it checked
        latest = session.scalars(
            select(StoredAssessment)
            .where(StoredAssessment.client_id == client_id)
            .order_by(StoredAssessment.computed_at.desc(), StoredAssessment.id.desc())
            .limit(1)
        ).first()
        cautions: tuple[str, ...] = ()
        pretermination = False
        if latest is not None:
            pretermination = latest.recommendation == "refer"
            kinds = [c.get("kind", "") for c in (latest.result or {}).get("cautions", [])]
            cautions = reason_cautions(kinds)
        referral = Referral(
            practice_id=access.practice_id,
            direction="outgoing",
            client_id=client_id,
            clinician_id=person.user_id,
            need_service=need_service,
            reason=reason.strip(),
            urgency=urgency,
            pretermination=pretermination,
            checklist=ChecklistRecord(options_available=options_available).as_json(),
            cautions=list(cautions),
            created_by=person.audit_name,
            created_at=now,
            updated_at=now,
        )
        session.add(referral)
        _add_options(session, referral, entry_ids)
        apply_transition(
            session,
            referral,
            person,
            Side.SENDER,
            status="draft",
            business_status="drafted",
            now=now,
            new=True,
        )
        audit_write(
            session,
            person,
            AuditAction.REFERRAL_CREATE,
            target_type="referral",
            target_ids=[referral.id],
        )
        view = referral_view(referral)
        uow.commit()
        return view


def _add_options(session: Session, referral: Referral, entry_ids: Sequence[int]) -> None:
    have = {o.entry_id for o in referral.options}
    for i, entry_id in enumerate(dict.fromkeys(entry_ids)):
        if entry_id in have:
            continue
        entry = session.get(DirectoryEntry, entry_id)
        if entry is None:
            raise InvalidInput(
                [FieldError(f"entry_ids[{i}]", f"no directory entry {entry_id}")], what="referral"
            )
        referral.options.append(
            ReferralOption(
                entry_id=entry.id,
                external_id=entry.external_id,
                name=entry.name,
                financial_arrangement=entry.financial_arrangement,
            )
        )


def _draft_for_change(
    session: Session, person: Person, referral_id: int, expected_version: int
) -> Referral:
    referral = load_referral(session, person, referral_id, write=True)
    check_version(referral, expected_version)
    if referral.direction != "outgoing" or referral.status != "draft":
        raise InvalidInput(
            [
                FieldError(
                    "status",
                    f'only a draft referral changes its options and checklist; this one is "{referral.status}"',
                )
            ],
            what="referral",
        )
    return referral


def _save(
    uow: UnitOfWork, person: Person, referral: Referral, expected_version: int
) -> ReferralView:
    referral.updated_at = utcnow()  # bumps the version even when only options changed
    flush_or_conflict(uow.session, referral, expected_version)
    audit_write(
        uow.session,
        person,
        AuditAction.REFERRAL_UPDATE,
        target_type="referral",
        target_ids=[referral.id],
    )
    view = referral_view(referral)
    uow.commit()
    return view


def add_options(
    uow: UnitOfWork,
    person: Person,
    referral_id: int,
    entry_ids: Sequence[int],
    *,
    expected_version: int,
) -> ReferralView:
    """Offer more directory entries (found by the matching options or a directory search)."""
    with uow:
        referral = _draft_for_change(uow.session, person, referral_id, expected_version)
        _add_options(uow.session, referral, entry_ids)
        return _save(uow, person, referral, expected_version)


def choose_options(
    uow: UnitOfWork,
    person: Person,
    referral_id: int,
    option_ids: Sequence[int],
    *,
    expected_version: int,
) -> ReferralView:
    """Mark which offered options are chosen (the receiver: exactly one when sending);
    every other option is unchosen."""
    with uow:
        referral = _draft_for_change(uow.session, person, referral_id, expected_version)
        known = {o.id for o in referral.options}
        for i, option_id in enumerate(option_ids):
            if option_id not in known:
                raise InvalidInput(
                    [FieldError(f"option_ids[{i}]", f"no option {option_id} on this referral")],
                    what="referral",
                )
        for o in referral.options:
            o.chosen = o.id in option_ids
        return _save(uow, person, referral, expected_version)


def update_details(
    uow: UnitOfWork,
    person: Person,
    referral_id: int,
    *,
    expected_version: int,
    ending_discussed: bool | None = None,
    follow_up_on: date | None = None,
    transfer_summary: str | None = None,
    reason: str | None = None,
    urgency: str | None = None,
    override_reason: str | None = None,
) -> ReferralView:
    """Record checklist items, the transfer summary, the reason, the urgency or the caution
    override (None: unchanged). Until sent."""
    errors = []
    for name, text in (
        ("transfer_summary", transfer_summary),
        ("reason", reason),
        ("override_reason", override_reason),
    ):
        if text is not None and len(text) > MAX_TEXT:
            errors.append(FieldError(name, f"at most {MAX_TEXT} characters"))
    if urgency is not None and urgency not in URGENCIES:
        errors.append(FieldError("urgency", f'"{urgency}": use {quoted_choice(URGENCIES)}'))
    if errors:
        raise InvalidInput(errors, what="referral")
    with uow:
        referral = _draft_for_change(uow.session, person, referral_id, expected_version)
        record = ChecklistRecord.from_json(referral.checklist)
        referral.checklist = ChecklistRecord(
            ending_discussed=record.ending_discussed
            if ending_discussed is None
            else ending_discussed,
            follow_up_on=record.follow_up_on if follow_up_on is None else follow_up_on,
            options_available=record.options_available,
        ).as_json()
        if follow_up_on is not None:
            referral.follow_up_on = follow_up_on
        if transfer_summary is not None:
            referral.transfer_summary = transfer_summary.strip() or None
        if reason is not None:
            referral.reason = reason.strip()
        if urgency is not None:
            referral.urgency = urgency
        if override_reason is not None:
            referral.override_reason = override_reason.strip() or None
        return _save(uow, person, referral, expected_version)


def checklist_of(session: Session, referral: Referral, *, on: date) -> ChecklistView:
    """The pretermination checklist's state now (without a permission check: callers load the
    referral through `access.load_referral`)."""
    chosen = referral.chosen
    consents = consents_of_client(session, referral.client_id) if referral.client_id else []
    consent_valid = bool(chosen) and all(
        _consented(
            session,
            consents,
            entry_id=o.entry_id,
            external_id=o.external_id,
            practice_id=referral.practice_id,
            on=on,
        )
        for o in chosen
    )
    record = ChecklistRecord.from_json(referral.checklist)
    available = record.options_available
    items = checklist_state(
        record,
        options_offered=len(referral.options),
        options_available=MIN_OPTIONS if available is None else available,
        consent_valid=consent_valid,
        transfer_summary=referral.transfer_summary,
    )
    return ChecklistView(referral.id, referral.pretermination, items)


def _consented(
    session: Session,
    consents: Sequence[Consent],
    *,
    entry_id: int | None,
    external_id: str,
    practice_id: int,
    on: date,
) -> bool:
    recipient = recipient_of(session, practice_id, entry_id, external_id)
    return not missing_to_send(consents, recipient, on)


def referral_checklist(
    uow: UnitOfWork, person: Person, referral_id: int, *, on: date | None = None
) -> ChecklistView:
    """The checklist of a referral the person may see."""
    with uow:
        referral = load_referral(uow.session, person, referral_id)
        if referral is None:
            raise NotFound("referral", referral_id)
        return checklist_of(uow.session, referral, on=on or utcnow().date())
