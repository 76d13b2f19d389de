"""What a referral releases, per consent scope: the letter (HTML and PDF) and the FHIR R4
Bundle show only what the consent covers (a Hypothesis property over random scopes), the
Bundle validates with fhir.resources R4B, the questionnaire results carry their meaning,
and the transfer summary's start leaves out what a receiver must not read.

The letter's first page is rendered to PNG (pdftoppm) into test-output/screenshots/, and
copied to docs/screenshots/referral-letter.png when that is missing or
REFERWELL_UPDATE_SCREENSHOTS=1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referwell.config import FOLLOW_UP_NUMBERS
from referwell.domain.referrals.consent import SCOPES
from referwell.domain.referrals.follow_up import (
    DEFAULT_UNACKNOWLEDGED_DAYS,
    DEFAULT_UNSCHEDULED_DAYS,
)
from referwell.services.referrals import fhir_bundle, letter
from referwell.services.referrals.release import (
    ConsentFacts,
    Identity,
    ReferralFacts,
    Release,
    Sender,
    Transfer,
    questionnaire_results,
    reason_of,
    release_of,
    tried_of,
)

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "test-output" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"

# Values no template or code would write by itself: where one shows, the record gave it.
NAME = "Quillon Zephyrine"
EMAIL = "qzephyrine@example.org"
PHONE = "555-0142"
ZIP = "80202"
EXTERNAL = "case-qz-77"
REASON = "Wants a medication review after slow progress with weekly CBT"
SUMMARY = "Twelve sessions of CBT for low mood; sleep improved, mood still low."
MEASURES = [
    {"instrument": "PHQ-9", "date": "2026-09-11", "total": 19},
    {"instrument": "PHQ-9", "date": "2026-11-13", "total": 11},
    {"instrument": "GAD-7", "date": "2026-11-13", "total": 9},
    {"instrument": "PCL-5", "date": "2026-11-13", "items": [1] * 20},
]
STEPS = ["treatment_adjusted", {"step": "safety_plan", "date": "2026-10-01"}, "personal_therapy"]


def facts(**changes: Any) -> ReferralFacts:
    base = ReferralFacts(
        referral_id=41,
        practice_id=3,
        status="requested",
        business_status="sent",
        created_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        updated_at=datetime(2026, 11, 3, 9, tzinfo=UTC),
        sent_at=datetime(2026, 11, 3, 9, tzinfo=UTC),
        on=date(2026, 11, 20),
        recipient_name="Front Range Psychiatry",
        recipient_external_id="rw-psy-1",
        sender=Sender("Dr Ada Okafor", "Riverside Counselling"),
        consents=(
            ConsentFacts(
                5, SCOPES, date(2026, 11, 1), date(2027, 2, 1), date(2026, 11, 1), "Front Range"
            ),
        ),
        identity=Identity(NAME, EXTERNAL, 34, EMAIL, PHONE, ZIP),
        reason=reason_of(REASON, "psychiatry", "soon"),
        questionnaires=questionnaire_results(MEASURES),
        transfer=Transfer(SUMMARY, tried_of(STEPS), 12, date(2026, 8, 28)),
    )
    return replace(base, **changes)


def uncovered_values(scopes: frozenset[str]) -> list[str]:
    """The record's values a release under `scopes` must not hold anywhere."""
    hidden = []
    if "identity_contact" not in scopes:
        hidden += [NAME, EMAIL, PHONE, EXTERNAL]
    if "referral_reason" not in scopes:
        hidden += [REASON, "medication evaluation"]
    if "questionnaire_summaries" not in scopes:
        hidden += ["PHQ-9", "GAD-7", "PCL-5", "44261-6", "70274-6"]
    if "transfer_summary" not in scopes:
        hidden += [SUMMARY, "safety plan", "adjustment to the treatment"]
    return hidden


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def check_bundle(bundle: dict[str, Any], scopes: frozenset[str]) -> None:
    text = json.dumps(bundle, ensure_ascii=False)
    for value in uncovered_values(scopes):
        assert value not in text, (value, sorted(scopes))
    [patient] = resources(bundle, "Patient")
    [request] = resources(bundle, "ServiceRequest")
    [task] = resources(bundle, "Task")
    identity = "identity_contact" in scopes
    for field in ("name", "telecom", "address", "identifier", "birthDate"):
        assert (field in patient) is (identity and field != "birthDate"), field
    reason = "referral_reason" in scopes
    for field in ("reasonCode", "code", "priority"):
        assert (field in request) is reason, field
    assert ("note" in request) is ("transfer_summary" in scopes)
    observations = resources(bundle, "Observation")
    assert bool(observations) is ("questionnaire_summaries" in scopes)
    assert ("supportingInfo" in request) is bool(observations)
    assert task["status"] == "requested"
    assert task["businessStatus"]["coding"][0]["code"] == "sent"
    for consent in resources(bundle, "Consent"):
        codes = {c["coding"][0]["code"] for c in consent["provision"]["code"]}
        assert codes == set(scopes)


@settings(max_examples=60, deadline=None)
@given(scopes=st.frozensets(st.sampled_from(SCOPES)))
def test_the_bundle_carries_no_field_the_consent_does_not_cover(scopes: frozenset[str]) -> None:
    release = release_of(facts(), scopes)
    check_bundle(fhir_bundle.bundle_of(release), scopes)


@settings(max_examples=30, deadline=None)
@given(scopes=st.frozensets(st.sampled_from(SCOPES)))
def test_the_letter_shows_nothing_the_consent_does_not_cover(scopes: frozenset[str]) -> None:
    release = release_of(facts(), scopes)
    for standalone in (True, False):
        html = letter.letter_html(release, standalone=standalone)
        for value in uncovered_values(scopes):
            assert value not in html, (value, sorted(scopes))


@pytest.mark.parametrize(
    ("scope", "shown"),
    [
        ("identity_contact", [NAME, EMAIL, PHONE, ZIP, "age 34"]),
        ("referral_reason", [REASON, "Psychiatric and medication evaluation", "soon"]),
        (
            "questionnaire_summaries",
            ["PHQ-9", "11", "of 27", "Moderate range", "a reliable improvement", "GAD-7", "PCL-5"],
        ),
        ("transfer_summary", [SUMMARY, "A safety plan (1 Oct 2026)", "12 sessions attended"]),
    ],
)
def test_each_scope_shows_its_part_of_the_letter(scope: str, shown: list[str]) -> None:
    html = letter.letter_html(release_of(facts(), {scope}))
    for value in shown:
        assert value in html, value
    assert "Personal therapy" not in html  # the clinician's own step never leaves the record
    assert "Dr Ada Okafor" in html
    assert "Riverside Counselling" in html
    others = [s for s in SCOPES if s != scope]
    assert "Not shared, for want of consent" in html
    for value in uncovered_values(frozenset({scope})):
        assert value not in html
    assert len(others) == 3


def test_the_letter_is_an_accessible_document() -> None:
    html = letter.letter_html(release_of(facts(), set(SCOPES)))
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert "<title>Referral letter 41</title>" in html
    assert html.count("<h1") == 1
    assert '<th scope="col">Questionnaire</th>' in html
    assert '<th scope="row">Name</th>' in html
    assert "http" not in html  # nothing fetched from anywhere
    fragment = letter.letter_html(release_of(facts(), set(SCOPES)), standalone=False)
    assert fragment.lstrip().startswith("<article")
    assert "<h1" not in fragment
    assert "<h2" in fragment
    assert "<html" not in fragment


def test_values_are_escaped() -> None:
    hostile = facts(identity=Identity("<script>x</script>", EXTERNAL, 30, None, None, None))
    html = letter.letter_html(release_of(hostile, {"identity_contact"}))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "not recorded" in html


def test_the_questionnaire_results_say_what_they_mean() -> None:
    phq, gad, pcl = questionnaire_results(MEASURES)
    assert (phq.instrument, phq.first, phq.latest, phq.change) == ("PHQ-9", 19, 11, -8)
    assert phq.reliable == "reliable_improvement"
    assert phq.severity == "moderate"
    assert phq.caseness
    assert "From 19 on 11 Sep 2026: -8, a reliable improvement." in phq.meaning
    assert (gad.latest, gad.first, gad.reliable, gad.caseness) == (9, None, None, True)
    assert pcl.latest == 20
    assert pcl.total_max == 80


def test_no_consent_in_force_shares_nothing_but_the_sender() -> None:
    release = release_of(facts(consents=()), frozenset())
    html = letter.letter_html(release)
    assert "nothing about the client is shared" in html
    assert release.withheld == SCOPES
    check_bundle(fhir_bundle.bundle_of(release), frozenset())
    assert resources(fhir_bundle.bundle_of(release), "Consent") == []


def test_the_bundle_validates_and_codes_the_totals_with_loinc() -> None:
    from fhir.resources.R4B.bundle import Bundle

    bundle = fhir_bundle.bundle_of(release_of(facts(), set(SCOPES)))
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[:3] == ["ServiceRequest", "Task", "Patient"]
    assert kinds.count("Consent") == 1
    observations = resources(bundle, "Observation")
    codes = {
        (o["code"].get("coding") or [{}])[0].get("code"): o["valueInteger"] for o in observations
    }
    # PHQ-9: first and latest; GAD-7 and PCL-5: one score each.
    assert len(observations) == 4
    assert codes["44261-6"] in (19, 11)
    assert codes["70274-6"] == 9
    pcl = [o for o in observations if o["code"]["text"].startswith("PCL-5")]
    assert pcl
    assert "coding" not in pcl[0]["code"]
    [consent] = resources(bundle, "Consent")
    assert consent["provision"]["period"] == {"start": "2026-11-01", "end": "2027-02-01"}
    assert consent["provision"]["actor"][0]["reference"]["display"] == "Front Range"
    # The references resolve inside the Bundle.
    urls = {e["fullUrl"] for e in bundle["entry"]}
    [request] = resources(bundle, "ServiceRequest")
    assert request["subject"]["reference"] in urls
    assert {r["reference"] for r in request["supportingInfo"]} <= urls
    assert fhir_bundle.bundle_of(release_of(facts(), set(SCOPES))) == bundle  # stable ids


@pytest.mark.parametrize("status", list(fhir_bundle.REQUEST_STATUS))
def test_every_status_makes_a_valid_bundle(status: str) -> None:
    bundle = fhir_bundle.bundle_of(release_of(facts(status=status), set(SCOPES)))
    [task] = resources(bundle, "Task")
    assert task["status"] == status


def test_the_summary_start_leaves_out_the_clinicians_own_findings() -> None:
    findings = [
        {
            "kind": "progress.not_on_track",
            "summary": "After 10 sessions the client is still at caseness.",
            "evidence": ["10 sessions attended", "Latest PHQ-9: 14 on 13 Nov 2026"],
        },
        {
            "kind": "clinician.dislike",
            "summary": "The clinician dislikes the client.",
            "evidence": [],
        },
    ]
    start = letter.summary_start(findings, ("A safety plan",), with_scores=False)
    assert "still at caseness" in start
    assert "10 sessions attended" in start
    assert "PHQ-9" not in start
    assert "dislikes" not in start
    assert start.endswith("What has been tried: A safety plan.")
    assert "PHQ-9: 14" in letter.summary_start(findings, (), with_scores=True)


def test_the_follow_up_settings_default_to_the_domains() -> None:
    assert FOLLOW_UP_NUMBERS["referral_unacknowledged_days"][0] == DEFAULT_UNACKNOWLEDGED_DAYS
    assert FOLLOW_UP_NUMBERS["referral_unscheduled_days"][0] == DEFAULT_UNSCHEDULED_DAYS


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils is not installed (scripts/system-deps.sh installs it)",
)


@needs_poppler
@pytest.mark.parametrize(
    "scopes",
    [frozenset(SCOPES), frozenset({"referral_reason"}), frozenset({"identity_contact"})],
    ids=["all", "reason", "identity"],
)
def test_the_pdf_holds_only_what_the_consent_covers(scopes: frozenset[str], tmp_path: Path) -> None:
    pdf = letter.letter_pdf(release_of(facts(), scopes))
    assert pdf.startswith(b"%PDF")
    text = " ".join(_pdf_text(pdf, tmp_path).split())
    assert "Referral to Front Range Psychiatry" in text
    for value in uncovered_values(scopes):
        assert value not in text, value
    if "identity_contact" in scopes:
        assert NAME in text
        assert EMAIL in text
    if "questionnaire_summaries" in scopes:
        assert "PHQ-9" in text
        assert "a reliable improvement" in text


@needs_poppler
def test_the_letters_first_page_as_a_picture(tmp_path: Path) -> None:
    release: Release = release_of(facts(), set(SCOPES))
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(letter.letter_pdf(release))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    picture = tmp_path / "page.png"
    assert picture.read_bytes().startswith(b"\x89PNG")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(picture, SHOTS / "referral-letter.png")
    documented = DOCS / "referral-letter.png"
    if not documented.exists() or os.environ.get("REFERWELL_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(picture, documented)
