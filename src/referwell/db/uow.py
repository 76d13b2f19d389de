"""The unit of work: one transaction that rolls back unless `commit()` is called, and the
repositories of the queries the use cases share."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session

from referwell.db.repositories import Practices, Staff


class UnitOfWork:
    """A context manager around one session; leaving it rolls back whatever was not committed.

        with UnitOfWork(session_factory) as uow:
            uow.session.add(...)
            uow.commit()

    A service takes a `UnitOfWork` and decides itself when to commit; an
    exception, or simply forgetting, leaves the database as it was. Inside the
    block, `practices` and `staff` answer the queries several use cases share.
    """

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

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
        self._session = self._session_factory()
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
            session.close()

    def commit(self) -> None:
        """Make everything done so far in this unit permanent."""
        self.session.commit()

    def rollback(self) -> None:
        """Undo everything not yet committed; the unit stays usable."""
        self.session.rollback()
