"""What a date entered by hand may be: the rules the forms and the API apply to a new entry.

A case file may hold any history the case format allows (older paper records
come in through import). An entry added to a record by hand belongs to the
client's current episode of care: not after today, not before the episode
opened, and not more than a year back.
"""

from __future__ import annotations

from datetime import date

from referwell.domain.errors import AFTER_AS_OF, BEFORE_EPISODE, TOO_FAR_BACK, FieldError
from referwell.domain.phrases import day_words


def one_year_before(today: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def check_entry_day(
    on: date, *, today: date, opened_on: date | None, path: str = "date"
) -> FieldError | None:
    """The problem with `on` as the date of a new entry of the record, or None."""
    if on > today:
        return FieldError(
            path,
            f"{on.isoformat()} is after today ({today.isoformat()}): give today or an earlier day",
            kind=AFTER_AS_OF,
            detail={"as_of": today},
        )
    earliest = one_year_before(today)
    if on < earliest:
        return FieldError(
            path,
            f"{on.isoformat()} is more than a year back (before {earliest.isoformat()}); "
            "older records come in through `referwell import`",
            kind=TOO_FAR_BACK,
            detail={"earliest": earliest},
        )
    if opened_on is not None and on < opened_on:
        return FieldError(
            path,
            f"{on.isoformat()} is before this episode of care opened on {day_words(opened_on)} "
            f"({opened_on.isoformat()}): give a day from then on",
            kind=BEFORE_EPISODE,
            detail={"opened_on": opened_on},
        )
    return None
