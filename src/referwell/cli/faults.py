"""Faults of the surroundings in one line and exit 2, never a traceback.

Every command runs inside `one_line` (`helpstyle.App` wraps each one): a database
busy, full, read-only, out of reach, not a database, or migrated by a newer
referwell, a malformed database URL, a file or folder that cannot be written, each
becomes one sentence on standard error saying what is wrong and what to do, and the
exit status 2. The sentence is referwell's own: a driver's message may quote the
values a statement carried (clinical values among them), so it is never printed.
An error that is none of these is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import typer

from referwell.cli.common import BAD_INPUT, err, shown, sqlite_file

_Command = TypeVar("_Command", bound=Callable[..., Any])

# The database the running command works on, for the sentence (`working_on`).
_database: ContextVar[str | None] = ContextVar("referwell_cli_database", default=None)

_REVISION = re.compile(r"'([^']+)'")

SQLITE_SUFFIXES = ("-wal", "-shm", "-journal")


def working_on(url: str) -> None:
    """Say which database the running command uses, so that a fault can name it."""
    _database.set(url)


def one_line(command: _Command) -> _Command:
    """`command`, with every fault of its surroundings answered in one line and exit 2."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        token = _database.set(None)
        try:
            return command(*args, **kwargs)
        except Exception as error:
            message = explain(error, _database.get())
            if message is None:
                raise
            err.print(message, markup=False)
            raise typer.Exit(BAD_INPUT) from None
        finally:
            _database.reset(token)

    return run  # type: ignore[return-value]


def explain(error: BaseException, url: str | None) -> str | None:
    """One sentence for a fault of the surroundings: what is wrong and what to do; None
    for an error that is not one (a bug)."""
    from alembic.util import CommandError

    from referwell.db.faults import fault_of

    if isinstance(error, CommandError):
        return _alembic(error, url)
    fault = fault_of(error)
    if fault is not None:
        return _database_fault(fault, url)
    if isinstance(error, OSError) and not isinstance(error, BrokenPipeError):
        return file_fault(error)
    return None


def _name(url: str | None) -> str:
    if url is None:
        return "the database"
    path = sqlite_file(url)
    return str(path) if path is not None else shown(url)


def _alembic(error: Exception, url: str | None) -> str | None:
    text = str(error)
    if "Can't locate revision" not in text and "No such revision" not in text:
        return None
    found = _REVISION.search(text)
    return newer_than_code(url, found.group(1) if found else "unknown")


def newer_than_code(url: str | None, revision: str) -> str:
    """The sentence for a database migrated by a newer referwell than this one."""
    from referwell import __version__
    from referwell.db import migrate

    return (
        f"{_name(url)} is at schema revision {revision}, which this referwell "
        f"({__version__}, revisions up to {migrate.head_revision()}) does not know: a newer "
        "referwell made it. `referwell db upgrade` cannot help; upgrade referwell to the "
        "version that made it (or newer)"
    )


def _database_fault(fault: str, url: str | None) -> str:
    from referwell.db.engine import SQLITE_BUSY_TIMEOUT_MS
    from referwell.db.faults import Fault

    name = _name(url)
    seconds = SQLITE_BUSY_TIMEOUT_MS // 1000
    messages = {
        Fault.BUSY: (
            f"{name} is busy: another writer (the web app, another command) kept it locked "
            f"for more than {seconds} s; nothing was saved. Try again when it is done"
        ),
        Fault.FULL: (
            f"{name}: the disk is full (or the database reached its size limit); nothing "
            "was saved. Free some space, then try again"
        ),
        Fault.READ_ONLY: (
            f"{name} cannot be written here (the file, its folder or its disk is read-only, "
            "or the database user may not write); nothing was saved. Give referwell write "
            "access, or name another database with --database or REFERWELL_DATABASE_URL"
        ),
        Fault.CANNOT_OPEN: (
            f"cannot open {name}: check that it and its folder exist and that referwell may "
            "read and write them (REFERWELL_DATA_DIR or --database names another place)"
        ),
        Fault.NOT_A_DATABASE: (
            f"{name} is not a SQLite database, or it is damaged: name a referwell database "
            "with --database or REFERWELL_DATABASE_URL, or restore it from a backup"
        ),
        Fault.UNREACHABLE: (
            f"cannot reach the database server of {name}: is it running, and does it accept "
            "connections at that host and port?"
        ),
        Fault.NO_SUCH_DATABASE: (
            f"{name}: the server has no such database; create it (docs/operations.md, "
            "PostgreSQL), then run `referwell db upgrade`"
        ),
        Fault.REFUSED_LOGIN: (
            f"{name}: the server refused the user or its password; check the URL "
            "(--database or REFERWELL_DATABASE_URL)"
        ),
        Fault.NOT_MIGRATED: (f"{name} lacks referwell's tables: run `referwell db upgrade` first"),
        Fault.CONFLICT: (
            f"{name} refused the write: it conflicts with what the database already holds "
            "(another command may have written the same records); nothing was saved"
        ),
        Fault.CHANGED: (
            f"{name}: a record changed while this command was saving it; nothing was saved. "
            "Run the command again"
        ),
        Fault.BAD_URL: bad_url(url),
    }
    return messages[Fault(fault)]


def bad_url(url: str | None) -> str:
    """The sentence for a database URL referwell cannot open (never its password)."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        given = f"{make_url(url or '').render_as_string(hide_password=True)} names a database "
        given += "referwell has no driver for"
    except ArgumentError:
        given = "the URL given is not a database URL"
    return (
        f"--database: {given}; give sqlite:///PATH (a file) or "
        "postgresql+psycopg://USER@HOST:PORT/NAME (with --database or REFERWELL_DATABASE_URL)"
    )


_FILE_REASONS = {
    errno.ENOSPC: "the disk is full; free some space, then try again",
    errno.EDQUOT: "the disk quota is used up; free some space, then try again",
    errno.EROFS: "the file system is read-only; choose a place referwell may write to",
    errno.EACCES: "permission denied; change its permissions, or choose another place",
    errno.EPERM: "not permitted (read-only or immutable?); change that, or choose another place",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder, not a file",
}


def file_fault(error: OSError) -> str:
    """One sentence for a file or folder that cannot be read or written."""
    where = error.filename if error.filename is not None else "a file"
    reason = _FILE_REASONS.get(error.errno or 0) or (error.strerror or "cannot be used").lower()
    return f"{where}: {reason}"


@contextlib.contextmanager
def nothing_left_on_failure(url: str) -> Iterator[None]:
    """For a command that may create a SQLite database: if it fails, remove the file and
    the folders it made for it, so that a refused command leaves nothing behind."""
    path = sqlite_file(url)
    if path is None or path.exists():
        yield
        return
    missing = [folder for folder in path.parents if not folder.exists()]
    try:
        yield
    except BaseException:
        for leftover in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SUFFIXES)):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        for folder in missing:  # deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
