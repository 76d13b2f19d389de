"""Domain errors carry data: the field's path and what is wrong with it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# What kind of problem a FieldError is, for wording it elsewhere (a form speaks of the form).
MISSING = "missing"  # a required field, or a value given as null
WRONG_TYPE = "wrong_type"
EMPTY = "empty"
TOO_LONG = "too_long"
OUT_OF_RANGE = "out_of_range"  # detail: low, high
NOT_A_DATE = "not_a_date"
AFTER_AS_OF = "after_as_of"  # detail: as_of
UNKNOWN_CODE = "unknown_code"
ITEM_COUNT = "item_count"  # detail: instrument, count
BEFORE_EPISODE = "before_episode"  # detail: opened_on (a date)
TOO_FAR_BACK = "too_far_back"  # detail: earliest (a date)
SAME_DAY_AGAIN = "same_day_again"  # detail: instrument, day (a date)
UNSTORABLE = "unstorable"  # a NUL character or a lone surrogate (domain/storable.py)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field: `path` as `measures[2].items`, `message` says what and how.

    `kind` (one of the constants above, or "") and `detail` say the same for a program,
    so that a web form can word the problem in its own terms; the CLI and the API show
    `path` and `message`.
    """

    path: str
    message: str
    kind: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class InvalidInput(ValueError):  # noqa: N818 - a domain error named for what it is
    """Input that does not follow its format; nothing was assessed or saved."""

    def __init__(self, errors: Sequence[FieldError], what: str = "case") -> None:
        self.errors = tuple(errors)
        self.what = what
        super().__init__("\n".join(str(e) for e in self.errors))


def nearest(word: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known words nearest to `word`, closest first (always at least one when known)."""
    candidates = list(known)
    close = difflib.get_close_matches(word, candidates, n=n, cutoff=0.6)
    if close:
        return close
    return difflib.get_close_matches(word, candidates, n=min(n, 2), cutoff=0.0)


def quoted_choice(words: Sequence[str]) -> str:
    """'"a"', '"a" or "b"', '"a", "b" or "c"'."""
    q = [f'"{w}"' for w in words]
    if len(q) <= 1:
        return "".join(q)
    return ", ".join(q[:-1]) + " or " + q[-1]
