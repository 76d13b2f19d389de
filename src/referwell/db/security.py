"""Signing in: the sessions kept on the server, and the counts of failed sign-ins.

A `WebSession` is one signed-in browser: the cookie carries a random id, the
table only its SHA-256, so a copy of the table opens nothing. A session ends
when its row goes (signing out, "sign out everywhere", a new password, the
user deactivated) or when it is too old or idle too long (the service decides
which rows are live; expired rows are pruned at sign-in).

A `SignInThrottle` counts the failed sign-ins of one account name (as typed:
known or not) or one client address, each kept as a SHA-256 of its key, never
in clear.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from referwell.db.base import Base, one_of, utcnow

THROTTLE_SCOPES = ("account", "address")


class WebSession(Base):
    """A signed-in session of the web app: whose, since when, last seen when."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The SHA-256 of the session's random id (the cookie holds the id itself).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the session remembers of the user's password hash: a new password ends it,
    # however the password was changed.
    password_fingerprint: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written at most once a minute, not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInThrottle(Base):
    """Failed sign-ins of one account name or one address, and what they hold back."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (
        CheckConstraint(one_of("scope", THROTTLE_SCOPES), name="scope"),
        UniqueConstraint("scope", "key_hash"),
        Index(None, "last_failure_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the account name as typed (folded to lower case) or of the address.
    key_hash: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    # No attempt is heard before this (the growing delay); None: no delay.
    retry_at: Mapped[datetime | None]
    # Locked: no attempt is heard before this, the right password neither.
    locked_until: Mapped[datetime | None]
