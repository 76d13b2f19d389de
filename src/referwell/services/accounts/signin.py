"""Use cases: signing in and out (password, session, API token).

Passwords are kept as Argon2id hashes (argon2-cffi); a hash made with weaker
parameters than the hasher's is replaced at the next sign-in. Signing in
starts a session kept on the server (`sessions`), under a new random id;
failed sign-ins are throttled per account name and per client address
(`throttle`). Signing in, failing to, being refused unheard and signing out
are audited. An API token opens nothing once revoked or expired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.models import ApiToken, User
from referwell.db.uow import UnitOfWork
from referwell.services.accounts import throttle
from referwell.services.accounts.sessions import SessionPolicy, end_session, start_session
from referwell.services.accounts.throttle import ThrottlePolicy
from referwell.services.auditing import audit_write
from referwell.services.errors import LoginFailed, SignInThrottled
from referwell.services.permissions import SYSTEM, Person
from referwell.services.tokens import token_digest

# A token's use is noted at most this often: a write per API call would be a write per read.
TOKEN_USE_RESOLUTION: Final = timedelta(minutes=5)


def default_hasher() -> PasswordHasher:
    """Argon2id with argon2-cffi's recommended parameters (RFC 9106, low-memory profile)."""
    return PasswordHasher()


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash("no such user: the time taken must not tell")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A successful sign-in: the actor, and the new session's id (for the cookie only)."""

    actor: Person
    session_secret: str = field(repr=False)


def sign_in(
    uow: UnitOfWork,
    username: str,
    password: str,
    *,
    hasher: PasswordHasher,
    address: str | None = None,
    now: datetime | None = None,
    throttling: ThrottlePolicy | None = None,
    sessions: SessionPolicy | None = None,
) -> SignedIn:
    """Check a username and password and start a session.

    Raises `SignInThrottled` when too many failures under this name or from this
    `address` hold the attempt back (the password is not checked), and
    `LoginFailed` without saying whether the name or the password was wrong;
    an unknown name costs the same hashing and counts like a known one.
    """
    now = now or utcnow()
    throttling = throttling or ThrottlePolicy()
    keys = {throttle.ACCOUNT: throttle.account_key(username)}
    if address:
        keys[throttle.ADDRESS] = throttle.address_key(address)
    # First a short transaction that only reads (unless the attempt is held back): the
    # password is hashed outside every transaction, so that on SQLite no sign-in holds the
    # write lock while Argon2 works and fifty sign-ins at once do not queue behind it.
    with uow:
        user = uow.session.scalar(select(User).where(User.username == username.strip()))
        user_id = user.id if user is not None else None
        stored_hash = user.password_hash if user is not None else None
        _refuse_if_held(uow, keys, user, now, throttling)
    try:
        hasher.verify(
            stored_hash or _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism),
            password,
        )
        verified = stored_hash is not None
    except (VerificationError, InvalidHashError):
        verified = False
    with uow:
        session = uow.session
        user = session.get(User, user_id) if user_id is not None else None
        if user is not None and user.password_hash != stored_hash:
            verified = False  # the password changed while it was being checked
        if user is None or not verified or not user.active:
            # The account named, when there is one (the attempt was not theirs until it
            # succeeds); else referwell itself notes that nobody was found.
            who = Person.from_user(user) if user is not None else SYSTEM
            targets = [user.id] if user is not None else []
            audit_write(
                session, who, AuditAction.LOGIN_FAILED, target_type="user", target_ids=targets
            )
            for scope, key in keys.items():
                if throttle.note_failure(session, scope, key, now, throttling):
                    audit_write(
                        session,
                        SYSTEM,
                        AuditAction.SIGN_IN_LOCK,
                        target_type="user" if scope == throttle.ACCOUNT else scope,
                        target_ids=targets if scope == throttle.ACCOUNT else [],
                    )
            uow.commit()
            raise LoginFailed("wrong username or password")
        # Failures noted by attempts running alongside this one count too: a right
        # password does not open an account that was locked while it was being checked.
        _refuse_if_held(uow, keys, user, now, throttling)
        if stored_hash is not None and hasher.check_needs_rehash(stored_hash):
            user.password_hash = hasher.hash(password)
        actor = Person.from_user(user)
        audit_write(session, actor, AuditAction.LOGIN, target_type="user", target_ids=[user.id])
        throttle.forget(session, throttle.ACCOUNT, keys[throttle.ACCOUNT])
        throttle.prune(session, now)
        secret = start_session(session, user, now, sessions or SessionPolicy())
        uow.commit()
    return SignedIn(actor, secret)


def _refuse_if_held(
    uow: UnitOfWork,
    keys: dict[str, str],
    user: User | None,
    now: datetime,
    throttling: ThrottlePolicy,
) -> None:
    """Raise `SignInThrottled` (audited, committed) when failures hold this attempt back."""
    held = throttle.refusal(uow.session, keys, now, throttling)
    if held is None:
        return
    audit_write(
        uow.session,
        Person.from_user(user) if user is not None else SYSTEM,
        AuditAction.LOGIN_THROTTLED,
        target_type="user",
        target_ids=[user.id] if user is not None else [],
    )
    uow.commit()
    raise SignInThrottled(held.seconds_left(now), locked=held.locked)


def sign_out(uow: UnitOfWork, actor: Person, session_id: int | None = None) -> None:
    """Sign out: the session `session_id` (the one asking) ends, audited."""
    end_session(uow, actor, session_id)


def actor_for_token(session: Session, secret: str, *, now: datetime | None = None) -> Person | None:
    """The person a personal API token acts for (an `api_token` actor), if the token is live
    and the user active.

    Notes when the token was used (at most every few minutes); the caller commits.
    """
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_digest(secret))
    ).one_or_none()
    if row is None:
        return None
    token, user = row
    now = now or utcnow()
    if token.revoked_at is not None or token.expires_at <= now or not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        token.last_used_at = now
    return Person.from_user(user, token_id=token.id)


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    """An Argon2id hash of `password`, for seeding users outside the admin pages."""
    return (hasher or default_hasher()).hash(password)
