"""Engines, session factories and `Database`; nothing connects until it is used."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from referwell.db import audit_chain  # noqa: F401 - signs the audit entries every session flushes
from referwell.db.versioning import bump_case_versions

if TYPE_CHECKING:
    from referwell.db.uow import UnitOfWork

SQLITE_BUSY_TIMEOUT_MS = 5000
# How long a PostgreSQL statement waits for a row or table lock before it fails (55P03),
# as SQLite's busy timeout: the web app answers 503, never waits without end.
POSTGRES_LOCK_TIMEOUT_MS = SQLITE_BUSY_TIMEOUT_MS
# Execution option read when a SQLite transaction begins: "DEFERRED" or "IMMEDIATE".
SQLITE_BEGIN_OPTION = "referwell_sqlite_begin"


def make_engine(url: str | URL, *, foreign_keys: bool = True, echo: bool = False) -> Engine:
    """An engine for `url`: SQLite or PostgreSQL (psycopg 3).

    SQLite gets WAL journaling, `foreign_keys=ON` (unless `foreign_keys` is
    False, which migrations need: see `migrate.py`), a busy timeout, and real
    transactions (BEGIN when the transaction starts, so savepoints and
    transactional DDL work). The directory of a SQLite file is made if missing.
    PostgreSQL gets a lock timeout (`POSTGRES_LOCK_TIMEOUT_MS`).
    """
    url = make_url(url)
    if url.get_backend_name() != "sqlite":
        engine = create_engine(url, echo=echo, pool_pre_ping=True)
        if url.get_backend_name() == "postgresql":
            event.listen(engine, "connect", _postgres_lock_timeout)
        return engine

    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    # A `file:` URI (`?mode=ro&uri=true`) names its file as SQLite reads it: no folder to make.
    if not in_memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo)

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
        del connection_record
        # pysqlite begins a transaction only before INSERT/UPDATE/DELETE, so
        # reads, DDL and savepoints would run outside it: turn that off and
        # begin explicitly (_begin below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                # With WAL, NORMAL loses no consistency, only the last commits on power loss.
                cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {'IMMEDIATE' if mode == 'IMMEDIATE' else 'DEFERRED'}")

    return engine


def _postgres_lock_timeout(dbapi_connection: Any, connection_record: Any) -> None:
    del connection_record
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(POSTGRES_LOCK_TIMEOUT_MS)}")
    finally:
        dbapi_connection.autocommit = autocommit


def for_writing(engine: Engine) -> Engine:
    """The same engine (same pool), for transactions that will write.

    On SQLite their transactions take the write lock when they begin (BEGIN
    IMMEDIATE), waiting up to the busy timeout for it. A transaction that
    began by reading and then writes would instead fail at once ("database is
    locked") if another connection wrote in between. PostgreSQL ignores it.
    """
    return engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})


def make_session_factory(bind: Engine | Connection, **options: Any) -> sessionmaker[Session]:
    """Sessions that keep `Client.case_version` up to date; objects stay usable after commit.

    `options` go to `sessionmaker` (tests pass `join_transaction_mode`).
    """
    options.setdefault("expire_on_commit", False)
    factory = sessionmaker(bind=bind, **options)
    event.listen(factory, "before_flush", bump_case_versions)
    return factory


class Database:
    """One database as a use case sees it: connections and units of work, never its URL.

    The engine is made on first use and closed by `dispose()` (or leaving a `with`
    block). A `Database` sent to another process (pickled) carries only what that
    process needs to open the database itself, and does so on its first use there.
    """

    def __init__(self, url: str | URL) -> None:
        self._url = make_url(url)
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self._url)
        return self._engine

    def connect(self) -> Connection:
        """A connection (a context manager) for reading in bulk."""
        return self.engine.connect()

    def unit_of_work(self) -> UnitOfWork:
        """A unit of work whose transactions may write (on SQLite they take the write lock
        when they begin, so that one that read first cannot fail on a lock later)."""
        from referwell.db.uow import UnitOfWork

        return UnitOfWork(make_session_factory(for_writing(self.engine)))

    def reading_unit_of_work(self) -> UnitOfWork:
        """A unit of work for reading only: on SQLite it waits for no writer."""
        from referwell.db.uow import UnitOfWork

        return UnitOfWork(make_session_factory(self.engine))

    def dispose(self) -> None:
        """Close the engine's connections; the next use opens new ones."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dispose()

    def __getstate__(self) -> dict[str, Any]:
        return {"url": self._url.render_as_string(hide_password=False)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._url = make_url(state["url"])
        self._engine = None
