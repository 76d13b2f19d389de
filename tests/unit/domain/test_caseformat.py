"""The case format (case-format.md): what is refused, with which path and message, and what is
accepted; the JSON Schema agrees with the validator wherever a schema can say it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import case_schema, parse_case
from referwell.domain.errors import InvalidInput
from referwell.services.caseio import parse_json, parse_text, parse_yaml, read_path

from ..builders import make_case
from ..test_examples import CASES as EXAMPLE_CASES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
INVALID = FIXTURES / "invalid"
VALID = FIXTURES / "valid"


def schema_validator() -> Draft202012Validator:
    return Draft202012Validator(case_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def refusal(data: Any, today: date | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_case(data, today=today)
    return caught.value


def file_refusal(path: Path) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_case(read_path(path))
    return caught.value


def by_path(error: InvalidInput) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in error.errors:
        out[e.path] = (out.get(e.path, "") + "\n" + e.message).strip()
    return out


# --- the refused fixtures --------------------------------------------------------------------
# file: (every path that must be named, with words its message must hold; whether the JSON
# Schema can say it too). `None` as words: the path alone is checked.

KNOWN_TOP = "format, id, as_of, clinician, client"
EXPECTED: dict[str, tuple[dict[str, list[str] | None], bool]] = {
    "unknown-key-top.json": ({"concern": ["unknown key", '"concerns"', KNOWN_TOP]}, True),
    "unknown-key-clinician.json": (
        {"clinician.in_trainng": ["unknown key", '"in_training"']},
        True,
    ),
    "unknown-key-client.json": ({"client.telehealth": ["unknown key", '"telehealth_ok"']}, True),
    "unknown-key-preferences.json": (
        {"client.preferences.gender": ["unknown key", '"clinician_gender"']},
        True,
    ),
    "unknown-key-measure.json": ({"measures[0].totl": ["unknown key", '"total"']}, True),
    "unknown-key-session.json": (
        {
            "sessions[1].attendence": ["unknown key", '"attendance"'],
            "sessions[1].attendance": ["missing"],
        },
        True,
    ),
    "unknown-key-event.json": ({"events[0].discused": ["unknown key", '"discussed"']}, True),
    "unknown-key-step.json": ({"steps_taken[1].dated": ["unknown key", '"date"']}, True),
    "unknown-key-goal.json": ({"goals[0].statuss": ["unknown key", '"status"']}, True),
    "unknown-key-symptom.json": (
        {"physical_symptoms[0].evaluated": ["unknown key", '"medically_evaluated"']},
        True,
    ),
    "unknown-key-financial.json": (
        {"financial_arrangements[0].kinds": ["unknown key", '"kind"']},
        True,
    ),
    "wrong-types.json": (
        {
            "client.age": ['string "34"', "whole number"],
            "client.postal_code": ["number 80202", "string"],
            "client.telehealth_ok": ['string "yes"', "true or false"],
            "client.wants_to_end": ["number 1", "true or false"],
            "client.languages": ['string "en"', "list"],
            "sessions[0].date": ["number 20261101", "YYYY-MM-DD"],
            "events[0].discussed": ['string "true"', "true or false"],
            "measures[0].total": ['string "12"', "whole number"],
            "measures[1].items[8]": ["PHQ-9 item 9", 'string "0"', "0 to 3"],
            "goals[0].description": ["number 7"],
        },
        True,
    ),
    "wrong-types-numbers.json": (
        {
            "id": ["number 17"],
            "client.age": ["34.5", "whole number"],
            "concerns": ['string "depression"', "list"],
            "format_of_care": ["list"],
        },
        True,
    ),
    "unknown-codes.json": (
        {
            "clinician.competencies[0]": ['"cbtt"', '"cbt"'],
            "client.current_care[0]": ['"psychiatri"', '"psychiatry"'],
            "client.engagement": ['"lowish"', '"low"'],
            "concerns[0]": ['"depresion"', '"depression"'],
            "concerns[1]": ['"ocdd"', '"ocd"'],
            "sessions[0].attendance": ['"noshow"', '"no_show"'],
            "events[0].kind": ['"self-harm"', '"self_harm"'],
            "clinician_factors[0]": ['"burn_out"', '"burnout"'],
            "considering_referral_because[0]": ['"personal_value"', '"personal_values"'],
            "steps_taken[0]": ['"supervison"', '"supervision"'],
            "measures[0].instrument": ['"PHQ9"', '"PHQ-9"'],
            "goals[0].status": ['"done"', '"met"'],
            "financial_arrangements[0].kind": ['"referal_fee"', '"referral_fee"'],
            "format_of_care": ['"couples"', '"couple"'],
        },
        True,
    ),
    "competency-conditions.json": (
        {
            "clinician.competencies[0]": ['"ocd"', '"erp"'],
            "clinician.competencies[1]": [
                '"borderline_personality"',
                '"dbt"',
                '"mbt"',
                '"tfp"',
                '"schema_therapy"',
            ],
            "clinician.competencies[3]": ['"neurocognitive"', '"neuropsychology"'],
            "clinician.in_training[0]": [
                '"trauma_ptsd"',
                '"trauma_focused"',
                '"cpt"',
                '"pe"',
                '"emdr"',
            ],
            "clinician.in_training[1]": ['"suicidality"', '"suicide_prevention"'],
            "clinician.in_training[2]": [
                '"eating_disorder"',
                '"eating_disorders"',
                '"family_based_treatment"',
            ],
            "clinician.in_training[3]": ['"substance_use"', '"addiction"'],
        },
        True,
    ),
    "items-count.json": (
        {
            "measures[2].items": ["PHQ-9 takes 9 item scores from 0 to 3; got 8 scores"],
            "measures[3].items": ["PHQ-15 takes 15 item scores from 0 to 2; got 16 scores"],
            "measures[4].items": ["PCL-5 takes 20 item scores from 0 to 4; got 0 scores"],
            "measures[5].items": ["GAD-7 takes 7 item scores from 0 to 3; got 1 score"],
        },
        True,
    ),
    "items-range.json": (
        {
            "measures[0].items[3]": ["PHQ-9 item 4", "0 to 3", "4"],
            "measures[1].items[6]": ["GAD-7 item 7", "0 to 3", "-1"],
            "measures[2].items[0]": ["PHQ-15 item 1", "0 to 2", "3"],
            "measures[3].items[0]": ["PCL-5 item 1", "0 to 4", "5"],
        },
        True,
    ),
    "items-and-total.json": (
        {"measures[0]": ["exactly one", "both"], "measures[1]": ["exactly one", "neither"]},
        True,
    ),
    "total-range.json": (
        {
            "measures[0].total": ["PHQ-9", "0 to 27", "28"],
            "measures[1].total": ["GAD-7", "0 to 21", "22"],
            "measures[2].total": ["PHQ-15", "0 to 30", "31"],
            "measures[3].total": ["PCL-5", "0 to 80", "81"],
            "measures[4].total": ["PHQ-9", "-1"],
        },
        True,
    ),
    "future-dates.json": (
        {
            "sessions[1].date": ["2026-11-21", "after as_of 2026-11-20"],
            "events[0].date": ["2026-12-01", "after as_of"],
            "measures[0].date": ["2027-01-01", "after as_of"],
            "steps_taken[0].date": ["2026-11-21", "after as_of"],
        },
        False,
    ),
    "invalid-dates.json": (
        {
            "sessions[0].date": ["2026-02-30", "calendar date"],
            "sessions[1].date": ["2026-13-01", "calendar date"],
            "sessions[2].date": ["2025-02-29", "calendar date"],
            "sessions[3].date": ["2026-1-05", "YYYY-MM-DD"],
            "sessions[4].date": ["20261105", "YYYY-MM-DD"],
            "sessions[5].date": ["2026/11/05", "YYYY-MM-DD"],
            "sessions[6].date": ["2026-11-05T10:00:00", "YYYY-MM-DD"],
        },
        True,
    ),
    "invalid-as-of.json": ({"as_of": ["2026-11-31", "calendar date"]}, True),
    "missing-required.json": (
        {
            "id": ["missing"],
            "clinician": ["missing"],
            "client.age": ["missing"],
            "concerns": ["missing"],
        },
        True,
    ),
    "wrong-format.json": ({"format": ['"referwell.case/1"', "referwell.case/2"]}, True),
    "not-an-object.json": ({"(case)": ["object"]}, True),
    "empty-strings.json": ({"id": ["empty"], "physical_symptoms[0].symptom": ["empty"]}, True),
    "repeated-keys.json": (
        {"id": ["repeated"], "client.age": ["repeated"], "sessions[0].attendance": ["repeated"]},
        False,
    ),
    "repeated-keys.yaml": (
        {"client.telehealth_ok": ["repeated"], "concerns": ["repeated"]},
        False,
    ),
    "yaml-booleans.yaml": (
        {
            "client.telehealth_ok": ['string "yes"', "true or false"],
            "client.wants_to_end": ['string "off"'],
            "client.preferences.sliding_scale": ['string "on"'],
            "client.preferences.in_person": ['string "no"'],
            "events[0].discussed": ['string "Yes"'],
            "physical_symptoms[0].medically_evaluated": ['string "n"'],
        },
        True,
    ),
    "yaml-numbers.yaml": (
        {
            "id": ["number 2026"],
            "client.age": ['string "34"'],
            "client.postal_code": ["number 80202"],
            "client.insurance[0]": ["number 12345"],
            "sessions[0].date": ["number 20261101"],
            "measures[0].total": ["12.0"],
        },
        True,
    ),
    "yaml-anchor.yaml": ({"(file)": ["anchors", "line 5"]}, False),
    "yaml-merge-alias.yaml": ({"(file)": ["anchors"]}, False),
    "yaml-tag.yaml": ({"(file)": ["tags", "!years", "line 7"]}, False),
    "yaml-python-tag.yaml": ({"(file)": ["tags", "python/object"]}, False),
    "yaml-two-documents.yaml": ({"(file)": ["one YAML document", "2"]}, False),
    "yaml-several-errors.yaml": (
        {
            "clinician.competencies[1]": ['"ocd"', '"erp"'],
            "client.age": ["0 to 120", "130"],
            "client.telehealth_ok": ['string "yes"'],
            "concerns[1]": ['"anxeity"', '"anxiety"'],
            "measures[0].items": ["PHQ-9 takes 9 item scores from 0 to 3; got 8 scores"],
            "sessions[0].date": ["2026-12-01", "after as_of"],
            "sessions[1].date": ["2026-02-30", "calendar date"],
            "goals[0].descripton": ["unknown key", '"description"'],
        },
        False,
    ),
}
FIXTURE_NAMES = sorted(p.name for p in INVALID.iterdir())


def test_every_refused_fixture_is_in_the_table_and_back() -> None:
    assert sorted(EXPECTED) == FIXTURE_NAMES


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_refused_fixture_names_every_path_and_says_what_is_wrong(name: str) -> None:
    expected, _ = EXPECTED[name]
    error = file_refusal(INVALID / name)
    got = by_path(error)
    assert set(got) == set(expected), f"{name}: {error}"
    for path, words in expected.items():
        for word in words or []:
            assert word in got[path], f"{path}: {got[path]!r} lacks {word!r}"


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_error_is_reported_one_a_line(name: str) -> None:
    error = file_refusal(INVALID / name)
    lines = str(error).splitlines()
    assert len(lines) == len(error.errors)
    for line, e in zip(lines, error.errors, strict=True):
        assert line == f"{e.path}: {e.message}"
        assert e.path
        assert e.message


def test_several_errors_in_one_file_all_listed() -> None:
    error = file_refusal(INVALID / "yaml-several-errors.yaml")
    assert len(str(error).splitlines()) == 8


def test_the_spec_example_message_word_for_word() -> None:
    error = file_refusal(INVALID / "items-count.json")
    assert (
        "measures[2].items: PHQ-9 takes 9 item scores from 0 to 3; got 8 scores"
        in str(error).splitlines()
    )


@pytest.mark.parametrize("name", [n for n in FIXTURE_NAMES if EXPECTED[n][1]])
def test_the_json_schema_refuses_what_it_can_express(name: str) -> None:
    data = read_path(INVALID / name)
    errors = list(schema_validator().iter_errors(data))
    assert errors, f"the schema accepts {name}"


def test_the_schema_cannot_see_dates_after_as_of_so_only_the_validator_refuses() -> None:
    data = read_path(INVALID / "future-dates.json")
    assert list(schema_validator().iter_errors(data)) == []
    file_refusal(INVALID / "future-dates.json")


# --- the schema and the shipped examples ------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = case_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("path", EXAMPLE_CASES, ids=[p.stem for p in EXAMPLE_CASES])
def test_every_shipped_example_validates_against_the_schema_and_the_validator(path: Path) -> None:
    data = json.loads(path.read_text("utf-8"))
    assert list(schema_validator().iter_errors(data)) == []
    parse_case(data)


@pytest.mark.parametrize("path", sorted(VALID.iterdir()), ids=lambda p: p.name)
def test_valid_fixtures_validate_against_both(path: Path) -> None:
    data = read_path(path)
    assert list(schema_validator().iter_errors(data)) == []
    parse_case(data)


# --- types are never converted -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"client": {"age": "34"}}, "client.age"),
        ({"client": {"age": 34.0}}, "client.age"),
        ({"client": {"age": True}}, "client.age"),
        ({"client": {"age": -1}}, "client.age"),
        ({"client": {"age": 121}}, "client.age"),
        ({"client": {"postal_code": 80202}}, "client.postal_code"),
        ({"client": {"telehealth_ok": "yes"}}, "client.telehealth_ok"),
        ({"client": {"telehealth_ok": 1}}, "client.telehealth_ok"),
        ({"client": {"wants_to_end": "true"}}, "client.wants_to_end"),
        ({"client": {"insurance": "aetna"}}, "client.insurance"),
        ({"client": {"preferences": "any"}}, "client.preferences"),
        ({"as_of": 20261120}, "as_of"),
        ({"id": 7}, "id"),
        ({"concerns": None}, "concerns"),
        ({"sessions": [{"date": None, "attendance": "late"}]}, "sessions[0].date"),
        ({"steps_taken": [{"step": "supervision", "date": 20261101}]}, "steps_taken[0].date"),
        ({"steps_taken": [7]}, "steps_taken[0]"),
        (
            {"measures": [{"instrument": "PHQ-9", "date": "2026-11-01", "total": 12.0}]},
            "measures[0].total",
        ),
        (
            {"measures": [{"instrument": "PHQ-9", "date": "2026-11-01", "total": True}]},
            "measures[0].total",
        ),
        (
            {"measures": [{"instrument": 9, "date": "2026-11-01", "total": 12}]},
            "measures[0].instrument",
        ),
        ({"goals": [{"status": True}]}, "goals[0].status"),
        (
            {"financial_arrangements": [{"with": 42, "kind": "none"}]},
            "financial_arrangements[0].with",
        ),
    ],
)
def test_wrong_types_are_refused_never_converted(overrides: dict, path: str) -> None:
    error = refusal(make_case(**overrides))
    assert path in by_path(error), str(error)


# --- YAML 1.2 -----------------------------------------------------------------------------------

YAML_HEAD = (
    "format: referwell.case/1\nid: y\nas_of: 2026-11-20\n"
    "clinician: {competencies: [cbt]}\nconcerns: [depression]\n"
)


def test_yaml_dates_stay_strings_and_are_accepted() -> None:
    data = parse_yaml(
        YAML_HEAD + "client: {age: 34}\nsessions: [{date: 2026-11-13, attendance: late}]\n"
    )
    assert data["as_of"] == "2026-11-20"
    assert data["sessions"][0]["date"] == "2026-11-13"
    case = parse_case(data)
    assert case.sessions[0].date == date(2026, 11, 13)


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "ON"])
def test_yaml_1_1_booleans_stay_strings(word: str) -> None:
    data = parse_yaml(YAML_HEAD + f"client: {{age: 34, telehealth_ok: {word}}}\n")
    assert data["client"]["telehealth_ok"] == word
    error = refusal(data)
    assert list(by_path(error)) == ["client.telehealth_ok"]


@pytest.mark.parametrize("word", ["true", "True", "TRUE", "false", "False", "FALSE"])
def test_yaml_1_2_booleans_are_booleans(word: str) -> None:
    data = parse_yaml(YAML_HEAD + f"client: {{age: 34, telehealth_ok: {word}}}\n")
    assert parse_case(data).client.telehealth_ok is (word.lower() == "true")


def test_a_quoted_yaml_postal_code_is_accepted() -> None:
    data = parse_yaml(YAML_HEAD + "client: {age: 34, postal_code: '02134'}\n")
    assert parse_case(data).client.postal_code == "02134"


def test_a_yaml_language_code_no_is_norwegian_not_false() -> None:
    data = parse_yaml(YAML_HEAD + "client: {age: 34, languages: [no, en]}\n")
    assert parse_case(data).client.languages == ("no", "en")


@pytest.mark.parametrize(
    "client",
    [
        "{age: 34, telehealth_ok: !!bool yes}",  # read as false today: a silent conversion
        "{age: 34, wants_to_end: !!bool 'no'}",  # the string "no" read as false
        "{age: ! 34}",  # the non-specific tag
        "{age: !<tag:yaml.org,2002:int> '34'}",  # a verbatim tag
        "{age: !!int '34'}",  # a quoted string turned into a number
        "{age: 34, postal_code: !!str 80202}",
        "!!map {age: 34}",
    ],
)
def test_every_yaml_tag_is_refused_even_the_standard_ones(client: str) -> None:
    with pytest.raises(InvalidInput):
        parse_case(parse_yaml(YAML_HEAD + f"client: {client}\n"))


def test_a_non_string_yaml_key_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_case(parse_yaml(YAML_HEAD + "client: {age: 34, 7: x}\n"))


def test_repeated_keys_in_json_and_yaml_are_named() -> None:
    j = parse_json('{"format": "referwell.case/1", "format": "referwell.case/1"}')
    assert "format" in by_path(refusal(j))
    y = parse_yaml("clinician: {competencies: [cbt], competencies: [dbt]}\n")
    assert "repeated" in by_path(refusal(y))["clinician.competencies"]


@pytest.mark.parametrize("text", ["{not json", '{"a": NaN}', '{"a": Infinity}', "[1, 2"])
def test_broken_json_is_refused_as_a_file_error(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_text(text, "case.json")
    assert caught.value.errors[0].path == "(file)"


def test_broken_yaml_is_refused_with_its_line() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_yaml("a: [1, 2\nb: 3\n")
    assert caught.value.errors[0].path == "(file)"
    assert "line" in caught.value.errors[0].message


# --- dates and as_of ----------------------------------------------------------------------------


def test_a_date_on_as_of_is_accepted_the_day_after_refused() -> None:
    parse_case(make_case(sessions=[{"date": "2026-11-20", "attendance": "attended"}]))
    error = refusal(make_case(sessions=[{"date": "2026-11-21", "attendance": "attended"}]))
    assert "after as_of" in by_path(error)["sessions[0].date"]


@pytest.mark.parametrize(
    "as_of", ["1970-01-01", "2000-02-29", "2099-12-31", "0001-01-01", "9999-12-31"]
)
def test_as_of_may_be_any_date(as_of: str) -> None:
    assert parse_case(make_case(as_of=as_of)).as_of == date.fromisoformat(as_of)


def test_without_as_of_today_is_used_and_later_dates_are_refused() -> None:
    today = date(2026, 6, 1)
    case = make_case(as_of=None, sessions=[{"date": "2026-06-01", "attendance": "attended"}])
    assert parse_case(case, today=today).as_of == today
    later = make_case(as_of=None, sessions=[{"date": "2026-06-02", "attendance": "attended"}])
    assert "sessions[0].date" in by_path(refusal(later, today=today))


def test_a_broken_as_of_is_reported_alone_not_as_every_date_being_late() -> None:
    error = refusal(
        make_case(as_of="2026-02-30", sessions=[{"date": "2026-01-05", "attendance": "attended"}])
    )
    assert list(by_path(error)) == ["as_of"]


@pytest.mark.parametrize("when", ["2024-02-29", "2000-02-29", "2026-12-31", "2026-01-01"])
def test_real_calendar_dates_are_accepted(when: str) -> None:
    parse_case(make_case(as_of="2026-12-31", sessions=[{"date": when, "attendance": "attended"}]))


@pytest.mark.parametrize("when", ["1900-02-29", "2026-04-31", "2026-00-10", "2026-11-00"])
def test_impossible_calendar_dates_are_refused(when: str) -> None:
    error = refusal(make_case(sessions=[{"date": when, "attendance": "attended"}]))
    assert "calendar date" in by_path(error)["sessions[0].date"]


# --- what the validator keeps -------------------------------------------------------------------


def test_a_repeated_code_counts_once_and_a_repeated_step_keeps_its_latest_date() -> None:
    case = parse_case(read_path(VALID / "repeats.json"))
    assert case.concerns == ("depression", "ocd")
    assert case.clinician.competencies == ("cbt", "adults")
    assert case.clinician.in_training == ("erp",)
    assert case.client.languages == ("en", "es")
    assert case.client.current_care == ("psychiatry",)
    assert case.clinician_factors == ("burnout",)
    assert case.considering_referral_because == ("other",)
    assert case.steps_taken == {
        "risk_assessment": date(2026, 11, 15),
        "supervision": date(2026, 9, 1),
    }


def test_defaults_of_optional_fields() -> None:
    case = parse_case(make_case(events=[{"date": "2026-11-01", "kind": "romantic_advance"}]))
    assert case.events[0].discussed is False
    assert case.client.engagement == "active"
    assert case.client.wants_to_end is False
    assert case.format_of_care == "individual"


def test_lists_are_sorted_by_date_ties_keep_file_order() -> None:
    case = parse_case(
        make_case(
            sessions=[
                {"date": "2026-11-13", "attendance": "late"},
                {"date": "2026-10-01", "attendance": "attended"},
                {"date": "2026-11-13", "attendance": "no_show"},
            ]
        )
    )
    assert [(s.date.isoformat(), s.attendance) for s in case.sessions] == [
        ("2026-10-01", "attended"),
        ("2026-11-13", "late"),
        ("2026-11-13", "no_show"),
    ]


def test_a_case_may_have_empty_concerns_and_competencies() -> None:
    parse_case(make_case(concerns=[], clinician={"competencies": []}))


@pytest.mark.parametrize("code", ["psychosis", "bipolar", "dissociative", "depression", "grief"])
def test_specialty_areas_named_like_conditions_and_general_conditions_are_competencies(
    code: str,
) -> None:
    parse_case(make_case(clinician={"competencies": [code], "in_training": [code]}))


@pytest.mark.parametrize("path", sorted(VALID.iterdir()), ids=lambda p: p.name)
def test_to_dict_is_canonical_and_round_trips(path: Path) -> None:
    case = parse_case(read_path(path))
    canonical = case.to_dict()
    assert list(schema_validator().iter_errors(canonical)) == []
    again = parse_case(canonical)
    assert again.to_dict() == canonical
    assert assess_case(again).as_dict() == assess_case(case).as_dict()


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"physical_symptoms": [{"symptom": "pain"}]}, "physical_symptoms[0].medically_evaluated"),
        ({"physical_symptoms": [{"medically_evaluated": True}]}, "physical_symptoms[0].symptom"),
        ({"measures": [{"date": "2026-11-01", "total": 3}]}, "measures[0].instrument"),
        ({"measures": [{"instrument": "GAD-7", "total": 3}]}, "measures[0].date"),
        ({"sessions": [{"attendance": "late"}]}, "sessions[0].date"),
        ({"sessions": [{"date": "2026-11-01"}]}, "sessions[0].attendance"),
        ({"events": [{"date": "2026-11-01"}]}, "events[0].kind"),
        ({"events": [{"kind": "self_harm"}]}, "events[0].date"),
        ({"steps_taken": [{"step": "supervision"}]}, "steps_taken[0].date"),
        ({"steps_taken": [{"date": "2026-11-01"}]}, "steps_taken[0].step"),
        ({"goals": [{"description": "sleep"}]}, "goals[0].status"),
        ({"financial_arrangements": [{"kind": "none"}]}, "financial_arrangements[0].with"),
        ({"financial_arrangements": [{"with": "x"}]}, "financial_arrangements[0].kind"),
        ({"clinician": {"competencies": None}}, "clinician.competencies"),
        ({"client": {"age": None}}, "client.age"),
        ({"format": None}, "format"),
    ],
)
def test_required_fields_of_every_entry(overrides: dict, path: str) -> None:
    error = refusal(make_case(**overrides))
    assert path in by_path(error), str(error)
    assert "missing" in by_path(error)[path]


def test_the_library_call_reads_yaml_text_and_paths() -> None:
    from referwell import assess

    path = VALID / "yaml-plain-dates.yaml"
    from_path = assess(path)
    assert assess(path.read_text("utf-8")) == from_path
    assert from_path["case_id"] == "valid-yaml"
    assert from_path["as_of"] == "2026-11-20"


def test_language_names_suggest_their_code() -> None:
    case = {
        "format": "referwell.case/1",
        "id": "lang",
        "as_of": "2026-11-20",
        "clinician": {"competencies": ["cbt"]},
        "client": {"age": 30, "languages": ["English"]},
        "concerns": [],
    }
    with pytest.raises(InvalidInput) as info:
        parse_case(case)
    assert str(info.value.errors[0]) == (
        'client.languages[0]: unknown ISO 639-1 language code "English"; did you mean "en"?'
    )


def test_list_and_article_wording() -> None:
    case = {
        "format": "referwell.case/1",
        "id": "words",
        "as_of": "2026-11-20",
        "clinician": {"competencies": ["cbt"]},
        "client": {"age": 30},
        "concerns": "depression",
        "sessions": [{"date": "2026-11-01"}],
    }
    with pytest.raises(InvalidInput) as info:
        parse_case(case)
    messages = [str(e) for e in info.value.errors]
    assert 'concerns: expected a list of condition codes; got the string "depression"' in messages
    assert "sessions[0].attendance: required field is missing; give an attendance code" in messages
