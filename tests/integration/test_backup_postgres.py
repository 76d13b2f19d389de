"""PostgreSQL round trip, as docs/operations.md tells it: pg_dump, a new database,
pg_restore, then `referwell db check` agrees on every table's rows and the audit chain; a
dump older than the chain's head shows the entries since as cut off, until the operator
accepts the restored end with `referwell audit reset-head`."""

from __future__ import annotations

import glob
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import make_url
from typer.testing import CliRunner

from referwell.cli.main import app
from referwell.db.engine import Database
from referwell.services.backup import check_database
from referwell.services.permissions import Operator

runner = CliRunner()
OPERATOR = Operator("ops")


def _client_tool(name: str) -> str:
    """The newest PostgreSQL's `name` (pg_dump, pg_restore), as scripts/with-postgres.sh picks
    the server."""

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path))

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if not found:
        pytest.skip(f"no {name} under /usr/lib/postgresql/*/bin")
    return found[-1]


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def postgres_url(backend: str, database_url: str) -> str:
    if backend != "postgres":
        pytest.skip("pg_dump and pg_restore: PostgreSQL only")
    return database_url


def test_pg_dump_and_pg_restore_give_the_same_rows_and_an_intact_chain(
    postgres_url: str, postgres_databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFERWELL_AUDIT_HEAD_DIR", str(tmp_path / "heads"))
    made = runner.invoke(
        app,
        ["synth", "caseload", "--clients", "8", "--seed", "2", "--as-of", "2026-11-20",
         "--database", postgres_url],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    for client in ("1", "2"):
        exported = runner.invoke(app, ["export", client, "--database", postgres_url])
        assert exported.exit_code == 0, exported.output
    dump = tmp_path / "referwell.dump"

    subprocess.run(
        [_client_tool("pg_dump"), "-Fc", "-f", str(dump), "-d", _libpq(postgres_url)],
        check=True,
        capture_output=True,
    )
    restored_url = postgres_databases.create()
    subprocess.run(
        [_client_tool("pg_restore"), "--no-owner", "--exit-on-error",
         "-d", _libpq(restored_url), str(dump)],
        check=True,
        capture_output=True,
    )  # fmt: skip

    with Database(postgres_url) as original, Database(restored_url) as restored:
        before = check_database(original, actor=OPERATOR)
        after = check_database(restored, actor=OPERATOR)
    assert after.problems == []
    assert after.counts == before.counts
    assert after.counts["clients"] == 8
    assert after.audit is not None
    entries = after.audit.entries
    assert entries == before.counts["audit_log"] >= 3  # the synthetic practice's, two exports
    checked = runner.invoke(app, ["db", "check", "--database", restored_url])
    assert checked.exit_code == 0, checked.output

    # The practice goes on in the original; the dump is now older than the chain's head.
    assert runner.invoke(app, ["export", "3", "--database", postgres_url]).exit_code == 0
    stale = runner.invoke(app, ["audit", "verify", "--database", restored_url])
    assert stale.exit_code == 2
    assert stale.stderr.strip().splitlines() == [
        f"position {entries + 1} missing at the end: the head kept outside the database says "
        f"{entries + 1} (the tail cut off)"
    ]
    accepted = runner.invoke(app, ["audit", "reset-head", "--database", restored_url])
    assert accepted.exit_code == 0, accepted.output
    assert (
        f"position {entries + 1} -> {entries} (the 1 entries written after the backup are "
        "not in it)"
    ) in " ".join(accepted.stderr.split())
    verified = runner.invoke(app, ["audit", "verify", "--database", restored_url])
    assert verified.exit_code == 0, verified.output
    assert f"audit log intact: {entries + 1} entries" in verified.stdout  # and the reset's
