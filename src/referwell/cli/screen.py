"""`referwell screen`: assess every recently seen client and write a prioritised worklist."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from referwell.cli.common import (
    database_url,
    err,
    fail,
    operator,
    out,
    print_invalid,
    progress_bar,
    refuse,
    require_head,
)
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
            metavar="PATH",
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Database URL (default: REFERWELL_DATABASE_URL or the data dir's).",
            metavar="URL",
        ),
    ] = None,
    practice: Annotated[
        int | None, typer.Option("--practice", help="Only this practice (by id).", metavar="ID")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="The screening day, YYYY-MM-DD (default today).", metavar="DATE"
        ),
    ] = None,
    recent_days: Annotated[
        int,
        typer.Option(
            "--recent-days",
            help="Screen clients with a session in this many days before as-of.",
            metavar="DAYS",
        ),
    ] = 90,
    output: Annotated[
        WorklistFormat,
        typer.Option("--format", "-f", help="table, csv or json.", metavar="FORMAT"),
    ] = WorklistFormat.table,
    settings: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="Rule settings (TOML) for every practice, instead of each practice's own.",
            metavar="FILE",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes for the database screen (default: up to 2).", metavar="N"
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="Show only the first N clients of the table.", metavar="N"),
    ] = None,
) -> None:
    """Screen a practice: assess every client with a recent session and list them, most
    pressing first.

    Within one recommendation the newest dated trigger comes first, undated after dated,
    then by client id.

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
    url = ""
    if cases is None:  # from the database: it must exist (nothing is created) and be migrated
        url = database_url(database)
        require_head(url)

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

            from referwell.db.engine import Database

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
    out.print(WorklistTable(rows, limit))


class WorklistTable:
    """The worklist for a terminal of any width, 80 columns included.

    One line a client holds what must stay whole: rank, client, recommendation and
    trigger, in aligned columns (a client's name too long to share the line takes one
    of its own). Below it, indented under the client, come its case and clinician, then
    its findings and cautions, each wrapped under its own text.
    """

    TRIGGER_WIDTH = 11  # 20 Nov 2026
    GAP = 2

    def __init__(self, rows: Sequence[WorklistRow], limit: int | None = None) -> None:
        self.total = len(rows)
        self.rows = list(rows[:limit] if limit else rows)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        from referwell.cli.report import STYLE
        from referwell.domain.assessment import recommendation_label
        from referwell.domain.labels import label, sentence
        from referwell.domain.phrases import day_words

        width = options.max_width
        rank_width = max(1, len(str(len(self.rows))))
        body_width = max(1, width - rank_width - self.GAP)
        labels = {r.recommendation: recommendation_label(r.recommendation) for r in self.rows}
        rec_width = max([len("recommendation"), *(len(text) for text in labels.values())])
        client_width = max([len("client"), *(len(r.client) for r in self.rows)])
        client_width = max(
            6, min(client_width, body_width - rec_width - self.TRIGGER_WIDTH - 2 * self.GAP)
        )

        def line(client: Text, recommendation: Text, trigger: Text) -> Table:
            grid = Table.grid(padding=(0, self.GAP))
            grid.add_column(width=client_width, overflow="fold")
            grid.add_column(width=rec_width, no_wrap=True)
            grid.add_column(width=self.TRIGGER_WIDTH, no_wrap=True)
            grid.add_row(client, recommendation, trigger)
            return grid

        yield Text(f"Worklist: {self.total} clients", style="italic")
        outer = Table.grid(padding=(0, self.GAP))
        outer.add_column(width=rank_width, justify="right", no_wrap=True)
        outer.add_column(width=body_width)
        heading = line(Text("client"), Text("recommendation"), Text("trigger"))
        outer.add_row(Text("#", style="bold"), heading, style="bold")
        for rank, row in enumerate(self.rows, start=1):
            trigger = Text(day_words(row.latest_trigger) if row.latest_trigger else "")
            recommendation = Text(
                labels[row.recommendation], style=STYLE.get(row.recommendation, "")
            )
            parts: list[Text | Table] = []
            if len(row.client) <= client_width:
                parts.append(line(Text(row.client), recommendation, trigger))
            else:  # a name too long to share its line: whole on its own, the rest below
                parts.append(Text(row.client, overflow="fold"))
                parts.append(line(Text(""), recommendation, trigger))
            about = []
            if row.case_id and row.case_id != row.client and row.case_id not in row.client:
                about.append(f"case {row.case_id}")
            if row.clinician:
                about.append(f"clinician {row.clinician}")
            if about:
                parts.append(Text(" · ".join(about), style="dim", overflow="fold"))
            details = Table.grid(padding=(0, 1))
            details.add_column(no_wrap=True, style="dim")
            details.add_column(overflow="fold")
            if row.finding_kinds:
                findings = (sentence(label("finding_kind", k)) for k in row.finding_kinds)
                details.add_row("findings", "; ".join(findings))
            if row.caution_kinds:
                cautions = (sentence(label("caution_kind", k)) for k in row.caution_kinds)
                details.add_row("cautions", Text("; ".join(cautions), style="magenta"))
            if details.row_count:
                parts.append(details)
            outer.add_row(Text(str(rank)), Group(*parts))
        yield outer


def worklist_json(rows: Sequence[WorklistRow], as_of: date) -> str:
    """The worklist as one JSON object, one client a line: quick to write for a whole
    practice (the C encoder, no indenting pass) and still easy to read and diff."""
    head = json.dumps({"format": "referwell.worklist/1", "as_of": as_of.isoformat()})[:-1]
    if not rows:
        return head + ', "clients": []}'
    clients = ",\n  ".join(json.dumps(r.as_dict()) for r in rows)
    return head + ', "clients": [\n  ' + clients + "\n]}"
