"""`referwell directory import` and `export` through the CLI runner, on SQLite and PostgreSQL:
a file imported with its report, exported as each format, audited; a malformed file
refused, naming its file, row and field, with nothing written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from directory_fixtures import PRACTICES_CSV, hsds_export_errors
from referwell.cli.main import app
from referwell.db.audit import os_user
from referwell.db.directory.models import DirectoryEntry, DirectoryImport
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import AuditEntry
from referwell.services.directory.csvfile import COLUMNS

runner = CliRunner()


def _upgraded(url: str) -> str:
    result = runner.invoke(app, ["db", "upgrade", "--database", url])
    assert result.exit_code == 0, result.output
    return url


def _counts(url: str) -> tuple[int, int, list[str]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return (
                int(session.scalar(select(func.count()).select_from(DirectoryImport)) or 0),
                int(session.scalar(select(func.count()).select_from(DirectoryEntry)) or 0),
                [
                    f"{entry.action} {entry.actor}"
                    for entry in session.scalars(
                        select(AuditEntry)
                        .where(AuditEntry.action.like("directory:%"))
                        .order_by(AuditEntry.id)
                    )
                ],
            )
    finally:
        engine.dispose()


def test_import_then_export_each_format(database_url: str, tmp_path: Path) -> None:
    url = _upgraded(database_url)

    imported = runner.invoke(app, ["directory", "import", str(PRACTICES_CSV), "--database", url])

    assert imported.exit_code == 0, imported.output
    lines = imported.stdout.splitlines()
    assert lines[0] == (
        "6 entries of 3 organizations, 6 locations (hsds-csv; import 1): 2 skipped, "
        "3 corrected, 3 unmapped, 1 noted"
    )
    assert 'skipped: services.csv: row 6: status "defunct": not a current service' in lines
    hsds = runner.invoke(
        app,
        ["directory", "export", "--format", "hsds", "-o", str(tmp_path / "d.json"),
         "--database", url],
    )  # fmt: skip
    assert hsds.exit_code == 0, hsds.output
    assert list(hsds_export_errors(json.loads((tmp_path / "d.json").read_text()))) == []
    fhir = runner.invoke(app, ["directory", "export", "--format", "fhir", "--database", url])
    assert json.loads(fhir.stdout)["resourceType"] == "Bundle"
    table = runner.invoke(app, ["directory", "export", "-f", "csv", "--database", url])
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert (tuple(rows[0]), len(rows)) == (COLUMNS, 6)
    assert table.stderr.endswith("exported 6 entries (csv)\n")
    assert _counts(url) == (
        1,
        6,
        [f"directory:import {os_user()}"] + [f"directory:export {os_user()}"] * 3,
    )


def test_a_malformed_file_is_refused_and_nothing_is_written(
    database_url: str, tmp_path: Path
) -> None:
    url = _upgraded(database_url)
    path = tmp_path / "practice.csv"
    path.write_text(
        ",".join(COLUMNS) + "\n"
        "q1,practitioner,Casey Lin,,,cbt,,,,,,94110,CA,,,yes,CA,yes,,\n"
        "q2,practitioner,Dana Fox,,,dbt,,,,,,94110,CA,,,perhaps,CA,yes,,\n",
        encoding="utf-8",
    )

    result = runner.invoke(app, ["directory", "import", str(path), "--database", url])

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f'{path}: row 3: telehealth: expected "yes", "no" or empty; got "perhaps"',
        f"{path}: refused; nothing was imported",
    ]
    assert _counts(url) == (0, 0, [])
