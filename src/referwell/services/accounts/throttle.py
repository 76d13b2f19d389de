"""Sign-in throttling: a growing delay, then a lockout, per account name and per client address.

Every failed sign-in counts against the account name as typed (folded to lower
case; known or not: an unknown name is throttled exactly like a known one, so
no answer tells which names exist) and against the client's address. From the
`DELAY_FROM`th failure on, the next attempt is heard only after a delay that
doubles with each failure (1 s, 2 s, 4 s …, at most `MAX_DELAY`); at the
policy's number of failures the name (or address) is locked for the policy's
`lockout`. An attempt made before then is refused unheard: its password is not
checked (the right one is refused too) and it counts as no failure. referwell
never sleeps on an attempt (a worker asleep is a worker the attacker holds): it
answers at once, saying when to try again.

A success forgets the account's failures, not the address's. An account's
failures are forgotten `ACCOUNT_MEMORY` after the last one (so a lock that ran
out is back at the next failure); an address's after `lockout` without one (a
practice behind one address is not locked out by a week of typos). Only
SHA-256 digests of names and addresses are stored.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.security import SignInThrottle
from referwell.db.uow import UnitOfWork
from referwell.services.auditing import audit_write
from referwell.services.permissions import Person, practice_user

ACCOUNT: Final = "account"
ADDRESS: Final = "address"
# The failure from which each next attempt must wait: a typo or two costs nothing.
DELAY_FROM: Final = {ACCOUNT: 3, ADDRESS: 10}
MAX_DELAY: Final = timedelta(seconds=60)
ACCOUNT_MEMORY: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures lock an account name, and an address; how long a lock lasts."""

    failures_per_account: int = 10
    failures_per_address: int = 50
    lockout: timedelta = timedelta(minutes=15)

    def limit(self, scope: str) -> int:
        return self.failures_per_account if scope == ACCOUNT else self.failures_per_address

    def memory(self, scope: str) -> timedelta:
        return ACCOUNT_MEMORY if scope == ACCOUNT else self.lockout


@dataclass(frozen=True, slots=True)
class Refusal:
    """An attempt refused unheard: no attempt is heard before `retry_at`; `locked` when a
    lockout (not a delay) holds it."""

    retry_at: datetime
    locked: bool

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds to wait, at least 1 (for `Retry-After`)."""
        return max(1, math.ceil((self.retry_at - now).total_seconds()))


def delay_after(failures: int, scope: str) -> timedelta:
    """How long the next attempt waits after `failures` failures in a row."""
    past = failures - DELAY_FROM[scope]
    if past < 0:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(past, 16)), MAX_DELAY)


def account_key(username: str) -> str:
    """The digest an account name is counted under: as typed, trimmed, lower case."""
    return hashlib.sha256(f"{ACCOUNT}:{username.strip().casefold()}".encode()).hexdigest()


def address_key(address: str) -> str:
    return hashlib.sha256(f"{ADDRESS}:{address}".encode()).hexdigest()


def _row(session: Session, scope: str, key: str) -> SignInThrottle | None:
    return session.scalar(
        select(SignInThrottle)
        .where(SignInThrottle.scope == scope, SignInThrottle.key_hash == key)
        .with_for_update()
    )


def _live(row: SignInThrottle | None, now: datetime, policy: ThrottlePolicy) -> bool:
    """Whether the row's failures still count."""
    if row is None:
        return False
    if row.locked_until is not None and row.locked_until > now:
        return True
    return now - row.last_failure_at < policy.memory(row.scope)


def refusal(
    session: Session, keys: dict[str, str], now: datetime, policy: ThrottlePolicy
) -> Refusal | None:
    """Whether an attempt under these keys (by scope) is to be refused unheard, now."""
    found: list[Refusal] = []
    for scope, key in keys.items():
        row = _row(session, scope, key)
        if row is None or not _live(row, now, policy):
            continue
        if row.locked_until is not None and row.locked_until > now:
            found.append(Refusal(row.locked_until, locked=True))
        elif row.retry_at is not None and row.retry_at > now:
            found.append(Refusal(row.retry_at, locked=False))
    if not found:
        return None
    return Refusal(max(r.retry_at for r in found), locked=any(r.locked for r in found))


def note_failure(
    session: Session, scope: str, key: str, now: datetime, policy: ThrottlePolicy
) -> bool:
    """Count a failed attempt; True when it locks the key now."""
    row = _row(session, scope, key)
    if row is None:
        row = SignInThrottle(scope=scope, key_hash=key, failures=0, last_failure_at=now)
        try:
            with session.begin_nested():  # another attempt may have made it meanwhile
                session.add(row)
        except IntegrityError:
            row = _row(session, scope, key)
            assert row is not None  # noqa: S101 - the conflicting row exists
    if not _live(row, now, policy):
        row.failures = 0
        row.locked_until = None
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= policy.limit(scope):
        row.locked_until = row.retry_at = now + policy.lockout
        return True
    delay = delay_after(row.failures, scope)
    row.retry_at = now + delay if delay else None
    return False


def forget(session: Session, scope: str, key: str) -> bool:
    """Forget the failures of a key; True when there were any."""
    result = session.execute(
        delete(SignInThrottle).where(SignInThrottle.scope == scope, SignInThrottle.key_hash == key)
    )
    return bool(getattr(result, "rowcount", 0))


def prune(session: Session, now: datetime) -> None:
    """Drop the rows no policy remembers any more (a lock lasts at most a day)."""
    session.execute(
        delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - ACCOUNT_MEMORY)
    )


@dataclass(frozen=True, slots=True)
class AccountThrottle:
    """A user's failed sign-ins as the admin sees them."""

    failures: int
    locked_until: datetime | None
    retry_at: datetime | None


def account_throttle(
    uow: UnitOfWork, actor: Person, user_id: int, *, now: datetime, policy: ThrottlePolicy
) -> AccountThrottle | None:
    """The failed sign-ins under a user's name that still count; None when there are none."""
    with uow:
        user = practice_user(uow.session, actor, user_id)
        row = uow.session.scalar(
            select(SignInThrottle).where(
                SignInThrottle.scope == ACCOUNT,
                SignInThrottle.key_hash == account_key(user.username),
            )
        )
        if row is None or not _live(row, now, policy):
            return None
        return AccountThrottle(
            failures=row.failures,
            locked_until=row.locked_until if row.locked_until and row.locked_until > now else None,
            retry_at=row.retry_at if row.retry_at and row.retry_at > now else None,
        )


def unlock_account(uow: UnitOfWork, actor: Person, user_id: int) -> None:
    """Forget the failed sign-ins under a user's name (an admin's unlock), audited."""
    with uow:
        session = uow.session
        user = practice_user(session, actor, user_id)
        forget(session, ACCOUNT, account_key(user.username))
        audit_write(
            session, actor, AuditAction.SIGN_IN_UNLOCK, target_type="user", target_ids=[user.id]
        )
        uow.commit()
