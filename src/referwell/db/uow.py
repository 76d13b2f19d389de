"""The unit of work: one transaction that rolls back unless `commit()` is called, and the
repositories of the queries the use cases share."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from referwell.db.repositories import Practices, Staff


class WriteGate:
    """A process's queue for write transactions on SQLite: one writer at a time per process.

    SQLite's own busy handler is no queue: each waiter sleeps and polls, so under a burst
    of writers from many threads an unlucky one can lose for the whole busy timeout. Behind
    this gate the threads of a process wait their turn on one lock (re-entrant, so a write
    unit of work opened inside another on the same thread passes), and only one writer per
    process contends for SQLite's lock. A turn not given within `timeout` seconds is the
    same "database is locked" as SQLite's own, answered 503 by the web app.
    """

    def __init__(self, timeout: float) -> None:
        self._lock = threading.RLock()
        self._timeout = timeout

    def enter(self) -> None:
        if not self._lock.acquire(timeout=self._timeout):
            raise OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            )

    def leave(self) -> None:
        self._lock.release()


class UnitOfWork:
    """A context manager around one session; leaving it rolls back whatever was not committed.

        with UnitOfWork(session_factory) as uow:
            uow.session.add(...)
            uow.commit()

    A service takes a `UnitOfWork` and decides itself when to commit; an
    exception, or simply forgetting, leaves the database as it was. Inside the
    block, `practices` and `staff` answer the queries several use cases share.
    """

    def __init__(
        self, session_factory: Callable[[], Session], gate: WriteGate | None = None
    ) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self._gate = gate

    @property
    def session(self) -> Session:
        """The session of the current `with` block."""
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session

    @property
    def practices(self) -> Practices:
        """The practices of this unit's session (their rule settings)."""
        return Practices(self.session)

    @property
    def staff(self) -> Staff:
        """The practice's people of this unit's session (who supervises whom)."""
        return Staff(self.session)

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("the unit of work is already in use")
        if self._gate is not None:
            self._gate.enter()
        try:
            self._session = self._session_factory()
        except BaseException:
            if self._gate is not None:
                self._gate.leave()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            session.rollback()
        finally:
            try:
                session.close()
            finally:
                if self._gate is not None:
                    self._gate.leave()

    def commit(self) -> None:
        """Make everything done so far in this unit permanent."""
        self.session.commit()

    def rollback(self) -> None:
        """Undo everything not yet committed; the unit stays usable."""
        self.session.rollback()
