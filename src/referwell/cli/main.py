"""The `referwell` command line."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from referwell.cli.common import BAD_INPUT, err, fail, out, print_invalid, progress_bar, refuse
from referwell.cli.helpstyle import App
from referwell.domain.errors import InvalidInput

app = App(
    name="referwell",
    help="When to refer, to whom, and how: a referral decision engine for mental-health practitioners.",
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


SettingsOption = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        help="A TOML file of rule settings (`name = value`); the documented defaults fill the rest.",
        metavar="FILE",
        exists=False,
        dir_okay=False,
    ),
]


@app.command()
def assess(
    cases: Annotated[
        list[Path],
        typer.Argument(help="Case files (JSON or YAML) or folders of them.", metavar="CASE..."),
    ],
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: a report; json: one assessment object (JSON Lines for several cases); jsonl: always JSON Lines.",
            metavar="FORMAT",
        ),
    ] = OutputFormat.text,
    settings: SettingsOption = None,
) -> None:
    """Assess case files: recommendation, findings with evidence, cautions and referral needs.

    Invalid input is refused with every error on its own line, each naming the field
    by its path; the exit status is then 2. Among several files a refused one is
    reported on stderr with its name and skipped, and the exit status is 2.
    """
    from referwell.cli.report import render
    from referwell.services.assessing import assess_file, load_settings
    from referwell.services.caseio import case_files

    try:
        rule_settings = load_settings(settings)
    except InvalidInput as exc:
        refuse(exc, str(settings))
    files = case_files(cases)
    if not files:
        fail("no case files found: give .json, .yaml or .yml files, or folders holding them")
    single = len(files) == 1 and not any(p.is_dir() for p in cases)
    if single:
        try:
            found = assess_file(files[0], rule_settings)
        except InvalidInput as exc:
            refuse(exc)
        if output is OutputFormat.text:
            render(found, out)
        elif output is OutputFormat.json:
            sys.stdout.write(json.dumps(found.as_dict(), indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(json.dumps(found.as_dict(), ensure_ascii=False) + "\n")
        return
    refused = 0
    progress = progress_bar(len(files))
    with progress:
        task = progress.add_task("assessing", total=len(files))
        for path in files:
            try:
                found = assess_file(path, rule_settings)
            except InvalidInput as exc:
                refused += 1
                print_invalid(exc, str(path))
            else:
                if output is OutputFormat.text:
                    render(found, out, str(path))
                else:
                    sys.stdout.write(json.dumps(found.as_dict(), ensure_ascii=False) + "\n")
            progress.advance(task)
    if refused:
        err.print(f"{refused} of {len(files)} case files refused", markup=False)
        raise typer.Exit(BAD_INPUT)


@app.command()
def rules(
    output: Annotated[
        str, typer.Option("--format", "-f", help="text, json or markdown.", metavar="FORMAT")
    ] = "text",
) -> None:
    """List every rule with its finding kinds, citations and settings."""
    from referwell.services.ruledocs import rules_markdown, rules_table

    if output == "json":
        sys.stdout.write(json.dumps(rules_table(), indent=2) + "\n")
        return
    if output == "markdown":
        sys.stdout.write(rules_markdown() + "\n")
        return
    if output != "text":
        fail(f'--format: unknown format "{output}"; use "text", "json" or "markdown"')
    for rule in rules_table():
        out.print(f"[bold]{rule['id']}[/bold]  {rule['title']}")
        out.print(f"  {rule['description']}", markup=False)
        for kind, cites in rule["citations"].items():
            shown = "; ".join(f"{c['source']} {c['section']}" for c in cites)
            out.print(f"  cites for {kind}: {shown}", markup=False)
        if rule["settings"]:
            shown = ", ".join(f"{k} = {v}" for k, v in rule["settings"].items())
            out.print(f"  settings: {shown}", markup=False)
        out.print()


from referwell.cli.measures import measures_app  # noqa: E402 - groups register after the app

app.add_typer(measures_app, name="measures")

from referwell.cli.cards import cards_app  # noqa: E402 - groups register after the app

app.add_typer(cards_app, name="cards")

from referwell.cli.directory import directory_app  # noqa: E402 - groups register after the app

app.add_typer(directory_app, name="directory")
from referwell.cli.directory_search import search as directory_search  # noqa: E402

directory_app.command("search")(directory_search)

from referwell.cli.referrals import referrals_app  # noqa: E402 - groups register after the app

app.add_typer(referrals_app, name="referrals")
import referwell.cli.referrals_poll  # noqa: E402, F401 - registers `referrals poll`
from referwell.cli.partners import partners_app  # noqa: E402 - groups register after the app

app.add_typer(partners_app, name="partners")

from referwell.cli.screen import screen  # noqa: E402 - commands register after the app

app.command()(screen)

schema_app = App(help="Print the JSON Schema of a format.")
app.add_typer(schema_app, name="schema")


@schema_app.command("case")
def schema_case() -> None:
    """The JSON Schema (draft 2020-12) of the case format, referwell.case/1."""
    from referwell.domain.caseformat import case_schema

    sys.stdout.write(json.dumps(case_schema(), indent=2) + "\n")


from referwell.cli.database import db_app  # noqa: E402 - commands register after the app
from referwell.cli.demo import demo  # noqa: E402
from referwell.cli.serve import serve  # noqa: E402
from referwell.cli.synth import synth_app  # noqa: E402
from referwell.cli.transfer import export_case, import_cases  # noqa: E402

app.add_typer(db_app, name="db")
app.add_typer(synth_app, name="synth")
app.command()(serve)
app.command("import")(import_cases)
app.command("export")(export_case)
app.command()(demo)

from referwell.cli.backup import audit_app, backup, db_check, restore  # noqa: E402

db_app.command("check")(db_check)
app.command()(backup)
app.command()(restore)
app.add_typer(audit_app, name="audit")


def run() -> None:
    """Entry point of the `referwell` script."""
    app()
