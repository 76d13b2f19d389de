"""Competence rules (decision-rules.md, Competence): specialized conditions, populations,
training, the adjunct needs of a concern, and the transfer needs every referral carries."""

from __future__ import annotations

import pytest

from ..builders import (
    actions_text,
    cites,
    event,
    evidence_text,
    finding_kinds,
    findings_of,
    make_case,
    needs,
    run,
    the_finding,
)

SPECIALIZED = "competence.specialized_condition"
IN_TRAINING = "competence.in_training"
POPULATION = "competence.population"
ADJUNCT = "medical.adjunct_care"

# The competence table of decision-rules.md, typed out again.
ROWS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # concern: (competent with any of, need when not competent, adjunct need unless in care)
    "borderline_personality": (("dbt", "mbt", "tfp", "schema_therapy"), ("dbt",), ()),
    "psychosis": (("psychosis",), ("coordinated_specialty_care", "psychiatry"), ("psychiatry",)),
    "bipolar": (("bipolar",), ("psychiatry",), ("psychiatry",)),
    "dissociative": (("dissociative",), ("dissociative",), ()),
    "eating_disorder": (
        ("eating_disorders", "family_based_treatment"),
        ("eating_disorders",),
        ("primary_care",),
    ),
    "substance_use": (("addiction",), ("addiction",), ()),
    "trauma_ptsd": (("trauma_focused", "cpt", "pe", "emdr"), ("trauma_focused",), ()),
    "ocd": (("erp",), ("erp",), ()),
}
GENERAL = (
    "depression", "anxiety", "panic", "social_anxiety", "grief", "stress", "adjustment",
    "relationship", "life_transition", "self_esteem", "anger", "insomnia", "phobia",
)  # fmt: skip
COMPETENT_PAIRS = [(c, code) for c, row in ROWS.items() for code in row[0]]


def _with_care(concern: str) -> list[str]:
    """current_care holding the row's adjunct needs, so only the competence rule speaks."""
    return list(ROWS[concern][2])


# --- specialized conditions ---------------------------------------------------------------


@pytest.mark.parametrize("concern", list(ROWS))
def test_specialized_concern_outside_competence_recommends_refer_with_the_rows_need(
    concern: str,
) -> None:
    a = run(make_case(concerns=[concern], client={"current_care": _with_care(concern)}))
    f = the_finding(a, SPECIALIZED)
    assert a["recommendation"] == "refer"
    assert f["recommendation"] == "refer"
    assert f["severity"] == "warning"
    assert cites(f, SPECIALIZED)
    assert f"concerns: {concern}" in evidence_text(f) or concern in evidence_text(f)
    got = needs(a)
    assert set(got) == set(ROWS[concern][1])
    for service in ROWS[concern][1]:
        assert got[service] == {
            "service": service,
            "urgency": "routine",
            "because": concern,
            "adjunct": False,
        }
    assert ADJUNCT not in finding_kinds(a)


@pytest.mark.parametrize(("concern", "code"), COMPETENT_PAIRS)
def test_any_code_of_the_row_makes_the_clinician_competent(concern: str, code: str) -> None:
    a = run(
        make_case(
            concerns=[concern],
            clinician={"competencies": ["cbt", "adults", code]},
            client={"current_care": _with_care(concern)},
        )
    )
    assert finding_kinds(a) == []
    assert a["recommendation"] == "continue"
    assert a["referral_needs"] == []


@pytest.mark.parametrize(("concern", "code"), COMPETENT_PAIRS)
def test_a_code_of_the_row_in_training_gives_in_training_continue(concern: str, code: str) -> None:
    a = run(
        make_case(
            concerns=[concern],
            clinician={"in_training": [code]},
            client={"current_care": _with_care(concern)},
        )
    )
    assert finding_kinds(a) == [IN_TRAINING]
    f = the_finding(a, IN_TRAINING)
    assert f["recommendation"] == "continue"
    assert f["severity"] == "info"
    assert cites(f, IN_TRAINING)
    assert code in evidence_text(f)
    assert "supervis" in actions_text(f)
    assert "client" in actions_text(f)
    assert a["recommendation"] == "continue"
    assert a["referral_needs"] == []


def test_competence_beats_training_in_the_same_row() -> None:
    a = run(
        make_case(
            concerns=["trauma_ptsd"],
            clinician={"competencies": ["cbt", "emdr"], "in_training": ["cpt"]},
        )
    )
    assert finding_kinds(a) == []


def test_training_in_another_row_does_not_count() -> None:
    a = run(make_case(concerns=["ocd"], clinician={"in_training": ["dbt"]}))
    assert finding_kinds(a) == [SPECIALIZED]


def test_a_code_of_another_row_does_not_make_the_clinician_competent() -> None:
    a = run(
        make_case(concerns=["borderline_personality"], clinician={"competencies": ["erp", "cpt"]})
    )
    assert finding_kinds(a) == [SPECIALIZED]


@pytest.mark.parametrize("concern", GENERAL)
def test_general_concerns_never_trigger_a_referral(concern: str) -> None:
    a = run(make_case(concerns=[concern], clinician={"competencies": []}))
    assert finding_kinds(a) == []
    assert a["recommendation"] == "continue"


def test_one_finding_per_specialized_concern_in_concern_order() -> None:
    a = run(make_case(concerns=["ocd", "borderline_personality", "depression"]))
    fs = findings_of(a, SPECIALIZED)
    assert len(fs) == 2
    assert "ocd" in evidence_text(fs[0])
    assert "borderline_personality" in evidence_text(fs[1])
    assert [n["service"] for n in a["referral_needs"]] == ["erp", "dbt"]


def test_a_repeated_concern_counts_once() -> None:
    a = run(make_case(concerns=["ocd", "ocd"]))
    assert len(findings_of(a, SPECIALIZED)) == 1


# --- adjunct needs of a concern (medical.adjunct_care) ------------------------------------


@pytest.mark.parametrize(
    ("concern", "competency", "adjunct"),
    [
        ("psychosis", "psychosis", "psychiatry"),
        ("bipolar", "bipolar", "psychiatry"),
        ("eating_disorder", "eating_disorders", "primary_care"),
        ("eating_disorder", "family_based_treatment", "primary_care"),
    ],
)
def test_adjunct_need_whatever_the_competence(concern: str, competency: str, adjunct: str) -> None:
    a = run(make_case(concerns=[concern], clinician={"competencies": ["cbt", competency]}))
    assert finding_kinds(a) == [ADJUNCT]
    f = the_finding(a, ADJUNCT)
    assert a["recommendation"] == "refer_adjunct"
    assert f["recommendation"] == "refer_adjunct"
    assert f["severity"] == "warning"
    assert cites(f, ADJUNCT)
    assert concern in evidence_text(f)
    assert needs(a) == {
        adjunct: {"service": adjunct, "urgency": "routine", "because": concern, "adjunct": True}
    }


@pytest.mark.parametrize("concern", ["psychosis", "bipolar", "eating_disorder"])
def test_current_care_removes_the_adjunct_need(concern: str) -> None:
    competent = ROWS[concern][0][0]
    a = run(
        make_case(
            concerns=[concern],
            clinician={"competencies": [competent]},
            client={"current_care": list(ROWS[concern][2])},
        )
    )
    assert finding_kinds(a) == []


def test_adjunct_need_also_when_in_training() -> None:
    a = run(make_case(concerns=["bipolar"], clinician={"in_training": ["bipolar"]}))
    assert finding_kinds(a) == [ADJUNCT, IN_TRAINING]
    assert a["recommendation"] == "refer_adjunct"
    assert needs(a)["psychiatry"]["adjunct"] is True


def test_a_transfer_need_and_an_adjunct_need_for_one_service_merge_as_a_transfer() -> None:
    a = run(make_case(concerns=["psychosis"]))
    assert finding_kinds(a) == [SPECIALIZED, ADJUNCT]
    got = needs(a)
    assert list(got) == ["coordinated_specialty_care", "psychiatry"]
    assert got["psychiatry"] == {
        "service": "psychiatry",
        "urgency": "routine",
        "because": "psychosis",
        "adjunct": False,
    }


def test_current_care_never_removes_a_transfer_need() -> None:
    a = run(make_case(concerns=["psychosis"], client={"current_care": ["psychiatry"]}))
    assert finding_kinds(a) == [SPECIALIZED]
    got = needs(a)
    assert got["psychiatry"]["adjunct"] is False
    assert got["coordinated_specialty_care"]["adjunct"] is False


def test_one_adjunct_finding_per_concern_and_one_need_per_service() -> None:
    a = run(
        make_case(
            concerns=["psychosis", "bipolar"],
            clinician={"competencies": ["psychosis", "bipolar"]},
        )
    )
    fs = findings_of(a, ADJUNCT)
    assert len(fs) == 2
    assert "psychosis" in evidence_text(fs[0])
    assert "bipolar" in evidence_text(fs[1])
    assert needs(a) == {
        "psychiatry": {
            "service": "psychiatry",
            "urgency": "routine",
            "because": "psychosis",
            "adjunct": True,
        }
    }


@pytest.mark.parametrize(
    ("current_care", "missing"),
    [
        ([], ["neuropsychology", "primary_care"]),
        (["primary_care"], ["neuropsychology"]),
        (["neuropsychology"], ["primary_care"]),
        (["neuropsychology", "primary_care"], []),
    ],
)
def test_neurocognitive_yields_only_adjunct_care(current_care: list, missing: list) -> None:
    a = run(
        make_case(
            concerns=["neurocognitive"],
            clinician={"competencies": []},
            client={"current_care": current_care},
        )
    )
    if not missing:
        assert finding_kinds(a) == []
        return
    assert finding_kinds(a) == [ADJUNCT]
    f = the_finding(a, ADJUNCT)
    assert "neurocognitive" in evidence_text(f)
    got = needs(a)
    assert list(got) == missing
    for service in missing:
        assert got[service]["adjunct"] is True
        assert got[service]["because"] == "neurocognitive"
        assert service in (f["summary"] + actions_text(f))


def test_neurocognitive_never_gives_a_competence_finding_even_in_a_transfer() -> None:
    a = run(make_case(concerns=["neurocognitive"], events=[event("threat_to_clinician", 3)]))
    kinds = finding_kinds(a)
    assert SPECIALIZED not in kinds
    assert IN_TRAINING not in kinds
    got = needs(a)
    # Transfer needs hold only the rows' "need when not competent": neurocognitive has none.
    assert got["psychotherapy"]["adjunct"] is False
    assert got["neuropsychology"]["adjunct"] is True
    assert got["primary_care"]["adjunct"] is True


# --- populations and formats --------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "need"),
    [(0, "children"), (12, "children"), (13, "adolescents"), (17, "adolescents"), (18, None)],
)
def test_age_edges_of_the_population_need(age: int, need: str | None) -> None:
    a = run(make_case(client={"age": age}, clinician={"competencies": ["cbt"]}))
    if need is None:
        assert finding_kinds(a) == []
        return
    f = the_finding(a, POPULATION)
    assert f["recommendation"] == "refer"
    assert f["severity"] == "warning"
    assert cites(f, POPULATION)
    assert str(age) in evidence_text(f)
    assert needs(a) == {
        need: {"service": need, "urgency": "routine", "because": POPULATION, "adjunct": False}
    }


@pytest.mark.parametrize("age", [65, 90, 120])
def test_older_adults_need_no_population_competence(age: int) -> None:
    a = run(make_case(client={"age": age}, clinician={"competencies": ["cbt"]}))
    assert finding_kinds(a) == []


@pytest.mark.parametrize(
    ("format_of_care", "need"), [("couple", "couples"), ("family", "family"), ("individual", None)]
)
def test_format_of_care_needs(format_of_care: str, need: str | None) -> None:
    a = run(make_case(format_of_care=format_of_care))
    if need is None:
        assert finding_kinds(a) == []
        return
    f = the_finding(a, POPULATION)
    assert format_of_care in evidence_text(f)
    assert set(needs(a)) == {need}


@pytest.mark.parametrize(
    ("age", "format_of_care", "code"),
    [(8, "individual", "children"), (15, "individual", "adolescents"), (40, "couple", "couples")],
)
def test_population_competence_or_training(age: int, format_of_care: str, code: str) -> None:
    competent = run(
        make_case(
            client={"age": age}, format_of_care=format_of_care, clinician={"competencies": [code]}
        )
    )
    assert finding_kinds(competent) == []
    training = run(
        make_case(
            client={"age": age}, format_of_care=format_of_care, clinician={"in_training": [code]}
        )
    )
    assert finding_kinds(training) == [IN_TRAINING]
    f = the_finding(training, IN_TRAINING)
    assert f["recommendation"] == "continue"
    assert f["severity"] == "info"
    assert training["recommendation"] == "continue"
    assert training["referral_needs"] == []


def test_an_adolescent_in_family_therapy_needs_both() -> None:
    a = run(make_case(client={"age": 14}, format_of_care="family"))
    assert len(findings_of(a, POPULATION)) == 2
    assert set(needs(a)) == {"adolescents", "family"}


# --- transfer needs ------------------------------------------------------------------------


def test_transfer_needs_are_psychotherapy_every_specialized_need_and_the_population_need() -> None:
    # The clinician is competent in every area: the next clinician needs them all the same.
    a = run(
        make_case(
            client={"age": 16, "current_care": ["psychiatry", "primary_care", "neuropsychology"]},
            format_of_care="couple",
            concerns=[
                "borderline_personality",
                "psychosis",
                "ocd",
                "neurocognitive",
                "depression",
            ],
            clinician={
                "competencies": ["dbt", "psychosis", "erp", "adolescents", "couples", "cbt"]
            },
            events=[event("threat_to_clinician", 14)],
        )
    )
    assert finding_kinds(a) == ["safety.threat_to_clinician"]
    got = needs(a)
    assert set(got) == {
        "psychotherapy",
        "dbt",
        "coordinated_specialty_care",
        "psychiatry",
        "erp",
        "adolescents",
        "couples",
    }
    assert all(n["adjunct"] is False for n in got.values())
    assert got["psychotherapy"]["because"] == "safety.threat_to_clinician"
    assert got["dbt"]["because"] == "borderline_personality"
    assert got["psychiatry"]["because"] == "psychosis"
    assert got["coordinated_specialty_care"]["because"] == "psychosis"
    assert got["erp"]["because"] == "ocd"
    assert got["couples"]["because"] == "safety.threat_to_clinician"


def test_specialized_refer_and_a_transfer_merge_because_is_the_first_findings() -> None:
    a = run(make_case(concerns=["ocd"], events=[event("threat_to_clinician", 5)]))
    # safety is evaluated first: its finding comes first among the refer findings.
    assert finding_kinds(a) == ["safety.threat_to_clinician", SPECIALIZED]
    got = needs(a)
    assert list(got) == ["psychotherapy", "erp"]
    assert got["erp"]["because"] == "ocd"


def test_neuropsychology_in_training_gives_no_competence_finding_for_neurocognitive() -> None:
    a = run(
        make_case(
            concerns=["neurocognitive"],
            clinician={"in_training": ["neuropsychology"]},
            client={"current_care": ["neuropsychology", "primary_care"]},
        )
    )
    assert finding_kinds(a) == []
