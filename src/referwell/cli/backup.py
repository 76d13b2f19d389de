"""`referwell backup`, `referwell restore`, `referwell db check` and `referwell audit`: the
practice database copied, put back and checked, and its audit log's chain verified."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from referwell.cli.common import (
    BAD_INPUT,
    DatabaseOption,
    database_url,
    err,
    fail,
    operator,
    out,
    require_database,
    require_head,
    shown,
    sqlite_file,
)
from referwell.cli.helpstyle import App

if TYPE_CHECKING:
    from referwell.db.audit_chain import ChainReport, Head
    from referwell.services.backup import DatabaseCheck

T = TypeVar("T")

POSTGRESQL = (
    "{command}: PostgreSQL is backed up with pg_dump and restored with pg_restore; "
    "see docs/operations.md, Backup and restore"
)

audit_app = App(help="The audit log: its chain of HMACs checked, its head kept outside.")

PathArgument = Annotated[Path, typer.Argument(help="The backup file.", metavar="PATH")]


@contextmanager
def _settings_errors() -> Iterator[None]:
    """A problem with the audit key's file (its mode, say) exits 2 naming the setting."""
    from referwell.config import ConfigError

    try:
        yield
    except ConfigError as exc:
        fail(f"{exc.key or 'configuration'}: {exc}")


def _refused(command: str, action: Callable[[], T]) -> T:
    from referwell.services.audit_trail import AuditHeadRefusedError
    from referwell.services.backup import BackupRefusedError

    with _settings_errors():
        try:
            return action()
        except (BackupRefusedError, AuditHeadRefusedError) as exc:
            fail(f"{command}: {exc}")


def backup(
    path: PathArgument,
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
    database: DatabaseOption = None,
) -> None:
    """Copy the practice database (SQLite) to PATH while referwell serves, and check the copy.

    The copy is made with SQLite's online backup, consistent while referwell writes, into a
    file beside PATH that takes PATH's name only once it passes its check: SQLite's
    integrity check, the migration revision, and the audit chain verified with the audit
    key. The rows of each table are printed. An existing PATH is refused unless --force.
    Keep the audit key and the secret key with the backup (docs/operations.md). PostgreSQL
    is backed up with pg_dump instead; the command says so and exits 2.
    """
    from referwell.db.engine import Database
    from referwell.services.backup import backup_sqlite

    url = database_url(database)
    source = sqlite_file(url)
    if source is None:
        fail(POSTGRESQL.format(command="backup"))
    found: Path = source
    require_database(url)
    with Database(url) as opened:
        made = _refused(
            "backup", lambda: backup_sqlite(opened, found, path, force=force, actor=operator())
        )
    _print_check(made.check)
    err.print(f"backed up {source} to {made.path}", markup=False)


def restore(
    path: PathArgument,
    check_only: Annotated[
        bool, typer.Option("--check", help="Check the backup only; restore nothing.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Put a backup made by `referwell backup` in place of the practice database (SQLite).

    Stop referwell first: a database still open is refused. The backup is checked before
    anything changes (integrity, migration revision, the audit chain verified with the
    key); the database it replaces is kept beside it, named `….replaced-<time>`. The
    restored audit log's end becomes its chain's head, and the restore is audited in it.
    The rows of each table are printed. PostgreSQL is restored with pg_restore instead.
    """
    from referwell.db.engine import Database
    from referwell.services.backup import check_sqlite_file, restore_sqlite

    url = database_url(database)
    target = sqlite_file(url)
    if target is None:
        fail(POSTGRESQL.format(command="restore"))
    into: Path = target
    if check_only:
        check = _refused("restore", lambda: check_sqlite_file(path.absolute()))
        _print_check(check)
        _exit_on_problems(check.problems)
        return
    with Database(url) as opened:
        restored = _refused("restore", lambda: restore_sqlite(opened, path, into, actor=operator()))
    _print_check(restored.check)
    if restored.kept is not None:
        err.print(f"the database it replaced is kept as {restored.kept}", markup=False)
    _print_head_change(restored.head_before, restored.restored_end)
    if not restored.check.at_head:
        err.print(
            f"the backup is at revision {restored.check.revision}: run `referwell db upgrade`",
            markup=False,
        )
    err.print(f"restored {path} to {target}", markup=False)
    _exit_on_problems(restored.check.problems)


def db_check(database: DatabaseOption = None) -> None:
    """Check the practice database: integrity, revision, rows, audit chain.

    SQLite's integrity and foreign key checks (SQLite only), the migration revision, the
    rows of each table, and the audit chain verified with the key and compared with its
    head kept outside the database. Each problem is printed on its own line and the exit
    status is then 2. Run it on a database pg_restore made, before serving it.
    """
    from referwell.db.engine import Database
    from referwell.services.backup import check_database

    url = database_url(database)
    require_database(url)
    with Database(url) as opened, _settings_errors():
        check = _connected(url, lambda: check_database(opened, actor=operator()))
    _print_check(check)
    _exit_on_problems(check.problems)


@audit_app.command("verify")
def audit_verify(database: DatabaseOption = None) -> None:
    """Check that no audit entry was changed, removed, inserted or cut off the end.

    Every entry's HMAC is recomputed in order with the audit key (kept outside the
    database), and the log's end is compared with the chain's head, also kept outside.
    Each problem is printed on its own line, naming entry ids and positions only, and the
    exit status is then 2; 0 when the chain is intact.
    """
    from referwell.db.engine import Database
    from referwell.services.audit_trail import verify_audit_log

    url = database_url(database)
    require_head(url)
    with Database(url) as opened, _settings_errors():
        report = verify_audit_log(opened, actor=operator())
    for note in report.notes:
        err.print(f"note: {note}", markup=False)
    if report.intact:
        out.print(_chain_summary(report), markup=False)
    _exit_on_problems(report.problems)


@audit_app.command("reset-head")
def audit_reset_head(database: DatabaseOption = None) -> None:
    """Record the audit log's last entry as its chain's head, after restoring a backup.

    After pg_restore of an older dump, the head kept outside the database is ahead of the
    restored log and `referwell audit verify` reports the entries written since the dump
    as cut off. This accepts the restored log's end as the head, only if every entry
    verifies with the key, and audits it. (`referwell restore` does it by itself.)
    """
    from referwell.db.engine import Database
    from referwell.services.audit_trail import reset_audit_head

    url = database_url(database)
    require_head(url)
    with Database(url) as opened:
        reset = _refused("audit reset-head", lambda: reset_audit_head(opened, actor=operator()))
    _print_head_change(reset.before, reset.after)


def _connected(url: str, action: Callable[[], T]) -> T:
    try:
        return action()
    except Exception as exc:
        from sqlalchemy.exc import DBAPIError

        if not isinstance(exc, DBAPIError):
            raise
        fail(f"--database: cannot open {shown(url)} ({type(exc).__name__})")


def _exit_on_problems(problems: list[str]) -> None:
    for problem in problems:
        err.print(problem, markup=False)
    if problems:
        raise typer.Exit(BAD_INPUT)


def _chain_summary(report: ChainReport) -> str:
    if report.recorded is None:
        return f"audit log intact: {report.entries} entries"
    return (
        f"audit log intact: {report.entries} entries; the head kept outside the database "
        f"is at position {report.recorded.length}"
    )


def _print_check(check: DatabaseCheck) -> None:
    newest = " (the newest)" if check.at_head else f" (the newest is {check.head_revision})"
    out.print(f"revision    {check.revision or 'none'}{newest}", markup=False)
    if check.integrity is not None:
        out.print(f"integrity   {'ok' if not check.integrity else 'FAILED'}", markup=False)
    if check.audit is None:
        out.print("audit log   no chain (older than revision 0010)", markup=False)
    elif check.audit.intact:
        out.print(f"audit log   {check.audit.entries} entries, chain intact", markup=False)
    else:
        out.print(f"audit log   {len(check.audit.problems)} problems", markup=False)
    out.print(f"rows        {check.rows} in {len(check.counts)} tables", markup=False)
    width = max((len(name) for name in check.counts), default=0)
    for name, count in check.counts.items():
        out.print(f"  {name:<{width}}  {count:>9}", markup=False)


def _print_head_change(before: Head | None, end: Head | None) -> None:
    """The head kept outside the database before, and the log's end it now names."""
    if end is None:
        return
    if before is None or before.length <= end.length:
        err.print(f"audit chain head kept outside: position {end.length}", markup=False)
        return
    err.print(
        f"audit chain head kept outside: position {before.length} -> {end.length} (the "
        f"{before.length - end.length} entries written after the backup are not in it)",
        markup=False,
    )
