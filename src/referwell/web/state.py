"""What the running app holds: configuration, database, read-audit queue, clock, templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import jinja2
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from referwell.config import AppConfig
from referwell.db.uow import UnitOfWork
from referwell.services.auditing import ReadAuditLog


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

    def uow(self) -> UnitOfWork:
        """A unit of work for reading."""
        return UnitOfWork(self.session_factory)

    def write_uow(self) -> UnitOfWork:
        """A unit of work for writing: on SQLite its transactions take the write lock at once."""
        return UnitOfWork(self.write_session_factory)

    def today(self) -> date:
        return self.clock()


def web_state(connection: HTTPConnection) -> WebState:
    state: WebState = connection.app.state.web
    return state
