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
from typing import Final

from referwell.domain.errors import (
    AFTER_AS_OF,
    EMPTY,
    ITEM_COUNT,
    MISSING,
    NOT_A_DATE,
    OUT_OF_RANGE,
    TOO_LONG,
    UNKNOWN_CODE,
    WRONG_TYPE,
    FieldError,
)

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
}
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
    if error.kind == NOT_A_DATE:
        return "This is not a date: give the day, the month and the year."
    if error.kind == MISSING:
        return f"Give {name}." if local in ("date", "description") else f"Choose {name}."
    if error.kind == UNKNOWN_CODE:
        return f"Choose {name} from the list."
    if error.kind == EMPTY:
        return f"{name.capitalize()} is empty: write it, or leave the field out."
    if error.kind == TOO_LONG:
        return f"This is {detail.get('length')} characters long: keep it to {detail.get('most')}."
    if error.kind == WRONG_TYPE:
        return f"Choose or give {name} again."
    return error.message
