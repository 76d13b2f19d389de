"""Use cases: signing in and out (password, session, API token).

Passwords are kept as Argon2id hashes (argon2-cffi); a hash made with weaker
parameters than the hasher's is replaced at the next sign-in. A session names
the user and a fingerprint of their password hash, so changing the password
or deactivating the user ends every session. Signing in, and failing to, is
audited.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
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
from referwell.services.auditing import audit_write
from referwell.services.errors import LoginFailed
from referwell.services.permissions import SYSTEM, Person

# A token's use is noted at most this often: a write per API call would be a write per read.
TOKEN_USE_RESOLUTION: Final = timedelta(minutes=5)


def default_hasher() -> PasswordHasher:
    """Argon2id with argon2-cffi's recommended parameters (RFC 9106, low-memory profile)."""
    return PasswordHasher()


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash("no such user: the time taken must not tell")


def session_fingerprint(password_hash: str | None) -> str:
    """What a session remembers of the password hash: changes when the password does."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:32]


def token_digest(secret: str) -> str:
    """The SHA-256 an API token is stored as."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A successful sign-in: the actor, and the fingerprint the session keeps."""

    actor: Person
    fingerprint: str


def sign_in(uow: UnitOfWork, username: str, password: str, *, hasher: PasswordHasher) -> SignedIn:
    """Check a username and password; raise `LoginFailed` without saying which was wrong."""
    with uow:
        session = uow.session
        user = session.scalar(select(User).where(User.username == username.strip()))
        stored_hash = user.password_hash if user is not None else None
        try:
            hasher.verify(
                stored_hash
                or _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism),
                password,
            )
            verified = stored_hash is not None
        except (VerificationError, InvalidHashError):
            verified = False
        if user is None or not verified or not user.active:
            # The account named, when there is one (the attempt was not theirs until it
            # succeeds); else referwell itself notes that nobody was found.
            audit_write(
                session,
                Person.from_user(user) if user is not None else SYSTEM,
                AuditAction.LOGIN_FAILED,
                target_type="user",
                target_ids=[user.id] if user is not None else [],
            )
            uow.commit()
            raise LoginFailed("wrong username or password")
        if stored_hash is not None and hasher.check_needs_rehash(stored_hash):
            user.password_hash = hasher.hash(password)
        actor = Person.from_user(user)
        audit_write(session, actor, AuditAction.LOGIN, target_type="user", target_ids=[user.id])
        fingerprint = session_fingerprint(user.password_hash)
        uow.commit()
    return SignedIn(actor, fingerprint)


def sign_out(uow: UnitOfWork, actor: Person) -> None:
    """Audit the end of a session (the web layer forgets the session itself)."""
    with uow:
        audit_write(
            uow.session, actor, AuditAction.LOGOUT, target_type="user", target_ids=[actor.user_id]
        )
        uow.commit()


def actor_for_session(session: Session, user_id: int, fingerprint: str) -> Person | None:
    """The person (a `user` actor) a session names, if the user is still active with the same password."""
    user = session.get(User, user_id)
    if (
        user is None
        or not user.active
        or user.password_hash is None
        or session_fingerprint(user.password_hash) != fingerprint
    ):
        return None
    return Person.from_user(user)


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
    if token.revoked_at is not None or not user.active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        token.last_used_at = now
    return Person.from_user(user, token_id=token.id)


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    """An Argon2id hash of `password`, for seeding users outside the admin pages."""
    return (hasher or default_hasher()).hash(password)
