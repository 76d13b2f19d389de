"""`referwell screen`: assess every recently seen client and write a prioritised worklist."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from referwell.cli.common import err, fail, operator, out, print_invalid, progress_bar, refuse
from referwell.domain.errors import InvalidInput

if TYPE_CHECKING:
    from referwell.services.screening.rows import WorklistRow


class WorklistFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def screen(
    cases: Annotated[
        Path | None,
        typer.Option(
            "--cases",
            help="A folder of case files or a JSON Lines file to screen instead of the database.",
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database", help="Database URL (default: REFERWELL_DATABASE_URL or the data dir's)."
        ),
    ] = None,
    practice: Annotated[
        int | None, typer.Option("--practice", help="Only this practice (by id).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The screening day, YYYY-MM-DD (default today).")
    ] = None,
    recent_days: Annotated[
        int,
        typer.Option(
            "--recent-days", help="Screen clients with a session in this many days before as-of."
        ),
    ] = 90,
    output: Annotated[
        WorklistFormat, typer.Option("--format", "-f", help="table, csv or json.")
    ] = WorklistFormat.table,
    settings: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="Rule settings (TOML) for every practice, instead of each practice's own.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Processes for the database screen (default: up to 2)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Show only the first N rows of the table.")
    ] = None,
) -> None:
    """Screen a practice: assess every client with a recent session and list them, most
    pressing first (within one recommendation, the newest dated trigger first, undated
    after dated, then by client id).

    From the database, questionnaires and sessions are summarised in bulk by SQL and the
    one rule engine decides; the read is audited with the operating-system user as actor.
    """
    from referwell.services.assessing import load_settings
    from referwell.services.caseio import iter_case_sources
    from referwell.services.screening.rows import worklist_csv
    from referwell.services.screening.screen import screen_cases, screen_practices

    errors = []
    day = date.today()
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            errors.append(f'--as-of: expected a date as YYYY-MM-DD; got "{as_of}"')
    if recent_days < 0:
        errors.append(f"--recent-days: expected a whole number of 0 or more; got {recent_days}")
    if workers is not None and workers < 1:
        errors.append(f"--workers: expected 1 or more; got {workers}")
    if cases is not None and not cases.exists():
        errors.append(f"--cases: {cases} does not exist; give a folder or a JSON Lines file")
    if errors:
        fail("\n".join(errors))
    try:
        rule_settings = load_settings(settings) if settings is not None else None
    except InvalidInput as exc:
        refuse(exc, str(settings))

    progress = progress_bar(None)
    refused = 0

    def on_refused(name: str, exc: InvalidInput) -> None:
        nonlocal refused
        refused += 1
        print_invalid(exc, name)

    with progress:
        if cases is not None:
            from referwell.domain.settings import RuleSettings

            task = progress.add_task("screening", total=None)
            rows = screen_cases(
                iter_case_sources(cases),
                rule_settings or RuleSettings(),
                as_of=day,
                recent_days=recent_days,
                on_refused=on_refused,
                progress=lambda n: progress.advance(task, n),
            )
        else:
            from sqlalchemy.exc import SQLAlchemyError

            from referwell.config import load_config
            from referwell.db.engine import Database

            url = database or load_config().database_url
            task = progress.add_task("screening", total=0)

            def in_scope(count: int) -> None:
                progress.update(task, total=(progress.tasks[0].total or 0) + count)

            try:
                rows = screen_practices(
                    Database(url),
                    operator(),
                    day,
                    recent_days=recent_days,
                    practice_id=practice,
                    settings_override=rule_settings,
                    workers=workers,
                    progress=lambda n: progress.advance(task, n),
                    on_scope=in_scope,
                )
            except InvalidInput as exc:
                refuse(exc)
            except SQLAlchemyError as exc:  # a missing or unmigrated database
                fail(
                    f"--database: cannot screen this database ({type(exc).__name__}); "
                    "is it a referwell database? Run `referwell db upgrade` first"
                )

    if output is WorklistFormat.csv:
        sys.stdout.write(worklist_csv(rows))
    elif output is WorklistFormat.json:
        sys.stdout.write(worklist_json(rows, day) + "\n")
    else:
        _table(rows, limit)
    if refused:
        err.print(f"{refused} case files refused", markup=False)
        raise typer.Exit(2)


def _table(rows: Sequence[WorklistRow], limit: int | None) -> None:
    from rich.table import Table

    from referwell.cli.report import STYLE

    table = Table(title=f"Worklist: {len(rows)} clients", title_justify="left")
    for column in (
        "#",
        "client",
        "case",
        "clinician",
        "recommendation",
        "trigger",
        "findings",
        "cautions",
    ):
        table.add_column(column)
    for rank, row in enumerate(rows[:limit] if limit else rows, start=1):
        table.add_row(
            str(rank),
            row.client,
            row.case_id,
            row.clinician,
            f"[{STYLE.get(row.recommendation, '')}]{row.recommendation}[/]",
            row.latest_trigger.isoformat() if row.latest_trigger else "",
            ", ".join(row.finding_kinds),
            ", ".join(row.caution_kinds),
        )
    out.print(table)


def worklist_json(rows: Sequence[WorklistRow], as_of: date) -> str:
    """The worklist as one JSON object, one client a line: quick to write for a whole
    practice (the C encoder, no indenting pass) and still easy to read and diff."""
    head = json.dumps({"format": "referwell.worklist/1", "as_of": as_of.isoformat()})[:-1]
    if not rows:
        return head + ', "clients": []}'
    clients = ",\n  ".join(json.dumps(r.as_dict()) for r in rows)
    return head + ', "clients": [\n  ' + clients + "\n]}"
