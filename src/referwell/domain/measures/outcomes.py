"""Per-client outcome words over first and latest scores (docs/measures.md)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from referwell.domain.measures import INSTRUMENTS


@dataclass(frozen=True, slots=True)
class Course:
    """One instrument's first and latest scores over a course of treatment."""

    instrument: str
    first: int
    latest: int
    count: int

    @property
    def has_outcome(self) -> bool:
        return self.count >= 2


@dataclass(frozen=True, slots=True)
class Outcome:
    """The outcome words for a set of instruments; all False when none has an outcome."""

    reliable_improvement: bool
    reliable_deterioration: bool
    recovery: bool
    reliable_recovery: bool
    instruments: tuple[str, ...]

    @property
    def label(self) -> str:
        if not self.instruments:
            return "no_outcome"
        if self.reliable_deterioration:
            return "reliable_deterioration"
        if self.reliable_recovery:
            return "reliable_recovery"
        if self.recovery:
            return "recovery"
        if self.reliable_improvement:
            return "reliable_improvement"
        return "no_reliable_change"


def outcome(courses: Iterable[Course]) -> Outcome:
    """Reliable improvement, reliable deterioration, recovery and reliable recovery.

    Only instruments with at least two scores count; an instrument without a
    reliable-change figure contributes to recovery but not to reliable change.
    """
    with_outcome = [c for c in courses if c.has_outcome]
    if not with_outcome:
        return Outcome(False, False, False, False, ())
    falls = rises = 0
    case_at_first = False
    all_below_at_last = True
    for course in with_outcome:
        instrument = INSTRUMENTS[course.instrument]
        if instrument.reliable_improvement(course.first, course.latest):
            falls += 1
        if instrument.reliable_deterioration(course.first, course.latest):
            rises += 1
        case_at_first = case_at_first or instrument.is_case(course.first)
        all_below_at_last = all_below_at_last and not instrument.is_case(course.latest)
    improvement = falls > 0 and rises == 0
    recovery = case_at_first and all_below_at_last
    return Outcome(
        reliable_improvement=improvement,
        reliable_deterioration=rises > 0,
        recovery=recovery,
        reliable_recovery=recovery and improvement,
        instruments=tuple(c.instrument for c in with_outcome),
    )


@dataclass(frozen=True, slots=True)
class ReliableChange:
    """A Jacobson-Truax reliable change index for one pair of scores."""

    rci: float
    standard_error: float
    s_diff: float
    threshold: float
    reliable: bool
    direction: str


def reliable_change_index(
    first: float, latest: float, sd: float, reliability: float, *, z: float = 1.96
) -> ReliableChange:
    """RC = (x2 − x1) / S_diff, S_diff = √2 · SE, SE = s1 · √(1 − r_xx); reliable when |RC| > z."""
    if sd <= 0:
        raise ValueError("the standard deviation must be greater than 0")
    if not 0 <= reliability < 1:
        raise ValueError("the reliability must be at least 0 and less than 1")
    se = sd * math.sqrt(1 - reliability)
    s_diff = math.sqrt(2) * se
    rci = (latest - first) / s_diff
    reliable = abs(rci) > z
    direction = "none" if not reliable else ("rise" if rci > 0 else "fall")
    return ReliableChange(rci, se, s_diff, z * s_diff, reliable, direction)


def clinical_cutoff(
    mean_functional: float, sd_functional: float, mean_dysfunctional: float, sd_dysfunctional: float
) -> float:
    """Jacobson-Truax cut-off c = (s0·M1 + s1·M0) / (s0 + s1)."""
    return (sd_functional * mean_dysfunctional + sd_dysfunctional * mean_functional) / (
        sd_functional + sd_dysfunctional
    )
