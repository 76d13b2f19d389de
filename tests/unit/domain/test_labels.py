"""The labels table: every code of the vocabulary, every band, setting and case field has a
label in plain words; abbreviations carry their full name; `label` and `sentence` behave."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from referwell.domain import vocabulary as v
from referwell.domain.caseformat import CASE_KIND, Either, Kind, ListOf, Obj
from referwell.domain.labels import ABBREVIATIONS, LABELS, label, sentence
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.settings import RuleSettings

# group: the codes it must label, exactly.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "condition": v.CONDITIONS,
    "service": v.SERVICES,
    "event_kind": v.EVENT_KINDS,
    "clinician_factor": v.CLINICIAN_FACTORS,
    "reason": v.REASONS,
    "step": v.STEPS,
    "financial_kind": v.FINANCIAL_KINDS,
    "attendance": v.ATTENDANCE,
    "engagement": v.ENGAGEMENT,
    "format_of_care": v.FORMATS_OF_CARE,
    "goal_status": v.GOAL_STATUSES,
    "clinician_gender": v.CLINICIAN_GENDERS,
    "finding_kind": v.FINDING_KINDS,
    "caution_kind": v.CAUTION_KINDS,
    "recommendation": v.RECOMMENDATIONS,
    "urgency": v.URGENCIES,
    "severity": v.SEVERITIES,
}

# Words that may open a label with a capital without being an abbreviation.
PROPER_NOUNS = frozenset({"Gottman"})
ABBREVIATION_LABEL = re.compile(r"(?P<abbr>[A-Z]{2,}) \((?P<full>[a-z][^()]*)\)")
CAPITALS = re.compile(r"\b[A-Z]{2,}\b")


def field_paths(kind: Kind, path: str = "") -> Iterator[str]:
    """Every field path of a case-format declaration, nested objects joined with "."."""
    if isinstance(kind, Obj):
        for name, spec in kind.fields.items():
            sub = f"{path}.{name}" if path else name
            yield sub
            yield from field_paths(spec.kind, sub)
    elif isinstance(kind, ListOf):
        yield from field_paths(kind.item, path)
    elif isinstance(kind, Either):
        yield from field_paths(kind.obj, path)


BAND_NAMES = {band.name for inst in INSTRUMENTS.values() for band in inst.bands}
SETTING_NAMES = set(RuleSettings().as_dict())
FIELD_PATHS = list(field_paths(CASE_KIND))

EVERY_LABEL = [
    (group, code, text) for group, table in LABELS.items() for code, text in table.items()
]


@pytest.mark.parametrize(("group", "codes"), VOCABULARY.items())
def test_every_code_of_a_vocabulary_list_has_a_label(group: str, codes: tuple[str, ...]) -> None:
    assert set(LABELS[group]) == set(codes)
    for code in codes:
        assert label(group, code)


def test_every_competency_has_a_label() -> None:
    assert set(LABELS["competency"]) == set(v.COMPETENCIES) - set(v.SERVICES)
    assert set(LABELS["competency"]) | set(LABELS["service"]) == set(v.COMPETENCIES)
    for code in v.COMPETENCIES:
        assert label("competency", code)


def test_a_competency_reads_as_its_service_or_its_condition() -> None:
    assert label("competency", "dbt") == label("service", "dbt")
    assert label("competency", "grief") == label("condition", "grief")
    assert label("competency", "psychosis") == label("service", "psychosis")
    # A specialized condition refused as a competency can still be named in the refusal.
    assert label("competency", "borderline_personality") == "borderline personality disorder"


def test_every_band_of_every_instrument_has_a_label() -> None:
    assert "moderately_severe" in BAND_NAMES
    assert set(LABELS["band"]) == BAND_NAMES


def test_every_setting_has_a_label() -> None:
    assert set(LABELS["setting"]) == SETTING_NAMES


def test_every_field_path_of_the_case_format_has_a_label() -> None:
    for path in (
        "concerns",
        "client.current_care",
        "clinician.in_training",
        "considering_referral_because",
        "steps_taken",
        "steps_taken.step",
        "measures",
        "measures.total",
        "client.age",
        "client.preferences.clinician_gender",
        "format_of_care",
    ):
        assert path in FIELD_PATHS
    assert len(FIELD_PATHS) == len(set(FIELD_PATHS))
    assert set(LABELS["field"]) == set(FIELD_PATHS)


def test_there_are_exactly_the_groups_the_renderer_asks_for() -> None:
    assert set(LABELS) == {*VOCABULARY, "competency", "band", "setting", "field"}


@pytest.mark.parametrize(("group", "code", "text"), EVERY_LABEL)
def test_a_label_is_plain_words(group: str, code: str, text: str) -> None:
    assert text == text.strip()
    assert text
    assert "_" not in text, (group, code)
    if "_" in code or "." in code:
        assert text != code, (group, code)
    first = text.split(" ", 1)[0]
    assert text[0].islower() or CAPITALS.fullmatch(first) or first in PROPER_NOUNS, (
        f"{group} {code}: {text!r} starts with a capital"
    )


@pytest.mark.parametrize(("group", "code", "text"), EVERY_LABEL)
def test_an_abbreviation_carries_its_full_name_the_first_time(
    group: str, code: str, text: str
) -> None:
    for abbreviation in dict.fromkeys(CAPITALS.findall(text)):
        at = text.index(abbreviation)
        match = ABBREVIATION_LABEL.match(text, at)
        assert match is not None, f'{group} {code}: "{abbreviation}" without its full name'
        assert match["abbr"] == abbreviation


def test_abbreviations_are_the_codes_whose_label_starts_with_them() -> None:
    starting = {code for _, code, text in EVERY_LABEL if text.startswith(code.upper())}
    assert starting == ABBREVIATIONS
    assert {"dbt", "cbt", "erp", "emdr", "mbt", "tfp", "act", "cpt", "pe", "ipt", "mi"} <= (
        ABBREVIATIONS
    )
    assert {"eft", "ocd"} <= ABBREVIATIONS
    for code in ABBREVIATIONS:
        assert code == code.lower()
        texts = [text for _, c, text in EVERY_LABEL if c == code]
        assert texts
        for text in texts:
            match = ABBREVIATION_LABEL.fullmatch(text)
            assert match is not None, f'{code}: "{text}" is not "ABBR (full name)"'
            assert match["abbr"] == code.upper()


@pytest.mark.parametrize(
    ("group", "code", "expected"),
    [
        ("condition", "borderline_personality", "borderline personality disorder"),
        ("condition", "suicidality", "suicidal thinking"),
        ("condition", "ocd", "OCD (obsessive-compulsive disorder)"),
        ("service", "dbt", "DBT (dialectical behavior therapy)"),
        ("service", "psychiatry", "psychiatric and medication evaluation"),
        ("finding_kind", "safety.suicide_risk", "suicide risk"),
        ("finding_kind", "progress.not_on_track", "not on track"),
        ("reason", "personal_values", "personal values"),
        ("step", "safety_plan", "a safety plan"),
        ("financial_kind", "fee_split", "fee splitting"),
        ("band", "moderately_severe", "moderately severe"),
        ("field", "client.current_care", "client's current care"),
    ],
)
def test_labels_read_as_a_clinician_would_say_them(group: str, code: str, expected: str) -> None:
    assert label(group, code) == expected


@pytest.mark.parametrize(
    ("group", "code"),
    [("condition", "no_such_code"), ("no_such_group", "dbt"), ("competency", "en")],
)
def test_an_unknown_group_or_code_raises_key_error_naming_both(group: str, code: str) -> None:
    with pytest.raises(KeyError) as raised:
        label(group, code)
    message = str(raised.value)
    assert group in message
    assert code in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("borderline personality disorder", "Borderline personality disorder"),
        ("urgent: safety", "Urgent: safety"),
        ("DBT (dialectical behavior therapy)", "DBT (dialectical behavior therapy)"),
        (
            "trauma or PTSD (post-traumatic stress disorder)",
            "Trauma or PTSD (post-traumatic stress disorder)",
        ),
        ("client's age", "Client's age"),
        ("“quoted” words", "“Quoted” words"),
        ("988 crisis line", "988 crisis line"),
        ("", ""),
    ],
)
def test_sentence_capitalises_the_first_letter_only(text: str, expected: str) -> None:
    assert sentence(text) == expected


def test_every_label_starts_a_sentence_with_a_capital() -> None:
    for _, _, text in EVERY_LABEL:
        assert sentence(text)[0].isupper()
