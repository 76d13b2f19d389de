"""Record ids: every table numbers its rows with an `integer` (up to 2**31 - 1 on PostgreSQL).

A number outside that range names no record; asking the database for it would
be an error there (PostgreSQL: "integer out of range"; SQLite: beyond 64 bits,
Python's OverflowError), so it is answered as a record that does not exist.
"""

from __future__ import annotations

import re
from typing import Any, Final

MAX_RECORD_ID: Final = 2**31 - 1
_DIGITS: Final = re.compile(r"[0-9]{1,20}")  # ASCII digits only: "²" and "١٢" are no ids


def record_id(value: Any) -> int | None:
    """`value` (an int, or a string of ASCII digits, blanks around it allowed) as a record
    id; None when it is not one or cannot be one (negative, or beyond MAX_RECORD_ID)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 <= number <= MAX_RECORD_ID else None
