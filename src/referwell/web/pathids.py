"""Record ids in paths: `{client_id:id}` takes a whole number a record id can be, and nothing
else.

Records are numbered by the databases' `integer` (PostgreSQL's holds up to
2**31 - 1), so a longer or larger number names a record that cannot exist:
its address is a page that does not exist (404, in the JSON error shape on
`/api/`), never a database error, and Python never converts a number of
thousands of digits.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

from referwell.db.ids import MAX_RECORD_ID


def not_above(limit: int) -> str:
    """A regular expression matching the decimal numbers from 0 to `limit` (leading zeros
    allowed), and no other text."""
    digits = str(limit)
    count = len(digits)
    options = [f"[0-9]{{1,{count - 1}}}"] if count > 1 else []
    for place, digit in enumerate(digits):
        if digit != "0":
            rest = count - place - 1
            options.append(
                digits[:place] + f"[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else "")
            )
    options.append(digits)
    return "0*(?:" + "|".join(options) + ")"


class RecordId(Convertor[int]):
    """The `id` path convertor: a number from 0 to MAX_RECORD_ID, as an int."""

    regex = not_above(MAX_RECORD_ID)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        if not 0 <= value <= MAX_RECORD_ID:
            raise ValueError(f"a record id is from 0 to {MAX_RECORD_ID}; got {value}")
        return str(value)


def register_record_ids() -> None:
    """Make `{name:id}` known to the router (Starlette keeps convertors process-wide)."""
    register_url_convertor("id", RecordId())
