"""`referwell screen`: assess every client, list those with something recorded recently (and
every urgent one) in a prioritised worklist, and say which were left off."""

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
    from referwell.services.screening.rows import Screened, WorklistRow

NAMED_AT_MOST = 20  # clients named in the table's note; JSON names them all


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
            help="List clients with a session, questionnaire or event in this many days "
            "before as-of (urgent ones whatever their dates).",
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
    """Screen a practice: assess every client and list those with something recorded
    recently, most pressing first.

    A client is in scope when a session, questionnaire or event of theirs is dated in the
    window: the days given by the recent-days option, counted back from the screening day
    (or from a case file's own as-of date). Those in scope are listed, and so is every
    urgent client, marked as out of scope. The others are counted and named, never left
    out silently: below the table, in the JSON, or on standard error for a CSV.

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
            found = screen_cases(
                iter_case_sources(cases),
                rule_settings or RuleSettings(),
                as_of=day,
                recent_days=recent_days,
                on_refused=on_refused,
                progress=lambda n: progress.advance(task, n),
            )
        else:
            from referwell.db.engine import Database

            task = progress.add_task("screening", total=0)

            def in_scope(count: int) -> None:
                progress.update(task, total=(progress.tasks[0].total or 0) + count)

            try:
                found = screen_practices(
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

    noun = "case" if cases is not None else "client"
    if output is WorklistFormat.csv:
        sys.stdout.write(worklist_csv(found.rows))
        if found.out_of_scope:
            for line in ScopeNote(found, noun).lines():
                err.print(line, markup=False)
    elif output is WorklistFormat.json:
        sys.stdout.write(worklist_json(found, day) + "\n")
    else:
        out.print(WorklistTable(found.rows, limit, recent_days=found.recent_days))
        out.print(ScopeNote(found, noun))
    if refused:
        err.print(f"{refused} case files refused", markup=False)
        raise typer.Exit(2)


class WorklistTable:
    """The worklist for a terminal of any width, 80 columns included.

    One line a client holds what must stay whole: rank, client, recommendation and
    trigger, in aligned columns (a client's name too long to share the line takes one
    of its own). Below it, indented under the client, come its case and clinician, then
    its findings and cautions, each wrapped under its own text. A client listed although
    nothing was recorded in the last `recent_days` (an urgent one) says so there too.
    """

    TRIGGER_WIDTH = 11  # 20 Nov 2026
    GAP = 2

    def __init__(
        self,
        rows: Sequence[WorklistRow],
        limit: int | None = None,
        *,
        recent_days: int | None = None,
    ) -> None:
        self.total = len(rows)
        self.rows = list(rows[:limit] if limit else rows)
        self.recent_days = recent_days

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
            if not row.in_scope:
                recorded = f"nothing recorded {window(self.recent_days)}"
                parts.append(Text(f"listed because urgent, with {recorded}", style="bold"))
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


def window(recent_days: int | None) -> str:
    """The screen's window in words: "in the last 90 days"."""
    if recent_days is None:
        return "recently"
    if recent_days == 0:
        return "on the screening day"
    return "in the last day" if recent_days == 1 else f"in the last {recent_days:,} days"


class ScopeNote:
    """What the worklist leaves off and why, below the table (or on standard error): how
    many clients had nothing recorded in the window, which (the first NAMED_AT_MOST of
    them), and which of those are listed all the same because they are urgent."""

    def __init__(self, found: Screened, noun: str) -> None:
        self.found = found
        self.noun = noun  # "case" from case files, "client" from the database

    def _who(self, names: list[str]) -> str:
        shown = ", ".join(names[:NAMED_AT_MOST])
        more = len(names) - NAMED_AT_MOST
        if more > 0:
            shown += f" and {more:,} more (--format json names them all)"
        return shown

    def _count(self, n: int) -> str:
        return f"{n:,} {self.noun}{'' if n == 1 else 's'}"

    def _name(self, client: str, case_id: str) -> str:
        return case_id if self.noun == "case" else client

    def lines(self) -> list[str]:
        found, days = self.found, window(self.found.recent_days)
        if not found.out_of_scope:
            return [f"Every {self.noun} listed had something recorded {days}."]
        lines = []
        left = [self._name(n.client, n.case_id) for n in found.not_listed]
        if left:
            verb = "is" if len(left) == 1 else "are"
            lines.append(
                f"{self._count(len(left))} had nothing recorded {days} and {verb} not listed: "
                f"{self._who(left)}."
            )
        urgent = [self._name(r.client, r.case_id) for r in found.listed_out_of_scope]
        if urgent:
            verb = "is" if len(urgent) == 1 else "are"
            lines.append(
                f"{self._count(len(urgent))} had nothing recorded {days} but {verb} listed "
                f"because urgent: {self._who(urgent)}."
            )
        return lines

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.text import Text

        for line in self.lines():
            yield Text(line, overflow="fold")


def worklist_json(found: Screened, as_of: date) -> str:
    """The worklist as one JSON object, one client a line: quick to write for a whole
    practice (the C encoder, no indenting pass) and still easy to read and diff.

    `out_of_scope` counts the clients with nothing recorded in the window; `not_listed`
    names those left off (the urgent ones are among `clients`, with `in_scope` false)."""
    head = json.dumps(
        {
            "format": "referwell.worklist/1",
            "as_of": as_of.isoformat(),
            "recent_days": found.recent_days,
            "out_of_scope": found.out_of_scope,
        }
    )[:-1]
    lists = (_json_list("not_listed", found.not_listed), _json_list("clients", found.rows))
    return f"{head}, {lists[0]}, {lists[1]}}}"


def _json_list(key: str, items: Sequence[Any]) -> str:
    if not items:
        return f'"{key}": []'
    return f'"{key}": [\n  ' + ",\n  ".join(json.dumps(i.as_dict()) for i in items) + "\n]"
