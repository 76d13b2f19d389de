"""The ProQOL 5 (Stamm 2009): the clinician's own check-in, not a client's questionnaire.

Thirty items answered 1 (never) to 5 (very often) about the last 30 days; three
subscales of ten items each, each a sum from 10 to 50: compassion satisfaction,
burnout (items 1, 4, 15, 17 and 29 reverse-scored: 6 minus the answer) and
secondary traumatic stress. A sum of 22 or less is low, 23 to 41 moderate, 42 or
more high. The measure is free to use with credit to its author, unchanged, and
not sold: the items below are the form's own words, the bracketed words as printed
(the author lets a practice put its own word for "help" there), with the credit
line shown wherever the form is.

It is deliberately not among `domain.measures.INSTRUMENTS`: those are the case
format's four instruments, and a clinician's check-in is never part of a client's case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from referwell.domain.errors import (
    ITEM_COUNT,
    MISSING,
    OUT_OF_RANGE,
    WRONG_TYPE,
    FieldError,
    InvalidInput,
)
from referwell.domain.measures.base import Wording, describe

CODE: Final = "ProQOL-5"
TITLE: Final = "Professional Quality of Life Scale, version 5"
NUMBER_OF_ITEMS: Final = 30
ANSWER_MIN: Final = 1
ANSWER_MAX: Final = 5

CREDIT: Final = (
    "© B. Hudnall Stamm, 2009. Professional Quality of Life: Compassion Satisfaction and "
    "Fatigue Version 5 (ProQOL). www.proqol.org. This test may be freely copied as long as "
    "(a) author is credited, (b) no changes are made, and (c) it is not sold."
)

WORDING: Final = Wording(
    instructions=(
        "When you [help] people you have direct contact with their lives. As you may have "
        "found, your compassion for those you [help] can affect you in positive and negative "
        "ways. Below are some questions about your experiences, both positive and negative, as "
        "a [helper]. Consider each of the following questions about you and your current work "
        "situation. Select the number that honestly reflects how frequently you experienced "
        "these things in the last 30 days."
    ),
    items=(
        "I am happy.",
        "I am preoccupied with more than one person I [help].",
        "I get satisfaction from being able to [help] people.",
        "I feel connected to others.",
        "I jump or am startled by unexpected sounds.",
        "I feel invigorated after working with those I [help].",
        "I find it difficult to separate my personal life from my life as a [helper].",
        "I am not as productive at work because I am losing sleep over traumatic experiences "
        "of a person I [help].",
        "I think that I might have been affected by the traumatic stress of those I [help].",
        "I feel trapped by my job as a [helper].",
        'Because of my [helping], I have felt "on edge" about various things.',
        "I like my work as a [helper].",
        "I feel depressed because of the traumatic experiences of the people I [help].",
        "I feel as though I am experiencing the trauma of someone I have [helped].",
        "I have beliefs that sustain me.",
        "I am pleased with how I am able to keep up with [helping] techniques and protocols.",
        "I am the person I always wanted to be.",
        "My work makes me feel satisfied.",
        "I feel worn out because of my work as a [helper].",
        "I have happy thoughts and feelings about those I [help] and how I could help them.",
        "I feel overwhelmed because my case [work] load seems endless.",
        "I believe I can make a difference through my work.",
        "I avoid certain activities or situations because they remind me of frightening "
        "experiences of the people I [help].",
        "I am proud of what I can do to [help].",
        "As a result of my [helping], I have intrusive, frightening thoughts.",
        'I feel "bogged down" by the system.',
        'I have thoughts that I am a "success" as a [helper].',
        "I can't recall important parts of my work with trauma victims.",
        "I am a very caring person.",
        "I am happy that I chose to do this work.",
    ),
    answers=("Never", "Rarely", "Sometimes", "Often", "Very often"),
    credit=CREDIT,
)

COMPASSION_SATISFACTION: Final = "compassion_satisfaction"
BURNOUT: Final = "burnout"
SECONDARY_TRAUMATIC_STRESS: Final = "secondary_traumatic_stress"

# Item numbers (from 1) of each subscale, as the ProQOL 5 manual scores them.
SUBSCALE_ITEMS: Final[dict[str, tuple[int, ...]]] = {
    COMPASSION_SATISFACTION: (3, 6, 12, 16, 18, 20, 22, 24, 27, 30),
    BURNOUT: (1, 4, 8, 10, 15, 17, 19, 21, 26, 29),
    SECONDARY_TRAUMATIC_STRESS: (2, 5, 7, 9, 11, 13, 14, 23, 25, 28),
}
REVERSED_ITEMS: Final = frozenset({1, 4, 15, 17, 29})
SUBSCALE_NAMES: Final[dict[str, str]] = {
    COMPASSION_SATISFACTION: "compassion satisfaction",
    BURNOUT: "burnout",
    SECONDARY_TRAUMATIC_STRESS: "secondary traumatic stress",
}

LOW_AT_MOST: Final = 22
HIGH_FROM: Final = 42
LEVELS: Final = ("low", "moderate", "high")


def level(score: int) -> str:
    """A subscale sum's level: low (22 or less), moderate (23 to 41) or high (42 or more)."""
    if score <= LOW_AT_MOST:
        return "low"
    if score >= HIGH_FROM:
        return "high"
    return "moderate"


def item_value(number: int, answer: int) -> int:
    """What an answer counts for on its subscale: 6 minus the answer for a reversed item."""
    return 6 - answer if number in REVERSED_ITEMS else answer


@dataclass(frozen=True, slots=True)
class Subscale:
    code: str
    score: int

    @property
    def level(self) -> str:
        return level(self.score)

    @property
    def name(self) -> str:
        return SUBSCALE_NAMES[self.code]

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "level": self.level}


@dataclass(frozen=True, slots=True)
class ProqolScores:
    """The three sums of one check-in."""

    answers: tuple[int, ...]
    compassion_satisfaction: Subscale
    burnout: Subscale
    secondary_traumatic_stress: Subscale

    @property
    def subscales(self) -> tuple[Subscale, Subscale, Subscale]:
        return (self.compassion_satisfaction, self.burnout, self.secondary_traumatic_stress)

    @property
    def calls_for_care(self) -> bool:
        """Whether burnout or secondary traumatic stress is high: the check-in then offers
        to note burnout on the clinician's open cases (only if they agree)."""
        return self.burnout.level == "high" or self.secondary_traumatic_stress.level == "high"

    def as_dict(self) -> dict[str, Any]:
        """`{"instrument": "ProQOL-5", "subscales": {code: {"score", "level"}}}`."""
        return {
            "instrument": CODE,
            "subscales": {s.code: s.as_dict() for s in self.subscales},
        }


_DETAIL: Final = {"instrument": CODE, "low": ANSWER_MIN, "high": ANSWER_MAX}


def answers_problems(answers: Sequence[object], path: str = "items") -> list[FieldError]:
    """Why these answers are not one ProQOL 5 check-in (every problem), or an empty list."""
    if len(answers) != NUMBER_OF_ITEMS:
        got = len(answers)
        return [
            FieldError(
                path,
                f"{CODE} takes {NUMBER_OF_ITEMS} answers from {ANSWER_MIN} to {ANSWER_MAX}; "
                f"got {got} answer{'s' if got != 1 else ''}",
                kind=ITEM_COUNT,
                detail={"instrument": CODE, "count": got},
            )
        ]
    problems = []
    for index, answer in enumerate(answers):
        number = index + 1
        if answer is None or answer == "":
            problems.append(
                FieldError(
                    f"{path}[{index}]",
                    f"{CODE} item {number} has no answer: choose one from {ANSWER_MIN} "
                    f"({WORDING.answers[0].lower()}) to {ANSWER_MAX} ({WORDING.answers[-1].lower()})",
                    kind=MISSING,
                    detail=_DETAIL,
                )
            )
        elif type(answer) is not int:
            problems.append(
                FieldError(
                    f"{path}[{index}]",
                    f"{CODE} item {number} takes a whole number from {ANSWER_MIN} to "
                    f"{ANSWER_MAX}; got {describe(answer)}",
                    kind=WRONG_TYPE,
                    detail=_DETAIL,
                )
            )
        elif not ANSWER_MIN <= answer <= ANSWER_MAX:
            problems.append(
                FieldError(
                    f"{path}[{index}]",
                    f"{CODE} item {number} takes an answer from {ANSWER_MIN} to {ANSWER_MAX}; "
                    f"got {answer}",
                    kind=OUT_OF_RANGE,
                    detail=_DETAIL,
                )
            )
    return problems


def score_proqol(answers: Sequence[object]) -> ProqolScores:
    """Score 30 answers (1-5); raise InvalidInput naming every bad item and the valid range."""
    problems = answers_problems(answers)
    if problems:
        raise InvalidInput(problems, what="scoring")
    given = tuple(int(a) for a in answers)  # type: ignore[call-overload]  # checked ints
    sums = {
        code: sum(item_value(n, given[n - 1]) for n in numbers)
        for code, numbers in SUBSCALE_ITEMS.items()
    }
    return ProqolScores(
        answers=given,
        compassion_satisfaction=Subscale(COMPASSION_SATISFACTION, sums[COMPASSION_SATISFACTION]),
        burnout=Subscale(BURNOUT, sums[BURNOUT]),
        secondary_traumatic_stress=Subscale(
            SECONDARY_TRAUMATIC_STRESS, sums[SECONDARY_TRAUMATIC_STRESS]
        ),
    )


def is_proqol(code: str) -> bool:
    """Whether an instrument name means the ProQOL 5 (any case, with or without hyphens)."""
    return code.replace("-", "").replace("_", "").replace(" ", "").upper() in ("PROQOL5", "PROQOL")
