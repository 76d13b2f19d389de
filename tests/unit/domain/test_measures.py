"""The four instruments as measures.md states them: ranges, bands, caseness, reliable change,
the per-client outcome words, and the Jacobson-Truax reliable change index (worked by hand)."""

from __future__ import annotations

import math

import pytest

from referwell.domain.errors import InvalidInput
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.measures.outcomes import (
    Course,
    clinical_cutoff,
    outcome,
    reliable_change_index,
)
from referwell.domain.measures.scoring import score

# instrument: (items, item max, total max, caseness from, reliable change)
SHAPES = {
    "PHQ-9": (9, 3, 27, 10, 6),
    "GAD-7": (7, 3, 21, 8, 4),
    "PHQ-15": (15, 2, 30, 10, None),
    "PCL-5": (20, 4, 80, 33, 10),
}

# Every band edge, typed from measures.md: (instrument, total, band).
BAND_EDGES = [
    ("PHQ-9", 0, "minimal"),
    ("PHQ-9", 4, "minimal"),
    ("PHQ-9", 5, "mild"),
    ("PHQ-9", 9, "mild"),
    ("PHQ-9", 10, "moderate"),
    ("PHQ-9", 14, "moderate"),
    ("PHQ-9", 15, "moderately_severe"),
    ("PHQ-9", 19, "moderately_severe"),
    ("PHQ-9", 20, "severe"),
    ("PHQ-9", 27, "severe"),
    ("GAD-7", 0, "minimal"),
    ("GAD-7", 4, "minimal"),
    ("GAD-7", 5, "mild"),
    ("GAD-7", 9, "mild"),
    ("GAD-7", 10, "moderate"),
    ("GAD-7", 14, "moderate"),
    ("GAD-7", 15, "severe"),
    ("GAD-7", 21, "severe"),
    ("PHQ-15", 0, "minimal"),
    ("PHQ-15", 4, "minimal"),
    ("PHQ-15", 5, "low"),
    ("PHQ-15", 9, "low"),
    ("PHQ-15", 10, "medium"),
    ("PHQ-15", 14, "medium"),
    ("PHQ-15", 15, "high"),
    ("PHQ-15", 30, "high"),
    ("PCL-5", 0, None),
    ("PCL-5", 32, None),
    ("PCL-5", 33, None),
    ("PCL-5", 80, None),
]


@pytest.mark.parametrize("code", list(SHAPES))
def test_the_instrument_shapes(code: str) -> None:
    items, item_max, total_max, cutoff, reliable = SHAPES[code]
    instrument = INSTRUMENTS[code]
    assert instrument.item_count == items
    assert instrument.item_max == item_max
    assert instrument.total_max == total_max
    assert instrument.caseness_cutoff == cutoff
    assert instrument.reliable_change == reliable


def test_exactly_the_four_instruments() -> None:
    assert sorted(INSTRUMENTS) == ["GAD-7", "PCL-5", "PHQ-15", "PHQ-9"]


@pytest.mark.parametrize(("code", "total", "band"), BAND_EDGES)
def test_every_band_edge(code: str, total: int, band: str | None) -> None:
    assert INSTRUMENTS[code].severity(total) == band


@pytest.mark.parametrize("code", list(SHAPES))
def test_every_total_has_exactly_one_band_or_none(code: str) -> None:
    instrument = INSTRUMENTS[code]
    names = [instrument.severity(t) for t in range(instrument.total_max + 1)]
    if code == "PCL-5":
        assert set(names) == {None}
    else:
        assert None not in names
        # bands rise with the total and never come back
        order = list(dict.fromkeys(names))
        assert names == sorted(names, key=order.index)


@pytest.mark.parametrize("code", list(SHAPES))
def test_caseness_edges(code: str) -> None:
    cutoff = SHAPES[code][3]
    instrument = INSTRUMENTS[code]
    assert instrument.is_case(cutoff - 1) is False
    assert instrument.is_case(cutoff) is True
    assert instrument.is_case(instrument.total_max) is True
    assert instrument.is_case(0) is False


@pytest.mark.parametrize("code", ["PHQ-9", "GAD-7", "PCL-5"])
def test_reliable_change_edges(code: str) -> None:
    threshold = SHAPES[code][4]
    assert threshold is not None
    instrument = INSTRUMENTS[code]
    start = threshold + 2
    assert instrument.reliable_improvement(start, start - threshold + 1) is False
    assert instrument.reliable_improvement(start, start - threshold) is True
    assert instrument.reliable_deterioration(start, start + threshold - 1) is False
    assert instrument.reliable_deterioration(start, start + threshold) is True
    # a fall is no deterioration and a rise no improvement
    assert instrument.reliable_deterioration(start, start - threshold) is False
    assert instrument.reliable_improvement(start, start + threshold) is False
    assert instrument.reliable_improvement(start, start) is False


def test_phq15_has_no_reliable_change() -> None:
    assert INSTRUMENTS["PHQ-15"].reliable_improvement(30, 0) is None
    assert INSTRUMENTS["PHQ-15"].reliable_deterioration(0, 30) is None


@pytest.mark.parametrize("code", list(SHAPES))
def test_item_and_total_ranges(code: str) -> None:
    items, item_max, total_max, _, _ = SHAPES[code]
    instrument = INSTRUMENTS[code]
    assert instrument.items_problem([0] * items) is None
    assert instrument.items_problem([0] * (items - 1)) is not None
    assert instrument.items_problem([0] * (items + 1)) is not None
    assert instrument.item_problem(1, 0) is None
    assert instrument.item_problem(1, item_max) is None
    assert instrument.item_problem(1, item_max + 1) is not None
    assert instrument.item_problem(1, -1) is not None
    assert instrument.item_problem(1, True) is not None
    assert instrument.item_problem(1, 1.0) is not None
    assert instrument.total_problem(0) is None
    assert instrument.total_problem(total_max) is None
    assert instrument.total_problem(total_max + 1) is not None
    assert instrument.total_problem(-1) is not None


def test_score_phq9_reports_item9() -> None:
    result = score("PHQ-9", [3, 3, 3, 3, 3, 2, 1, 0, 1])
    assert result.total == 19
    assert result.severity == "moderately_severe"
    assert result.caseness is True
    assert result.flags["item9"] == 1


def test_score_refuses_a_bad_answer_naming_the_item() -> None:
    with pytest.raises(InvalidInput) as caught:
        score("GAD-7", [0, 0, 0, 0, 4, 0, 0])
    assert caught.value.errors[0].path == "items[4]"
    assert "0 to 3" in caught.value.errors[0].message


# --- outcome words (measures.md) -----------------------------------------------------------


def words(*courses: Course) -> tuple[bool, bool, bool, bool]:
    o = outcome(courses)
    return (o.reliable_improvement, o.reliable_deterioration, o.recovery, o.reliable_recovery)


@pytest.mark.parametrize(
    ("courses", "expected"),
    [
        # (improvement, deterioration, recovery, reliable recovery)
        ([Course("PHQ-9", 18, 11, 3)], (True, False, False, False)),
        ([Course("PHQ-9", 15, 9, 2)], (True, False, True, True)),
        ([Course("PHQ-9", 14, 9, 2)], (False, False, True, False)),
        ([Course("PHQ-9", 9, 2, 2)], (True, False, False, False)),  # never a case
        ([Course("PHQ-9", 4, 10, 2)], (False, True, False, False)),
        ([Course("PHQ-9", 4, 9, 2)], (False, False, False, False)),
        ([Course("GAD-7", 8, 4, 2)], (True, False, True, True)),
        ([Course("GAD-7", 8, 5, 2)], (False, False, True, False)),
        ([Course("GAD-7", 3, 7, 2)], (False, True, False, False)),
        # a reliable rise anywhere: no reliable improvement
        ([Course("PHQ-9", 18, 6, 2), Course("GAD-7", 5, 9, 2)], (False, True, False, False)),
        # both below caseness at last, one reliable fall, no rise
        ([Course("PHQ-9", 18, 6, 2), Course("GAD-7", 9, 7, 2)], (True, False, True, True)),
        # one still at caseness: no recovery
        ([Course("PHQ-9", 18, 6, 2), Course("GAD-7", 9, 8, 2)], (True, False, False, False)),
        # a case at first on one measure is enough
        ([Course("PHQ-9", 16, 4, 2), Course("GAD-7", 2, 2, 2)], (True, False, True, True)),
        # a course with one score has no outcome and does not count
        ([Course("PHQ-9", 25, 25, 1), Course("GAD-7", 10, 5, 2)], (True, False, True, True)),
        ([Course("PHQ-9", 25, 25, 1)], (False, False, False, False)),
        ([], (False, False, False, False)),
    ],
)
def test_outcome_words(courses: list, expected: tuple) -> None:
    assert words(*courses) == expected


def test_no_outcome_names_no_instrument() -> None:
    assert outcome([Course("GAD-7", 3, 3, 1)]).instruments == ()
    assert outcome([Course("GAD-7", 3, 3, 2)]).instruments == ("GAD-7",)


# --- the reliable change index (Jacobson & Truax 1991), worked by hand ---------------------
#
# Example A: s1 = 10, r_xx = 0.75.
#   SE = 10 · √(1 − 0.75) = 10 · 0.5 = 5
#   S_diff = √2 · 5 = 7.0710678
#   14 points: RC = 14 / 7.0710678 = 1.9798990 > 1.96 → reliable
#   13 points: RC = 13 / 7.0710678 = 1.8384776 → not reliable
#   smallest reliable change = 1.96 · 7.0710678 = 13.859293
# Example B: s1 = 7.5, r_xx = 0.88, 30 → 22.
#   SE = 7.5 · √0.12 = 7.5 · 0.34641016 = 2.5980762
#   S_diff = √2 · 2.5980762 = 3.6742346
#   RC = −8 / 3.6742346 = −2.1773242 → a reliable fall


def test_rci_example_a_reliable_rise() -> None:
    rc = reliable_change_index(10, 24, sd=10, reliability=0.75)
    assert rc.standard_error == pytest.approx(5.0)
    assert rc.s_diff == pytest.approx(7.0710678, abs=1e-7)
    assert rc.rci == pytest.approx(1.9798990, abs=1e-7)
    assert rc.threshold == pytest.approx(13.859293, abs=1e-6)
    assert rc.reliable is True
    assert rc.direction == "rise"


def test_rci_example_a_thirteen_points_is_not_reliable() -> None:
    rc = reliable_change_index(10, 23, sd=10, reliability=0.75)
    assert rc.rci == pytest.approx(1.8384776, abs=1e-7)
    assert rc.reliable is False
    assert rc.direction == "none"


def test_rci_example_b_reliable_fall() -> None:
    rc = reliable_change_index(30, 22, sd=7.5, reliability=0.88)
    assert rc.standard_error == pytest.approx(2.5980762, abs=1e-7)
    assert rc.s_diff == pytest.approx(3.6742346, abs=1e-7)
    assert rc.rci == pytest.approx(-2.1773242, abs=1e-7)
    assert rc.reliable is True
    assert rc.direction == "fall"


def test_rci_reliable_only_beyond_1_96() -> None:
    # r_xx = 0 and s1 = 1/√2 give SE = 1/√2 and S_diff = √2 · 1/√2 = 1: RC is the change itself
    sd = 1 / math.sqrt(2)
    assert reliable_change_index(0, 1.95, sd=sd, reliability=0).reliable is False
    assert reliable_change_index(0, 1.97, sd=sd, reliability=0).reliable is True
    assert reliable_change_index(0, -1.97, sd=sd, reliability=0).direction == "fall"


@pytest.mark.parametrize(
    ("sd", "reliability"), [(0, 0.8), (-1, 0.8), (5, 1.0), (5, -0.1), (5, 1.5)]
)
def test_rci_refuses_impossible_parameters(sd: float, reliability: float) -> None:
    with pytest.raises(ValueError, match=r"standard deviation|reliability"):
        reliable_change_index(10, 20, sd=sd, reliability=reliability)


def test_clinical_cutoff_c() -> None:
    # c = (s0·M1 + s1·M0) / (s0 + s1) with M0 = 10, s0 = 5 (functional), M1 = 30, s1 = 10
    # = (5·30 + 10·10) / 15 = 250 / 15 = 16.6667
    assert clinical_cutoff(10, 5, 30, 10) == pytest.approx(250 / 15)
    # equal spreads: the midpoint of the two means
    assert clinical_cutoff(4, 3, 16, 3) == pytest.approx(10)
