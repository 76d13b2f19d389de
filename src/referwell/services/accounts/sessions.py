"""Use cases: the sessions of the web app, kept on the server.

A session is a random id (256 bits) the browser holds in its cookie; the
database keeps only the id's SHA-256, the user, when it started and when it
was last seen. It is live while the user is active with the password it was
started under, for at most `SessionPolicy.lifetime` after sign-in and
`SessionPolicy.idle` after it was last seen. The last-seen time is written at
most once every `SEEN_RESOLUTION` (not on every request), so a session may end
up to that much before its idle time is quite up.

Signing out ends the session (its row goes); "sign out everywhere", a new
password and deactivation end all of a user's sessions. A copy of the cookie
made before then opens nothing after.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.models import User
from referwell.db.security import WebSession
from referwell.db.uow import UnitOfWork
from referwell.services.auditing import audit_write
from referwell.services.permissions import Permission, Person, require_person
from referwell.services.tokens import new_token, token_digest

SEEN_RESOLUTION: Final = timedelta(minutes=1)
SESSION_LIFETIME: Final = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a session lives: at most `lifetime` after sign-in, `idle` after last seen."""

    idle: timedelta = timedelta(minutes=15)
    lifetime: timedelta = SESSION_LIFETIME


@dataclass(frozen=True, slots=True)
class LiveSession:
    """The session a request presented, found live: whose, which row, and whether it is
    time to note that it was seen."""

    actor: Person
    session_id: int
    due_seen: bool


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One of a user's live sessions, as the profile lists them."""

    session_id: int
    started_at: datetime
    last_seen_at: datetime
    current: bool


def password_fingerprint(password_hash: str | None) -> str:
    """What a session remembers of the password hash: changes when the password does."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:32]


def _live(now: datetime, policy: SessionPolicy) -> tuple[ColumnElement[bool], ...]:
    return (
        WebSession.started_at > now - policy.lifetime,
        WebSession.last_seen_at > now - policy.idle,
    )


def start_session(session: Session, user: User, now: datetime, policy: SessionPolicy) -> str:
    """A new session for `user` (a fresh random id, never one the browser brought); returns
    the id for the cookie. Sessions expired by now, anyone's, are pruned."""
    session.execute(
        delete(WebSession).where(
            or_(
                WebSession.started_at <= now - policy.lifetime,
                WebSession.last_seen_at <= now - policy.idle,
            )
        )
    )
    secret = new_token()
    session.add(
        WebSession(
            user_id=user.id,
            token_hash=token_digest(secret),
            password_fingerprint=password_fingerprint(user.password_hash),
            started_at=now,
            last_seen_at=now,
        )
    )
    return secret


def session_actor(
    session: Session, secret: str, *, now: datetime, policy: SessionPolicy
) -> LiveSession | None:
    """The person a session id stands for, if the session is live; None otherwise."""
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_digest(secret), *_live(now, policy))
    ).one_or_none()
    if row is None:
        return None
    found, user = row
    if (
        not user.active
        or user.password_hash is None
        or password_fingerprint(user.password_hash) != found.password_fingerprint
    ):
        return None
    return LiveSession(
        actor=Person.from_user(user),
        session_id=found.id,
        due_seen=now - found.last_seen_at >= SEEN_RESOLUTION,
    )


def note_seen(uow: UnitOfWork, session_id: int, now: datetime) -> None:
    """Note that a session was seen now (its idle time starts again). Worth a try, never a
    refusal: a database busy elsewhere just leaves it for the next request."""
    try:
        with uow:
            uow.session.execute(
                update(WebSession)
                .where(
                    WebSession.id == session_id,
                    WebSession.last_seen_at <= now - SEEN_RESOLUTION,
                )
                .values(last_seen_at=now)
            )
            uow.commit()
    except OperationalError:
        pass


def end_session(uow: UnitOfWork, actor: Person, session_id: int | None) -> None:
    """Sign out: end this session of the actor's, audited."""
    with uow:
        if session_id is not None:
            uow.session.execute(
                delete(WebSession).where(
                    WebSession.id == session_id, WebSession.user_id == actor.user_id
                )
            )
        audit_write(
            uow.session,
            actor,
            AuditAction.LOGOUT,
            target_type="user",
            target_ids=[actor.user_id],
        )
        uow.commit()


def end_user_sessions(session: Session, by: Person, user_id: int) -> int:
    """End every session of a user (in the caller's transaction), audited when there were
    any; how many ended."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    ended = int(getattr(result, "rowcount", 0) or 0)
    if ended:
        audit_write(session, by, AuditAction.SESSIONS_END, target_type="user", target_ids=[user_id])
    return ended


def end_all_sessions(uow: UnitOfWork, actor: Person) -> int:
    """Sign out everywhere: end every session of the actor's, this one too."""
    person = require_person(actor, Permission.SIGNED_IN)
    with uow:
        ended = end_user_sessions(uow.session, person, person.user_id)
        uow.commit()
    return ended


def own_sessions(
    uow: UnitOfWork,
    actor: Person,
    *,
    now: datetime,
    policy: SessionPolicy,
    current: int | None = None,
) -> list[SessionSummary]:
    """The actor's live sessions, newest first; `current` marks the one asking."""
    person = require_person(actor, Permission.SIGNED_IN)
    with uow:
        rows = uow.session.scalars(
            select(WebSession)
            .where(WebSession.user_id == person.user_id, *_live(now, policy))
            .order_by(WebSession.started_at.desc(), WebSession.id.desc())
        )
        return [
            SessionSummary(
                session_id=row.id,
                started_at=row.started_at,
                last_seen_at=row.last_seen_at,
                current=row.id == current,
            )
            for row in rows
        ]
