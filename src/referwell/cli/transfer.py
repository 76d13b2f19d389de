"""`referwell import` and `referwell export`: case files into the database and out of it.

Both are audited with the operating-system user as the actor.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from referwell.cli.common import (
    DatabaseOption,
    as_of_day,
    database_url,
    err,
    fail,
    operator,
    print_invalid,
    refuse,
    require_head,
    unit_of_work,
)
from referwell.domain.errors import InvalidInput


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
    file and field, nothing is written and the exit status is 2.
    """
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
    try:
        imported = import_service(
            unit_of_work(url),
            checked,
            clinician=clinician,
            practice_id=practice,
            clinician_profile=clinician_profile.value,
            actor=operator(),
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
    text = json.dumps(case, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
