"""What a clinician enters about their own growth, checked: a training or CE course, a
certification, supervised hours, a licence, a supervision or consultation record.

Each check takes the values as sent (form strings) and gives back the clean values, or
raises `InvalidInput` naming every field at fault in plain words, so that a page can put
each message beside its field. Nothing here knows of the database.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from referwell.domain import vocabulary as v
from referwell.domain.errors import (
    EMPTY,
    MISSING,
    NOT_A_DATE,
    OUT_OF_RANGE,
    TOO_LONG,
    UNKNOWN_CODE,
    FieldError,
    InvalidInput,
)
from referwell.domain.growth.ce import CE_CATEGORIES, DEFAULT_PERIOD_MONTHS
from referwell.domain.growth.steps import RECORDED_STEPS

TITLE_MAX: Final = 200
NUMBER_MAX: Final = 100
NOTE_MAX: Final = 1000
EARLIEST: Final = date(1950, 1, 1)
MAX_TRAINING_HOURS: Final = 500.0  # one course
MAX_SUPERVISED_HOURS: Final = 5000.0  # one entry
_HOURS: Final = re.compile(r"\d{1,5}(?:[.,]\d{1,2})?")


class _Form:
    """Collects the clean values and the problems of one form. A required value that is
    refused comes back blank (its error is collected, and `done` raises before it is used);
    an optional one comes back None."""

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = fields
        self.errors: list[FieldError] = []

    def _raw(self, name: str) -> str:
        value = self.fields.get(name)
        return value.strip() if isinstance(value, str) else ""

    def text(self, name: str, limit: int) -> str:
        return self.optional_text(name, limit, required=True) or ""

    def optional_text(self, name: str, limit: int, *, required: bool = False) -> str | None:
        value = self._raw(name)
        if not value:
            if required:
                self.errors.append(FieldError(name, "This is needed.", EMPTY))
            return None
        if len(value) > limit:
            self.errors.append(
                FieldError(name, f"Give at most {limit} characters.", TOO_LONG, {"high": limit})
            )
            return None
        return value

    def hours(self, name: str, high: float) -> float:
        return self.optional_hours(name, high, required=True) or 0.0

    def optional_hours(self, name: str, high: float, *, required: bool = False) -> float | None:
        value = self._raw(name)
        if not value:
            if required:
                self.errors.append(FieldError(name, "Give the hours, like 1.5.", MISSING))
            return None
        if not _HOURS.fullmatch(value):
            self.errors.append(
                FieldError(name, "Give the hours as a number, like 1.5.", OUT_OF_RANGE)
            )
            return None
        hours = float(value.replace(",", "."))
        if not 0 < hours <= high:
            self.errors.append(
                FieldError(
                    name,
                    f"Give more than 0 and at most {high:g} hours.",
                    OUT_OF_RANGE,
                    {"low": 0, "high": high},
                )
            )
            return None
        return hours

    def day(self, name: str, today: date, *, future: bool = False) -> date:
        return self.optional_day(name, today, required=True, future=future) or EARLIEST

    def optional_day(
        self, name: str, today: date, *, required: bool = False, future: bool = False
    ) -> date | None:
        value = self._raw(name)
        if not value:
            if required:
                self.errors.append(FieldError(name, "Give the date.", MISSING))
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.errors.append(FieldError(name, "Give a date like 2026-11-20.", NOT_A_DATE))
            return None
        if day < EARLIEST:
            self.errors.append(
                FieldError(name, f"Give a date from {EARLIEST.year} on.", OUT_OF_RANGE)
            )
            return None
        if not future and day > today:
            self.errors.append(FieldError(name, "This date is after today.", OUT_OF_RANGE))
            return None
        return day

    def code(self, name: str, allowed: Collection[str], *, what: str) -> str:
        return self.optional_code(name, allowed, required=True, what=what) or ""

    def optional_code(
        self, name: str, allowed: Collection[str], *, required: bool = False, what: str
    ) -> str | None:
        value = self._raw(name)
        if not value:
            if required:
                self.errors.append(FieldError(name, f"Choose {what}.", MISSING))
            return None
        if value not in allowed:
            self.errors.append(FieldError(name, f"Choose {what} from the list.", UNKNOWN_CODE))
            return None
        return value

    def done(self, what: str) -> None:
        if self.errors:
            raise InvalidInput(self.errors, what)


@dataclass(frozen=True, slots=True)
class TrainingEntry:
    """A course taken: continuing education, and evidence for a competency when it names one."""

    title: str
    provider: str
    hours: float
    day: date
    category: str
    code: str | None


def training_entry(fields: Mapping[str, Any], today: date) -> TrainingEntry:
    form = _Form(fields)
    title = form.text("title", TITLE_MAX)
    provider = form.text("provider", TITLE_MAX)
    hours = form.hours("hours", MAX_TRAINING_HOURS)
    day = form.day("date", today)
    category = form.code("category", CE_CATEGORIES, what="a category")
    code = form.optional_code("code", v.COMPETENCIES, what="a competency")
    form.done("training")
    return TrainingEntry(title, provider, hours, day, category, code)


@dataclass(frozen=True, slots=True)
class CertificationEntry:
    title: str
    issuer: str
    number: str | None
    issued_on: date | None
    expires_on: date | None
    code: str | None


def certification_entry(fields: Mapping[str, Any], today: date) -> CertificationEntry:
    form = _Form(fields)
    title = form.text("title", TITLE_MAX)
    issuer = form.text("issuer", TITLE_MAX)
    number = form.optional_text("number", NUMBER_MAX)
    issued_on = form.optional_day("issued_on", today)
    expires_on = form.optional_day("expires_on", today, future=True)
    code = form.optional_code("code", v.COMPETENCIES, what="a competency")
    if issued_on and expires_on and expires_on < issued_on:
        form.errors.append(
            FieldError("expires_on", "The expiry is before the day it was issued.", OUT_OF_RANGE)
        )
    form.done("certification")
    return CertificationEntry(title, issuer, number, issued_on, expires_on, code)


@dataclass(frozen=True, slots=True)
class SupervisedEntry:
    code: str
    with_whom: str
    hours: float
    day: date


def supervised_entry(fields: Mapping[str, Any], today: date) -> SupervisedEntry:
    form = _Form(fields)
    code = form.code("code", v.COMPETENCIES, what="a competency")
    with_whom = form.text("with_whom", TITLE_MAX)
    hours = form.hours("hours", MAX_SUPERVISED_HOURS)
    day = form.day("date", today)
    form.done("supervised_hours")
    return SupervisedEntry(code, with_whom, hours, day)


@dataclass(frozen=True, slots=True)
class LicenceEntry:
    title: str
    number: str | None
    renews_on: date
    period_months: int
    required_hours: float | None


PERIOD_CHOICES: Final = (12, 24, 36)


def licence_entry(fields: Mapping[str, Any], today: date) -> LicenceEntry:
    form = _Form(fields)
    title = form.text("title", TITLE_MAX)
    number = form.optional_text("number", NUMBER_MAX)
    renews_on = form.day("renews_on", today, future=True)
    months = form.optional_code("period_months", [str(m) for m in PERIOD_CHOICES], what="a period")
    required_hours = form.optional_hours("required_hours", MAX_SUPERVISED_HOURS)
    form.done("licence")
    return LicenceEntry(
        title, number, renews_on, int(months) if months else DEFAULT_PERIOD_MONTHS, required_hours
    )


@dataclass(frozen=True, slots=True)
class StepRecordEntry:
    """Supervision or consultation, recorded from a finding: the step, with whom, a note kept
    out of every export, and the finding (or caution) kind it answers. The date is the step's
    own and is checked as the step is (`services.clients.entries.add_step`)."""

    step: str
    with_whom: str
    note: str | None
    answers: str | None


def step_record_entry(fields: Mapping[str, Any]) -> StepRecordEntry:
    form = _Form(fields)
    step = form.code("step", RECORDED_STEPS, what="supervision or consultation")
    with_whom = form.text("with_whom", TITLE_MAX)
    note = form.optional_text("note", NOTE_MAX)
    answers = form.optional_code("answers", (*v.FINDING_KINDS, *v.CAUTION_KINDS), what="a finding")
    form.done("supervision_record")
    return StepRecordEntry(step, with_whom, note, answers)
