"""Medical rule (decision-rules.md, Medical): physical symptoms no physician has evaluated."""

from __future__ import annotations

import pytest

from ..builders import (
    actions_text,
    cites,
    day,
    evidence_text,
    finding_kinds,
    make_case,
    needs,
    phq15,
    run,
    the_finding,
)

UNEVALUATED = "medical.unevaluated_symptoms"


def _symptom(text: str, evaluated: bool) -> dict:
    return {"symptom": text, "medically_evaluated": evaluated}


def test_an_unevaluated_symptom_recommends_refer_adjunct_to_primary_care() -> None:
    a = run(make_case(physical_symptoms=[_symptom("fatigue and weight gain", False)]))
    f = the_finding(a, UNEVALUATED)
    assert a["recommendation"] == "refer_adjunct"
    assert f["recommendation"] == "refer_adjunct"
    assert f["severity"] == "warning"
    assert cites(f, UNEVALUATED)
    assert "fatigue and weight gain" in evidence_text(f)
    assert "primary care" in actions_text(f) or "physician" in actions_text(f)
    assert needs(a) == {
        "primary_care": {
            "service": "primary_care",
            "urgency": "routine",
            "because": UNEVALUATED,
            "adjunct": True,
        }
    }


def test_evaluated_symptoms_yield_nothing() -> None:
    a = run(make_case(physical_symptoms=[_symptom("headache", True), _symptom("nausea", True)]))
    assert finding_kinds(a) == []


def test_one_finding_lists_every_unevaluated_symptom_and_only_those() -> None:
    a = run(
        make_case(
            physical_symptoms=[
                _symptom("palpitations", False),
                _symptom("back pain", True),
                _symptom("night sweats", False),
            ]
        )
    )
    f = the_finding(a, UNEVALUATED)
    text = evidence_text(f)
    assert "palpitations" in text
    assert "night sweats" in text
    assert "back pain" not in text


def test_a_client_with_a_physician_still_needs_the_symptom_raised() -> None:
    a = run(
        make_case(
            client={"current_care": ["primary_care"]},
            physical_symptoms=[_symptom("dizziness", False)],
        )
    )
    f = the_finding(a, UNEVALUATED)
    assert needs(a)["primary_care"]["adjunct"] is True
    assert "physician" in actions_text(f)
    assert "dizziness" in "\n".join(f["actions"])


def test_a_high_phq15_alone_never_fires_the_rule() -> None:
    a = run(make_case(measures=[phq15(day(3), 30)]))
    assert finding_kinds(a) == []


def test_a_high_phq15_adds_evidence_to_an_unevaluated_symptom() -> None:
    a = run(
        make_case(
            measures=[phq15(day(3), 16)],
            physical_symptoms=[_symptom("stomach pain", False)],
        )
    )
    f = the_finding(a, UNEVALUATED)
    assert "PHQ-15" in evidence_text(f)
    assert day(3) in evidence_text(f)


@pytest.mark.parametrize(("total", "quoted"), [(9, False), (10, True)])
def test_phq15_evidence_from_medium_burden(total: int, quoted: bool) -> None:
    a = run(
        make_case(
            measures=[phq15(day(3), total)],
            physical_symptoms=[_symptom("stomach pain", False)],
        )
    )
    assert ("PHQ-15" in evidence_text(the_finding(a, UNEVALUATED))) is quoted


def test_symptom_need_merges_with_an_eating_disorder_adjunct_need() -> None:
    a = run(
        make_case(
            concerns=["eating_disorder"],
            clinician={"competencies": ["eating_disorders"]},
            physical_symptoms=[_symptom("dizziness", False)],
        )
    )
    assert set(finding_kinds(a)) == {"medical.adjunct_care", UNEVALUATED}
    got = needs(a)
    assert got["primary_care"]["adjunct"] is True
    # `because` is the first finding's: the competence family is evaluated before medical.
    assert got["primary_care"]["because"] == "eating_disorder"


def test_primary_care_in_current_care_removes_the_concern_need_but_not_the_symptom_need() -> None:
    a = run(
        make_case(
            concerns=["eating_disorder"],
            clinician={"competencies": ["eating_disorders"]},
            client={"current_care": ["primary_care"]},
            physical_symptoms=[_symptom("dizziness", False)],
        )
    )
    assert finding_kinds(a) == [UNEVALUATED]
    assert needs(a)["primary_care"]["because"] == UNEVALUATED
