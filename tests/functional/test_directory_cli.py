"""`referwell directory`: a check that writes nothing, the report as JSON, the CSV template in
and out again, the mapping file given, and the refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from directory_fixtures import HSDS_EXAMPLES, PRACTICES_CSV
from referwell.cli.main import app
from referwell.services.directory.csvfile import COLUMNS

runner = CliRunner()
TEMPLATE = (
    ",".join(COLUMNS) + "\n"
    "q1,practitioner,Casey Lin,north,North Street Therapy,cbt;adults,18,,en;es,aetna,yes,"
    "94110,CA,37.75,-122.41,yes,CA;NV,no,2,none\n"
    "q2,program,Teen DBT,north,North Street Therapy,dbt;adolescents,13,17,en,,,,,,,no,,yes,,\n"
)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    result = runner.invoke(app, ["db", "upgrade", "--database", url])
    assert result.exit_code == 0, result.output
    return url


def test_a_check_reads_and_reports_and_writes_nothing(url: str) -> None:
    checked = runner.invoke(
        app, ["directory", "import", str(HSDS_EXAMPLES / "csv"), "--check", "--json"]
    )

    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert report["format"] == "referwell.directory_import/1"
    assert report["counts"]["entries"] == 1
    assert "import_id" not in report
    exported = runner.invoke(app, ["directory", "export", "--format", "csv", "--database", url])
    assert exported.stdout == ",".join(COLUMNS) + "\n"


def test_the_report_as_json_names_its_import(url: str) -> None:
    result = runner.invoke(
        app, ["directory", "import", str(PRACTICES_CSV), "--json", "--database", url]
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["import_id"], report["source_format"]) == (1, "hsds-csv")
    assert {row["action"] for row in report["rows"]} == {
        "skipped",
        "corrected",
        "unmapped",
        "noted",
    }


def test_the_csv_template_goes_in_and_comes_out_the_same(url: str, tmp_path: Path) -> None:
    path = tmp_path / "practice.csv"
    path.write_text(TEMPLATE, encoding="utf-8")

    imported = runner.invoke(app, ["directory", "import", str(path), "--database", url])
    exported = runner.invoke(app, ["directory", "export", "--format", "csv", "--database", url])

    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines() == [
        "2 entries of 1 organization, 1 location (csv; import 1): 0 skipped, 0 corrected, "
        "0 unmapped, 0 noted"
    ]
    assert exported.stdout == TEMPLATE.replace("cbt;adults", "adults;cbt").replace(
        "dbt;adolescents", "adolescents;dbt"
    )


def test_the_operators_mapping_file_is_used(url: str, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[terms]\n"talk therapy" = ["psychotherapy"]\n', encoding="utf-8")
    path = tmp_path / "practice.csv"
    path.write_text(TEMPLATE.replace("cbt;adults", "talk therapy;reiki"), encoding="utf-8")

    result = runner.invoke(
        app,
        ["directory", "import", str(path), "--mapping", str(mapping), "--json", "--database", url],
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["mapping"] == str(mapping)
    assert [(row["action"], row["value"]) for row in report["rows"]] == [("unmapped", "reiki")]


def test_a_mapping_file_with_a_wrong_target_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[terms]\n"talk therapy" = ["talk"]\n', encoding="utf-8")

    result = runner.invoke(
        app, ["directory", "import", str(PRACTICES_CSV), "--mapping", str(mapping), "--check"]
    )

    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(
        f'{mapping}: terms.talk therapy: "talk" is not a service code of the vocabulary'
    )


def test_an_export_into_a_missing_folder_is_refused(url: str, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "directory.json"

    result = runner.invoke(
        app, ["directory", "export", "--format", "fhir", "-o", str(target), "--database", url]
    )

    assert result.exit_code == 2
    assert "does not exist; nothing was exported" in result.stderr
    assert not target.parent.exists()


def test_an_unknown_export_format_is_refused(url: str) -> None:
    result = runner.invoke(app, ["directory", "export", "--format", "xml", "--database", url])

    assert result.exit_code == 2
