"""The ProQOL 5 scored by hand: every cut score of every subscale, each reversed item, the
extremes, and the answers it refuses. Every expected sum below is worked out by hand in the
comment beside it, not by the code under test."""

from __future__ import annotations

import pytest

from referwell.domain.errors import InvalidInput
from referwell.domain.growth import proqol
from referwell.domain.growth.proqol import level, score_proqol
from referwell.domain.measures import INSTRUMENTS

CS_ITEMS = (3, 6, 12, 16, 18, 20, 22, 24, 27, 30)
BO_ITEMS = (1, 4, 8, 10, 15, 17, 19, 21, 26, 29)
STS_ITEMS = (2, 5, 7, 9, 11, 13, 14, 23, 25, 28)
REVERSED = (1, 4, 15, 17, 29)


def answers(changed: dict[int, int], rest: int = 3) -> list[int]:
    """Thirty answers: `rest` everywhere but the items (numbered from 1) in `changed`."""
    return [changed.get(number, rest) for number in range(1, 31)]


def sums(given: list[int]) -> tuple[int, int, int]:
    scored = score_proqol(given)
    return (
        scored.compassion_satisfaction.score,
        scored.burnout.score,
        scored.secondary_traumatic_stress.score,
    )


def test_the_subscales_are_the_manuals_items_and_share_none() -> None:
    assert proqol.SUBSCALE_ITEMS[proqol.COMPASSION_SATISFACTION] == CS_ITEMS
    assert proqol.SUBSCALE_ITEMS[proqol.BURNOUT] == BO_ITEMS
    assert proqol.SUBSCALE_ITEMS[proqol.SECONDARY_TRAUMATIC_STRESS] == STS_ITEMS
    assert frozenset(REVERSED) == proqol.REVERSED_ITEMS
    assert sorted(CS_ITEMS + BO_ITEMS + STS_ITEMS) == list(range(1, 31))
    assert len(proqol.WORDING.items) == 30
    assert proqol.WORDING.answers == ("Never", "Rarely", "Sometimes", "Often", "Very often")


def test_it_is_not_one_of_the_case_formats_instruments() -> None:
    assert "ProQOL-5" not in INSTRUMENTS
    assert not any("PROQOL" in code.upper() for code in INSTRUMENTS)


def test_the_credit_line_names_the_author_and_the_terms() -> None:
    assert "B. Hudnall Stamm" in proqol.CREDIT
    assert "(a) author is credited, (b) no changes are made, and (c) it is not sold" in (
        proqol.CREDIT
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # All 3s: CS 10×3 = 30; STS 10×3 = 30; BO 5 plain items ×3 = 15, 5 reversed (6−3) = 15 → 30.
        (answers({}), (30, 30, 30)),
        # All 1s: CS 10; STS 10; BO 5×1 + 5×(6−1) = 5 + 25 = 30.
        (answers({}, rest=1), (10, 30, 10)),
        # All 5s: CS 50; STS 50; BO 5×5 + 5×(6−5) = 25 + 5 = 30.
        (answers({}, rest=5), (50, 30, 50)),
        # Lowest burnout: plain items 1 (5), reversed items answered 5 (each 6−5 = 1: 5) → 10.
        (
            answers({8: 1, 10: 1, 19: 1, 21: 1, 26: 1, 1: 5, 4: 5, 15: 5, 17: 5, 29: 5}),
            (30, 10, 30),
        ),
        # Highest burnout: plain items 5 (25), reversed items answered 1 (each 5: 25) → 50.
        (
            answers({8: 5, 10: 5, 19: 5, 21: 5, 26: 5, 1: 1, 4: 1, 15: 1, 17: 1, 29: 1}),
            (30, 50, 30),
        ),
    ],
    ids=["all threes", "all ones", "all fives", "lowest burnout", "highest burnout"],
)
def test_hand_worked_sums(given: list[int], expected: tuple[int, int, int]) -> None:
    assert sums(given) == expected


# Each subscale at every cut score: 22 (low, the highest low), 23 (moderate, the lowest),
# 41 (moderate, the highest), 42 (high, the lowest). Ten items at 3 make 30: take points
# off or put them on, item by item.
CUT_SCORES = [
    # Compassion satisfaction 22 = 30 − 8: eight items from 3 to 2.
    ("compassion_satisfaction", {3: 2, 6: 2, 12: 2, 16: 2, 18: 2, 20: 2, 22: 2, 24: 2}, 22, "low"),
    # 23 = 30 − 7: seven items from 3 to 2.
    ("compassion_satisfaction", {3: 2, 6: 2, 12: 2, 16: 2, 18: 2, 20: 2, 22: 2}, 23, "moderate"),
    # 41 = 30 + 11: five items from 3 to 5 (+10), one from 3 to 4 (+1).
    ("compassion_satisfaction", {3: 5, 6: 5, 12: 5, 16: 5, 18: 5, 20: 4}, 41, "moderate"),
    # 42 = 30 + 12: six items from 3 to 5.
    ("compassion_satisfaction", {3: 5, 6: 5, 12: 5, 16: 5, 18: 5, 20: 5}, 42, "high"),
    # Secondary traumatic stress, the same way on its own items.
    ("secondary_traumatic_stress", {2: 2, 5: 2, 7: 2, 9: 2, 11: 2, 13: 2, 14: 2, 23: 2}, 22, "low"),
    ("secondary_traumatic_stress", {2: 2, 5: 2, 7: 2, 9: 2, 11: 2, 13: 2, 14: 2}, 23, "moderate"),
    ("secondary_traumatic_stress", {2: 5, 5: 5, 7: 5, 9: 5, 11: 5, 13: 4}, 41, "moderate"),
    ("secondary_traumatic_stress", {2: 5, 5: 5, 7: 5, 9: 5, 11: 5, 13: 5}, 42, "high"),
    # Burnout 22 = 30 − 8: plain items 8, 10, 19, 21 from 3 to 1 (−8).
    ("burnout", {8: 1, 10: 1, 19: 1, 21: 1}, 22, "low"),
    # 22 again through reversed items only: items 1, 4, 15, 17 answered 5 count 1 each (−8).
    ("burnout", {1: 5, 4: 5, 15: 5, 17: 5}, 22, "low"),
    # 23 = 30 − 7: item 8 to 1 (−2), item 10 to 1 (−2), item 1 answered 5 (counts 1: −2),
    # item 4 answered 4 (counts 2: −1).
    ("burnout", {8: 1, 10: 1, 1: 5, 4: 4}, 23, "moderate"),
    # 41 = 30 + 11: items 8, 10, 19 to 5 (+6), item 1 answered 1 (counts 5: +2), item 4
    # answered 1 (+2), item 15 answered 2 (counts 4: +1).
    ("burnout", {8: 5, 10: 5, 19: 5, 1: 1, 4: 1, 15: 2}, 41, "moderate"),
    # 42 = 30 + 12: items 8, 10, 19 to 5 (+6), items 1, 4, 15 answered 1 (+6).
    ("burnout", {8: 5, 10: 5, 19: 5, 1: 1, 4: 1, 15: 1}, 42, "high"),
]


@pytest.mark.parametrize(
    ("subscale", "changed", "score", "expected_level"),
    CUT_SCORES,
    ids=[
        f"{row[0]}-{row[2]}-{row[3]}{'-reversed' if 1 in row[1] and row[2] == 22 else ''}"
        for row in CUT_SCORES
    ],
)
def test_every_cut_score(
    subscale: str, changed: dict[int, int], score: int, expected_level: str
) -> None:
    scored = score_proqol(answers(changed)).as_dict()["subscales"]
    assert scored[subscale] == {"score": score, "level": expected_level}
    for other in set(scored) - {subscale}:
        assert scored[other] == {"score": 30, "level": "moderate"}


@pytest.mark.parametrize("item", REVERSED)
def test_each_reversed_item_counts_six_minus_the_answer(item: int) -> None:
    # From all 3s (burnout 30): answering 1 counts 5 (+2 → 32), answering 5 counts 1 (−2 → 28),
    # answering 2 counts 4 (+1 → 31); compassion satisfaction and secondary stress stay 30.
    assert sums(answers({item: 1})) == (30, 32, 30)
    assert sums(answers({item: 5})) == (30, 28, 30)
    assert sums(answers({item: 2})) == (30, 31, 30)
    assert sums(answers({item: 3})) == (30, 30, 30)


@pytest.mark.parametrize("item", sorted(set(BO_ITEMS) - set(REVERSED)))
def test_the_other_burnout_items_count_as_answered(item: int) -> None:
    # From all 3s: answering 5 adds 2 (32), answering 1 takes 2 off (28).
    assert sums(answers({item: 5})) == (30, 32, 30)
    assert sums(answers({item: 1})) == (30, 28, 30)


def test_levels_at_the_edges() -> None:
    assert [level(s) for s in (10, 22, 23, 41, 42, 50)] == [
        "low", "low", "moderate", "moderate", "high", "high",
    ]  # fmt: skip


def test_a_high_burnout_or_secondary_stress_calls_for_care_and_compassion_does_not() -> None:
    assert score_proqol(answers({8: 5, 10: 5, 19: 5, 1: 1, 4: 1, 15: 1})).calls_for_care
    assert score_proqol(answers({2: 5, 5: 5, 7: 5, 9: 5, 11: 5, 13: 5})).calls_for_care
    assert not score_proqol(answers({3: 5, 6: 5, 12: 5, 16: 5, 18: 5, 20: 5})).calls_for_care


def test_the_json_shape() -> None:
    assert score_proqol(answers({})).as_dict() == {
        "instrument": "ProQOL-5",
        "subscales": {
            "compassion_satisfaction": {"score": 30, "level": "moderate"},
            "burnout": {"score": 30, "level": "moderate"},
            "secondary_traumatic_stress": {"score": 30, "level": "moderate"},
        },
    }


@pytest.mark.parametrize(
    ("given", "path", "words"),
    [
        ([3] * 29, "items", "takes 30 answers from 1 to 5; got 29 answers"),
        ([3] * 31, "items", "got 31 answers"),
        ([*[3] * 29, 0], "items[29]", "item 30 takes an answer from 1 to 5; got 0"),
        ([6, *[3] * 29], "items[0]", "item 1 takes an answer from 1 to 5; got 6"),
        (
            [3, "x", *[3] * 28],
            "items[1]",
            'item 2 takes a whole number from 1 to 5; got the string "x"',
        ),
        ([3, 3, "", *[3] * 27], "items[2]", "item 3 has no answer"),
        ([3, 3, 3, 2.5, *[3] * 26], "items[3]", "whole number"),
        ([True, *[3] * 29], "items[0]", "whole number"),
    ],
)
def test_bad_answers_are_refused_naming_the_item(
    given: list[object], path: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        score_proqol(given)
    assert refused.value.errors[0].path == path
    assert words in refused.value.errors[0].message


def test_every_bad_answer_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        score_proqol([0, 6, *[3] * 27, 9])
    assert [e.path for e in refused.value.errors] == ["items[0]", "items[1]", "items[29]"]


@pytest.mark.parametrize("name", ["ProQOL-5", "proqol5", "PROQOL 5", "ProQOL", "proqol_5"])
def test_the_instrument_is_known_by_its_name_in_any_case(name: str) -> None:
    assert proqol.is_proqol(name)
    assert not proqol.is_proqol("PHQ-9")


def test_the_case_and_assessment_formats_are_unchanged_by_it() -> None:
    from referwell.domain.assessment import ASSESSMENT_FORMAT
    from referwell.domain.case import CASE_FORMAT
    from referwell.domain.caseformat import case_schema

    assert CASE_FORMAT == "referwell.case/1"
    assert ASSESSMENT_FORMAT == "referwell.assessment/1"
    assert "ProQOL" not in str(case_schema())
