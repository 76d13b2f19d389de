"""The letter, its transfer summary's start and the FHIR Bundle read from the database, on
SQLite and PostgreSQL: only what the recorded consent covers (and nothing once revoked),
through the permission check, each read audited (REFERRAL_EXPORT for what leaves)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from referral_fixtures import EMAIL, NAME, NOW, REASON, SUMMARY, TODAY, seed_referrals
from referwell.db.audit import AuditAction
from referwell.db.models import AuditEntry
from referwell.db.referrals.models import ReferralOption, ReleaseConsent
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import InvalidInput
from referwell.services.auditing import ImmediateReads
from referwell.services.errors import NotFound
from referwell.services.referrals import consents, fhir_bundle, letter


@pytest.fixture
def seeded(session_factory: sessionmaker[Session]) -> dict[str, Any]:
    return seed_referrals(session_factory)


def _count(session: Session, action: AuditAction) -> int:
    return session.scalar(select(func.count()).where(AuditEntry.action == action.value)) or 0


def test_the_letter_shows_what_the_consent_covers(
    uow: UnitOfWork, session: Session, seeded: dict[str, Any]
) -> None:
    reads = ImmediateReads(session)
    before = _count(session, AuditAction.REFERRAL_EXPORT)
    release = letter.referral_letter(
        uow, seeded["person"], seeded["sent"], reads, export=True, on=TODAY
    )
    session.flush()
    assert _count(session, AuditAction.REFERRAL_EXPORT) == before + 1
    assert release.scopes == {"identity_contact", "referral_reason", "transfer_summary"}
    assert release.questionnaires == ()  # not consented
    html = letter.letter_html(release)
    for shown in (NAME, EMAIL, REASON, SUMMARY, "Front Range Psychiatry", "Dr Ada Okafor"):
        assert shown in html
    assert "PHQ-9" not in html
    assert "Not shared, for want of consent: questionnaire results." in html
    # The other option is not a recipient the client consented to: nothing about the client.
    other = session.scalar(
        select(ReferralOption.id).where(
            ReferralOption.referral_id == seeded["sent"],
            ReferralOption.entry_id == seeded["other"],
        )
    )
    elsewhere = letter.referral_letter(
        uow, seeded["person"], seeded["sent"], reads, option_id=other, on=TODAY
    )
    assert elsewhere.scopes == frozenset()
    assert elsewhere.recipient_name == "Aspen Clinic"
    assert NAME not in letter.letter_html(elsewhere)
    assert letter.letter_pdf(release).startswith(b"%PDF")


def test_a_revoked_consent_stops_the_sharing(
    uow: UnitOfWork, session: Session, seeded: dict[str, Any]
) -> None:
    consent_id = session.scalar(
        select(ReleaseConsent.id).where(ReleaseConsent.client_id == seeded["client"])
    )
    consents.revoke_consent(uow, seeded["person"], consent_id, now=NOW)
    reads = ImmediateReads(session)
    bundle = fhir_bundle.referral_bundle(
        uow, seeded["person"], seeded["sent"], reads, on=TODAY + timedelta(days=1)
    )
    text = json.dumps(bundle)
    assert NAME not in text
    assert REASON not in text
    assert SUMMARY not in text
    assert not [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Consent"]


def test_the_bundle_from_the_database(
    uow: UnitOfWork, session: Session, seeded: dict[str, Any]
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    reads = ImmediateReads(session)
    bundle = fhir_bundle.referral_bundle(uow, seeded["person"], seeded["sent"], reads, on=TODAY)
    Bundle.model_validate(bundle)
    by_kind = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
    assert by_kind["Task"]["status"] == "requested"
    assert by_kind["Task"]["businessStatus"]["coding"][0]["code"] == "sent"
    assert by_kind["Patient"]["name"] == [{"text": NAME}]
    assert "Observation" not in by_kind
    assert by_kind["ServiceRequest"]["priority"] == "urgent"
    assert by_kind["Consent"]["provision"]["period"]["end"] == str(TODAY + timedelta(days=90))


def test_the_summary_start_offers_the_engines_findings(
    uow: UnitOfWork, session: Session, seeded: dict[str, Any]
) -> None:
    reads = ImmediateReads(session)
    start = letter.transfer_summary_start(uow, seeded["person"], seeded["sent"], reads, on=TODAY)
    assert "caseness" in start  # ex07: not on track
    assert "PHQ-9" not in start  # the consent leaves out questionnaire results


def test_only_who_may_see_the_referral_gets_its_letter(
    uow: UnitOfWork, session: Session, seeded: dict[str, Any]
) -> None:
    reads = ImmediateReads(session)
    with pytest.raises(NotFound):
        letter.referral_letter(uow, seeded["stranger"], seeded["sent"], reads)
    with pytest.raises(NotFound):
        fhir_bundle.referral_bundle(uow, seeded["person"], 10_000, reads)
    with pytest.raises(InvalidInput) as refused:
        letter.referral_letter(uow, seeded["person"], seeded["draft"], reads)
    assert [e.path for e in refused.value.errors] == ["options"]
