"""`referwell import` and `referwell export`: case files into the database and out of it.

Both are audited with the operating-system user as the actor.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from referwell.cli.common import (
    DatabaseOption,
    as_of_day,
    ctrl_c_noticed,
    database_url,
    err,
    fail,
    operator,
    print_invalid,
    progress_bar,
    refuse,
    require_head,
    shown,
    unit_of_work,
)
from referwell.domain.errors import InvalidInput

if TYPE_CHECKING:
    from referwell.db.imports import ImportBusyError


class ProfileChoice(StrEnum):
    MERGE = "merge"
    REPLACE = "replace"
    KEEP = "keep"


def import_cases(
    cases: Annotated[
        list[Path],
        typer.Argument(help="Case files (JSON or YAML) or folders of them.", metavar="CASE..."),
    ],
    clinician: Annotated[
        str,
        typer.Option(
            "--clinician",
            help="Username of the clinician whose clients they become.",
            metavar="USERNAME",
        ),
    ],
    practice: Annotated[
        int | None,
        typer.Option(
            "--practice", help="The practice id, checked against the clinician's.", metavar="ID"
        ),
    ] = None,
    clinician_profile: Annotated[
        ProfileChoice,
        typer.Option(
            "--clinician-profile",
            help="What the cases' clinician codes do to the clinician's profile: merge adds the missing ones, replace makes it the cases', keep leaves it.",
            metavar="MODE",
        ),
    ] = ProfileChoice.MERGE,
    database: DatabaseOption = None,
) -> None:
    """Load case files into the database as new clients of a clinician.

    Every file is checked first; if any is refused, each error is printed with its
    file and field, nothing is written and the exit status is 2. The clients are then
    written in short batches, so that the web app can write in between, and appear
    together when the last one is in. An import that fails on the way (the disk
    full, the database locked too long, Ctrl-C) removes what it wrote; one that was
    killed is cleaned up by the next import or `referwell db upgrade`. One import
    writes at a time: a second one exits 2.
    """
    from referwell.db.engine import Database
    from referwell.db.imports import ImportBusyError
    from referwell.domain.caseformat import parse_case
    from referwell.services.caseio import case_files, read_path
    from referwell.services.clients.transfer import import_cases as import_service

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
    url = database_url(database)
    require_head(url)
    progress = progress_bar(len(checked), shown_from=500)
    try:
        with Database(url) as practice_db, progress, ctrl_c_noticed() as stop_if_pressed:
            task = progress.add_task("importing", total=len(checked))

            def written(done: int) -> None:
                stop_if_pressed()
                progress.update(task, completed=done)

            imported = import_service(
                practice_db,
                checked,
                clinician=clinician,
                practice_id=practice,
                clinician_profile=clinician_profile.value,
                actor=operator(),
                progress=written,
            )
    except InvalidInput as exc:
        refuse(exc)
    except ImportBusyError as busy:
        fail(_another_import(url, busy))
    ids = imported.client_ids
    err.print(
        f"imported {len(ids)} case{'s' if len(ids) != 1 else ''} as clients "
        f"{', '.join(map(str, ids))} of {imported.clinician} (practice {imported.practice_id})",
        markup=False,
    )


def _another_import(url: str, busy: ImportBusyError) -> str:
    which = "another import"
    if busy.import_id is not None and busy.started_at is not None:
        started = busy.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        which = f"another import (import {busy.import_id}, begun {started} by {busy.started_by})"
    return f"{which} is writing to {shown(url)}; nothing was imported. Try again when it ends"


def export_case(
    client: Annotated[
        str, typer.Argument(help="The client's id, or the case id it was imported with.")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", metavar="FILE"
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="The case as of this day, YYYY-MM-DD (default today).", metavar="DATE"
        ),
    ] = None,
    practice: Annotated[
        int | None,
        typer.Option(
            "--practice", help="The practice id, when a case id is not unique.", metavar="ID"
        ),
    ] = None,
    with_outcomes: Annotated[
        bool,
        typer.Option(
            "--with-outcomes",
            help='Write a referwell.export/1 object instead: its "case" is the case file, its "outcomes" the outcome report (first → latest, change and outcome words per questionnaire, and PHQ-9 with GAD-7 combined). Not importable as it stands: its "case" is.',
        ),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Write a client's case file (referwell.case/1, JSON) to stdout or a file.

    The plain case file can be imported again; --with-outcomes wraps it with the
    outcome report. Either way the export is audited.
    """
    from referwell.services.clients.transfer import export_case as export_service

    day = as_of_day(as_of)
    url = database_url(database)
    require_head(url)
    if output is None:
        try:
            case = export_service(
                unit_of_work(url),
                client,
                practice_id=practice,
                as_of=day,
                actor=operator(),
                with_outcomes=with_outcomes,
            )
        except InvalidInput as exc:
            refuse(exc)
        sys.stdout.write(_json(case))
        return
    # Into a file: written aside (which proves the folder writable before anything is read),
    # complete before the export is audited, and renamed into place after.
    with _aside(output) as handle:
        try:
            export_service(
                unit_of_work(url),
                client,
                practice_id=practice,
                as_of=day,
                actor=operator(),
                with_outcomes=with_outcomes,
                deliver=lambda document: _write_out(handle, document),
            )
        except InvalidInput as exc:
            refuse(exc)


def _json(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _write_out(handle: IO[str], document: object) -> None:
    handle.write(_json(document))
    handle.flush()
    os.fsync(handle.fileno())


@contextmanager
def _aside(output: Path) -> Iterator[IO[str]]:
    """A temporary file beside `output`, renamed to it when the block ends well and
    removed otherwise; the folder must exist (nothing is created for it)."""
    folder = output.absolute().parent
    if not folder.is_dir():
        fail(f"--output: the folder {folder} does not exist; nothing was exported")
    if output.is_dir():
        fail(f"--output: {output} is a folder; give a file name; nothing was exported")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed below, or removed
        "w", encoding="utf-8", dir=folder, prefix=f".{output.name}.", delete=False
    )
    try:
        with handle:
            yield handle
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # as any new file, not the temporary's 0600
        os.replace(handle.name, output)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
