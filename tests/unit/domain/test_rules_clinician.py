"""Rules about the clinician (decision-rules.md, The clinician): each fires on its factor or
on the matching stated reason; its caution needs the stated reason."""

from __future__ import annotations

import pytest

from ..builders import (
    actions_text,
    caution_kinds,
    cites,
    day,
    event,
    evidence_text,
    finding_kinds,
    make_case,
    needs,
    run,
    step,
    the_caution,
    the_finding,
)

# kind: (factor, reason or None, caution or None)
CLINICIAN_RULES: dict[str, tuple[str, str | None, str | None]] = {
    "clinician.values_conflict": ("values_conflict", "personal_values", "reason.personal_values"),
    "clinician.cultural_unfamiliarity": (
        "cultural_unfamiliarity",
        "cultural_unfamiliarity",
        "reason.cultural_unfamiliarity",
    ),
    "clinician.dislike": ("strong_dislike", "dislike", "reason.dislike"),
    "clinician.countertransference": ("similar_personal_issue", "countertransference", None),
    "clinician.burnout": ("burnout", None, None),
    "clinician.impairment": ("impairment", "impairment", None),
}
REASON_CAUTIONS = {"reason.personal_values", "reason.cultural_unfamiliarity", "reason.dislike"}
# A step that is none of the alternatives impairment waits for.
TRIED_OTHER = ["continuing_education"]


@pytest.mark.parametrize("kind", list(CLINICIAN_RULES))
def test_fires_on_the_clinician_factor_without_a_caution(kind: str) -> None:
    factor, _, _ = CLINICIAN_RULES[kind]
    a = run(make_case(clinician_factors=[factor]))
    assert finding_kinds(a) == [kind]
    f = the_finding(a, kind)
    assert f["recommendation"] == "consult_first"
    assert f["severity"] == "warning"
    assert cites(f, kind)
    assert factor in evidence_text(f)
    assert set(caution_kinds(a)) & REASON_CAUTIONS == set()
    assert a["recommendation"] == "consult_first"


@pytest.mark.parametrize("kind", [k for k, v in CLINICIAN_RULES.items() if v[1] is not None])
def test_fires_on_the_stated_reason_and_the_caution_needs_the_reason(kind: str) -> None:
    _, reason, caution = CLINICIAN_RULES[kind]
    a = run(make_case(considering_referral_because=[reason], steps_taken=TRIED_OTHER))
    assert finding_kinds(a) == [kind]
    f = the_finding(a, kind)
    assert f["recommendation"] == "consult_first"
    assert reason in evidence_text(f)
    if caution is None:
        assert set(caution_kinds(a)) & REASON_CAUTIONS == set()
    else:
        c = the_caution(a, caution)
        assert cites(c, f"caution:{caution}")
        assert c["actions"]
        assert c["summary"]


@pytest.mark.parametrize("kind", [k for k, v in CLINICIAN_RULES.items() if v[2] is not None])
def test_factor_and_reason_give_one_finding_and_one_caution(kind: str) -> None:
    factor, reason, caution = CLINICIAN_RULES[kind]
    a = run(
        make_case(
            clinician_factors=[factor],
            considering_referral_because=[reason],
            steps_taken=["consultation"],
        )
    )
    assert finding_kinds(a) == [kind]
    assert caution_kinds(a) == [caution]
    f = the_finding(a, kind)
    assert factor in evidence_text(f)
    assert reason in evidence_text(f)


def test_burnout_has_no_reason() -> None:
    reasons = [
        "competence", "not_benefiting", "attendance", "boundary", "safety",
        "client_request", "goals_met", "other",
    ]  # fmt: skip
    a = run(make_case(considering_referral_because=reasons, steps_taken=["supervision"]))
    assert finding_kinds(a) == []
    assert caution_kinds(a) == []


def test_values_actions_bracket_and_caution_says_not_ethical() -> None:
    a = run(
        make_case(
            clinician_factors=["values_conflict"], considering_referral_because=["personal_values"]
        )
    )
    f = the_finding(a, "clinician.values_conflict")
    text = actions_text(f)
    assert "bracket" in text
    assert "supervision" in text
    assert "therapy" in text
    assert "training" in text


def test_culture_actions() -> None:
    f = the_finding(
        run(make_case(clinician_factors=["cultural_unfamiliarity"])),
        "clinician.cultural_unfamiliarity",
    )
    text = actions_text(f)
    assert "broach" in text
    assert "consult" in text
    assert "education" in text or "training" in text


@pytest.mark.parametrize("tried", ["supervision", "consultation", "personal_therapy"])
@pytest.mark.parametrize("via", ["factor", "reason"])
def test_impairment_refers_once_an_alternative_was_tried(tried: str, via: str) -> None:
    fires = (
        {"clinician_factors": ["impairment"]}
        if via == "factor"
        else {"considering_referral_because": ["impairment"]}
    )
    a = run(make_case(**fires, steps_taken=[step(tried, 12)]))
    f = the_finding(a, "clinician.impairment")
    assert f["recommendation"] == "refer"
    assert f["severity"] == "warning"
    assert a["recommendation"] == "refer"
    assert tried in evidence_text(f)
    assert day(12) in evidence_text(f)
    assert needs(a) == {
        "psychotherapy": {
            "service": "psychotherapy",
            "urgency": "routine",
            "because": "clinician.impairment",
            "adjunct": False,
        }
    }
    assert "pretermination" in actions_text(f)


@pytest.mark.parametrize(
    "steps", [[], ["self_care"], ["continuing_education", "discussed_with_client", "broaching"]]
)
def test_impairment_consults_first_before_the_alternatives(steps: list) -> None:
    a = run(make_case(clinician_factors=["impairment"], steps_taken=steps))
    f = the_finding(a, "clinician.impairment")
    assert f["recommendation"] == "consult_first"
    assert a["referral_needs"] == []


def test_impairment_transfer_needs_include_concern_and_population() -> None:
    a = run(
        make_case(
            client={"age": 10},
            clinician={"competencies": ["children", "cbt", "addiction"]},
            concerns=["substance_use"],
            clinician_factors=["impairment"],
            steps_taken=["personal_therapy"],
        )
    )
    assert set(needs(a)) == {"psychotherapy", "addiction", "children"}
    assert needs(a)["children"]["because"] == "clinician.impairment"


@pytest.mark.parametrize("reason", ["personal_values", "cultural_unfamiliarity", "dislike"])
def test_the_reason_caution_stays_when_impairment_refers(reason: str) -> None:
    caution = {
        "personal_values": "reason.personal_values",
        "cultural_unfamiliarity": "reason.cultural_unfamiliarity",
        "dislike": "reason.dislike",
    }[reason]
    a = run(
        make_case(
            considering_referral_because=[reason, "impairment"],
            steps_taken=["supervision"],
        )
    )
    assert a["recommendation"] == "refer"
    assert caution in caution_kinds(a)


@pytest.mark.parametrize("reason", ["personal_values", "cultural_unfamiliarity", "dislike"])
def test_the_reason_caution_stays_beside_any_other_finding(reason: str) -> None:
    caution = "reason." + reason
    a = run(
        make_case(
            considering_referral_because=[reason, "competence", "safety"],
            concerns=["borderline_personality", "suicidality"],
            events=[event("threat_to_clinician", 3)],
        )
    )
    assert a["recommendation"] == "urgent_safety"
    assert caution in caution_kinds(a)


def test_all_clinician_findings_together_in_rule_order() -> None:
    a = run(
        make_case(
            clinician_factors=[
                "impairment",
                "burnout",
                "similar_personal_issue",
                "strong_dislike",
                "cultural_unfamiliarity",
                "values_conflict",
            ],
            considering_referral_because=["dislike", "personal_values", "cultural_unfamiliarity"],
        )
    )
    assert finding_kinds(a) == list(CLINICIAN_RULES)
    assert set(caution_kinds(a)) == REASON_CAUTIONS | {"alternatives_not_tried"}
    assert a["recommendation"] == "consult_first"
