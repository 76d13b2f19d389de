"""What a refused form says, in the form's own terms.

The validator names a field by its path in the case format and says what the
format wants (`measures[3].items[1]: GAD-7 item 2 takes a whole number…`, `… is
after as_of …`); the CLI and the JSON API show exactly that. A form on a page
speaks of itself: "Item 2 of the GAD-7 is missing", "This date is after today".
Each error is worded from its kind and details (`domain.errors`), never by
rewriting the validator's message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from referwell.domain.errors import (
    AFTER_AS_OF,
    BEFORE_EPISODE,
    EMPTY,
    ITEM_COUNT,
    MISSING,
    NOT_A_DATE,
    OUT_OF_RANGE,
    SAME_DAY_AGAIN,
    TOO_FAR_BACK,
    TOO_LONG,
    UNKNOWN_CODE,
    WRONG_TYPE,
    FieldError,
)
from referwell.domain.phrases import day_words

_ITEM: Final = re.compile(r"items\[(\d+)\]")

# What each field of the forms is called, as its label says it (the key is the error's
# path inside the new entry; "" is an entry that is a bare code, by its form).
FIELD_NAMES: Final = {
    "date": "the date",
    "attendance": "the attendance",
    "kind": "what happened",
    "discussed": "whether it was discussed",
    "status": "the goal's status",
    "description": "the goal",
    "step": "the step",
    "instrument": "the questionnaire",
    "reason": "the reason",
    "display_name": "the client's name",
    "case_id": "the case id",
    "clinician_id": "the clinician",
    "client.age": "the client's age",
    "client.languages": "the languages",
    "client.postal_code": "the postal code",
    "client.insurance": "the insurance",
    "format_of_care": "the format of care",
    "concerns": "the concerns",
}
# Fields typed rather than chosen: a missing one is given, not chosen.
_GIVEN: Final = frozenset(
    {"date", "description", "reason", "display_name", "case_id", "client.age", "client.postal_code"}
)
BARE_CODES: Final = {
    "clinician_factors": "what you notice in yourself",
    "considering_referral_because": "a reason",
    "steps_taken": "the step",
}


def form_message(section: str, local: str, error: FieldError) -> str:
    """`error` (at `local`, the path inside the new entry of `section`) as the form says it."""
    detail = error.detail
    item = _ITEM.fullmatch(local)
    if item is not None:
        number = int(item.group(1)) + 1
        instrument = detail.get("instrument", "questionnaire")
        if error.kind == MISSING:
            return f"Item {number} of the {instrument} is missing: choose an answer."
        if error.kind in (WRONG_TYPE, OUT_OF_RANGE):
            return (
                f"Item {number} of the {instrument} takes an answer from "
                f"{detail.get('low', 0)} to {detail.get('high')}."
            )
    if error.kind == ITEM_COUNT:
        return f"Answer all {detail.get('count')} items of the {detail.get('instrument')}."
    name = BARE_CODES.get(section, "this") if local == "" else FIELD_NAMES.get(local, "this")
    if local == "discussed" and error.kind in (WRONG_TYPE, MISSING):
        return "Tick the box if it was discussed with the client, or leave it clear."
    if error.kind == AFTER_AS_OF:
        return "This date is after today: give today's date or an earlier one."
    if error.kind == BEFORE_EPISODE:
        opened = detail.get("opened_on")
        since = day_words(opened) if opened else "the episode opened"
        return f"This date is before this episode of care began ({since}): give {since} or later."
    if error.kind == TOO_FAR_BACK:
        earliest = detail.get("earliest")
        return (
            "This date is more than a year back"
            + (f" (before {day_words(earliest)})" if earliest else "")
            + ": older paper records come in through an import."
        )
    if error.kind == SAME_DAY_AGAIN:
        day = detail.get("day")
        return (
            f"A {detail.get('instrument', 'questionnaire')} is already recorded on "
            f"{day_words(day) if day else 'this day'}. Was a second one really given that day? "
            "If so, tick the box to confirm and save again."
        )
    if error.kind == NOT_A_DATE:
        return "This is not a date: give the day, the month and the year."
    if error.kind == MISSING:
        return f"Give {name}." if local in _GIVEN else f"Choose {name}."
    if error.kind == UNKNOWN_CODE:
        return f"Choose {name} from the list."
    if error.kind == EMPTY:
        return f"{name.capitalize()} is empty: write it, or leave the field out."
    if error.kind == TOO_LONG:
        return f"This is {detail.get('length')} characters long: keep it to {detail.get('most')}."
    if error.kind == WRONG_TYPE:
        return f"Choose or give {name} again."
    return error.message


def form_errors(errors: Iterable[FieldError], section: str = "") -> dict[str, list[str]]:
    """Errors of a form that is not an entry of the case (a correction, a discharge, a new
    client), by field path, each in the form's words."""
    worded: dict[str, list[str]] = {}
    for error in errors:
        worded.setdefault(error.path, []).append(form_message(section, error.path, error))
    return worded
