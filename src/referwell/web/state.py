"""What the running app holds: configuration, database, read-audit queue, clock, templates,
the API's rate limiter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import jinja2
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from referwell.config import AppConfig
from referwell.db.uow import UnitOfWork, WriteGate
from referwell.services.accounts.sessions import SessionPolicy
from referwell.services.accounts.throttle import ThrottlePolicy
from referwell.services.auditing import ReadAuditLog
from referwell.web.ratelimit import RateLimiter


@dataclass
class WebState:
    config: AppConfig
    engine: Engine
    session_factory: sessionmaker[Session]
    write_session_factory: sessionmaker[Session]
    reads: ReadAuditLog
    clock: Callable[[], date]
    hasher: PasswordHasher
    templates: jinja2.Environment
    api_limiter: RateLimiter
    # On SQLite, the process's queue for write transactions (None on PostgreSQL).
    write_gate: WriteGate | None = None

    @property
    def session_policy(self) -> SessionPolicy:
        """How long a signed-in session lives (the idle time is a setting)."""
        return SessionPolicy(idle=timedelta(minutes=self.config.session_idle_minutes))

    @property
    def throttle_policy(self) -> ThrottlePolicy:
        """When failed sign-ins lock an account name or an address, and for how long."""
        return ThrottlePolicy(
            failures_per_account=self.config.sign_in_failures_per_account,
            failures_per_address=self.config.sign_in_failures_per_address,
            lockout=timedelta(minutes=self.config.sign_in_lockout_minutes),
        )

    def uow(self) -> UnitOfWork:
        """A unit of work for reading."""
        return UnitOfWork(self.session_factory)

    def write_uow(self) -> UnitOfWork:
        """A unit of work for writing: on SQLite its transactions take the write lock at once."""
        return UnitOfWork(self.write_session_factory, self.write_gate)

    def today(self) -> date:
        return self.clock()


def web_state(connection: HTTPConnection) -> WebState:
    state: WebState = connection.app.state.web
    return state
