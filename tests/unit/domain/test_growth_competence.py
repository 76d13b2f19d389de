"""Competence with evidence as pure logic: what counts on a day, the minimums and their docs,
what a finding's actions call for, the CE periods, the growth plan's tally, the forms'
checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from referwell.domain import vocabulary as v
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import InvalidInput
from referwell.domain.growth import ce, entries
from referwell.domain.growth.evidence import (
    ATTESTED,
    CERTIFICATION,
    SUPERVISED,
    TRAINING,
    VERIFIED,
    VERIFIED_ONLY,
    CompetencePolicy,
    Evidence,
    counting_codes,
    standing,
)
from referwell.domain.growth.minimums import DEFAULT_MINIMUMS, Minimum, minimums_markdown
from referwell.domain.growth.plan import NeedCount, path_for, paths_markdown, plan_rows, tally_needs
from referwell.domain.growth.steps import steps_called_for
from referwell.domain.settings import RuleSettings

DAY = date(2026, 11, 20)
POLICY = CompetencePolicy()
ROOT = Path(__file__).resolve().parents[3]


def test_every_competency_has_a_default_minimum_with_a_source() -> None:
    assert set(DEFAULT_MINIMUMS) == set(v.COMPETENCIES)
    assert all(row.source for row in DEFAULT_MINIMUMS.values())


def test_a_claim_without_evidence_is_in_training() -> None:
    found = standing("dbt", [], POLICY, DAY)
    assert not found.counts
    assert found.because == "in_training"
    assert counting_codes(["cbt", "dbt"], [], [], POLICY, DAY) == (("cbt",), ("dbt",))


def test_a_verification_or_an_attestation_makes_it_count() -> None:
    for kind in (VERIFIED, ATTESTED):
        found = standing("dbt", [Evidence(kind, "dbt", on=DAY, by="Morgan")], POLICY, DAY)
        assert found.counts
        assert found.because == kind
        assert found.verified_by == "Morgan"


def test_evidence_counts_once_both_hours_meet_the_minimum() -> None:
    minimum = DEFAULT_MINIMUMS["cpt"].minimum
    assert minimum == Minimum(12, 20)
    trainings = [Evidence(TRAINING, "cpt", hours=12, on=date(2026, 1, 5))]
    assert not standing("cpt", trainings, POLICY, DAY).counts
    half = [*trainings, Evidence(SUPERVISED, "cpt", hours=19.5, on=date(2026, 6, 1))]
    assert standing("cpt", half, POLICY, DAY).supervised_short == pytest.approx(0.5)
    enough = [*half, Evidence(SUPERVISED, "cpt", hours=0.5, on=date(2026, 7, 1))]
    found = standing("cpt", enough, POLICY, DAY)
    assert found.counts
    assert found.because == "evidence"
    # Hours dated after the day do not count on it.
    assert not standing("cpt", enough, POLICY, date(2026, 6, 30)).counts
    # Evidence of another code counts for nothing here.
    assert not standing("pe", enough, POLICY, DAY).counts


def test_a_certification_counts_through_its_expiry_and_not_after() -> None:
    certified = [
        Evidence(CERTIFICATION, "emdr", on=date(2024, 1, 1), until=date(2026, 11, 20), by="EMDRIA")
    ]
    on_expiry = standing("emdr", certified, POLICY, date(2026, 11, 20))
    assert on_expiry.counts
    assert on_expiry.because == "certified"
    assert on_expiry.certified_until == date(2026, 11, 20)
    assert not standing("emdr", certified, POLICY, date(2026, 11, 21)).counts
    assert not standing("emdr", certified, POLICY, date(2023, 12, 31)).counts  # not yet issued
    lasting = [Evidence(CERTIFICATION, "emdr", on=None, until=None)]
    assert standing("emdr", lasting, POLICY, date(2040, 1, 1)).counts


def test_a_general_code_needs_nothing_beyond_the_licence() -> None:
    found = standing("depression", [], POLICY, DAY)
    assert found.counts
    assert found.because == "licence"


def test_a_profession_counts_by_verification_only() -> None:
    assert DEFAULT_MINIMUMS["psychiatry"].minimum is None
    many = [Evidence(TRAINING, "psychiatry", hours=400, on=DAY)]
    assert not standing("psychiatry", many, POLICY, DAY).counts
    assert standing("psychiatry", [Evidence(VERIFIED, "psychiatry")], POLICY, DAY).counts


def test_a_practice_that_counts_verification_only() -> None:
    policy = CompetencePolicy(VERIFIED_ONLY)
    evidence = [
        Evidence(CERTIFICATION, "dbt", until=date(2030, 1, 1)),
        Evidence(TRAINING, "depression", hours=1),
    ]
    assert not standing("dbt", evidence, policy, DAY).counts
    assert not standing(
        "psychosis", [Evidence(TRAINING, "psychosis", hours=99)], policy, DAY
    ).counts
    # What needs nothing beyond the licence still counts.
    assert standing("depression", evidence, policy, DAY).counts
    assert standing("dbt", [Evidence(ATTESTED, "dbt")], policy, DAY).counts


def test_a_practice_minimum_replaces_the_default() -> None:
    policy = CompetencePolicy(overrides=MappingProxyType({"dbt": Minimum(10, 0)}))
    assert standing("dbt", [Evidence(TRAINING, "dbt", hours=10)], policy, DAY).counts
    stored = CompetencePolicy.from_stored(
        "nonsense", {"dbt": {"training_hours": 10, "supervised_hours": 0}, "pe": {"x": 1}}
    )
    assert stored.counts_when == "verified_or_evidence"
    assert stored.minimum("dbt") == Minimum(10, 0)
    assert stored.minimum("pe") == DEFAULT_MINIMUMS["pe"].minimum


def test_the_codes_keep_their_order_and_training_comes_first() -> None:
    evidence = [Evidence(VERIFIED, "pe"), Evidence(VERIFIED, "cbt")]
    assert counting_codes(["pe", "dbt", "cbt", "pe"], ["emdr", "dbt"], evidence, POLICY, DAY) == (
        ("pe", "cbt"),
        ("emdr", "dbt"),
    )


def _case(competencies: list[str], in_training: list[str]) -> dict[str, object]:
    return {
        "format": "referwell.case/1",
        "id": "growth-1",
        "as_of": DAY.isoformat(),
        "clinician": {"competencies": competencies, "in_training": in_training},
        "client": {"age": 30},
        "concerns": ["psychosis"],
    }


def test_the_engine_says_in_training_for_a_claim_without_evidence() -> None:
    """Ticking psychosis no longer makes the psychosis referral disappear on its own."""
    claims = ["cbt", "psychosis"]
    without = counting_codes(claims, [], [], POLICY, DAY)
    kinds = [
        f.kind for f in assess_case(parse_case(_case(*map(list, without))), RuleSettings()).findings
    ]
    assert "competence.in_training" in kinds
    assert "competence.specialized_condition" not in kinds
    verified = counting_codes(claims, [], [Evidence(VERIFIED, "psychosis")], POLICY, DAY)
    kinds = [
        f.kind
        for f in assess_case(parse_case(_case(*map(list, verified))), RuleSettings()).findings
    ]
    assert not [k for k in kinds if k.startswith("competence.") and k != "competence.population"]


@pytest.mark.parametrize(
    ("actions", "called"),
    [
        (["Take the conflict to supervision."], ("supervision",)),
        (["Consult a colleague experienced with this culture."], ("consultation",)),
        (
            ["Take the case to supervision or consult a colleague before deciding on referral."],
            ("supervision", "consultation"),
        ),
        (["Hold pretermination counselling before the last session."], ()),
    ],
)
def test_what_a_findings_actions_call_for(actions: list[str], called: tuple[str, ...]) -> None:
    assert steps_called_for(actions) == called


def test_licence_periods_roll_with_the_renewal_day() -> None:
    current, before = ce.licence_periods(date(2027, 3, 31), 24, date(2026, 11, 20))
    assert (current.start, current.end, current.current) == (
        date(2025, 4, 1),
        date(2027, 3, 31),
        True,
    )
    assert (before.start, before.end) == (date(2023, 4, 1), date(2025, 3, 31))
    # A renewal day already past rolls forward; without a licence, calendar years.
    assert ce.licence_periods(date(2020, 3, 31), 24, DAY)[0].end == date(2028, 3, 31)
    years = ce.licence_periods(None, 24, DAY)
    assert [(p.start, p.end) for p in years] == [
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2025, 1, 1), date(2025, 12, 31)),
    ]
    assert ce.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


def test_period_totals_and_expiry_notes() -> None:
    periods = ce.licence_periods(None, 24, DAY)
    totals = ce.period_totals(
        [
            ce.CeHours(date(2026, 2, 1), 6, "ethics"),
            ce.CeHours(date(2026, 5, 1), 1.5, "clinical"),
            ce.CeHours(date(2025, 5, 1), 3, "clinical"),
        ],
        periods,
    )
    assert totals[0].hours == 7.5
    assert totals[0].by_category == (("clinical", 1.5), ("ethics", 6))
    assert totals[1].hours == 3
    assert ce.expiry_note(date(2026, 12, 1), DAY) == "expiring"
    assert ce.expiry_note(date(2026, 11, 1), DAY) == "expired"
    assert ce.expiry_note(date(2028, 1, 1), DAY) is None
    assert ce.expiry_note(None, DAY) is None


def test_the_tally_counts_a_client_once_per_need() -> None:
    dbt = {"service": "dbt", "urgency": "routine", "because": "x", "adjunct": False}
    gp = {"service": "primary_care", "urgency": "routine", "because": "x", "adjunct": True}
    counts = tally_needs([(1, [dbt]), (1, [dbt, gp]), (2, [dbt]), (3, [gp])])
    assert counts == [NeedCount("dbt", 2, 0), NeedCount("primary_care", 2, 2)]
    rows = plan_rows(counts, {"dbt": Minimum(40, 40), "primary_care": None})
    assert rows[0].path is not None
    assert rows[0].path.also == ("mbt", "tfp", "schema_therapy")
    assert rows[1].path is None
    assert rows[1].another_profession
    assert path_for("psychotherapy") is None


def test_the_growth_tables_of_the_doc_are_fresh() -> None:
    text = (ROOT / "docs" / "growth.md").read_text(encoding="utf-8")
    for name, render in (("minimums", minimums_markdown), ("paths", paths_markdown)):
        block = text.split(f"<!-- {name}:start -->\n", 1)[1].split(f"\n<!-- {name}:end -->", 1)[0]
        assert block == render(), f"docs/growth.md's {name} table is stale: run `make docs`"


def test_the_forms_checks_name_every_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        entries.training_entry(
            {"title": "", "provider": "P", "hours": "1,5x", "date": "2027-01-01", "category": "x"},
            DAY,
        )
    assert [e.path for e in refused.value.errors] == ["title", "hours", "date", "category"]
    made = entries.training_entry(
        {"title": "T", "provider": "P", "hours": "1,5", "date": "2026-11-01", "category": "ethics"},
        DAY,
    )
    assert (made.hours, made.code) == (1.5, None)
    with pytest.raises(InvalidInput) as refused:
        entries.certification_entry(
            {"title": "C", "issuer": "I", "issued_on": "2026-01-02", "expires_on": "2026-01-01"},
            DAY,
        )
    assert [e.path for e in refused.value.errors] == ["expires_on"]
    with pytest.raises(InvalidInput) as refused:
        entries.step_record_entry({"step": "therapy", "with_whom": "", "answers": "nope"})
    assert [e.path for e in refused.value.errors] == ["step", "with_whom", "answers"]
    record = entries.step_record_entry(
        {"step": "consultation", "with_whom": "Sam", "answers": "alternatives_not_tried"}
    )
    assert (record.step, record.note, record.answers) == (
        "consultation",
        None,
        "alternatives_not_tried",
    )
