"""Commands on the practice database: `db upgrade`, `serve`, `import`, `export`, `synth`, `demo`.

Database and web modules are imported inside the commands, so that
`referwell assess` starts without them. Commands that read or write client
records are audited with the operating-system user as the actor.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from referwell.cli.common import err, fail, print_invalid, progress_bar, refuse
from referwell.domain.errors import InvalidInput

if TYPE_CHECKING:
    from referwell.db.uow import UnitOfWork

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

db_app = typer.Typer(help="The practice database.", no_args_is_help=True)
synth_app = typer.Typer(help="Synthetic practices for trials and benchmarks.", no_args_is_help=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL (default: REFERWELL_DATABASE_URL, else the SQLite file in the data dir).",
    ),
]
HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]


class ProfileChoice(StrEnum):
    MERGE = "merge"
    REPLACE = "replace"
    KEEP = "keep"


def _database_url(database: str | None) -> str:
    if database:
        return database
    from referwell.config import ConfigError, load_config

    try:
        return load_config().database_url
    except ConfigError as exc:
        fail(f"{exc.key or 'configuration'}: {exc}")


def _shown(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


def _unit_of_work(url: str) -> UnitOfWork:
    """A unit of work for a command that writes (if only its audit entry), beside a running server.

    Its transactions take SQLite's write lock when they begin: one that read first
    would fail if the server wrote in between.
    """
    from referwell.db.engine import for_writing, make_engine, make_session_factory
    from referwell.db.uow import UnitOfWork

    return UnitOfWork(make_session_factory(for_writing(make_engine(url))))


def require_head(url: str) -> None:
    """Stop with exit 2 unless the database is migrated to the newest revision."""
    from referwell.db import migrate

    try:
        current = migrate.current_revision(url)
    except Exception as exc:  # any driver error: the message names the URL, not the password
        fail(f"--database: cannot open {_shown(url)} ({type(exc).__name__})")
    if current != migrate.head_revision():
        fail(
            f"--database: {_shown(url)} is at revision {current or 'none (empty)'}, not "
            f"{migrate.head_revision()}; run `referwell db upgrade` first"
        )


def _as_of(value: str | None, option: str = "--as-of") -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f'{option}: expected a date as YYYY-MM-DD; got "{value}"')


def _actor() -> str:
    from referwell.db.audit import os_user

    return os_user()


# --- db -------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOption = None) -> None:
    """Migrate the database to the newest schema (creating a SQLite file if there is none)."""
    from referwell.db import migrate

    url = _database_url(database)
    before = migrate.current_revision(url)
    migrate.upgrade(url)
    after = migrate.current_revision(url)
    if before == after:
        err.print(f"{_shown(url)} is up to date ({after})", markup=False)
    else:
        err.print(f"{_shown(url)} migrated from {before or 'empty'} to {after}", markup=False)


# --- serve ----------------------------------------------------------------------


def app_factory() -> Any:
    """The web app on the configured database: what each uvicorn worker calls."""
    from referwell.config import load_config
    from referwell.web.app import create_app

    return create_app(load_config())


def _serve(url: str, host: str, port: int, workers: int, access_log: bool) -> None:
    import uvicorn

    # Workers are fresh processes: they find the database in the environment.
    os.environ["REFERWELL_DATABASE_URL"] = url
    # referwell's own request log (route templates and statuses only) beside uvicorn's.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["referwell"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    uvicorn.run(
        "referwell.cli.practice:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        access_log=access_log,
        log_level="info",
        log_config=log_config,
    )


def serve(
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Worker processes (default: one per CPU, at most 4)."),
    ] = None,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="uvicorn's access log: every request's full path and query string and the client's address (off: they may name records).",
        ),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Serve the web app (uvicorn with uvloop and httptools) on an existing, migrated database."""
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    if workers < 1:
        fail(f"--workers: expected 1 or more; got {workers}")
    if not 0 < port < 65536:
        fail(f"--port: expected a port from 1 to 65535; got {port}")
    url = _database_url(database)
    require_head(url)
    _serve(url, host, port, workers, access_log)


# --- import and export ----------------------------------------------------------------


def import_cases(
    cases: Annotated[
        list[Path], typer.Argument(help="Case files (JSON or YAML) or folders of them.")
    ],
    clinician: Annotated[
        str,
        typer.Option("--clinician", help="Username of the clinician whose clients they become."),
    ],
    practice: Annotated[
        int | None,
        typer.Option("--practice", help="The practice id, checked against the clinician's."),
    ] = None,
    clinician_profile: Annotated[
        ProfileChoice,
        typer.Option(
            "--clinician-profile",
            help="What the cases' clinician codes do to the clinician's profile: merge adds the missing ones, replace makes it the cases', keep leaves it.",
        ),
    ] = ProfileChoice.MERGE,
    database: DatabaseOption = None,
) -> None:
    """Load case files into the database as new clients of a clinician.

    Every file is checked first; if any is refused, each error is printed with its
    file and field, nothing is written and the exit status is 2.
    """
    from referwell.domain.caseformat import parse_case
    from referwell.services.assessing import case_files
    from referwell.services.caseio import read_path
    from referwell.services.transfer import import_cases as import_service

    files = case_files(cases)
    if not files:
        fail("CASE: no case files found: give .json, .yaml or .yml files, or folders holding them")
    today = date.today()
    checked = []
    refused = 0
    for path in files:
        try:
            data = read_path(path)
            parse_case(data, today=today)
        except InvalidInput as exc:
            refused += 1
            print_invalid(exc, str(path))
        else:
            checked.append((str(path), data))
    if refused:
        fail(f"{refused} of {len(files)} case files refused; nothing was imported")
    url = _database_url(database)
    require_head(url)
    try:
        imported = import_service(
            _unit_of_work(url),
            checked,
            clinician=clinician,
            practice_id=practice,
            clinician_profile=clinician_profile.value,
            actor=_actor(),
        )
    except InvalidInput as exc:
        refuse(exc)
    ids = imported.client_ids
    err.print(
        f"imported {len(ids)} case{'s' if len(ids) != 1 else ''} as clients "
        f"{', '.join(map(str, ids))} of {imported.clinician} (practice {imported.practice_id})",
        markup=False,
    )


def export_case(
    client: Annotated[
        str, typer.Argument(help="The client's id, or the case id it was imported with.")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The case as of this day, YYYY-MM-DD (default today)."),
    ] = None,
    practice: Annotated[
        int | None,
        typer.Option("--practice", help="The practice id, when a case id is not unique."),
    ] = None,
    with_outcomes: Annotated[
        bool,
        typer.Option(
            "--with-outcomes",
            help='Write {"format": "referwell.export/1", "case": …, "outcomes": …} instead: the case file and its outcome report (first → latest, change and outcome words per questionnaire, and PHQ-9 with GAD-7 combined). Not importable as it stands: its "case" is.',
        ),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Write a client's case file (referwell.case/1, JSON) to stdout or a file.

    The plain case file can be imported again; --with-outcomes wraps it with the
    outcome report. Either way the export is audited.
    """
    from referwell.services.transfer import export_case as export_service

    day = _as_of(as_of)
    url = _database_url(database)
    require_head(url)
    try:
        case = export_service(
            _unit_of_work(url),
            client,
            practice_id=practice,
            as_of=day,
            actor=_actor(),
            with_outcomes=with_outcomes,
        )
    except InvalidInput as exc:
        refuse(exc)
    text = json.dumps(case, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


# --- synth --------------------------------------------------------------------


@synth_app.command("caseload")
def synth_caseload(
    clients: Annotated[int, typer.Option("--clients", help="How many clients.")],
    seed: Annotated[int, typer.Option("--seed", help="The seed: same seed, same practice.")],
    clinicians: Annotated[
        int | None,
        typer.Option("--clinicians", help="How many clinicians (default: one per 30 clients)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day the data leads up to, YYYY-MM-DD (default today)."),
    ] = None,
    database: DatabaseOption = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl", help="Write the cases as JSON Lines to this file (- for stdout) instead."
        ),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="A password every synthetic staff member logs in with (default: nobody can log in).",
        ),
    ] = None,
) -> None:
    """Write a synthetic practice: invented clients with realistic courses of treatment.

    About 20 % drop out and 5-10 % reliably deteriorate; most improve, some slowly,
    some not at all; some answer PHQ-9 item 9 above zero; attendance ranges from
    reliable to erratic; every event kind, clinician factor and reason appears. To
    the database (migrated first; audited) or, with --jsonl, one case a line.
    """
    from referwell.services.synth import SynthError, synth_practice

    if database and jsonl:
        fail("--jsonl: give either --database or --jsonl, not both")
    if jsonl is not None and password is not None:
        fail("--password: JSON Lines hold cases only; give --password with a database")
    day = _as_of(as_of)
    try:
        practice = synth_practice(clients, seed, clinicians=clinicians, as_of=day)
    except SynthError as exc:
        fail(str(exc))
    started = time.perf_counter()
    with progress_bar(clients, shown_from=1000) as progress:
        task = progress.add_task("synthesising", total=clients)

        def advance(done: int) -> None:
            progress.update(task, completed=done)

        if jsonl is not None:
            stats = _synth_jsonl(practice, jsonl, advance)
            where = "stdout" if str(jsonl) == "-" else str(jsonl)
        else:
            stats = _synth_database(practice, _database_url(database), password, advance)
            where = f"{_shown(_database_url(database))} (practice {stats.practice_id})"
    err.print(
        f"wrote {stats.clients:,} clients of {stats.clinicians:,} clinicians, "
        f"{stats.measures:,} questionnaires and {stats.sessions:,} sessions to {where} "
        f"in {time.perf_counter() - started:.1f} s",
        markup=False,
    )


def _synth_jsonl(practice: Any, path: Path, advance: Any) -> Any:
    import tempfile

    from referwell.services.synth import write_jsonl

    if str(path) == "-":
        return write_jsonl(practice, sys.stdout, progress=advance)
    # Written aside and renamed: an interrupted run leaves no half file behind.
    directory = path.resolve().parent
    if not directory.is_dir():
        fail(f"--jsonl: {directory} is not a folder")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed below, or removed
        "w", encoding="utf-8", dir=directory, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            stats = write_jsonl(practice, handle, progress=advance)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # as any new file, not the temporary's 0600
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return stats


def _synth_database(practice: Any, url: str, password: str | None, advance: Any) -> Any:
    from referwell.db import migrate
    from referwell.services.synth import SynthError, write_database

    migrate.upgrade(url)
    try:
        return write_database(
            _unit_of_work(url), practice, actor=_actor(), password=password, progress=advance
        )
    except SynthError as exc:
        fail(str(exc))


# --- demo -----------------------------------------------------------------------


def demo(
    serve_it: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve", help="Serve after seeding (--no-serve: seed and print only)."
        ),
    ] = True,
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
) -> None:
    """Try referwell: seed a demo practice, print its logins and serve it on 127.0.0.1:8000.

    Creates and migrates the database in the data dir and seeds the demo practice when
    the database holds none. The demo practice: three clinicians with different
    competencies, a supervisor, an admin and 60 synthetic clients that between them show
    every finding and caution the engine has. Its dates count back from the day it is
    seeded.
    """
    from referwell.db import migrate
    from referwell.services.demo import DEMO_USERS, seed_demo

    url = _database_url(None)
    migrate.upgrade(url)
    uow = _unit_of_work(url)
    seed = seed_demo(uow, actor=_actor())
    lines: list[str] = []
    if seed.seeded:
        lines.append(f"Seeded the demo practice: {seed.clients} clients, in {_shown(url)}")
    elif not seed.demo_present:
        err.print(
            f"{_shown(url)} already holds a practice that is not the demo's; the logins "
            "below do not apply to it (set REFERWELL_DATA_DIR to a new folder for the demo)",
            markup=False,
        )
    else:
        lines.append(f"The demo practice is already in {_shown(url)}")
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only compared
    lines += ["", f"Open http://{shown_host}:{port} and log in as one of:", ""]
    lines += [
        f"  {user.username:<8} password {user.password:<16} {user.role:<10} {user.about}"
        for user in DEMO_USERS
    ]
    # Plain lines, never wrapped: the logins must stay copyable.
    sys.stdout.write("\n".join(lines) + "\n\n")
    sys.stdout.flush()
    if serve_it:
        _serve(url, host, port, 1, False)
