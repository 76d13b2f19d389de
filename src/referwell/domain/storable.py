"""Text a database can store: no NUL character, and no half of a UTF-16 surrogate pair.

PostgreSQL's text refuses NUL (SQLite would keep it silently), and a lone
surrogate is not a character at all, so it has no UTF-8 and cannot be written
to a database, a JSON answer or a terminal. Every entry point refuses both,
naming the field; every other character, control characters included, is
stored as given.
"""

from __future__ import annotations

import re
from typing import Final

_REFUSED: Final = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """What is wrong with `text` as a sentence's end ("contains …; remove it"); None when
    a database can store it."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "contains a NUL character (U+0000); remove it"
    return (
        f"contains U+{ord(char):04X}, half of a UTF-16 surrogate pair, which is not a "
        "character; remove it"
    )


def escaped(text: str) -> str:
    """`text` with NUL and lone surrogates written as `\\u0000` escapes, so that a message
    or a path quoting what was sent can itself be shown, printed and stored."""
    if _REFUSED.search(text) is None:
        return text
    return _REFUSED.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
