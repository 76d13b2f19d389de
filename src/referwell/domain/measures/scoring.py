"""Scoring one administration of an instrument: total, band, caseness and flags."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from referwell.domain.errors import FieldError, InvalidInput, nearest, quoted_choice
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.measures.phq15 import SOMATIC_EVIDENCE_FROM


@dataclass(frozen=True, slots=True)
class Scoring:
    instrument: str
    items: tuple[int, ...]
    total: int
    total_max: int
    severity: str | None
    caseness: bool
    flags: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "items": list(self.items),
            "total": self.total,
            "total_max": self.total_max,
            "severity": self.severity,
            "caseness": self.caseness,
        } | self.flags


def instrument_named(code: str, path: str = "instrument") -> str:
    """The instrument's code, accepting any case and a missing hyphen (phq9 → PHQ-9)."""
    wanted = code.replace("-", "").replace("_", "").upper()
    for known in INSTRUMENTS:
        if known.replace("-", "") == wanted:
            return known
    raise InvalidInput(
        [
            FieldError(
                path,
                f'unknown instrument "{code}"; did you mean {quoted_choice(nearest(code.upper(), list(INSTRUMENTS)))}? '
                f"Known: {', '.join(INSTRUMENTS)}",
            )
        ],
        what="scoring",
    )


def score(code: str, items: Sequence[object]) -> Scoring:
    """Score item answers; raise InvalidInput naming every bad item and the valid range."""
    instrument = INSTRUMENTS[instrument_named(code)]
    problem = instrument.items_problem(items)
    if problem:
        raise InvalidInput([FieldError("items", problem)], what="scoring")
    errors = [
        FieldError(f"items[{i}]", p)
        for i, answer in enumerate(items)
        if (p := instrument.item_problem(i + 1, answer))
    ]
    if errors:
        raise InvalidInput(errors, what="scoring")
    answers = tuple(int(a) for a in items)  # type: ignore[call-overload]  # checked ints
    total = sum(answers)
    flags: dict[str, Any] = {}
    if instrument.code == "PHQ-9":
        flags["item9"] = answers[8]
        flags["item9_positive"] = answers[8] >= 1
    if instrument.code == "PHQ-15":
        flags["medium_or_high"] = total >= SOMATIC_EVIDENCE_FROM
    return Scoring(
        instrument=instrument.code,
        items=answers,
        total=total,
        total_max=instrument.total_max,
        severity=instrument.severity(total),
        caseness=instrument.is_case(total),
        flags=flags,
    )


def parse_answers(text: str) -> list[object]:
    """`1,2,0,3` → [1, 2, 0, 3]; a non-number is kept as text so the error can name it."""
    out: list[object] = []
    for part in text.split(","):
        stripped = part.strip()
        # ASCII digits, few enough for any score ("²".isdigit() is true; int() of
        # thousands of digits fails in Python's words)
        out.append(int(stripped) if re.fullmatch(r"-?[0-9]{1,9}", stripped) else stripped)
    return out
