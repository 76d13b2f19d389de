"""Database fixtures: every test that asks for one runs on SQLite and on PostgreSQL.

- `backend`: "sqlite" or "postgres" (session-scoped parameter). The postgres
  runs are skipped, with the reason, unless `REFERWELL_TEST_POSTGRES_URL`
  names a server database; `make test` runs pytest through
  scripts/with-postgres.sh, which sets it.
- `database_url`: a new, empty database for this test only (a SQLite file in
  tmp_path; on PostgreSQL a database created for the test and dropped after).
  For tests that migrate or need real commits seen by other connections.
- `engine`: an engine on one database per backend and test process (xdist
  worker), migrated to head once.
- `connection`, `session_factory`, `session`, `uow`: bound to one connection
  of `engine` inside a transaction that is rolled back after the test; the
  code under test commits and rolls back savepoints within it, so tests see
  each other's data never and run without re-creating the schema.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from referwell.db import migrate
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Practice, User
from referwell.db.uow import UnitOfWork

POSTGRES_URL_ENV = "REFERWELL_TEST_POSTGRES_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not os.environ.get(POSTGRES_URL_ENV),
                reason=f"{POSTGRES_URL_ENV} is unset: run through scripts/with-postgres.sh "
                "(make test does) for the PostgreSQL runs",
            ),
        ],
    ),
]


class PostgresDatabases:
    """Creates and drops databases on the test server, named per test process."""

    def __init__(self, server_url: str) -> None:
        self._url = make_url(server_url)
        self._admin = make_engine(self._url).execution_options(isolation_level="AUTOCOMMIT")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        # Unique per instance: the module may be imported under two names (web tests import it).
        self._prefix = f"rw_{worker}_{os.getpid()}_{secrets.token_hex(3)}"
        self._numbers = itertools.count(1)
        self._made: list[str] = []

    def create(self) -> str:
        name = f"{self._prefix}_{next(self._numbers)}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self._made.append(name)
        return self._url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self._made:
            self._made.remove(name)

    def close(self) -> None:
        for name in list(self._made):
            self.drop(self._url.set(database=name).render_as_string(hide_password=False))
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    server_url = os.environ.get(POSTGRES_URL_ENV)
    if not server_url:
        pytest.skip(f"{POSTGRES_URL_ENV} is unset")
    databases = PostgresDatabases(server_url)
    yield databases
    databases.close()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _new_database(
    backend: str, directory: Path, request: pytest.FixtureRequest
) -> tuple[str, PostgresDatabases | None]:
    if backend == "sqlite":
        return f"sqlite:///{directory / 'referwell.sqlite3'}", None
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    return databases.create(), databases


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database for this test alone."""
    url, databases = _new_database(backend, tmp_path, request)
    yield url
    if databases is not None:
        databases.drop(url)


@pytest.fixture(scope="session")
def engine(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    """An engine on a database migrated to head, shared by this process's tests."""
    url, _ = _new_database(backend, tmp_path_factory.mktemp(backend), request)
    migrate.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions on the test's connection; their commits are savepoints of its transaction."""
    return make_session_factory(connection, join_transaction_mode="create_savepoint")


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> UnitOfWork:
    return UnitOfWork(session_factory)


@pytest.fixture
def make_clinician(session: Session) -> Callable[..., User]:
    """Makes a clinician (in a new practice unless one is given), flushed."""

    def make(
        *, practice: Practice | None = None, username: str = "clin", role: str = "clinician"
    ) -> User:
        user = User(
            practice=practice or Practice(name="Test practice"),
            username=username,
            display_name=f"Dr {username}",
            role=role,
        )
        session.add(user)
        session.flush()
        return user

    return make


@pytest.fixture
def clinician(make_clinician: Callable[..., User]) -> User:
    return make_clinician()
