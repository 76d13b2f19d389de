"""The unit of work commits only when told to; engines behave alike on both backends."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from referwell.db import migrate
from referwell.db.engine import for_writing, make_engine, make_session_factory
from referwell.db.models import Practice
from referwell.db.uow import UnitOfWork


@pytest.fixture
def fresh_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database of this test's own, at head: commits are real here."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _practice_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(Practice.name).order_by(Practice.id)))


def test_what_is_committed_is_seen_by_other_connections(fresh_engine: Engine) -> None:
    with UnitOfWork(make_session_factory(fresh_engine)) as uow:
        uow.session.add(Practice(name="Committed"))
        uow.commit()

    assert _practice_names(fresh_engine) == ["Committed"]


def test_leaving_without_commit_rolls_back(fresh_engine: Engine) -> None:
    with UnitOfWork(make_session_factory(fresh_engine)) as uow:
        uow.session.add(Practice(name="Forgotten"))
        uow.session.flush()

    assert _practice_names(fresh_engine) == []


def test_an_error_rolls_back_and_is_raised(fresh_engine: Engine) -> None:
    class SaveFailedError(Exception):
        pass

    def save_that_fails() -> None:
        with UnitOfWork(make_session_factory(fresh_engine)) as uow:
            uow.session.add(Practice(name="Half done"))
            uow.session.flush()
            raise SaveFailedError

    with pytest.raises(SaveFailedError):
        save_that_fails()

    assert _practice_names(fresh_engine) == []


def test_work_after_a_commit_is_rolled_back_unless_committed_too(
    session_factory: sessionmaker[Session],
) -> None:
    with UnitOfWork(session_factory) as uow:
        uow.session.add(Practice(name="First"))
        uow.commit()
        uow.session.add(Practice(name="Second"))

    with session_factory() as session:
        assert list(session.scalars(select(Practice.name))) == ["First"]


def test_rollback_undoes_and_the_unit_goes_on(session_factory: sessionmaker[Session]) -> None:
    with UnitOfWork(session_factory) as uow:
        uow.session.add(Practice(name="Undone"))
        uow.rollback()
        uow.session.add(Practice(name="Kept"))
        uow.commit()

    with session_factory() as session:
        assert list(session.scalars(select(Practice.name))) == ["Kept"]


def test_the_session_exists_only_inside_the_block(session_factory: sessionmaker[Session]) -> None:
    uow = UnitOfWork(session_factory)
    with pytest.raises(RuntimeError, match="outside"):
        _ = uow.session
    with uow:
        assert uow.session is not None
        with pytest.raises(RuntimeError, match="already"), uow:
            pass
    with pytest.raises(RuntimeError, match="outside"):
        _ = uow.session


def test_writers_wait_for_each_other_instead_of_failing(fresh_engine: Engine) -> None:
    """Two read-then-write transactions at once: the second waits its turn (SQLite's lock)."""
    factory = make_session_factory(for_writing(fresh_engine))
    with UnitOfWork(factory) as uow:
        uow.session.add(Practice(name="0"))
        uow.commit()
    both_read = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def increment() -> None:
        try:
            with UnitOfWork(factory) as uow:
                practice = uow.session.scalars(select(Practice)).one()
                # On SQLite the other one is still waiting to begin: the barrier breaks.
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_read.wait(timeout=0.5)
                practice.name = str(int(practice.name) + 1)
                uow.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=increment) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    if fresh_engine.dialect.name == "sqlite":
        assert errors == []
        assert _practice_names(fresh_engine) == ["2"]  # serialized: no lost update
    else:
        # PostgreSQL (read committed) lets both read; both writes land, and
        # the Client version counter is what catches such races (test_db_versions).
        assert errors == []
    with fresh_engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Practice)) == 1
