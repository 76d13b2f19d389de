"""`referwell screen` from case files and from a database, with its audit entry."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from referwell.cli.main import app
from referwell.db import migrate
from referwell.db.cases import import_case
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import AuditEntry, Practice, User
from shipped_examples import EXAMPLES

runner = CliRunner()


def test_screen_case_folder_orders_the_worklist():
    result = runner.invoke(
        app, ["screen", "--cases", str(EXAMPLES), "--as-of", "2026-11-20", "-f", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # ex03, ex04 and ex08 have no sessions: not seen in the last 90 days, not screened.
    assert [r["case_id"] for r in rows] == ["ex06", "ex01", "ex07", "ex02", "ex05"]
    assert rows[0]["latest_trigger"] == "2026-11-08"


def test_screen_jsonl_reports_refused_lines_and_exits_2(tmp_path):
    good = json.loads((EXAMPLES / "ex07-not-on-track.json").read_text())
    lines = [json.dumps(good), json.dumps(good | {"client": {"age": "x"}}), "{not json"]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(
        app, ["screen", "--cases", str(path), "-f", "json", "--as-of", "2026-11-20"]
    )
    assert result.exit_code == 2
    assert len(json.loads(result.stdout)["clients"]) == 1
    assert "cases.jsonl:2: client.age: expected a whole number" in result.stderr
    assert "cases.jsonl:3: (file): not valid JSON" in result.stderr


def test_screen_bad_options_exit_2():
    result = runner.invoke(app, ["screen", "--cases", "/nowhere", "--as-of", "2026-13-01"])
    assert result.exit_code == 2
    assert '--as-of: expected a date as YYYY-MM-DD; got "2026-13-01"' in result.stderr
    assert "--cases: /nowhere does not exist" in result.stderr


def test_screen_database_audits_one_read_naming_the_clients(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    today = date(2026, 11, 20)
    with make_session_factory(engine)() as session:
        practice = Practice(name="P", rule_settings={"attendance_missed_threshold": 2})
        clinician = User(practice=practice, username="c1", display_name="C1", role="clinician")
        session.add(clinician)
        session.flush()
        rng = random.Random(3)
        ids = []
        for i in range(6):
            sessions = [
                {
                    "date": (today - timedelta(days=7 * k)).isoformat(),
                    "attendance": "no_show" if k < 2 else "attended",
                }
                for k in range(rng.randint(1, 5))
            ]
            case = {
                "format": "referwell.case/1",
                "id": f"s{i}",
                "as_of": today.isoformat(),
                "clinician": {"competencies": ["cbt", "adults"]},
                "client": {"age": 30},
                "concerns": ["depression"],
                "sessions": sessions,
            }
            ids.append(
                import_case(session, practice.id, clinician.id, case, display_name=f"Client {i}").id
            )
        session.commit()
    result = runner.invoke(
        app, ["screen", "--database", url, "--as-of", today.isoformat(), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    clients = json.loads(result.stdout)["clients"]
    assert {int(c["client"]) for c in clients} == set(ids)
    # The practice's own settings apply: two missed sessions are enough here.
    flagged = [c for c in clients if "engagement.attendance" in c["finding_kinds"]]
    assert flagged
    assert all(c["clinician"] == "c1" for c in clients)
    with make_session_factory(engine)() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "screen:read")
        ).all()
    engine.dispose()
    assert len(entries) == 1
    assert entries[0].actor_kind == "os_user"
    assert sorted(entries[0].target_ids) == sorted(ids)
