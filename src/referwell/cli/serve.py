"""`referwell serve`: the web app on an existing, migrated database."""

from __future__ import annotations

import copy
import os
from typing import Annotated, Any

import typer

from referwell.cli.common import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DatabaseOption,
    HostOption,
    PortOption,
    database_url,
    fail,
    require_head,
)


def app_factory() -> Any:
    """The web app on the configured database: what each uvicorn worker calls."""
    from referwell.config import load_config
    from referwell.web.app import create_app

    return create_app(load_config())


def run_server(url: str, host: str, port: int, workers: int, access_log: bool) -> None:
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
        "referwell.cli.serve:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        access_log=access_log,
        server_header=False,  # no `server: uvicorn`: what serves the app is nobody's business
        log_level="info",
        log_config=log_config,
    )


def serve(
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Worker processes (default: one per CPU, at most 4).", metavar="N"
        ),
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
    url = database_url(database)
    require_head(url)
    run_server(url, host, port, workers, access_log)
