"""The sending clinician's page, as writes: open a referral from a need's options (named by
the directory's ids), save the draft in one go (chosen options, checklist, transfer summary,
override, consent to release), revoke a consent, and record a next step.

Each is one transaction with the referral's version check: a draft's options, checklist and
the consent it needs are saved all or none, so a form that fails writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.directory.models import DirectoryEntry
from referwell.db.referrals.models import URGENCIES, ReleaseConsent
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import MISSING, FieldError, InvalidInput, quoted_choice
from referwell.domain.referrals.checklist import ChecklistRecord
from referwell.domain.referrals.consent import SCOPES, check_dates, check_scopes
from referwell.domain.referrals.status import NEEDS_APPOINTMENT, SetBy, Side, transitions_from
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.permissions import Person
from referwell.services.referrals import opening, transitions
from referwell.services.referrals.access import check_version, load_referral
from referwell.services.referrals.consents import partner_for_entry
from referwell.services.referrals.views import ReferralView, referral_view

MAX_TEXT: Final = opening.MAX_TEXT
MAX_NAME: Final = 200
WAITLIST: Final = "waitlist"  # the receiver's accept-then-hold, as one step


def open_from_options(
    uow: UnitOfWork,
    person: Person,
    client_id: int,
    *,
    need_service: str | None,
    external_ids: Sequence[str],
    reason: str = "",
    now: datetime | None = None,
) -> ReferralView:
    """Open a draft referral offering the directory entries named by their ids (the options
    the client page showed beside the need); how many were shown is what the directory had
    for the checklist's "at least two options"."""
    wanted = list(dict.fromkeys(e.strip() for e in external_ids if e.strip()))
    if need_service is None and not reason.strip():
        raise InvalidInput(
            [FieldError("reason", "say why the client is referred, in a few plain words", MISSING)],
            what="referral",
        )
    with uow:
        rows = dict(
            uow.session.execute(
                select(DirectoryEntry.external_id, DirectoryEntry.id).where(
                    DirectoryEntry.external_id.in_(wanted)
                )
            ).all()
        ) if wanted else {}  # fmt: skip
    errors = [
        FieldError(f"entry_ids[{i}]", "this entry is no longer in the directory")
        for i, e in enumerate(wanted)
        if e not in rows
    ]
    if errors:
        raise InvalidInput(errors, what="referral")
    return opening.open_referral(
        uow,
        person,
        client_id,
        need_service=need_service,
        reason=reason,
        entry_ids=[rows[e] for e in wanted],
        options_available=len(wanted) if need_service is not None else None,
        now=now,
    )


def add_entry(
    uow: UnitOfWork, person: Person, referral_id: int, external_id: str, *, expected_version: int
) -> ReferralView:
    """Offer one more directory entry (found by a search), by its id in the directory."""
    with uow:
        entry_id = uow.session.scalar(
            select(DirectoryEntry.id).where(DirectoryEntry.external_id == external_id.strip())
        )
    if entry_id is None:
        raise InvalidInput(
            [FieldError("entry_id", "no such entry in the directory: search again")],
            what="referral",
        )
    return opening.add_options(
        uow, person, referral_id, [entry_id], expected_version=expected_version
    )


@dataclass(frozen=True, slots=True)
class DraftChanges:
    """What the referral page's form sends (None: left as it is)."""

    chosen: Sequence[int] | None = None  # option ids; the others are unchosen
    ending_discussed: bool | None = None
    follow_up_on: date | None = None
    transfer_summary: str | None = None
    reason: str | None = None
    urgency: str | None = None
    override_reason: str | None = None
    # A new consent to release, for the chosen receiver: its scopes and last day (none: none).
    consent_scopes: Sequence[str] = ()
    consent_valid_until: date | None = None


def _check_changes(changes: DraftChanges, today: date) -> None:
    errors = []
    for name in ("transfer_summary", "reason", "override_reason"):
        text = getattr(changes, name)
        if text is not None and len(text) > MAX_TEXT:
            errors.append(FieldError(name, f"at most {MAX_TEXT} characters"))
    if changes.urgency is not None and changes.urgency not in URGENCIES:
        errors.append(FieldError("urgency", f'"{changes.urgency}": use {quoted_choice(URGENCIES)}'))
    if changes.follow_up_on is not None and changes.follow_up_on < today:
        errors.append(
            FieldError("follow_up_on", f"is past: give {today.isoformat()} or a later day")
        )
    if changes.consent_scopes:
        try:
            check_scopes(changes.consent_scopes, "consent_scopes")
        except InvalidInput as refused:
            errors.extend(refused.errors)
        if changes.consent_valid_until is None:
            errors.append(
                FieldError("consent_valid_until", "give the consent's last day, as YYYY-MM-DD")
            )
        else:
            try:
                check_dates(today, changes.consent_valid_until, today)
            except InvalidInput as refused:
                errors.extend(FieldError("consent_valid_until", e.message) for e in refused.errors)
    if errors:
        raise InvalidInput(errors, what="referral")


def save_draft(
    uow: UnitOfWork,
    person: Person,
    referral_id: int,
    changes: DraftChanges,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> ReferralView:
    """Save what the form says of a draft, all or nothing, against `expected_version`
    (`Conflict` when it moved). A consent is recorded for the one chosen receiver."""
    now = now or utcnow()
    today = now.date()
    _check_changes(changes, today)
    with uow:
        session = uow.session
        referral = load_referral(session, person, referral_id, write=True)
        check_version(referral, expected_version)
        if referral.direction != "outgoing" or referral.status != "draft":
            raise InvalidInput(
                [FieldError("status", f'only a draft is changed here; this one is "{referral.status}"')],
                what="referral",
            )  # fmt: skip
        if changes.chosen is not None:
            known = {o.id for o in referral.options}
            unknown = [
                FieldError(f"chosen[{i}]", f"no option {o} on this referral")
                for i, o in enumerate(changes.chosen)
                if o not in known
            ]
            if unknown:
                raise InvalidInput(unknown, what="referral")
            for option in referral.options:
                option.chosen = option.id in changes.chosen
        record = ChecklistRecord.from_json(referral.checklist)
        referral.checklist = ChecklistRecord(
            ending_discussed=record.ending_discussed
            if changes.ending_discussed is None
            else changes.ending_discussed,
            follow_up_on=changes.follow_up_on or record.follow_up_on,
            options_available=record.options_available,
        ).as_json()
        if changes.follow_up_on is not None:
            referral.follow_up_on = changes.follow_up_on
        if changes.transfer_summary is not None:
            referral.transfer_summary = changes.transfer_summary.strip() or None
        if changes.reason is not None:
            referral.reason = changes.reason.strip()
        if changes.urgency is not None:
            referral.urgency = changes.urgency
        if changes.override_reason is not None:
            referral.override_reason = changes.override_reason.strip() or None
        consent_id = None
        if changes.consent_scopes:
            chosen = referral.chosen
            if len(chosen) != 1:
                raise InvalidInput(
                    [
                        FieldError(
                            "consent_scopes",
                            f"a consent names one receiver: choose exactly one option "
                            f"({len(chosen)} chosen)",
                        )
                    ],
                    what="referral",
                )
            option = chosen[0]
            partner = partner_for_entry(session, referral.practice_id, option.external_id)
            if option.entry_id is None and partner is None:
                raise InvalidInput(
                    [FieldError("consent_scopes", "this receiver left the directory")],
                    what="referral",
                )
            assert referral.client_id is not None  # noqa: S101 - an outgoing referral's client
            consent = ReleaseConsent(
                client_id=referral.client_id,
                entry_id=option.entry_id,
                partner_id=partner.id if partner else None,
                recipient_name=option.name,
                scopes=sorted(set(changes.consent_scopes)),
                valid_from=today,
                valid_until=changes.consent_valid_until,
                granted_by=person.user_id,
                created_at=now,
            )
            session.add(consent)
            session.flush()
            consent_id = consent.id
        referral.updated_at = now
        transitions.flush_or_conflict(session, referral, expected_version)
        audit_write(
            session, person, AuditAction.REFERRAL_UPDATE, target_type="referral",
            target_ids=[referral.id],
        )  # fmt: skip
        if consent_id is not None:
            audit_write(
                session, person, AuditAction.CONSENT_GRANT, target_type="consent",
                target_ids=[consent_id],
            )  # fmt: skip
        view = referral_view(referral)
        uow.commit()
        return view


def revoke_consent(
    uow: UnitOfWork,
    person: Person,
    referral_id: int,
    consent_id: int,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> ReferralView:
    """Revoke a consent of the referral's client, from the referral's page (its version
    checked and moved on: a page showing the consent as valid is stale now)."""
    now = now or utcnow()
    with uow:
        session = uow.session
        referral = load_referral(session, person, referral_id, write=True)
        check_version(referral, expected_version)
        row = session.get(ReleaseConsent, consent_id)
        if row is None or row.client_id != referral.client_id:
            raise NotFound("consent", consent_id)
        if row.revoked_at is None:
            row.revoked_at = now
            row.revoked_by = person.user_id
            referral.updated_at = now
            transitions.flush_or_conflict(session, referral, expected_version)
            audit_write(
                session, person, AuditAction.CONSENT_REVOKE, target_type="consent",
                target_ids=[row.id],
            )  # fmt: skip
        view = referral_view(referral)
        uow.commit()
        return view


@dataclass(frozen=True, slots=True)
class NextStep:
    """A step the sender may record: `code` is `status:business_status` (or `waitlist`)."""

    code: str
    status: str
    business_status: str
    receiver: bool  # the receiver's change, recorded on their behalf (`reported_by`)
    needs_date: bool
    label: str


_LABELS: Final = {
    ("cancelled", "withdrawn"): "Withdraw the referral",
    ("cancelled", "declined_by_client"): "Cancel: the client declined",
    ("failed", "no_contact"): "Failed: no contact with the client",
    ("failed", "declined_by_client"): "Failed: the client declined",
    ("entered-in-error", "entered_in_error"): "Entered in error",
    ("received", "acknowledged"): "They acknowledged it",
    ("accepted", "accepted"): "They accepted it (no date yet)",
    ("accepted", "scheduled"): "They gave a first appointment",
    ("accepted", "rescheduled"): "They moved the appointment",
    ("accepted", "no_show"): "The client did not come",
    ("rejected", "declined_by_receiver"): "They declined it",
    ("in-progress", "first_appointment_attended"): "The client came to the first appointment",
    ("completed", "care_established"): "Care is established",
    ("on-hold", "waitlisted"): "They put the client on their waitlist",
}


def next_steps(view: ReferralView) -> tuple[NextStep, ...]:
    """What the sender may record from here: their own steps, and (when the receiver has no
    referwell) the receiver's, reported on their behalf."""
    if view.direction != "outgoing" or view.status == "draft":
        return ()
    steps = []
    for status, business in view.next_steps(Side.SENDER):
        steps.append(_step(status, business, receiver=False))
    if view.partner_id is None:
        for status, business in view.next_steps(Side.RECEIVER):
            if _set_by(view.status, status) is SetBy.RECEIVER:
                steps.append(_step(status, business, receiver=True))
        if view.status in ("requested", "received"):
            steps.append(
                NextStep(WAITLIST, "on-hold", "waitlisted", True, False,
                         "They accepted and put the client on their waitlist")
            )  # fmt: skip
    return tuple(steps)


def _set_by(current: str, target: str) -> SetBy | None:
    return next((t.set_by for t in transitions_from(current) if t.target == target), None)


def _step(status: str, business: str, *, receiver: bool) -> NextStep:
    label = _LABELS.get((status, business), f"{status} ({business.replace('_', ' ')})")
    return NextStep(
        f"{status}:{business}", status, business, receiver, business in NEEDS_APPOINTMENT, label
    )


def record_next_step(
    uow: UnitOfWork,
    person: Person,
    referral_id: int,
    code: str,
    *,
    expected_version: int,
    appointment_on: date | None = None,
    note: str | None = None,
    reported_by: str | None = None,
    legal: Sequence[NextStep] = (),
    now: datetime | None = None,
) -> ReferralView:
    """Record one of `legal` (the page's `next_steps`): a receiver's step needs who reported
    it; the table's own checks (dates, reasons, who may) are the transition's."""
    step = next((s for s in legal if s.code == code), None)
    errors = []
    if step is None:
        errors.append(FieldError("step", "choose what happened from the list", MISSING))
    reported = (reported_by or "").strip()
    if step is not None and step.receiver and not reported:
        errors.append(
            FieldError(
                "reported_by", "say who at the receiver told you (a name or a role)", MISSING
            )
        )
    if len(reported) > MAX_NAME:
        errors.append(FieldError("reported_by", f"at most {MAX_NAME} characters"))
    if note is not None and len(note) > MAX_TEXT:
        errors.append(FieldError("reason", f"at most {MAX_TEXT} characters"))
    if errors or step is None:
        raise InvalidInput(errors, what="referral")
    by = reported if step.receiver else None
    if step.code == WAITLIST:
        return transitions.waitlist(
            uow, person, referral_id, expected_version=expected_version, reported_by=by,
            note=note, now=now,
        )  # fmt: skip
    return transitions.record_transition(
        uow, person, referral_id, step.status, step.business_status,
        expected_version=expected_version, appointment_on=appointment_on, reason=note,
        reported_by=by, now=now,
    )  # fmt: skip


__all__ = [
    "SCOPES",
    "DraftChanges",
    "NextStep",
    "add_entry",
    "next_steps",
    "open_from_options",
    "record_next_step",
    "revoke_consent",
    "save_draft",
]
