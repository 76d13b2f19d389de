"""Imports written in bounded batches, all or nothing: claiming, tagging, finishing, removing.

An import claims the database (`import_run`), writes its clients in batches of its
own transactions, each client tagged with the import's id (`clients.import_id`:
readers leave tagged clients out), and in its last transaction clears the tags
(`finish_import`), so its clients appear together. Any failure inside `import_run`
(an error, a lock another writer held too long, Ctrl-C) removes the import's clients
before it is raised again. A killed import cannot do that: the next import, or
`referwell db upgrade`, finds its row still `running` with its writer gone and
removes its clients then (`clean_abandoned_imports`).

One import writes at a time. Whether the writer of a `running` row is still there:

- PostgreSQL: the running import holds a session advisory lock; whoever gets the
  lock knows every `running` row is abandoned (the server frees the lock of a
  connection that died).
- SQLite: every writer of a SQLite database in WAL mode runs on one host (WAL needs
  shared memory), so the row's process id tells: gone when no such process lives
  (or it is a zombie), and, whatever the process, when it has not written for
  `STALE_AFTER`; a row from another host (another container) by that time alone.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, Engine, delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from referwell.db.base import utcnow
from referwell.db.engine import for_writing, make_session_factory
from referwell.db.import_runs import ImportRun
from referwell.db.models import Client

# The PostgreSQL advisory lock the running import holds ("rwim").
IMPORT_LOCK_KEY: Final = 0x7277_696D
# A running import that has not committed a batch for this long is taken as gone.
STALE_AFTER: Final = timedelta(minutes=10)
# Clients removed per transaction: each transaction holds SQLite's write lock briefly.
REMOVE_CHUNK: Final = 200

# Imports this process is running now (a test may run several commands in one process).
_RUNNING_HERE: set[int] = set()
_RUNNING_LOCK = threading.Lock()


class ImportBusyError(RuntimeError):
    """Another import is writing to this database."""

    def __init__(self, import_id: int | None, started_at: datetime | None, started_by: str) -> None:
        super().__init__("another import is writing to this database")
        self.import_id = import_id
        self.started_at = started_at
        self.started_by = started_by


@dataclass(frozen=True, slots=True)
class Cleaned:
    """What a clean-up removed: the abandoned imports and how many clients they had written."""

    import_ids: tuple[int, ...]
    clients: int


@contextlib.contextmanager
def import_run(engine: Engine, *, started_by: str) -> Iterator[int]:
    """Claim `engine`'s database for one import and give its id; leaving by an exception
    (or an interrupt) removes the import's clients, then raises it again.

    Raises ImportBusyError when another import is writing. Abandoned imports are
    cleaned up first.
    """
    with _lease(engine) as leased:
        import_id = _claim(engine, started_by, leased=leased)
        with _RUNNING_LOCK:
            _RUNNING_HERE.add(import_id)
        try:
            _remove_leftovers(engine)
            yield import_id
        except BaseException:
            # Best effort: if the database refuses even this, the row stays `running` and
            # the next import (or `db upgrade`) removes the clients once this process is gone.
            with contextlib.suppress(Exception):
                remove_import(engine, import_id)
            raise
        finally:
            with _RUNNING_LOCK:
                _RUNNING_HERE.discard(import_id)


def note_progress(session: Session, import_id: int, written: int) -> None:
    """Note in the batch's transaction that the import is alive and has written `written`."""
    session.execute(
        update(ImportRun)
        .where(ImportRun.id == import_id)
        .values(heartbeat_at=utcnow(), clients=written)
    )


def finish_import(session: Session, import_id: int, written: int) -> None:
    """In the import's last transaction: its clients join the practice, the import is done."""
    session.execute(update(Client).where(Client.import_id == import_id).values(import_id=None))
    now = utcnow()
    session.execute(
        update(ImportRun)
        .where(ImportRun.id == import_id)
        .values(status="done", finished_at=now, heartbeat_at=now, clients=written)
    )


def remove_import(engine: Engine, import_id: int) -> int:
    """Mark the import failed and remove the clients it wrote (in short transactions);
    how many were removed."""
    sessions = make_session_factory(for_writing(engine))
    with sessions() as session:
        now = utcnow()
        session.execute(
            update(ImportRun)
            .where(ImportRun.id == import_id, ImportRun.status != "done")
            .values(status="failed", finished_at=now)
        )
        session.commit()
    return _remove_clients_of(sessions, [import_id])


def clean_abandoned_imports(engine: Engine) -> Cleaned:
    """Remove the clients of imports whose writer is gone (killed, or its host down);
    nothing while an import is running (on PostgreSQL: while its lock is held)."""
    try:
        with _lease(engine) as leased:
            abandoned = _abandon_gone(engine, leased=leased)
            removed = _remove_leftovers(engine)
    except ImportBusyError:
        return Cleaned((), 0)
    return Cleaned(abandoned, removed)


# --- the lease and the claim -----------------------------------------------------------


@contextlib.contextmanager
def _lease(engine: Engine) -> Iterator[bool]:
    """On PostgreSQL, the advisory lock of the running import, held until the block ends
    (True: every other `running` row is abandoned); on SQLite nothing (False)."""
    if engine.dialect.name != "postgresql":
        yield False
        return
    with engine.connect() as connection:
        held = connection.execution_options(isolation_level="AUTOCOMMIT")
        if not held.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": IMPORT_LOCK_KEY}):
            raise _busy(held)
        try:
            yield True
        finally:
            with contextlib.suppress(Exception):  # a broken connection has let go of it already
                held.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": IMPORT_LOCK_KEY})


def _busy(connection: Connection) -> ImportBusyError:
    row = connection.execute(
        select(ImportRun.id, ImportRun.started_at, ImportRun.started_by)
        .where(ImportRun.status == "running")
        .order_by(ImportRun.id.desc())
        .limit(1)
    ).first()
    if row is None:  # the lock's holder is a clean-up, or an import just starting
        return ImportBusyError(None, None, "")
    return ImportBusyError(row.id, row.started_at, row.started_by)


def _claim(engine: Engine, started_by: str, *, leased: bool) -> int:
    if not leased:  # a look first, waiting for no writer: a running import is told at once
        with make_session_factory(engine)() as session:
            now = utcnow()
            for run in session.scalars(select(ImportRun).where(ImportRun.status == "running")):
                if not _writer_gone(run, now):
                    raise ImportBusyError(run.id, run.started_at, run.started_by)
    sessions = make_session_factory(for_writing(engine))
    with sessions() as session:
        _mark_gone_failed(session, leased=leased)
        run = ImportRun(
            status="running",
            started_by=started_by[:100],
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            clients=0,
        )
        session.add(run)
        session.commit()
        return run.id


def _abandon_gone(engine: Engine, *, leased: bool) -> tuple[int, ...]:
    sessions = make_session_factory(for_writing(engine))
    with sessions() as session:
        gone = _mark_gone_failed(session, leased=leased, raise_if_live=False)
        session.commit()
        return gone


def _mark_gone_failed(
    session: Session, *, leased: bool, raise_if_live: bool = True
) -> tuple[int, ...]:
    """Mark the `running` imports whose writer is gone as failed; raise ImportBusyError
    for one still writing (unless told not to)."""
    gone: list[int] = []
    now = utcnow()
    for run in session.scalars(select(ImportRun).where(ImportRun.status == "running")):
        if leased or _writer_gone(run, now):
            gone.append(run.id)
        elif raise_if_live:
            raise ImportBusyError(run.id, run.started_at, run.started_by)
    if gone:
        session.execute(
            update(ImportRun).where(ImportRun.id.in_(gone)).values(status="failed", finished_at=now)
        )
    return tuple(gone)


def _writer_gone(run: ImportRun, now: datetime) -> bool:
    if now - run.heartbeat_at > STALE_AFTER:
        return True
    if run.host != socket.gethostname():
        return False  # cannot see that host's processes: alive while it keeps writing
    if run.pid == os.getpid():
        with _RUNNING_LOCK:
            return run.id not in _RUNNING_HERE
    return not _process_alive(run.pid)


def _process_alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill would end the process there; the heartbeat decides
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError, IndexError):
        # The state follows the parenthesised command name: Z is a zombie, dead already.
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


# --- removing the clients of failed imports ---------------------------------------------


def _remove_leftovers(engine: Engine) -> int:
    """Remove the clients still tagged with an import that failed; how many."""
    sessions = make_session_factory(for_writing(engine))
    with sessions() as session:
        failed = list(
            session.scalars(
                select(Client.import_id)
                .join(ImportRun, ImportRun.id == Client.import_id)
                .where(ImportRun.status == "failed")
                .distinct()
            )
        )
    return _remove_clients_of(sessions, [i for i in failed if i is not None]) if failed else 0


def _remove_clients_of(sessions: sessionmaker[Session], import_ids: list[int]) -> int:
    """Delete the clients tagged with these imports, a chunk per transaction (the
    database removes the parts of their cases with them: ON DELETE CASCADE)."""
    removed = 0
    while True:
        with sessions() as session:
            ids = list(
                session.scalars(
                    select(Client.id).where(Client.import_id.in_(import_ids)).limit(REMOVE_CHUNK)
                )
            )
            if not ids:
                return removed
            session.execute(delete(Client).where(Client.id.in_(ids)))
            session.commit()
            removed += len(ids)
