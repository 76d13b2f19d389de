"""`referwell demo`: seed the demo practice and serve it."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from referwell.cli.common import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    HostOption,
    PortOption,
    check_url,
    err,
    fail,
    locations,
    migrate_database,
    operator,
    shown,
    sqlite_file,
    unit_of_work,
)
from referwell.cli.serve import run_server


def demo(
    serve_it: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve", help="Serve after seeding (--no-serve: seed and print only)."
        ),
    ] = True,
    reset: Annotated[
        bool,
        typer.Option(
            "--reset",
            help="Remove the demo's database in the data dir first and seed the demo practice anew, its dates counting back from today. Refused when the database is another (REFERWELL_DATABASE_URL) or holds another practice.",
        ),
    ] = False,
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
) -> None:
    """Try referwell: seed a demo practice, print its logins and serve it on 127.0.0.1:8000.

    Creates and migrates the database in the data dir and seeds the demo practice when
    the database holds none. The demo practice: three clinicians with different
    competencies, a supervisor, an admin and 60 synthetic clients that between them show
    every finding and caution the engine has. Its dates count back from the day it is
    seeded; `--reset` seeds it again for today.
    """
    from referwell.cli.faults import nothing_left_on_failure
    from referwell.services.synthetic.demo import seed_demo

    place = locations()
    url = place.database_url
    check_url(url)
    if reset:
        _remove_the_demo_database(url, place.default_database_url)
    with nothing_left_on_failure(url):  # a demo that cannot be seeded leaves no database
        migrate_database(url)
        seed = seed_demo(unit_of_work(url), actor=operator())
    lines: list[str] = []
    if seed.seeded:
        lines.append(f"Seeded the demo practice: {seed.clients} clients, in {shown(url)}")
    elif not seed.demo_present:
        err.print(
            f"{shown(url)} already holds a practice that is not the demo's; the logins "
            "below do not apply to it (set REFERWELL_DATA_DIR to a new folder for the demo)",
            markup=False,
        )
    else:
        lines.append(f"The demo practice is already in {shown(url)}")
    if seed.seeded_on is not None:
        lines.append(_seeded_on(seed.seeded_on))
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only compared
    lines += ["", f"Open http://{shown_host}:{port} and log in as one of:", ""]
    lines += [
        f"  {user.username:<8} password {user.password:<16} {user.role:<10} {user.about}"
        for user in seed.users
    ]
    # Plain lines, never wrapped: the logins must stay copyable.
    sys.stdout.write("\n".join(lines) + "\n\n")
    sys.stdout.flush()
    if serve_it:
        run_server(url, host, port, 1, False)


def _seeded_on(day: date) -> str:
    said = f"The demo practice was seeded on {day.isoformat()}; its dates count back from that day."
    if day < date.today():
        said += " Run `referwell demo --reset` to reseed it for today."
    return said


def _remove_the_demo_database(url: str, demo_url: str) -> None:
    """Remove the demo's own SQLite database (and its WAL files) for `--reset`; refuse any
    other database, and one that holds a practice that is not the demo's."""
    from referwell.db import migrate
    from referwell.db.engine import Database
    from referwell.services.synthetic.demo import only_the_demo

    path = sqlite_file(url)
    if url != demo_url or path is None:
        fail(
            f"--reset: the database is {shown(url)} (REFERWELL_DATABASE_URL or the "
            f"configuration's database_url), not the demo's own {shown(demo_url)}; --reset "
            "removes only that one"
        )
    if not path.exists():
        return
    migrate.upgrade(url)
    with Database(url) as database:  # closed before the file goes
        demo_alone = only_the_demo(database.unit_of_work())
    if not demo_alone:
        fail(
            f"--reset: {path} holds a practice that is not the demo's; --reset removes only a "
            "database that holds the demo practice alone (set REFERWELL_DATA_DIR to a new "
            "folder for the demo)"
        )
    for leftover in (path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)
    err.print(f"removed the demo database {path}", markup=False)
