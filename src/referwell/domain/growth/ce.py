"""Continuing education: its categories, the licence periods hours are totalled in, and the
certifications whose expiry is near.

A licence renews on a day every `period_months` (24 by default: most US boards renew
counselling, social work and psychology licences every two years); a period runs from the
day after the previous renewal through the renewal day. Without a licence on file, hours
are totalled per calendar year.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Final

CE_CATEGORIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "clinical": "clinical practice",
        "ethics": "ethics",
        "cultural_competence": "cultural competence and diversity",
        "law": "law and regulation",
        "risk": "suicide and risk",
        "supervision": "supervision",
        "self_care": "self-care and wellbeing",
        "other": "other",
    }
)
DEFAULT_PERIOD_MONTHS: Final = 24
# Certifications expiring within this many days are shown as a reminder, and those that
# expired within the last `EXPIRED_SHOWN_DAYS`.
EXPIRING_WITHIN_DAYS: Final = 90
EXPIRED_SHOWN_DAYS: Final = 90


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Period:
    """A span of days, both ends included, that CE hours are totalled in."""

    start: date
    end: date
    current: bool

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def licence_periods(
    renews_on: date | None, period_months: int, today: date, *, count: int = 2
) -> list[Period]:
    """The current period and the `count - 1` before it, newest first: of the licence when a
    renewal day is known (a renewal already past rolls forward), else calendar years."""
    if renews_on is None:
        return [
            Period(date(year, 1, 1), date(year, 12, 31), year == today.year)
            for year in range(today.year, today.year - count, -1)
        ]
    months = max(1, period_months)
    end = renews_on
    while end < today:
        end = months_before(end, -months)
    while months_before(end, months) >= today:
        end = months_before(end, months)
    out = []
    for number in range(count):
        start = months_before(end, months) + timedelta(days=1)
        out.append(Period(start, end, number == 0))
        end = start - timedelta(days=1)
    return out


@dataclass(frozen=True, slots=True)
class CeHours:
    """A CE entry as the totals read it."""

    day: date
    hours: float
    category: str


@dataclass(frozen=True, slots=True)
class PeriodTotal:
    period: Period
    hours: float
    by_category: tuple[tuple[str, float], ...]  # in `CE_CATEGORIES` order, non-zero only


def period_totals(entries: Iterable[CeHours], periods: Iterable[Period]) -> list[PeriodTotal]:
    """Hours per period, in all and per category."""
    listed = list(entries)
    out = []
    for period in periods:
        within = [entry for entry in listed if period.holds(entry.day)]
        by_category = {
            category: sum(entry.hours for entry in within if entry.category == category)
            for category in CE_CATEGORIES
        }
        out.append(
            PeriodTotal(
                period,
                sum(entry.hours for entry in within),
                tuple((code, hours) for code, hours in by_category.items() if hours > 0),
            )
        )
    return out


def expiry_note(expires_on: date | None, today: date) -> str | None:
    """How a certification's expiry reads from `today`: `expired` (within the last
    `EXPIRED_SHOWN_DAYS`), `expiring` (within `EXPIRING_WITHIN_DAYS`), else None."""
    if expires_on is None:
        return None
    if expires_on < today:
        return "expired" if (today - expires_on).days <= EXPIRED_SHOWN_DAYS else None
    if (expires_on - today).days <= EXPIRING_WITHIN_DAYS:
        return "expiring"
    return None
