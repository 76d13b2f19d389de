"""`referwell backup`, `restore`, `db check` and `audit verify` on a SQLite practice database:
a round trip, the copy consistent while referwell writes, and every refusal in one line."""

from __future__ import annotations

import gc
import hashlib
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from referwell.cli.main import app
from referwell.db.audit import AuditAction, record
from referwell.db.engine import for_writing, make_engine, make_session_factory
from referwell.services.backup import check_sqlite_file

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A data folder of its own, with a small synthetic practice in its database."""
    monkeypatch.setenv("REFERWELL_AUDIT_HEAD_DIR", str(tmp_path / "heads"))
    values = {"REFERWELL_DATA_DIR": str(tmp_path / "data")}
    made = runner.invoke(
        app, ["synth", "caseload", "--clients", "6", "--seed", "4", "--as-of", "2026-11-20"],
        env=values,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    return values


def _database(env: dict[str, str]) -> Path:
    return Path(env["REFERWELL_DATA_DIR"]) / "referwell.sqlite3"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(output: str) -> dict[str, int]:
    """The per-table counts a command printed."""
    rows = {}
    for line in output.splitlines():
        parts = line.split()
        if line.startswith("  ") and len(parts) == 2 and parts[1].isdigit():
            rows[parts[0]] = int(parts[1])
    return rows


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_backup_restores_the_database_as_it_was(env: dict[str, str], tmp_path: Path) -> None:
    backup = tmp_path / "backups" / "practice.sqlite3"
    backup.parent.mkdir()

    made = runner.invoke(app, ["backup", str(backup)], env=env)

    assert made.exit_code == 0, made.output
    assert "integrity   ok" in made.stdout
    assert "chain intact" in made.stdout
    backed_up = _rows(made.stdout)
    assert backed_up["clients"] == 6
    assert backed_up["audit_log"] >= 2  # the synthetic practice's entry and the backup's own
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert sorted(p.name for p in backup.parent.iterdir()) == ["practice.sqlite3"]  # one file

    # The practice goes on: a client is exported (an audit entry the backup does not hold).
    exported = runner.invoke(app, ["export", "1", "-o", str(tmp_path / "c.json")], env=env)
    assert exported.exit_code == 0, exported.output

    gc.collect()  # each command is a process of its own: its connections are gone by now
    restored = runner.invoke(app, ["restore", str(backup)], env=env)

    assert restored.exit_code == 0, restored.output
    now = _rows(restored.stdout)
    assert now == {**backed_up, "audit_log": backed_up["audit_log"] + 1}  # the restore's entry
    assert "the 1 entries written after the backup are not in it" in restored.stderr
    kept = list(_database(env).parent.glob("referwell.sqlite3.replaced-*"))
    assert len(kept) == 1
    verified = runner.invoke(app, ["audit", "verify"], env=env)
    assert verified.exit_code == 0, verified.output
    assert f"audit log intact: {now['audit_log']} entries" in verified.stdout
    checked = runner.invoke(app, ["db", "check"], env=env)
    assert checked.exit_code == 0, checked.output
    assert _rows(checked.stdout) == now


def test_an_existing_backup_is_replaced_only_with_force(
    env: dict[str, str], tmp_path: Path
) -> None:
    backup = tmp_path / "b.sqlite3"
    backup.write_text("keep me", encoding="utf-8")

    refused = runner.invoke(app, ["backup", str(backup)], env=env)

    assert refused.exit_code == 2
    assert _one_line(refused.stderr) == (
        f"backup: {backup} exists: choose another name, or --force to replace it"
    )
    assert backup.read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    forced = runner.invoke(app, ["backup", "--force", str(backup)], env=env)
    assert forced.exit_code == 0, forced.output
    assert check_sqlite_file(backup).problems == []


def test_a_restore_is_refused_while_the_database_is_open(
    env: dict[str, str], tmp_path: Path
) -> None:
    backup = tmp_path / "b.sqlite3"
    assert runner.invoke(app, ["backup", str(backup)], env=env).exit_code == 0
    database = _database(env)
    server = sqlite3.connect(database)  # as a running referwell holds it
    try:
        server.execute("SELECT count(*) FROM clients").fetchone()
        before = _digest(database)

        refused = runner.invoke(app, ["restore", str(backup)], env=env)
    finally:
        server.close()

    assert refused.exit_code == 2
    assert _one_line(refused.stderr) == (
        "restore: the database is open (is referwell serving it?): stop referwell, then "
        "restore (docs/operations.md, Backup and restore)"
    )
    assert _digest(database) == before


def test_a_backup_failing_its_check_is_not_restored(env: dict[str, str], tmp_path: Path) -> None:
    database = _database(env)
    before = _digest(database)
    not_a_database = tmp_path / "notes.sqlite3"
    not_a_database.write_bytes(b"this is not a database" * 100)

    refused = runner.invoke(app, ["restore", str(not_a_database)], env=env)

    assert refused.exit_code == 2
    assert _one_line(refused.stderr) == (
        f"restore: {not_a_database} cannot be read as a SQLite database (DatabaseError)"
    )
    assert _digest(database) == before


def test_a_backup_of_a_revision_this_referwell_does_not_know_is_not_restored(
    env: dict[str, str], tmp_path: Path
) -> None:
    backup = tmp_path / "b.sqlite3"
    assert runner.invoke(app, ["backup", str(backup)], env=env).exit_code == 0
    edit = sqlite3.connect(backup)
    edit.execute("UPDATE alembic_version SET version_num = '0999'")  # a newer referwell's
    edit.commit()
    edit.close()
    before = _digest(_database(env))

    refused = runner.invoke(app, ["restore", str(backup)], env=env)

    assert refused.exit_code == 2
    line = _one_line(refused.stderr)
    assert "failed its check, nothing was restored" in line
    assert "revision 0999 is unknown to this referwell" in line
    assert _digest(_database(env)) == before


def test_a_backup_whose_audit_log_was_edited_fails_its_check(
    env: dict[str, str], tmp_path: Path
) -> None:
    backup = tmp_path / "b.sqlite3"
    assert runner.invoke(app, ["backup", str(backup)], env=env).exit_code == 0
    assert runner.invoke(app, ["restore", "--check", str(backup)], env=env).exit_code == 0
    edit = sqlite3.connect(backup)
    edit.execute("DROP TRIGGER audit_log_no_update")
    edit.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 1")
    edit.commit()
    edit.close()
    before = _digest(_database(env))

    checked = runner.invoke(app, ["restore", "--check", str(backup)], env=env)
    refused = runner.invoke(app, ["restore", str(backup)], env=env)

    assert checked.exit_code == 2
    assert "(position 1): its HMAC does not match" in _one_line(checked.stderr)
    assert refused.exit_code == 2
    assert "failed its check, nothing was restored: entry" in _one_line(refused.stderr)
    assert _digest(_database(env)) == before


def test_backups_taken_while_referwell_writes_are_consistent(
    env: dict[str, str], tmp_path: Path
) -> None:
    engine: Engine = make_engine(f"sqlite:///{_database(env)}")
    stop = threading.Event()
    written: list[int] = []

    def serve() -> None:  # page views, audited in batches as the web app does
        factory = make_session_factory(for_writing(engine))
        while not stop.is_set():
            with factory() as session:
                for client in range(20):
                    record(session, AuditAction.CLIENT_READ, actor="7", target_ids=[client])
                session.commit()
            written.append(20)

    writer = threading.Thread(target=serve)
    writer.start()
    try:
        for number in range(3):
            made = runner.invoke(app, ["backup", str(tmp_path / f"b{number}.sqlite3")], env=env)
            assert made.exit_code == 0, made.output
            assert "chain intact" in made.stdout
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    assert sum(written) > 0
    assert runner.invoke(app, ["audit", "verify"], env=env).exit_code == 0


def test_postgresql_is_pointed_to_pg_dump_and_pg_restore(tmp_path: Path) -> None:
    url = "postgresql+psycopg://referwell@127.0.0.1:1/referwell"
    for command in (["backup", str(tmp_path / "b")], ["restore", str(tmp_path / "b")]):
        result = runner.invoke(app, [*command, "--database", url])

        assert result.exit_code == 2
        assert _one_line(result.stderr) == (
            f"{command[0]}: PostgreSQL is backed up with pg_dump and restored with "
            "pg_restore; see docs/operations.md, Backup and restore"
        )


def test_audit_verify_names_each_problem_on_its_own_line(env: dict[str, str]) -> None:
    database = _database(env)
    for target in range(3):
        assert runner.invoke(app, ["export", str(target + 1)], env=env).exit_code == 0
    edit = sqlite3.connect(database)
    edit.execute("DROP TRIGGER audit_log_no_update")
    edit.execute("DROP TRIGGER audit_log_no_delete")
    ids = [row[0] for row in edit.execute("SELECT id FROM audit_log ORDER BY seq")]
    edit.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2")
    edit.execute("DELETE FROM audit_log WHERE seq = 3")
    edit.commit()
    edit.close()

    result = runner.invoke(app, ["audit", "verify"], env=env)

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"entry {ids[1]} (position 2): its HMAC does not match: changed, inserted, or "
        "chained without the key",
        "position 3 missing: entries removed",
    ]
    assert runner.invoke(app, ["db", "check"], env=env).exit_code == 2
