"""Errors the use cases raise; `referwell.web.errors` turns each into one HTTP answer.

They carry data, never clinical content: an error may end up in a log line.
Invalid input is the domain's `InvalidInput` (field paths and messages).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class ServiceError(Exception):
    """Base of the errors a use case raises on purpose."""


class UnusableLink(ServiceError):  # noqa: N818 - named for what the holder is told
    """A link held without signing in that cannot be used now. `why` is a key of the
    subclass's `MESSAGES`; `message` says it to the holder in words, with what to do."""

    MESSAGES: ClassVar[Mapping[str, str]] = {}

    def __init__(self, why: str) -> None:
        super().__init__(self.MESSAGES[why])
        self.why = why
        self.message = self.MESSAGES[why]


class NotFound(ServiceError):  # noqa: N818 - named for what the actor is told
    """No such record, or one the actor may not see: the two are told apart to nobody."""

    def __init__(self, what: str, record_id: int | str | None = None) -> None:
        super().__init__(f"no {what} {record_id}" if record_id is not None else f"no {what}")
        self.what = what
        self.record_id = record_id


class Forbidden(ServiceError):  # noqa: N818 - named for what the actor is told
    """The actor may see this, but may not do it (a supervisor writing, a clinician administering)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotAuthenticated(ServiceError):  # noqa: N818 - named for what the actor is told
    """Nobody is signed in (or the session or token is no longer valid)."""


class LoginFailed(ServiceError):  # noqa: N818 - named for what the actor is told
    """The username or the password is wrong, or the account cannot sign in; which is not said."""


class SignInThrottled(ServiceError):  # noqa: N818 - named for what the actor is told
    """A sign-in refused unheard: too many failed attempts under this name or from this
    address; `retry_after` seconds to wait, `locked` when a lockout (not a delay) holds it.
    Unknown names are throttled exactly like known ones: it tells nobody which exist."""

    def __init__(self, retry_after: int, *, locked: bool) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after
        self.locked = locked


class Conflict(ServiceError):  # noqa: N818 - named for what the actor is told
    """The record changed since the actor read it (`expected` is the version they read,
    `current` the version now): nothing was written; read it again and redo the change."""

    def __init__(self, what: str, record_id: int, *, expected: int, current: int | None) -> None:
        super().__init__(
            f"{what} {record_id} changed since it was read (version {expected}, now "
            f"{current if current is not None else 'gone'}): read it again and redo the change"
        )
        self.what = what
        self.record_id = record_id
        self.expected = expected
        self.current = current
