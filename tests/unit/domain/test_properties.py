"""Properties of the engine over cases drawn from every field and code of the format."""

from __future__ import annotations

import copy
import json
import random
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from referwell import assess
from referwell.domain import vocabulary as v
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import case_schema, parse_case
from referwell.domain.citations import REQUIRED
from referwell.domain.errors import InvalidInput
from referwell.domain.settings import RuleSettings

from ..builders import CITATION_TABLE, RECOMMENDATION_ORDER, make_case
from ..strategies import cases, invalid_cases

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCHEMA = Draft202012Validator(case_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
PROTECTED = {
    "personal_values": "reason.personal_values",
    "cultural_unfamiliarity": "reason.cultural_unfamiliarity",
    "dislike": "reason.dislike",
}
SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        # From the safety floors up: no setting goes below them (docs/decision-rules.md).
        "suicide_event_window_days": st.integers(14, 60),
        "suicide_downgrade_after_days": st.integers(7, 30),
        "threat_window_days": st.integers(14, 60),
        "not_on_track_after_sessions": st.integers(1, 20),
        "attendance_window": st.integers(1, 20),
        "attendance_missed_threshold": st.integers(1, 6),
        "attendance_late_threshold": st.integers(1, 6),
    },
)


def assessed(case: dict[str, Any], today: date, rule_settings: dict | None = None) -> dict:
    return assess(case, settings=rule_settings, today=today)


# --- every valid case ---------------------------------------------------------------------------


@PROPERTY
@given(cases(), SETTINGS)
def test_every_valid_case_is_assessed_and_the_top_is_the_most_pressing(
    drawn: tuple[dict, date], rule_settings: dict
) -> None:
    case, today = drawn
    a = assessed(case, today, rule_settings)
    recs = [f["recommendation"] for f in a["findings"]]
    expected = min(recs, key=RECOMMENDATION_ORDER.index) if recs else "continue"
    assert a["recommendation"] == expected
    assert recs == sorted(recs, key=RECOMMENDATION_ORDER.index)
    assert a["settings"] == RuleSettings().as_dict() | rule_settings
    assert json.loads(json.dumps(a)) == a
    assert a["headline"].strip()

    for f in a["findings"]:
        assert f["kind"] in v.FINDING_KINDS
        assert f["recommendation"] in RECOMMENDATION_ORDER
        assert f["evidence"]
        assert f["actions"]
        if f["recommendation"] == "urgent_safety" or f["kind"] == "ethics.financial_conflict":
            assert f["severity"] == "critical"
        elif f["recommendation"] in ("continue", "plan_termination"):
            assert f["severity"] == "info"
        else:
            assert f["severity"] == "warning"
    for c in a["cautions"]:
        assert c["kind"] in v.CAUTION_KINDS
    services = [n["service"] for n in a["referral_needs"]]
    assert len(services) == len(set(services))
    for n in a["referral_needs"]:
        assert n["service"] in v.SERVICES
        assert n["urgency"] in ("urgent", "soon", "routine")
        if n["service"] == "crisis":
            assert n["adjunct"] is True
    if a["recommendation"] != "refer":
        assert "abandonment_risk" not in [c["kind"] for c in a["cautions"]]
    instruments = {m["instrument"] for m in case.get("measures", [])}
    assert {m["instrument"] for m in a["measures"]} == instruments


@PROPERTY
@given(cases())
def test_every_finding_and_caution_carries_the_citations_its_kind_requires(
    drawn: tuple[dict, date],
) -> None:
    case, today = drawn
    a = assessed(case, today)
    for f in a["findings"]:
        given_ = {(c["source"], c["section"]) for c in f["citations"]}
        assert given_, f["kind"]
        assert {(c.source, c.section) for c in REQUIRED[f["kind"]]} <= given_
        assert set(CITATION_TABLE[f["kind"]]) <= given_
    for c in a["cautions"]:
        given_ = {(x["source"], x["section"]) for x in c["citations"]}
        key = f"caution:{c['kind']}"
        assert {(x.source, x.section) for x in REQUIRED[key]} <= given_
        assert set(CITATION_TABLE[key]) <= given_


@PROPERTY
@given(cases())
def test_every_valid_case_satisfies_the_json_schema(drawn: tuple[dict, date]) -> None:
    case, _ = drawn
    assert list(SCHEMA.iter_errors(case)) == []


@PROPERTY
@given(cases())
def test_to_dict_round_trips_to_the_same_assessment(drawn: tuple[dict, date]) -> None:
    case, today = drawn
    parsed = parse_case(case, today=today)
    canonical = parsed.to_dict()
    again = parse_case(canonical, today=today)
    assert again.to_dict() == canonical
    assert assess_case(again).as_dict() == assess_case(parsed).as_dict()
    assert assess_case(parsed).as_dict() == assessed(case, today)


@PROPERTY
@given(cases())
def test_text_and_data_give_the_same_assessment(drawn: tuple[dict, date]) -> None:
    case, today = drawn
    assert assess(json.dumps(case), today=today) == assessed(case, today)


# --- attendance alone -----------------------------------------------------------------------------


@PROPERTY
@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.sampled_from(v.ATTENDANCE)), min_size=1, max_size=60
    ),
    SETTINGS,
)
def test_attendance_alone_never_yields_refer(
    sessions: list[tuple[int, str]], rule_settings: dict
) -> None:
    case = make_case(
        sessions=[
            {"date": (date(2026, 11, 20) - timedelta(days=n)).isoformat(), "attendance": a}
            for n, a in sessions
        ],
        considering_referral_because=["attendance"],
    )
    a = assess(case, settings=rule_settings)
    assert a["recommendation"] in ("consult_first", "continue")
    assert all(f["recommendation"] != "refer" for f in a["findings"])
    assert {f["kind"] for f in a["findings"]} <= {"engagement.attendance"}
    assert a["referral_needs"] == []


# --- cautions about the clinician's own reasons ---------------------------------------------------


@PROPERTY
@given(
    cases(),
    st.sampled_from(sorted(PROTECTED)),
    st.lists(st.sampled_from(v.REASONS), min_size=1, max_size=4),
)
def test_a_values_culture_or_dislike_caution_never_disappears_when_a_reason_is_added(
    drawn: tuple[dict, date], protected: str, added: list[str]
) -> None:
    case, today = drawn
    case["considering_referral_because"] = [
        *case.get("considering_referral_because", []),
        protected,
    ]
    before = [c["kind"] for c in assessed(case, today)["cautions"]]
    assert PROTECTED[protected] in before
    more = copy.deepcopy(case)
    more["considering_referral_because"] = [*case["considering_referral_because"], *added]
    after = [c["kind"] for c in assessed(more, today)["cautions"]]
    for reason, caution in PROTECTED.items():
        if caution in before:
            assert caution in after, (reason, added)
    first = copy.deepcopy(case)
    first["considering_referral_because"] = [*added, *case["considering_referral_because"]]
    assert PROTECTED[protected] in [c["kind"] for c in assessed(first, today)["cautions"]]


# --- order of the lists ---------------------------------------------------------------------------


@PROPERTY
@given(cases(distinct_dates=True), st.randoms(use_true_random=False))
def test_shuffling_entries_whose_dates_differ_never_changes_the_result(
    drawn: tuple[dict, date], rng: random.Random
) -> None:
    case, today = drawn
    shuffled = copy.deepcopy(case)
    for key in ("measures", "sessions", "events"):
        if key in shuffled:
            rng.shuffle(shuffled[key])
    assert assessed(shuffled, today) == assessed(case, today)


# --- additions that must change nothing ------------------------------------------------------------

NEUTRAL = st.sampled_from(
    ["nominal_thanks", "financial_none", "dropped_goal", "evaluated_symptom", "general_competency"]
)


@PROPERTY
@given(cases(), NEUTRAL, st.sampled_from(v.GENERAL_CONDITIONS))
def test_additions_the_rules_ignore_change_nothing(
    drawn: tuple[dict, date], addition: str, general: str
) -> None:
    case, today = drawn
    more = copy.deepcopy(case)
    if addition == "nominal_thanks":
        more.setdefault("financial_arrangements", []).append(
            {"with": "x", "kind": "nominal_thanks"}
        )
    elif addition == "financial_none":
        more.setdefault("financial_arrangements", []).append({"with": "y", "kind": "none"})
    elif addition == "dropped_goal":
        more.setdefault("goals", []).append({"description": "old goal", "status": "dropped"})
    elif addition == "evaluated_symptom":
        more.setdefault("physical_symptoms", []).append(
            {"symptom": "checked", "medically_evaluated": True}
        )
    else:
        more["clinician"]["competencies"] = [*more["clinician"]["competencies"], general]
    assert assessed(more, today) == assessed(case, today)


# --- invalid cases ---------------------------------------------------------------------------------


@PROPERTY
@given(invalid_cases())
def test_every_invalid_case_is_refused_naming_the_path(
    drawn: tuple[dict[str, Any], date, str, str],
) -> None:
    case, today, path, how = drawn
    with pytest.raises(InvalidInput) as caught:
        parse_case(case, today=today)
    error = caught.value
    assert path in [e.path for e in error.errors], (how, str(error))
    assert str(error).splitlines() == [str(e) for e in error.errors]
    for e in error.errors:
        assert e.path
        assert e.message
    if how not in ("future_date", "whole_float"):
        assert list(SCHEMA.iter_errors(case)), f"the schema accepts {how} at {path}"
