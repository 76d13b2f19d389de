"""Backing up and restoring a SQLite practice database, and checking a database or a backup.

- `backup_sqlite` copies the live file with SQLite's online backup API (a consistent copy
  while referwell serves) into a file beside the backup's path, checks the copy, and only
  then moves it into place. The act is audited first, so the backup holds its own entry.
- `restore_sqlite` checks the backup, refuses a database that is open (referwell must be
  stopped), puts the backup in place of the database (the one it replaces is kept beside
  it), records the restored log's end as the audit chain's head, and audits the restore.
- `check_sqlite_file` and `check_database` (any database, PostgreSQL restored by pg_restore
  included) say what a database holds: SQLite's integrity and foreign key checks, the
  migration revision, the rows of each table, and the audit chain verified with the key.

PostgreSQL is backed up with pg_dump and restored with pg_restore (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, create_engine, func, inspect, select, text
from sqlalchemy import table as table_
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from referwell.db import migrate
from referwell.db.audit import AuditAction
from referwell.db.audit_chain import (
    ChainReport,
    Head,
    HeadUnreadableError,
    chain_settings,
    verify_chain,
)
from referwell.db.engine import Database
from referwell.services.auditing import audit_write
from referwell.services.permissions import Operator, Permission, require_permission

# A database open elsewhere keeps SQLite from leaving WAL mode: how `restore` sees it in use.
_IN_USE = (
    "the database is open (is referwell serving it?): stop referwell, then restore "
    "(docs/operations.md, Backup and restore)"
)


class BackupRefusedError(Exception):
    """A backup or a restore that cannot go ahead; the message is one line."""


@dataclass
class DatabaseCheck:
    """What a database holds, and what is wrong with it."""

    revision: str | None
    head_revision: str
    counts: dict[str, int]
    audit: ChainReport | None  # None: the database is older than the audit chain
    # SQLite's integrity and foreign key checks: what they found; None when not run (PostgreSQL).
    integrity: list[str] | None = None
    revision_problems: list[str] = field(default_factory=list)

    @property
    def at_head(self) -> bool:
        return self.revision == self.head_revision

    @property
    def problems(self) -> list[str]:
        audit = self.audit.problems if self.audit is not None else []
        return [*(self.integrity or []), *self.revision_problems, *audit]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def _known_revision(revision: str) -> bool:
    try:
        return (
            ScriptDirectory.from_config(migrate.alembic_config()).get_revision(revision) is not None
        )
    except CommandError:
        return False


def _revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _check(connection: Connection, *, against_head: bool) -> DatabaseCheck:
    integrity: list[str] | None = None
    if connection.dialect.name == "sqlite":
        found = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
        integrity = [] if found == ["ok"] else [f"integrity check: {line}" for line in found[:20]]
        integrity += [
            f"foreign key broken: {row[0]} row {row[1]} names a missing {row[2]}"
            for row in connection.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(20)
        ]
    tables = sorted(set(inspect(connection).get_table_names()) - {"alembic_version"})
    revision = _revision(connection)
    problems = []
    if revision is None:
        problems.append("no migration revision: not a referwell database")
    elif not _known_revision(revision):
        problems.append(f"revision {revision} is unknown to this referwell (made by a newer one?)")
    counts = {
        table: int(connection.execute(select(func.count()).select_from(table_(table))).scalar_one())
        for table in tables
    }
    audit = None
    if "audit_chain" in tables:
        audit = verify_chain(connection, chain_settings(make_key=False), against_head=against_head)
    return DatabaseCheck(
        revision=revision,
        head_revision=migrate.head_revision(),
        counts=counts,
        audit=audit,
        integrity=integrity,
        revision_problems=problems,
    )


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[Connection]:
    """A connection that can only read the SQLite file at `path` (and changes nothing in it)."""
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
    engine = create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool
    )
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def check_sqlite_file(path: Path, *, against_head: bool = False) -> DatabaseCheck:
    """Check the SQLite file at `path` read-only; `against_head`: compare its audit log's end
    with the head kept outside (a backup may end before it)."""
    try:
        with _read_only(path) as connection:
            return _check(connection, against_head=against_head)
    except (DBAPIError, sqlite3.Error) as error:  # not SQLite at all, or unreadable
        raise BackupRefusedError(
            f"{path} cannot be read as a SQLite database ({type(error).__name__})"
        ) from None


def check_database(database: Database, *, actor: Operator) -> DatabaseCheck:
    """Check a practice database (after pg_restore, say), its audit log against the head."""
    require_permission(actor, Permission.OPERATE)
    with database.connect() as connection:
        return _check(connection, against_head=True)


@dataclass(frozen=True)
class BackupMade:
    path: Path
    check: DatabaseCheck


def backup_sqlite(
    database: Database, source: Path, path: Path, *, force: bool, actor: Operator
) -> BackupMade:
    """Copy the SQLite database `source` (opened as `database`) to `path`, consistent while
    referwell writes to it, and check the copy before it takes the name `path`."""
    require_permission(actor, Permission.OPERATE)
    path = path.absolute()
    if not source.is_file():
        raise BackupRefusedError(f"no database at {source}")
    if path.is_dir():
        raise BackupRefusedError(f"{path} is a folder: name the backup file")
    if not path.parent.is_dir():
        raise BackupRefusedError(f"no folder {path.parent} to write the backup in")
    if path.exists():
        if path.samefile(source):
            raise BackupRefusedError(f"{path} is the database itself")
        if not force:
            raise BackupRefusedError(
                f"{path} exists: choose another name, or --force to replace it"
            )
    with database.connect() as connection:
        revision = _revision(connection)
    if revision == migrate.head_revision():  # an older schema is copied without an entry
        with database.unit_of_work() as uow:
            audit_write(uow.session, actor, AuditAction.DATABASE_BACKUP)
            uow.commit()
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(descriptor)
    partial = Path(name)
    try:
        _copy_online(source, partial)
        check = check_sqlite_file(partial)
        if check.problems:
            raise BackupRefusedError(
                f"the copy failed its check, nothing was kept: {check.problems[0]}"
            )
        if check.revision != revision:
            raise BackupRefusedError("the copy's revision is not the database's: nothing was kept")
        _into_place(partial, path, replace=force)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return BackupMade(path, check)


def _copy_online(source: Path, target: Path) -> None:
    """SQLite's online backup of `source` into the (empty) file `target`, left in rollback
    journal mode so the backup is the one file."""
    reader = sqlite3.connect(source, timeout=30)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode = DELETE")
            writer.commit()
        finally:
            writer.close()
    finally:
        reader.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


def _into_place(partial: Path, path: Path, *, replace: bool) -> None:
    os.chmod(partial, 0o600)  # clinical records: the owner's only
    if replace:
        os.replace(partial, path)
        return
    try:  # a link, not a rename: a file made at `path` meanwhile is not overwritten
        os.link(partial, path)
    except FileExistsError:
        raise BackupRefusedError(
            f"{path} exists: choose another name, or --force to replace it"
        ) from None


@dataclass(frozen=True)
class Restored:
    """What a restore did: the database's checked contents, the file it replaced (kept), the
    audit chain's head kept outside before, and the restored log's end (its new head)."""

    check: DatabaseCheck
    kept: Path | None
    head_before: Head | None
    restored_end: Head | None


def restore_sqlite(database: Database, backup: Path, target: Path, *, actor: Operator) -> Restored:
    """Put the checked backup `backup` in place of the SQLite database `target` (opened as
    `database`), which must not be open; the file it replaces is kept beside it."""
    require_permission(actor, Permission.OPERATE)
    backup, target = backup.absolute(), target.absolute()
    if not backup.is_file():
        raise BackupRefusedError(f"no backup at {backup}")
    if target.exists() and target.samefile(backup):
        raise BackupRefusedError(f"{backup} is the database itself")
    check = check_sqlite_file(backup)
    if check.problems:
        more = f" (and {len(check.problems) - 1} more)" if len(check.problems) > 1 else ""
        raise BackupRefusedError(
            f"{backup} failed its check, nothing was restored: {check.problems[0]}{more}"
        )
    kept = None
    if target.exists():
        _refuse_if_open(target)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = target.with_name(f"{target.name}.replaced-{stamp}")
        os.link(target, kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    os.close(descriptor)
    partial = Path(name)
    try:
        shutil.copyfile(backup, partial)
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(partial, 0o600)
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):  # the old file's, if any
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    head_before, restored_end = _restore_head(check)
    if check.at_head:
        database.dispose()  # connections opened before the file changed see the old one
        with database.unit_of_work() as uow:
            audit_write(uow.session, actor, AuditAction.DATABASE_RESTORE)
            uow.commit()
        with database.connect() as connection:
            check = _check(connection, against_head=True)
    return Restored(check, kept, head_before, restored_end)


def _refuse_if_open(target: Path) -> None:
    connection = sqlite3.connect(target, timeout=0, isolation_level=None)
    try:
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.Error:
        raise BackupRefusedError(_IN_USE) from None
    finally:
        connection.close()
    if str(mode).lower() != "delete":
        raise BackupRefusedError(_IN_USE)


def _restore_head(check: DatabaseCheck) -> tuple[Head | None, Head | None]:
    """Record the restored log's end as its chain's head; return the head before and after."""
    audit = check.audit
    if audit is None or audit.chain_id is None:
        return None, None
    heads = chain_settings(make_key=False).heads
    try:
        before = heads.read(audit.chain_id)
    except HeadUnreadableError:
        before = None
    after = Head(audit.chain_id, audit.length, audit.last_hmac)
    heads.reset(after)
    return before, after
