"""`referwell synth`: synthetic practices for trials and benchmarks."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from referwell.cli.common import (
    DatabaseOption,
    as_of_day,
    ctrl_c_noticed,
    database_url,
    err,
    fail,
    migrate_database,
    operator,
    progress_bar,
    shown,
    unit_of_work,
)
from referwell.cli.helpstyle import App

synth_app = App(help="Synthetic practices for trials and benchmarks.")


@synth_app.command("caseload")
def synth_caseload(
    clients: Annotated[int, typer.Option("--clients", help="How many clients.", metavar="N")],
    seed: Annotated[
        int, typer.Option("--seed", help="The seed: same seed, same practice.", metavar="N")
    ],
    clinicians: Annotated[
        int | None,
        typer.Option(
            "--clinicians", help="How many clinicians (default: one per 30 clients).", metavar="N"
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The day the data leads up to, YYYY-MM-DD (default today).",
            metavar="DATE",
        ),
    ] = None,
    database: DatabaseOption = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl",
            help="Write the cases as JSON Lines to this file (- for stdout) instead.",
            metavar="FILE",
        ),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="A password every synthetic staff member logs in with (default: nobody can log in).",
            metavar="PASSWORD",
        ),
    ] = None,
) -> None:
    """Write a synthetic practice: invented clients with realistic courses of treatment.

    About 20 % drop out and 5-10 % reliably deteriorate; most improve, some slowly,
    some not at all; some answer PHQ-9 item 9 above zero; attendance ranges from
    reliable to erratic; every event kind, clinician factor and reason appears. To
    the database (migrated first; audited) or, with --jsonl, one case a line.
    """
    from referwell.services.synthetic.practice import SynthError, synth_practice

    if database and jsonl:
        fail("--jsonl: give either --database or --jsonl, not both")
    if jsonl is not None and password is not None:
        fail("--password: JSON Lines hold cases only; give --password with a database")
    day = as_of_day(as_of)
    try:
        practice = synth_practice(clients, seed, clinicians=clinicians, as_of=day)
    except SynthError as exc:
        fail(str(exc))
    started = time.perf_counter()
    with progress_bar(clients, shown_from=1000) as progress, ctrl_c_noticed() as stop_if_pressed:
        task = progress.add_task("synthesising", total=clients)

        def advance(done: int) -> None:
            stop_if_pressed()
            progress.update(task, completed=done)

        if jsonl is not None:
            stats = _synth_jsonl(practice, jsonl, advance)
            where = "stdout" if str(jsonl) == "-" else str(jsonl)
        else:
            stats = _synth_database(practice, database_url(database), password, advance)
            where = f"{shown(database_url(database))} (practice {stats.practice_id})"
    err.print(
        f"wrote {stats.clients:,} clients of {stats.clinicians:,} clinicians, "
        f"{stats.measures:,} questionnaires and {stats.sessions:,} sessions to {where} "
        f"in {time.perf_counter() - started:.1f} s",
        markup=False,
    )


def _synth_jsonl(practice: Any, path: Path, advance: Any) -> Any:
    import tempfile

    from referwell.services.synthetic.practice import write_jsonl

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
    from referwell.cli.faults import nothing_left_on_failure
    from referwell.services.synthetic.practice import SynthError, write_database

    with nothing_left_on_failure(url):  # a database made for this and not written goes again
        migrate_database(url)
        try:
            return write_database(
                unit_of_work(url), practice, actor=operator(), password=password, progress=advance
            )
        except SynthError as exc:
            fail(str(exc))


@synth_app.command("directory")
def synth_directory_command(
    providers: Annotated[
        int,
        typer.Option(
            "--providers", help="How many entries (practitioners and programs).", metavar="N"
        ),
    ],
    seed: Annotated[
        int, typer.Option("--seed", help="The seed: same seed, same directory.", metavar="N")
    ],
    database: DatabaseOption = None,
) -> None:
    """Write a synthetic national provider directory over real US ZIP code centres.

    Practitioners and programs spread evenly over the ZIP codes of the 50 states and DC,
    with licensed states for telehealth and realistic shares of modalities, populations,
    insurance, languages, waitlists and unknowns (docs/matching.md). Entries with the ids
    of a previous run of the same seed are replaced. To the database, migrated first.
    """
    from referwell.db import migrate
    from referwell.services.synthetic.directory import synth_directory, write_directory

    if not 1 <= providers <= 5_000_000:
        fail(f"--providers: from 1 to 5000000; got {providers}")
    url = database_url(database)
    migrate.upgrade(url)
    started = time.perf_counter()
    with progress_bar(providers, shown_from=1000) as progress, ctrl_c_noticed() as stop_if_pressed:
        task = progress.add_task("synthesising", total=providers)

        def advance(done: int) -> None:
            stop_if_pressed()
            progress.update(task, completed=done)

        written = write_directory(
            unit_of_work(url),
            synth_directory(providers, seed),
            actor=operator(),
            source=f"referwell synth directory --providers {providers} --seed {seed}",
            progress=advance,
        )
    err.print(
        f"wrote {written.entries:,} directory entries to {shown(url)} (import "
        f"{written.import_id}) in {time.perf_counter() - started:.1f} s",
        markup=False,
    )
