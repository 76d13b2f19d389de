"""The assessment object (case-format.md, Assessment): order of recommendations, severity,
merged referral needs, the measures summary, the settings echo, the declared rules."""

from __future__ import annotations

from typing import Any

import pytest

from referwell.domain.errors import InvalidInput
from referwell.domain.findings import Need, merge_needs
from referwell.domain.rules import RULES
from referwell.domain.vocabulary import CAUTION_KINDS, FINDING_KINDS

from ..builders import (
    AS_OF,
    CITATION_TABLE,
    RECOMMENDATION_ORDER,
    cites,
    day,
    event,
    finding_kinds,
    gad7,
    make_case,
    measure,
    pcl5,
    phq9,
    phq9_total,
    phq15,
    run,
    sessions,
    step,
)

DEFAULT_SETTINGS = {
    "suicide_event_window_days": 30,
    "suicide_downgrade_after_days": 7,
    "threat_window_days": 30,
    "not_on_track_after_sessions": 8,
    "attendance_window": 10,
    "attendance_missed_threshold": 3,
    "attendance_late_threshold": 3,
}

# One case per recommendation, each yielding one finding only.
ONE_EACH: dict[str, dict[str, Any]] = {
    "urgent_safety": {"events": [event("threat_to_others", 1)]},
    "refer": {"concerns": ["ocd"]},
    "refer_adjunct": {"physical_symptoms": [{"symptom": "pain", "medically_evaluated": False}]},
    "consult_first": {"client": {"engagement": "low"}},
    "plan_termination": {"goals": [{"status": "met"}]},
    "continue": {"events": [event("romantic_advance", 3)]},
}


def test_an_empty_case_continues_with_nothing_to_say() -> None:
    a = run(make_case())
    assert a["format"] == "referwell.assessment/1"
    assert a["case_id"] == "t-case"
    assert a["as_of"] == AS_OF
    assert a["recommendation"] == "continue"
    assert a["findings"] == []
    assert a["cautions"] == []
    assert a["referral_needs"] == []
    assert a["measures"] == []
    assert a["headline"].strip()


@pytest.mark.parametrize("recommendation", RECOMMENDATION_ORDER)
def test_each_recommendation_alone(recommendation: str) -> None:
    a = run(make_case(**ONE_EACH[recommendation]))
    assert len(a["findings"]) == 1
    assert a["findings"][0]["recommendation"] == recommendation
    assert a["recommendation"] == recommendation


def _merged(*names: str) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name in names:
        for key, value in ONE_EACH[name].items():
            if key == "client":
                overrides.setdefault("client", {}).update(value)
            else:
                overrides.setdefault(key, [])
                overrides[key] = overrides[key] + value
    return make_case(**overrides)


@pytest.mark.parametrize(
    "names",
    [
        RECOMMENDATION_ORDER,
        tuple(reversed(RECOMMENDATION_ORDER)),
        ("continue", "plan_termination"),
        ("plan_termination", "consult_first"),
        ("refer_adjunct", "consult_first", "continue"),
        ("refer", "refer_adjunct"),
        ("urgent_safety", "continue"),
    ],
)
def test_the_most_pressing_finding_decides_and_findings_are_ordered(names: tuple) -> None:
    a = run(_merged(*names))
    recs = [f["recommendation"] for f in a["findings"]]
    expected_top = min(names, key=RECOMMENDATION_ORDER.index)
    assert a["recommendation"] == expected_top
    assert recs == sorted(recs, key=RECOMMENDATION_ORDER.index)
    assert sorted(recs) == sorted(names)


def test_the_headline_leads_with_the_top_finding() -> None:
    a = run(_merged(*RECOMMENDATION_ORDER))
    assert a["findings"][0]["summary"] in a["headline"]


@pytest.mark.parametrize(
    ("overrides", "kind", "severity"),
    [
        ({"events": [event("threat_to_others", 1)]}, "safety.threat_to_others", "critical"),
        ({"concerns": ["suicidality"]}, "safety.suicide_risk", "critical"),
        (
            {
                "concerns": ["suicidality"],
                "steps_taken": ["risk_assessment", "safety_plan"],
            },
            "safety.suicide_risk",
            "warning",
        ),
        (
            {"financial_arrangements": [{"with": "x", "kind": "fee_split"}]},
            "ethics.financial_conflict",
            "critical",
        ),
        ({"concerns": ["dissociative"]}, "competence.specialized_condition", "warning"),
        ({"client": {"engagement": "refuses_discussion"}}, "engagement.participation", "warning"),
        (
            {"concerns": ["bipolar"], "clinician": {"competencies": ["bipolar"]}},
            "medical.adjunct_care",
            "warning",
        ),
        ({"client": {"wants_to_end": True}}, "progress.client_request", "info"),
        ({"goals": [{"status": "met"}]}, "progress.goals_met", "info"),
        ({"events": [event("romantic_advance", 2)]}, "relationship.romantic_advances", "info"),
        (
            {"concerns": ["ocd"], "clinician": {"in_training": ["erp"]}},
            "competence.in_training",
            "info",
        ),
    ],
)
def test_severity_follows_the_recommendation(overrides: dict, kind: str, severity: str) -> None:
    a = run(make_case(**overrides))
    (f,) = [f for f in a["findings"] if f["kind"] == kind]
    assert f["severity"] == severity


# --- referral needs ------------------------------------------------------------------------


def test_merge_needs_keeps_one_entry_per_service_in_first_appearance_order() -> None:
    merged = merge_needs(
        [
            Need("crisis", "safety.suicide_risk", "routine", adjunct=True),
            Need("dbt", "borderline_personality"),
            Need("crisis", "other.kind", "urgent", adjunct=True),
            Need("crisis", "third.kind", "soon", adjunct=True),
        ]
    )
    assert [n.service for n in merged] == ["crisis", "dbt"]
    crisis = merged[0]
    assert crisis.urgency == "urgent"
    assert crisis.because == "safety.suicide_risk"
    assert crisis.adjunct is True


@pytest.mark.parametrize(
    ("urgencies", "winner"),
    [
        (("routine", "soon"), "soon"),
        (("soon", "routine"), "soon"),
        (("routine", "urgent"), "urgent"),
        (("urgent", "soon", "routine"), "urgent"),
        (("routine", "routine"), "routine"),
    ],
)
def test_the_most_urgent_urgency_wins(urgencies: tuple, winner: str) -> None:
    merged = merge_needs([Need("psychiatry", f"k{i}", u) for i, u in enumerate(urgencies)])
    assert len(merged) == 1
    assert merged[0].urgency == winner
    assert merged[0].because == "k0"


@pytest.mark.parametrize(
    ("adjuncts", "merged_adjunct"),
    [
        ((True, True), True),
        ((True, False), False),
        ((False, True), False),
        ((False, False), False),
        ((True, True, False), False),
    ],
)
def test_adjunct_is_false_if_any_asks_for_a_transfer(adjuncts: tuple, merged_adjunct: bool) -> None:
    merged = merge_needs([Need("primary_care", f"k{i}", adjunct=x) for i, x in enumerate(adjuncts)])
    assert merged[0].adjunct is merged_adjunct
    assert merged[0].because == "k0"


def test_need_entries_carry_exactly_the_spec_fields() -> None:
    a = run(make_case(concerns=["psychosis", "suicidality"]))
    for n in a["referral_needs"]:
        assert set(n) == {"service", "urgency", "because", "adjunct"}
        assert n["urgency"] in ("urgent", "soon", "routine")
        assert isinstance(n["adjunct"], bool)
    assert {n["service"] for n in a["referral_needs"]} == {
        "crisis",
        "coordinated_specialty_care",
        "psychiatry",
    }


# --- measures ------------------------------------------------------------------------------


def test_phq9_entry_first_latest_change_band_caseness_item9_and_flags() -> None:
    a = run(make_case(measures=[phq9(day(3), 11, item9=0), phq9(day(90), 18), phq9(day(40), 15)]))
    assert measure(a, "PHQ-9") == {
        "instrument": "PHQ-9",
        "first": 18,
        "latest": 11,
        "change": -7,
        "severity": "moderate",
        "caseness": True,
        "item9": 0,
        "reliable_improvement": True,
        "reliable_deterioration": False,
    }


def test_a_single_score_has_null_change_and_flags() -> None:
    a = run(make_case(measures=[gad7(day(3), 16)]))
    m = measure(a, "GAD-7")
    assert m["first"] == m["latest"] == 16
    assert m["change"] is None
    assert m["reliable_improvement"] is None
    assert m["reliable_deterioration"] is None
    assert m["severity"] == "severe"
    assert m["caseness"] is True
    assert "item9" not in m


def test_item9_is_null_when_the_latest_phq9_is_a_total() -> None:
    a = run(make_case(measures=[phq9(day(30), 12, item9=1), phq9_total(day(3), 8)]))
    m = measure(a, "PHQ-9")
    assert m["item9"] is None
    assert m["first"] == 12
    assert m["latest"] == 8
    assert m["change"] == -4
    assert m["severity"] == "mild"
    assert m["caseness"] is False


def test_pcl5_has_no_band_and_phq15_no_reliable_change() -> None:
    a = run(
        make_case(
            measures=[pcl5(day(60), 50), pcl5(day(3), 38), phq15(day(60), 16), phq15(day(3), 4)]
        )
    )
    pcl = measure(a, "PCL-5")
    assert pcl["severity"] is None
    assert pcl["caseness"] is True
    assert pcl["change"] == -12
    assert pcl["reliable_improvement"] is True
    assert pcl["reliable_deterioration"] is False
    phq = measure(a, "PHQ-15")
    assert phq["severity"] == "minimal"
    assert phq["caseness"] is False
    assert phq["change"] == -12
    assert phq["reliable_improvement"] is None
    assert phq["reliable_deterioration"] is None


def test_one_entry_per_instrument_present_only() -> None:
    a = run(make_case(measures=[gad7(day(9), 3), gad7(day(2), 4), pcl5(day(2), 10)]))
    assert sorted(m["instrument"] for m in a["measures"]) == ["GAD-7", "PCL-5"]


@pytest.mark.parametrize(
    ("instrument", "first", "latest", "improvement", "deterioration"),
    [
        ("PHQ-9", 20, 15, False, False),
        ("PHQ-9", 20, 14, True, False),
        ("PHQ-9", 8, 14, False, True),
        ("PHQ-9", 8, 13, False, False),
        ("GAD-7", 12, 9, False, False),
        ("GAD-7", 12, 8, True, False),
        ("GAD-7", 4, 8, False, True),
        ("PCL-5", 40, 31, False, False),
        ("PCL-5", 40, 30, True, False),
        ("PCL-5", 30, 40, False, True),
    ],
)
def test_reliable_flags_in_the_summary(
    instrument: str, first: int, latest: int, improvement: bool, deterioration: bool
) -> None:
    build = {"PHQ-9": phq9, "GAD-7": gad7, "PCL-5": pcl5}[instrument]
    m = measure(run(make_case(measures=[build(day(30), first), build(day(2), latest)])), instrument)
    assert m["change"] == latest - first
    assert m["reliable_improvement"] is improvement
    assert m["reliable_deterioration"] is deterioration


# --- settings ------------------------------------------------------------------------------


def test_the_settings_echo_every_default() -> None:
    assert run(make_case())["settings"] == DEFAULT_SETTINGS


def test_custom_settings_are_echoed_and_used() -> None:
    custom = {"attendance_window": 4, "attendance_missed_threshold": 2}
    case = make_case(sessions=sessions("attended", "no_show", "attended", "no_show"))
    a = run(case, settings=custom)
    assert a["settings"] == DEFAULT_SETTINGS | custom
    assert finding_kinds(a) == ["engagement.attendance"]
    assert finding_kinds(run(case)) == []


@pytest.mark.parametrize(
    ("settings", "path"),
    [
        ({"attendance_windw": 4}, "attendance_windw"),
        ({"attendance_window": "4"}, "attendance_window"),
        ({"attendance_window": 4.0}, "attendance_window"),
        ({"attendance_window": True}, "attendance_window"),
        ({"attendance_window": 0}, "attendance_window"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(settings: dict, path: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        run(make_case(), settings=settings)
    assert [e.path for e in caught.value.errors] == [path]


def test_an_unknown_setting_suggests_the_nearest() -> None:
    with pytest.raises(InvalidInput) as caught:
        run(make_case(), settings={"threat_windw_days": 4})
    assert "threat_window_days" in caught.value.errors[0].message


# --- declared rules ------------------------------------------------------------------------


def test_every_finding_and_caution_kind_of_the_vocabulary_has_a_rule() -> None:
    declared_findings = {k for r in RULES for k in r.finding_kinds}
    declared_cautions = {k for r in RULES for k in r.caution_kinds}
    assert declared_findings == set(FINDING_KINDS)
    assert declared_cautions == set(CAUTION_KINDS)


def test_every_rule_has_an_id_and_declares_the_citations_the_table_requires() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.id
        assert rule.finding_kinds or rule.caution_kinds
        cited = rule.citations()
        for kind in rule.finding_kinds:
            given = {(c.source, c.section) for c in cited[kind]}
            assert set(CITATION_TABLE[kind]) <= given, kind
        for kind in rule.caution_kinds:
            given = {(c.source, c.section) for c in cited[f"caution:{kind}"]}
            assert set(CITATION_TABLE[f"caution:{kind}"]) <= given, kind


def test_every_rule_names_settings_that_exist() -> None:
    for rule in RULES:
        assert set(rule.settings) <= set(DEFAULT_SETTINGS), rule.id
    assert {s for r in RULES for s in r.settings} == set(DEFAULT_SETTINGS)


def test_safety_rules_are_evaluated_first() -> None:
    families = [r.family for r in RULES if r.evaluate is not None]
    assert families[:3] == ["safety"] * 3
    assert "safety" not in families[3:]


def test_a_busy_case_carries_every_required_citation() -> None:
    a = run(
        make_case(
            client={"age": 15, "wants_to_end": True, "engagement": "low"},
            concerns=["suicidality", "borderline_personality", "neurocognitive", "ocd"],
            clinician={"in_training": ["erp"]},
            format_of_care="family",
            physical_symptoms=[{"symptom": "pain", "medically_evaluated": False}],
            measures=[phq9(day(60), 8), phq9(day(3), 16, item9=1)],
            sessions=sessions(*["attended"] * 6, "no_show", "no_show", "late_cancel"),
            events=[
                event("threat_to_others", 4),
                event("threat_to_clinician", 100),
                event("romantic_advance", 30, discussed=True),
                event("romantic_advance", 10),
                event("boundary_crossing", 9),
            ],
            clinician_factors=["burnout", "similar_personal_issue", "impairment"],
            considering_referral_because=["personal_values", "cultural_unfamiliarity", "dislike"],
            steps_taken=[step("treatment_adjusted", 20)],
            goals=[{"status": "met"}],
            financial_arrangements=[{"with": "y", "kind": "exclusive_reciprocal"}],
        )
    )
    assert a["recommendation"] == "urgent_safety"
    assert len(a["findings"]) >= 15
    for f in a["findings"]:
        assert cites(f, f["kind"]), f["kind"]
    for c in a["cautions"]:
        assert cites(c, f"caution:{c['kind']}"), c["kind"]


def test_first_and_latest_scores_on_a_shared_date_keep_file_order() -> None:
    a = run(make_case(measures=[phq9(day(60), 20), phq9(day(60), 10), phq9(day(3), 14)]))
    assert measure(a, "PHQ-9")["first"] == 20
    assert measure(a, "PHQ-9")["change"] == -6
    assert measure(a, "PHQ-9")["reliable_improvement"] is True
    b = run(make_case(measures=[phq9(day(60), 10), phq9(day(60), 20), phq9(day(3), 14)]))
    assert measure(b, "PHQ-9")["first"] == 10
    c = run(make_case(measures=[phq9(day(3), 14), phq9(day(3), 9)]))
    assert measure(c, "PHQ-9")["latest"] == 9
