"""What every command shares: consoles, the exit status for bad input, error printing, and
the practice database for the commands that use one."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from referwell.domain.errors import InvalidInput

if TYPE_CHECKING:
    from referwell.config import Locations
    from referwell.db.imports import Cleaned
    from referwell.db.uow import UnitOfWork
    from referwell.services.permissions import Operator

BAD_INPUT = 2

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_invalid(exc: InvalidInput, name: str = "") -> None:
    """Every error, one a line, each naming the field by its path (and the file, if several)."""
    prefix = f"{name}: " if name else ""
    for error in exc.errors:
        err.print(f"{prefix}{error}", markup=False)


def refuse(exc: InvalidInput, name: str = "") -> NoReturn:
    print_invalid(exc, name)
    raise typer.Exit(BAD_INPUT)


def fail(message: str) -> NoReturn:
    err.print(message, markup=False)
    raise typer.Exit(BAD_INPUT)


def progress_bar(total: int | None, *, shown_from: int = 20) -> Any:
    """A progress bar on stderr for long runs: only on a terminal, and only from
    `shown_from` items (an unknown total always shows)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=(total is not None and total < shown_from) or not err.is_terminal,
    )


@contextmanager
def ctrl_c_noticed() -> Iterator[Callable[[], None]]:
    """Make Ctrl-C stop a long write for certain; give a check to call between steps.

    Python raises KeyboardInterrupt wherever the main thread happens to be, and where
    that is a garbage-collector callback the exception is printed as "ignored" and the
    work goes on. Here the signal is also remembered, and the check raises it again at
    the next step, where the command's cleanup runs as for any other failure. Where
    Ctrl-C is ignored (`nohup`) or this is not the main thread, nothing changes."""
    pressed = threading.Event()

    def check() -> None:
        if pressed.is_set():
            raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield check
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        yield check
        return

    def noticed(signum: int, frame: object) -> None:
        pressed.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, noticed)
    try:
        yield check
    finally:
        signal.signal(signal.SIGINT, previous)


# --- the practice database, for the commands that use one ----------------------

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL (default: REFERWELL_DATABASE_URL, else the SQLite file in the data dir).",
        metavar="URL",
    ),
]
HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.", metavar="ADDRESS")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.", metavar="PORT")]

NO_DATABASE_HINT = (
    "run `referwell db upgrade` first to create one, or `referwell demo` to try referwell on "
    "a demo practice (REFERWELL_DATA_DIR or --database names another place)"
)


def locations() -> Locations:
    """Where the configured data lives (nothing is created); a configuration error exits 2."""
    from referwell.config import ConfigError, load_locations

    try:
        return load_locations()
    except ConfigError as exc:
        fail(f"{exc.key or 'configuration'}: {exc}")


def database_url(database: str | None) -> str:
    """The URL given, else the configured one; a configuration error, or a URL referwell
    cannot open (malformed, or of a database it has no driver for), exits 2."""
    url = database or locations().database_url
    check_url(url)
    return url


def check_url(url: str) -> None:
    """Exit 2 unless `url` is a database URL referwell has a driver for; name it in any
    fault the command meets from now on."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    from referwell.cli import faults

    try:
        make_url(url).get_dialect().import_dbapi()
    except (ArgumentError, ImportError):  # NoSuchModuleError is an ArgumentError
        fail(faults.bad_url(url))
    faults.working_on(url)


def shown(url: str) -> str:
    """A database URL as it may be printed: without its password."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # not a URL: it may hold a password anywhere, so show none of it
        return "the URL given (not a database URL)"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser().absolute()


def require_database(url: str) -> None:
    """Stop with exit 2, creating nothing, when the SQLite file of `url` does not exist."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        fail(f"no database at {path}: {NO_DATABASE_HINT}")


def unit_of_work(url: str) -> UnitOfWork:
    """A unit of work for a command that writes (if only its audit entry), beside a running server.

    Its transactions take SQLite's write lock when they begin: one that read first
    would fail if the server wrote in between.
    """
    from referwell.db.engine import for_writing, make_engine, make_session_factory
    from referwell.db.uow import UnitOfWork

    return UnitOfWork(make_session_factory(for_writing(make_engine(url))))


def require_head(url: str) -> None:
    """Stop with exit 2 unless the database exists and is migrated to the newest revision.

    A missing SQLite file is not created: the message names where it was looked for. A
    database migrated by a newer referwell is told apart: `db upgrade` cannot help there.
    """
    from referwell.cli import faults
    from referwell.db import migrate

    require_database(url)
    try:
        current = migrate.current_revision(url)
    except Exception as exc:  # the message names the URL, never the driver's text or password
        fail(
            faults.explain(exc, url)
            or f"--database: cannot open {shown(url)} ({type(exc).__name__}); is the database "
            "server running, and does the database exist? `referwell db upgrade` creates its tables"
        )
    if current is not None and not migrate.is_known(current):
        fail(faults.newer_than_code(url, current))
    if current != migrate.head_revision():
        fail(
            f"--database: {shown(url)} is at revision {current or 'none (empty)'}, not "
            f"{migrate.head_revision()}; run `referwell db upgrade` first"
        )


def migrate_database(url: str) -> tuple[str | None, str | None]:
    """Migrate the database to the newest revision (making a SQLite file and its folder if
    missing: a failure removes what it made) and clean up after imports that were killed;
    the revisions before and after. Exit 2, having changed nothing, for a database a newer
    referwell migrated."""
    from referwell.cli import faults
    from referwell.db import migrate

    with faults.nothing_left_on_failure(url):
        before = migrate.current_revision(url)
        if before is not None and not migrate.is_known(before):
            fail(faults.newer_than_code(url, before))
        migrate.upgrade(url)
        after = migrate.current_revision(url)
    cleaned = clean_after_imports(url)
    if cleaned.clients:
        err.print(
            f"removed the {cleaned.clients} clients written by imports that did not finish "
            f"(import {', '.join(map(str, cleaned.import_ids))})",
            markup=False,
        )
    return before, after


def clean_after_imports(url: str) -> Cleaned:
    """Remove the clients of imports that were killed before they finished (`db.imports`)."""
    from referwell.db.engine import Database
    from referwell.db.imports import clean_abandoned_imports

    with Database(url) as database:
        return clean_abandoned_imports(database.engine)


def as_of_day(value: str | None, option: str = "--as-of") -> date:
    """The day an `--as-of` option names (default today); a malformed date exits 2."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f'{option}: expected a date as YYYY-MM-DD; got "{value}"')


def operator() -> Operator:
    """The actor of a command: whoever runs it, by their operating-system login."""
    from referwell.services.permissions import Operator

    return Operator.current()
