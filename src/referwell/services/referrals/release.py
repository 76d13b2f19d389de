"""What a referral releases to its recipient: the facts of the record, cut to what the
client's consent covers on the day (`Release`). The letter (HTML and PDF), the FHIR Bundle
and the status link all show a `Release` and nothing else.

The scopes (domain.referrals.consent): `identity_contact` gives the name, age and contact;
`referral_reason` the reason in plain words, the service asked for and the urgency;
`questionnaire_summaries` the latest questionnaire totals with their meaning;
`transfer_summary` the clinician's transfer summary and what has been tried. The referring
clinician's name and practice are always shown: they are not the client's. Psychotherapy
notes are never read here (the record holds none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.cases import ClientNotFoundError, read_case
from referwell.db.models import Client, Practice, User
from referwell.db.referrals.models import Referral, ReferralOption, ReleaseConsent
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.labels import label, sentence
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.phrases import day_words
from referwell.domain.referrals.consent import SCOPES, Recipient
from referwell.services.auditing import ReadAudit
from referwell.services.errors import NotFound
from referwell.services.permissions import Actor
from referwell.services.referrals.access import load_referral
from referwell.services.referrals.consents import covered_scopes, recipient_of
from referwell.services.referrals.views import consent_of

IDENTITY: Final = "identity_contact"
REASON: Final = "referral_reason"
QUESTIONNAIRES: Final = "questionnaire_summaries"
TRANSFER: Final = "transfer_summary"

SCOPE_WORDS: Final[Mapping[str, str]] = {
    IDENTITY: "name, age and contact",
    REASON: "the reason for the referral",
    QUESTIONNAIRES: "questionnaire results",
    TRANSFER: "the transfer summary and what has been tried",
}

# What has been tried, as a receiver reads it: the steps taken with or for the client. The
# clinician's own steps (supervision, personal therapy, self-care, continuing education) are
# about the clinician and never leave the record.
CLIENT_STEPS: Final = (
    "discussed_with_client",
    "treatment_adjusted",
    "risk_assessment",
    "safety_plan",
    "consultation",
    "boundary_discussion",
    "broaching",
)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the client is and how to reach them (`identity_contact`). The record keeps an age,
    not a date of birth (synthetic clients only)."""

    name: str
    external_id: str
    age: int
    email: str | None
    phone: str | None
    postal_code: str | None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the client is referred (`referral_reason`)."""

    text: str  # the clinician's words
    need_service: str | None
    service_label: str | None  # the service asked for, in words
    urgency: str
    urgency_label: str


@dataclass(frozen=True, slots=True)
class QuestionnaireResult:
    """One questionnaire's latest total and what it means (`questionnaire_summaries`)."""

    instrument: str  # the code, e.g. "PHQ-9"
    title: str
    latest: int
    latest_on: date
    total_max: int
    severity: str | None  # the band's code, None for an instrument without bands
    severity_label: str | None
    caseness: bool
    caseness_label: str
    first: int | None  # the first total of the episode, when there are two or more
    first_on: date | None
    change: int | None
    reliable_change: int | None  # the points a change needs to be reliable
    # "reliable_improvement", "reliable_deterioration", "no_reliable_change" or None
    # (one score, or an instrument without a reliable change index)
    reliable: str | None
    meaning: str  # in plain words


@dataclass(frozen=True, slots=True)
class Transfer:
    """The clinician's transfer summary and what has been tried (`transfer_summary`)."""

    summary: str | None
    tried: tuple[str, ...]  # each in words, with its date when known
    sessions_attended: int
    in_care_since: date | None


@dataclass(frozen=True, slots=True)
class Sender:
    """The referring clinician and their practice: whom the receiver answers."""

    clinician_name: str
    practice_name: str


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    """A consent in force for the recipient on the day: what the Bundle's `Consent` says."""

    consent_id: int
    scopes: tuple[str, ...]
    valid_from: date
    valid_until: date
    granted_on: date
    recipient_name: str


@dataclass(frozen=True, slots=True)
class ReferralFacts:
    """Everything a release could hold, before the consent cuts it: never shown as it is."""

    referral_id: int
    practice_id: int
    status: str
    business_status: str
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    on: date
    recipient_name: str
    recipient_external_id: str
    sender: Sender
    consents: tuple[ConsentFacts, ...]
    identity: Identity
    reason: Reason
    questionnaires: tuple[QuestionnaireResult, ...]
    transfer: Transfer


@dataclass(frozen=True, slots=True)
class Release:
    """What the recipient may receive on `on`: a part the consent does not cover is None
    (or empty), never filled."""

    referral_id: int
    practice_id: int
    status: str
    business_status: str
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    on: date
    recipient_name: str
    recipient_external_id: str
    sender: Sender
    consents: tuple[ConsentFacts, ...]
    scopes: frozenset[str]
    identity: Identity | None
    reason: Reason | None
    questionnaires: tuple[QuestionnaireResult, ...]
    transfer: Transfer | None

    @property
    def withheld(self) -> tuple[str, ...]:
        """The scopes no consent covers, in `SCOPES` order: what the letter says is left out."""
        return tuple(s for s in SCOPES if s not in self.scopes)

    @property
    def withheld_words(self) -> tuple[str, ...]:
        return tuple(SCOPE_WORDS[s] for s in self.withheld)


def release_of(facts: ReferralFacts, scopes: frozenset[str] | set[str]) -> Release:
    """The facts cut to `scopes`: the one place that decides what leaves the record."""
    covered = frozenset(s for s in scopes if s in SCOPES)
    return Release(
        referral_id=facts.referral_id,
        practice_id=facts.practice_id,
        status=facts.status,
        business_status=facts.business_status,
        created_at=facts.created_at,
        updated_at=facts.updated_at,
        sent_at=facts.sent_at,
        on=facts.on,
        recipient_name=facts.recipient_name,
        recipient_external_id=facts.recipient_external_id,
        sender=facts.sender,
        consents=tuple(
            replace(c, scopes=tuple(s for s in c.scopes if s in covered)) for c in facts.consents
        ),
        scopes=covered,
        identity=facts.identity if IDENTITY in covered else None,
        reason=facts.reason if REASON in covered else None,
        questionnaires=facts.questionnaires if QUESTIONNAIRES in covered else (),
        transfer=facts.transfer if TRANSFER in covered else None,
    )


def load_release(
    uow: UnitOfWork,
    actor: Actor,
    referral_id: int,
    reads: ReadAudit,
    *,
    action: AuditAction = AuditAction.REFERRAL_READ,
    option_id: int | None = None,
    on: date | None = None,
) -> Release:
    """The release of an outgoing referral to its chosen recipient (or to option `option_id`)
    on `on` (default today), through the permission check; audited as `action`
    (REFERRAL_READ to show it, REFERRAL_EXPORT for a letter or Bundle that leaves)."""
    on = on or utcnow().date()
    with uow:
        session = uow.session
        referral = load_referral(session, actor, referral_id)
        release = release_for(session, referral, on, option_id=option_id)
        reads.record_read(actor, action, target_type="referral", target_ids=[referral.id])
        return release


def release_for(
    session: Session, referral: Referral, on: date, *, option_id: int | None = None
) -> Release:
    """The release of `referral` to its chosen recipient (or option `option_id`) on `on`: what
    the consents in force cover. No permission check and no audit: for code that loaded the
    referral itself (the partner exchange)."""
    facts, recipient = gather_facts(session, referral, on, option_id=option_id)
    assert referral.client_id is not None  # noqa: S101 - gather_facts refuses it otherwise
    return release_of(facts, covered_scopes(session, referral.client_id, recipient, on))


def recipient_option(referral: Referral, option_id: int | None = None) -> ReferralOption:
    """The option the release goes to: `option_id`, else the one chosen; `InvalidInput` when
    there is none or several are chosen."""
    if option_id is not None:
        found = next((o for o in referral.options if o.id == option_id), None)
        if found is None:
            raise InvalidInput(
                [FieldError("option_id", f"referral {referral.id} has no option {option_id}")],
                what="referral",
            )
        return found
    chosen = referral.chosen
    if len(chosen) != 1:
        raise InvalidInput(
            [
                FieldError(
                    "options",
                    "choose the one recipient first"
                    if not chosen
                    else f"{len(chosen)} recipients are chosen; a letter goes to one: name it",
                )
            ],
            what="referral",
        )
    return chosen[0]


def gather_facts(
    session: Session, referral: Referral, on: date, *, option_id: int | None = None
) -> tuple[ReferralFacts, Recipient]:
    """Every fact a release may hold, read from the record as of `on` (no permission check:
    the caller loaded `referral` through `access.load_referral`), and its recipient."""
    if referral.direction != "outgoing" or referral.client_id is None:
        raise InvalidInput(
            [FieldError("referral", "a letter and a Bundle are made for an outgoing referral")],
            what="referral",
        )
    option = recipient_option(referral, option_id)
    recipient = recipient_of(session, referral.practice_id, option.entry_id, option.external_id)
    client = session.get(Client, referral.client_id)
    if client is None:  # pragma: no cover - removed while we read
        raise NotFound("referral", referral.id)
    try:
        case = read_case(session, client.id, on).case
    except ClientNotFoundError:  # pragma: no cover - removed while we read
        raise NotFound("referral", referral.id) from None
    clinician = session.get(User, referral.clinician_id) if referral.clinician_id else None
    practice = session.get(Practice, referral.practice_id)
    consents = tuple(
        ConsentFacts(
            consent_id=row.id,
            scopes=tuple(s for s in SCOPES if s in row.scopes),
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            granted_on=row.created_at.date(),
            recipient_name=row.recipient_name,
        )
        for row in session.scalars(
            select(ReleaseConsent)
            .where(ReleaseConsent.client_id == client.id)
            .order_by(ReleaseConsent.id)
        )
        if consent_of(row).valid_on(on) and consent_of(row).recipient.matches(recipient)
    )
    facts = ReferralFacts(
        referral_id=referral.id,
        practice_id=referral.practice_id,
        status=referral.status,
        business_status=referral.business_status,
        created_at=referral.created_at,
        updated_at=referral.updated_at,
        sent_at=referral.sent_at,
        on=on,
        recipient_name=option.name,
        recipient_external_id=option.external_id,
        sender=Sender(
            clinician_name=clinician.display_name if clinician else "",
            practice_name=practice.name if practice else "",
        ),
        consents=consents,
        identity=Identity(
            name=client.display_name,
            external_id=client.external_id,
            age=client.age,
            email=client.email,
            phone=client.phone,
            postal_code=client.postal_code,
        ),
        reason=reason_of(referral.reason, referral.need_service, referral.urgency),
        questionnaires=questionnaire_results(case.get("measures", [])),
        transfer=Transfer(
            summary=(referral.transfer_summary or "").strip() or None,
            tried=tried_of(case.get("steps_taken", [])),
            sessions_attended=sum(
                1 for s in case.get("sessions", []) if s.get("attendance") == "attended"
            ),
            in_care_since=_first_session(case),
        ),
    )
    return facts, recipient


def reason_of(text: str, need_service: str | None, urgency: str) -> Reason:
    return Reason(
        text=text.strip(),
        need_service=need_service,
        service_label=sentence(label("service", need_service)) if need_service else None,
        urgency=urgency,
        urgency_label=label("urgency", urgency),
    )


def questionnaire_results(measures: Sequence[Mapping[str, Any]]) -> tuple[QuestionnaireResult, ...]:
    """Per instrument (in the instruments' order) the latest total, its band and caseness,
    and the change from the first total with whether it is reliable (Jacobson-Truax)."""
    scores: dict[str, list[tuple[date, int]]] = {}
    for entry in measures:  # the case lists them in date order
        total = sum(entry["items"]) if "items" in entry else int(entry["total"])
        scores.setdefault(entry["instrument"], []).append(
            (date.fromisoformat(entry["date"]), total)
        )
    out = []
    for code, instrument in INSTRUMENTS.items():
        found = scores.get(code)
        if not found:
            continue
        (first_on, first), (latest_on, latest) = found[0], found[-1]
        several = len(found) >= 2
        reliable: str | None = None
        if several and instrument.reliable_change is not None:
            if instrument.reliable_improvement(first, latest):
                reliable = "reliable_improvement"
            elif instrument.reliable_deterioration(first, latest):
                reliable = "reliable_deterioration"
            else:
                reliable = "no_reliable_change"
        band = instrument.severity(latest)
        result = QuestionnaireResult(
            instrument=code,
            title=instrument.title,
            latest=latest,
            latest_on=latest_on,
            total_max=instrument.total_max,
            severity=band,
            severity_label=label("band", band) if band else None,
            caseness=instrument.is_case(latest),
            caseness_label=instrument.caseness_label,
            first=first if several else None,
            first_on=first_on if several else None,
            change=latest - first if several else None,
            reliable_change=instrument.reliable_change,
            reliable=reliable,
            meaning="",
        )
        out.append(replace(result, meaning=meaning_of(result)))
    return tuple(out)


def level_words(r: QuestionnaireResult) -> str:
    """Where the latest total lies: its band and caseness."""
    band = f"{r.severity_label} range" if r.severity_label else "no severity bands"
    return f"{band}, " + (r.caseness_label if r.caseness else "below caseness")


def change_words(r: QuestionnaireResult) -> str:
    """The change from the first total and whether it is reliable."""
    if r.first is None or r.first_on is None or r.change is None:
        return "one score so far"
    change = f"{r.change:+d}" if r.change else "no change"
    since = f"from {r.first} on {day_words(r.first_on)}: {change}"
    if r.reliable == "reliable_improvement":
        return f"{since}, a reliable improvement"
    if r.reliable == "reliable_deterioration":
        return f"{since}, a reliable deterioration"
    if r.reliable == "no_reliable_change":
        return f"{since}, not a reliable change ({r.reliable_change} points would be)"
    return since


def meaning_of(r: QuestionnaireResult) -> str:
    """What a result means, in a sentence or two a receiving clinician reads."""
    text = (
        f"{r.instrument} {r.latest} of {r.total_max} on {day_words(r.latest_on)}: {level_words(r)}."
    )
    if r.first is not None:
        text += f" {sentence(change_words(r))}."
    return text


def tried_of(steps: Sequence[Any]) -> tuple[str, ...]:
    """The steps taken with or for the client, in words with their dates; the clinician's own
    steps are left out."""
    out = []
    for step in steps:
        code, day = (step, None) if isinstance(step, str) else (step["step"], step.get("date"))
        if code not in CLIENT_STEPS:
            continue
        words = sentence(label("step", code))
        out.append(f"{words} ({day_words(date.fromisoformat(day))})" if day else words)
    return tuple(dict.fromkeys(out))


def _first_session(case: Mapping[str, Any]) -> date | None:
    days = [s["date"] for s in case.get("sessions", []) if s.get("attendance") == "attended"]
    return date.fromisoformat(min(days)) if days else None
