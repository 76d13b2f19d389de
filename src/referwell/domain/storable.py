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


def first_unstorable(document: object, path: str = "") -> tuple[str, str] | None:
    """In a parsed JSON document, the path (`entry[2].resource.name[0].text`) and the
    problem of the first key or string a database cannot store; None when there is none."""
    if isinstance(document, str):
        why = unstorable(document)
        return (path or "(body)", why) if why is not None else None
    if isinstance(document, dict):
        for key, value in document.items():
            where = f"{path}.{escaped(str(key))}" if path else escaped(str(key))
            if (why := unstorable(str(key))) is not None:
                return where, f"has a key that {why}"
            if (found := first_unstorable(value, where)) is not None:
                return found
    elif isinstance(document, list):
        for index, value in enumerate(document):
            if (found := first_unstorable(value, f"{path}[{index}]")) is not None:
                return found
    return None
