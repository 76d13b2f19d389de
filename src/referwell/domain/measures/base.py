"""What every questionnaire shares: item ranges, a total, bands, caseness, reliable change,
and the wording the client reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Band:
    """A severity band, inclusive at both ends."""

    low: int
    high: int
    name: str


@dataclass(frozen=True, slots=True)
class Wording:
    """A questionnaire as the client sees it: the stem, each item's text in order, the label of
    each answer value from the lowest to the highest, and the credit line its authors ask for."""

    instructions: str
    items: tuple[str, ...]
    answers: tuple[str, ...]
    credit: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Instrument:
    """A scored questionnaire, as docs/measures.md states it."""

    code: str
    title: str
    source: str
    item_count: int
    item_max: int
    bands: tuple[Band, ...]
    caseness_cutoff: int
    caseness_label: str
    reliable_change: int | None
    item_min: int = 0
    wording: Wording | None = None

    @property
    def total_max(self) -> int:
        return self.item_count * self.item_max

    def answer_label(self, value: int) -> str:
        """The label the client reads for an item score, e.g. PHQ-9 3: "Nearly every day"."""
        if self.wording is None:
            raise ValueError(f"{self.code} has no client wording")
        if type(value) is not int or not self.item_min <= value <= self.item_max:
            raise ValueError(
                f"{self.code} answers are whole numbers from {self.item_min} to "
                f"{self.item_max}; got {describe(value)}"
            )
        return self.wording.answers[value - self.item_min]

    def items_problem(self, items: Sequence[object]) -> str | None:
        """Why these answers are not a valid administration, or None when they are."""
        if len(items) != self.item_count:
            return (
                f"{self.code} takes {self.item_count} item scores from {self.item_min} "
                f"to {self.item_max}; got {len(items)} score{'s' if len(items) != 1 else ''}"
            )
        return None

    def item_problem(self, number: int, value: object) -> str | None:
        """Why one answer (item `number`, counted from 1) is invalid, or None."""
        if type(value) is not int:
            return (
                f"{self.code} item {number} takes a whole number from {self.item_min} to "
                f"{self.item_max}; got {describe(value)}"
            )
        if not self.item_min <= value <= self.item_max:
            return (
                f"{self.code} item {number} takes a score from {self.item_min} to "
                f"{self.item_max}; got {value}"
            )
        return None

    def total_problem(self, total: object) -> str | None:
        if type(total) is not int:
            return f"{self.code} total is a whole number from 0 to {self.total_max}; got {describe(total)}"
        if not 0 <= total <= self.total_max:
            return f"{self.code} total is a whole number from 0 to {self.total_max}; got {total}"
        return None

    def severity(self, total: int) -> str | None:
        """The band's name, or None for an instrument without bands."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band.name
        return None

    def is_case(self, total: int) -> bool:
        return total >= self.caseness_cutoff

    def reliable_improvement(self, first: int, latest: int) -> bool | None:
        if self.reliable_change is None:
            return None
        return first - latest >= self.reliable_change

    def reliable_deterioration(self, first: int, latest: int) -> bool | None:
        if self.reliable_change is None:
            return None
        return latest - first >= self.reliable_change


def describe(value: object) -> str:
    """A value as an error message names it: its JSON type and, when short, itself."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'the string "{shown}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
