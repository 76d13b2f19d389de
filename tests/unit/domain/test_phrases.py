"""Phrases: the JSON's text unchanged, and words for people that show no code."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings

from referwell.domain import vocabulary as v
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case
from referwell.domain.labels import ABBREVIATIONS
from referwell.domain.phrases import Code, Codes, Day, Days, Phrase, Words, day_words, phrase
from referwell.domain.settings import RuleSettings
from shipped_examples import example_cases

from ..strategies import cases

GROUPS = (
    v.CONDITIONS, v.SERVICES, v.EVENT_KINDS, v.CLINICIAN_FACTORS, v.REASONS, v.STEPS,
    v.FINANCIAL_KINDS, v.ATTENDANCE, v.ENGAGEMENT, v.GOAL_STATUSES, v.FINDING_KINDS,
    v.CAUTION_KINDS, v.RECOMMENDATIONS,
)  # fmt: skip
CODES_WITH_MARKS = sorted(
    {code for group in GROUPS for code in group if "_" in code or "." in code},
    key=len,
    reverse=True,
)
FIELDS = ("considering_referral_because", "clinician.competencies", "steps_taken", "as_of")
ABBREVIATION_WORD = re.compile(r"\b(" + "|".join(sorted(ABBREVIATIONS - {"act"})) + r")\b")


QUOTED = re.compile(r'"[^"]*"')


def codes_in(text: str) -> list[str]:
    """The vocabulary codes (and case-format field paths) a person would see in `text`;
    free text quoted from the case (a symptom, a name) is the case's own words."""
    text = QUOTED.sub('""', text)
    found = [code for code in CODES_WITH_MARKS if code in text]
    found += [path for path in FIELDS if path in text]
    found += ABBREVIATION_WORD.findall(text)
    return found


def test_a_phrase_says_its_codes_as_codes_in_the_text_and_as_labels_in_words() -> None:
    said = phrase(
        "{} is outside this clinician's competence: refer to {}.",
        Code("condition", "borderline_personality"),
        Codes("service", ("dbt", "psychiatry")),
    )
    assert str(said) == (
        "borderline_personality is outside this clinician's competence: refer to dbt, psychiatry."
    )
    words = said.words()
    assert words.startswith("Borderline personality disorder is outside")
    assert "DBT (dialectical behavior therapy) and " in words
    assert codes_in(words) == []


def test_dates_lists_and_alternatives_in_words() -> None:
    assert day_words(date(2026, 11, 20)) == "20 Nov 2026"
    days = Days((date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 15)))
    assert days.text() == "2026-11-01, 2026-11-08, 2026-11-15"
    assert days.words() == "1 Nov 2026, 8 Nov 2026 and 15 Nov 2026"
    either = Codes("step", ("supervision", "consultation"), conjunction="or")
    assert either.text() == "supervision, consultation"
    assert " or " in either.words()
    assert Day(date(2026, 1, 2)).text() == "2026-01-02"
    said = Phrase("{}{}", ("events: x", Words(" (discussed)", ", discussed")), "{}{}")
    assert str(said) == "events: x (discussed)"
    assert said.words() == "Events: x, discussed"


def test_a_phrase_without_parts_is_the_same_text_for_both_but_for_its_capital() -> None:
    said = Phrase("keep the plan active.")
    assert str(said) == "keep the plan active."
    assert said.words() == "Keep the plan active."
    assert Phrase("client.wants_to_end: true", (), "the client has asked to end").words() == (
        "The client has asked to end"
    )


def _all_phrases(case_data: dict[str, object], today: date) -> list[tuple[str, str]]:
    assessment = assess_case(parse_case(case_data, today=today), RuleSettings())
    out: list[tuple[str, str]] = []
    for item in (*assessment.findings, *assessment.cautions):
        for said in (item.summary, *item.evidence, *item.actions):
            out.append((str(said), said.words()))
    document = assessment.as_dict()
    texts = {
        text
        for item in document["findings"] + document["cautions"]
        for text in (item["summary"], *item.get("evidence", ()), *item["actions"])
    }
    assert {text for text, _ in out} == texts, "the JSON carries each phrase's text"
    return out


def test_every_example_reads_in_words_without_codes() -> None:
    for name, case in example_cases():
        for text, words in _all_phrases(case, date(2026, 11, 20)):
            assert codes_in(words) == [], f"{name}: {words!r} (from {text!r})"


@settings(max_examples=150, deadline=None)
@given(cases())
def test_any_case_reads_in_words_without_codes(drawn: tuple[dict[str, object], date]) -> None:
    case, today = drawn
    for text, words in _all_phrases(case, today):
        assert codes_in(words) == [], f"{words!r} (from {text!r})"
