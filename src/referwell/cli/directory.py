"""`referwell directory`: the provider directory, imported from HSDS 3.0, FHIR R4 or the CSV
template and exported to any of them. More of the directory's commands join this group.

Imports and exports are the operator's acts, audited with their operating-system login.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from referwell.cli.common import (
    DatabaseOption,
    database_url,
    err,
    fail,
    operator,
    print_invalid,
    refuse,
    require_head,
    unit_of_work,
)
from referwell.cli.helpstyle import App
from referwell.domain.errors import InvalidInput

if TYPE_CHECKING:
    from referwell.services.directory.exporting import Exported

directory_app = App(help="The provider directory: to whom to refer.")


class ExportFormat(StrEnum):
    hsds = "hsds"
    fhir = "fhir"
    csv = "csv"


@directory_app.command("import")
def import_directory(
    path: Annotated[
        Path,
        typer.Argument(
            help="An HSDS CSV data package's folder, an HSDS JSON file, a FHIR R4 Bundle (JSON) or the CSV template; the format is told by content.",
            metavar="PATH",
        ),
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="A mapping file (TOML) of taxonomy terms, codings, languages and payers to referwell's codes, instead of the one shipped.",
            metavar="FILE",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Read the file and print its report; write nothing to the database."
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the report as JSON on stdout instead of in words."),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Import directory entries: practitioners and programs, their organizations and
    locations.

    Every import reports on stdout its counts and every row it skipped, corrected or could
    not map, with the file, row, field and why; what maps to no code is kept with its
    entry. A file that cannot be read as its format is refused whole, every fault on its
    own line, and nothing is written (exit status 2). An entry with the id of one already
    in the directory replaces it.
    """
    from referwell.services.directory.importing import import_directory as import_service
    from referwell.services.directory.importing import read_directory

    try:
        parsed = read_directory(path, mapping)
    except InvalidInput as exc:
        print_invalid(exc)
        fail(f"{path}: refused; nothing was imported")
    if check:
        _print_report(parsed.report.as_dict(), as_json, None)
        return
    url = database_url(database)
    require_head(url)
    try:
        imported = import_service(unit_of_work(url), parsed, actor=operator())
    except InvalidInput as exc:
        refuse(exc)
    _print_report(imported.report, as_json, imported.import_id)


def _print_report(report: dict[str, Any], as_json: bool, import_id: int | None) -> None:
    """The report on stdout: as JSON, or in words (the counts, then a line a row; lines
    whole, however long, so that they can be searched)."""
    from referwell.services.directory.report import ReportRow

    if as_json:
        found = {"import_id": import_id, **report} if import_id is not None else report
        sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
        return
    counts = report["counts"]
    done = f"import {import_id}" if import_id is not None else "checked, nothing written"
    if counts.get("replaced"):
        done += f"; {_many(counts['replaced'], 'entry', 'entries')} replaced"
    lines = [
        f"{_many(counts['entries'], 'entry', 'entries')} of "
        f"{_many(counts['organizations'], 'organization', 'organizations')}, "
        f"{_many(counts['locations'], 'location', 'locations')} "
        f"({report['source_format']}; {done}): {counts['skipped']} skipped, "
        f"{counts['corrected']} corrected, {counts['unmapped']} unmapped, "
        f"{counts['noted']} noted",
        *(str(ReportRow(**row)) for row in report["rows"]),
    ]
    if report["not_read"]:
        lines.append(f"not read: {', '.join(report['not_read'])}")
    sys.stdout.write("\n".join(lines) + "\n")


def _many(count: int, one: str, several: str) -> str:
    return f"{count} {one if count == 1 else several}"


@directory_app.command("export")
def export_directory(
    format_name: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="hsds: HSDS 3.0 JSON, a list of organizations with their services nested; fhir: a FHIR R4 Bundle; csv: the CSV template.",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", metavar="FILE"
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Export every directory entry as HSDS 3.0 JSON, a FHIR R4 Bundle or the CSV template.

    What a format cannot hold is said on stderr. The export is audited once written.
    """
    from referwell.services.directory.exporting import export_directory as export_service

    url = database_url(database)
    require_head(url)
    if output is None:
        exported = export_service(
            unit_of_work(url),
            format_name.value,
            actor=operator(),
            deliver=_write_stdout,
        )
    else:
        with _aside(output) as handle:
            exported = export_service(
                unit_of_work(url),
                format_name.value,
                actor=operator(),
                deliver=lambda found: _write_out(handle, found),
            )
    for note in exported.notes:
        err.print(note, markup=False)
    err.print(
        f"exported {_many(exported.entries, 'entry', 'entries')} ({format_name.value})",
        markup=False,
    )


def _write_stdout(exported: Exported) -> None:
    sys.stdout.write(exported.text)
    sys.stdout.flush()


def _write_out(handle: IO[str], exported: Exported) -> None:
    handle.write(exported.text)
    handle.flush()
    os.fsync(handle.fileno())


@contextmanager
def _aside(output: Path) -> Iterator[IO[str]]:
    """A temporary file beside `output`, renamed to it when the block ends well and removed
    otherwise (as `referwell export` writes a case)."""
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
