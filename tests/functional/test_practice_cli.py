"""`referwell db upgrade`, `synth caseload`, `import`, `export`, `serve` and `demo` through the CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from referwell.cli.main import app
from referwell.db import migrate
from referwell.db.audit import os_user
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import AuditEntry, Client, User
from referwell.domain.caseformat import parse_case
from shipped_examples import EXAMPLES

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'practice.sqlite3'}"


def _count(url: str, model: type) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def _audit(url: str) -> list[tuple[str, str, str]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return [
                (e.action, e.actor, e.actor_kind)
                for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            ]
    finally:
        engine.dispose()


def _synth(url: str, clients: int = 40, seed: int = 8) -> None:
    result = runner.invoke(
        app,
        ["synth", "caseload", "--clients", str(clients), "--seed", str(seed),
         "--as-of", "2026-11-20", "--database", url],
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_db_upgrade_migrates_then_says_up_to_date(url: str) -> None:
    first = runner.invoke(app, ["db", "upgrade", "--database", url])
    assert first.exit_code == 0, first.output
    assert "migrated from empty to" in first.stderr
    assert migrate.current_revision(url) == migrate.head_revision()
    again = runner.invoke(app, ["db", "upgrade", "--database", url])
    assert again.exit_code == 0
    assert "is up to date" in again.stderr


def test_db_upgrade_uses_the_configured_database(tmp_path: Path) -> None:
    env = {"REFERWELL_DATA_DIR": str(tmp_path / "data"), "REFERWELL_DATABASE_URL": ""}
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "referwell.sqlite3").exists()


def test_synth_jsonl_same_seed_same_bytes(tmp_path: Path) -> None:
    outputs = []
    for name in ("a.jsonl", "b.jsonl"):
        path = tmp_path / name
        result = runner.invoke(
            app,
            ["synth", "caseload", "--clients", "60", "--seed", "4", "--as-of", "2026-11-20",
             "--jsonl", str(path)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "wrote 60 clients" in result.stderr
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
    lines = outputs[0].decode().splitlines()
    assert len(lines) == 60
    for line in lines:
        parse_case(json.loads(line))
    assert not list(tmp_path.glob(".a.jsonl.*"))  # the temporary file is gone


def test_synth_jsonl_to_stdout() -> None:
    result = runner.invoke(
        app, ["synth", "caseload", "--clients", "3", "--seed", "4", "--jsonl", "-"]
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        "s4-000001",
        "s4-000002",
        "s4-000003",
    ]


def test_synth_to_the_database_migrates_writes_and_audits(url: str) -> None:
    _synth(url, clients=40)
    assert _count(url, Client) == 40
    assert _audit(url) == [
        ("user:create", os_user(), "os_user"),
        # the synthetic clinicians' competencies, attested by the operator who made them
        ("competence:attest", os_user(), "os_user"),
        ("client:create", os_user(), "os_user"),
    ]
    again = runner.invoke(
        app, ["synth", "caseload", "--clients", "5", "--seed", "8", "--database", url]
    )
    assert again.exit_code == 2
    assert again.stderr.startswith("--seed: the database already holds")
    assert _count(url, Client) == 40


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--clients", "0", "--seed", "1"], "--clients: give a whole number of 1 or more; got 0"),
        (["--clients", "5", "--seed", "1", "--as-of", "2026-02-30"], "--as-of: expected a date"),
        (["--clients", "5", "--seed", "1", "--clinicians", "0"], "--clinicians: give"),
        (["--clients", "5", "--seed", "1", "--jsonl", "x", "--database", "sqlite://"], "--jsonl:"),
    ],
)
def test_synth_bad_options_exit_2_naming_the_option(arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["synth", "caseload", *arguments])
    assert result.exit_code == 2
    assert message in result.stderr


def test_import_then_export_round_trips_and_audits(url: str, tmp_path: Path) -> None:
    _synth(url, clients=10)
    source = EXAMPLES / "ex07-not-on-track.json"
    result = runner.invoke(
        app, ["import", str(source), "--clinician", "s8-clin00001", "--database", url]
    )
    assert result.exit_code == 0, result.output
    assert "imported 1 case as clients 11 of s8-clin00001" in result.stderr

    out = tmp_path / "ex07.json"
    exported = runner.invoke(
        app, ["export", "ex07", "--as-of", "2026-11-20", "--output", str(out), "--database", url]
    )
    assert exported.exit_code == 0, exported.output
    case = json.loads(out.read_text())
    original = json.loads(source.read_text())
    assert case["id"] == "ex07"
    assert case["sessions"] == original["sessions"]
    assert case["measures"] == original["measures"]
    by_id = runner.invoke(app, ["export", "11", "--as-of", "2026-11-20", "--database", url])
    assert json.loads(by_id.stdout) == case

    actions = [action for action, actor, kind in _audit(url) if kind == "os_user"]
    assert actions[-3:] == ["client:import", "client:export", "client:export"]


def test_a_refused_file_imports_nothing_and_exits_2(url: str, tmp_path: Path) -> None:
    _synth(url, clients=5)
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "referwell.case/1",
                "id": "bad-1",
                "clinician": {"competencies": ["cbt"]},
                "client": {"age": 200},
                "concerns": ["depresion"],
            }
        )
    )
    result = runner.invoke(
        app,
        ["import", str(EXAMPLES / "ex01-bpd-outside-competence.json"), str(bad),
         "--clinician", "s8-clin00001", "--database", url],
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"{bad}: client.age:" in result.stderr
    assert f"{bad}: concerns[0]:" in result.stderr
    assert "nothing was imported" in result.stderr
    assert _count(url, Client) == 5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--clinician", "nobody"], '--clinician: no clinician with the username "nobody"'),
        (["--clinician", "s8-sup0001"], "--clinician: no clinician"),
        (["--clinician", "s8-clin00001", "--practice", "99"], "--practice: clinician"),
    ],
)
def test_import_refuses_a_wrong_clinician_or_practice(
    url: str, options: list[str], message: str
) -> None:
    _synth(url, clients=5)
    result = runner.invoke(
        app,
        ["import", str(EXAMPLES / "ex01-bpd-outside-competence.json"), *options, "--database", url],
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert _count(url, Client) == 5


def test_importing_a_case_id_twice_writes_nothing(url: str) -> None:
    _synth(url, clients=5)
    example = str(EXAMPLES / "ex02-values-conflict.json")
    result = runner.invoke(
        app, ["import", example, example, "--clinician", "s8-clin00001", "--database", url]
    )
    assert result.exit_code == 2
    # Named by its file, not by a client number that was never kept.
    assert result.stderr == f"{example}: this file is given twice; give each file once\n"
    assert _count(url, Client) == 5


def test_export_of_an_unknown_client_exits_2(url: str) -> None:
    _synth(url, clients=3)
    result = runner.invoke(app, ["export", "nobody-here", "--database", url])
    assert result.exit_code == 2
    assert 'CLIENT: no client "nobody-here"' in result.stderr


def test_commands_on_a_database_never_migrated_exit_2(url: str) -> None:
    for command in (["serve"], ["export", "1"]):
        result = runner.invoke(app, [*command, "--database", url])
        assert result.exit_code == 2, command
        assert "run `referwell db upgrade` first" in result.stderr


def test_demo_without_serving_seeds_once_and_prints_the_logins(tmp_path: Path) -> None:
    env = {"REFERWELL_DATA_DIR": str(tmp_path / "var"), "REFERWELL_DATABASE_URL": ""}
    first = runner.invoke(app, ["demo", "--no-serve"], env=env)
    assert first.exit_code == 0, first.output
    assert "Seeded the demo practice: 60 clients" in first.stdout
    assert "http://127.0.0.1:8000" in first.stdout
    for username in ("casey", "dana", "robin", "morgan", "alex"):
        assert username in first.stdout
    assert "referwell-demo" in first.stdout
    url = f"sqlite:///{tmp_path / 'var' / 'referwell.sqlite3'}"
    assert _count(url, Client) == 60
    assert _count(url, User) == 5

    second = runner.invoke(app, ["demo", "--no-serve"], env=env)
    assert second.exit_code == 0, second.output
    assert "already in" in second.stdout
    assert _count(url, Client) == 60
