"""Commands that need the practice database and find none say where they looked and what
to do, exit 2 and create nothing: no data folder, no empty database, no secret key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from referwell.cli.main import app
from shipped_examples import EXAMPLES

runner = CliRunner()

COMMANDS = {
    "serve": ["serve"],
    "import": ["import", str(EXAMPLES / "ex01-bpd-outside-competence.json"), "--clinician", "x"],
    "export": ["export", "1"],
    "screen": ["screen"],
}


def _env(data_dir: Path) -> dict[str, str | None]:
    return {
        "REFERWELL_DATA_DIR": str(data_dir),
        "REFERWELL_DATABASE_URL": None,
        "REFERWELL_CONFIG": None,
        "REFERWELL_SECRET_KEY": None,
    }


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_no_database_in_the_data_dir_exits_2_naming_it_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    data_dir = tmp_path / "absent" / "data"

    result = runner.invoke(app, command, env=_env(data_dir))

    assert result.exit_code == 2, result.output
    assert f"no database at {data_dir / 'referwell.sqlite3'}" in result.stderr
    assert "`referwell db upgrade`" in result.stderr
    assert "`referwell demo`" in result.stderr
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_missing_database_file_given_by_url_is_not_created(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nowhere" / "practice.sqlite3"

    result = runner.invoke(
        app, [*command, "--database", f"sqlite:///{missing}"], env=_env(tmp_path / "data")
    )

    assert result.exit_code == 2, result.output
    assert f"no database at {missing}" in result.stderr
    assert not (tmp_path / "nowhere").exists()
    assert not (tmp_path / "data").exists()


def test_writing_the_database_makes_the_folder_but_no_secret_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = runner.invoke(app, ["db", "upgrade"], env=_env(data_dir))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in data_dir.iterdir()) == ["referwell.sqlite3"]

    # Now the database is there (empty of practices): screening it works.
    screened = runner.invoke(app, ["screen", "--format", "json"], env=_env(data_dir))
    assert screened.exit_code == 0, screened.output
    assert not (data_dir / "secret_key").exists()
