"""`referwell demo`: seed the demo practice and serve it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from referwell.cli.common import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    HostOption,
    PortOption,
    database_url,
    err,
    operator,
    shown,
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
    from referwell.services.synthetic.demo import DEMO_USERS, seed_demo

    url = database_url(None)
    migrate.upgrade(url)
    uow = unit_of_work(url)
    seed = seed_demo(uow, actor=operator())
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
        run_server(url, host, port, 1, False)
