"""Text whose codes stay apart from its words: a finding's summary, evidence and actions.

`str(phrase)` is the text the assessment's JSON carries, the same since format 1:
codes as codes, dates as YYYY-MM-DD. `phrase.words()` says the same thing to a
person: each code by its label (`domain.labels`), dates as "20 Nov 2026", lists
joined with "and" or "or". A phrase may word a sentence differently for people
(`words_template`), from the same parts; nothing is ever found and replaced in
the text. Pages and the CLI's text output show the words; the JSON and every
program reading it see the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

from referwell.domain.labels import label, sentence

MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_words(day: date) -> str:
    """A date as people write it: `20 Nov 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def listed(items: Sequence[str], conjunction: str = "and") -> str:
    """`a`, `a and b`, `a, b and c` (or `or`)."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


class Part(Protocol):
    """A piece of a phrase that reads one way in the JSON and another way to a person."""

    def text(self) -> str: ...

    def words(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Code:
    """A code of the vocabulary, of one group of `domain.labels`."""

    group: str
    code: str

    def text(self) -> str:
        return self.code

    def words(self) -> str:
        return label(self.group, self.code)


@dataclass(frozen=True, slots=True)
class Codes:
    """Several codes of one group: `a, b` in the text, `a and b` (or `or`) in words."""

    group: str
    codes: tuple[str, ...]
    separator: str = ", "
    conjunction: str = "and"

    def text(self) -> str:
        return self.separator.join(self.codes)

    def words(self) -> str:
        return listed([label(self.group, code) for code in self.codes], self.conjunction)


@dataclass(frozen=True, slots=True)
class Day:
    """A date: `2026-11-20` in the text, `20 Nov 2026` in words."""

    day: date

    def text(self) -> str:
        return self.day.isoformat()

    def words(self) -> str:
        return day_words(self.day)


@dataclass(frozen=True, slots=True)
class Days:
    """Several dates: `2026-11-01, 2026-11-08` in the text, `1 Nov 2026 and 8 Nov 2026`."""

    days: tuple[date, ...]

    def text(self) -> str:
        return ", ".join(day.isoformat() for day in self.days)

    def words(self) -> str:
        return listed([day_words(day) for day in self.days])


@dataclass(frozen=True, slots=True)
class Quote:
    """Free text from the case (a symptom, a goal, a name), in double quotes either way."""

    value: str

    def text(self) -> str:
        return f'"{self.value}"'

    def words(self) -> str:
        return f'"{self.value}"'


@dataclass(frozen=True, slots=True)
class Names:
    """Free-text names from the case: `a, b` in the text, `"a" and "b"` in words (quoted:
    they are the case's own words, a directory id or a name)."""

    names: tuple[str, ...]
    separator: str = ", "

    def text(self) -> str:
        return self.separator.join(self.names)

    def words(self) -> str:
        return listed([f'"{name}"' for name in self.names])


@dataclass(frozen=True, slots=True)
class Words:
    """A piece said one way in the text and another in words (`discussed` / `yes`)."""

    as_text: str
    as_words: str

    def text(self) -> str:
        return self.as_text

    def words(self) -> str:
        return self.as_words


Piece = Part | str | int


@dataclass(frozen=True, slots=True)
class Phrase:
    """A sentence from a template and its parts (`str.format` with `{}` placeholders).

    `template` gives the JSON's text; `words_template`, when given, the words a
    person reads (the same parts, in the same order). Without parts a phrase is
    plain text, the same for both.
    """

    template: str
    parts: tuple[Piece, ...] = ()
    words_template: str | None = None

    def __str__(self) -> str:
        if not self.parts:
            return self.template
        return self.template.format(*(_text(part) for part in self.parts))

    def words(self) -> str:
        template = self.words_template if self.words_template is not None else self.template
        if not self.parts:
            return sentence(template)
        return sentence(template.format(*(_words(part) for part in self.parts)))


def phrase(template: str, *parts: Piece, words: str | None = None) -> Phrase:
    """`Phrase(template, parts, words)`, written as the rules write it."""
    return Phrase(template, tuple(parts), words)


def as_phrase(value: Phrase | str) -> Phrase:
    """A plain string (text without codes) as a phrase."""
    return value if isinstance(value, Phrase) else Phrase(value)


def _text(part: Piece) -> str:
    return part if isinstance(part, str) else str(part) if isinstance(part, int) else part.text()


def _words(part: Piece) -> str:
    return part if isinstance(part, str) else str(part) if isinstance(part, int) else part.words()
