"""`referwell screen` from case files and from a database, with its audit entry; what it
leaves off as out of scope it counts and names, and an urgent client it always lists."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from plain_words import codes_in
from referwell.cli.main import app
from referwell.db import migrate
from referwell.db.cases import import_case
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import AuditEntry, Practice, User
from shipped_examples import EXAMPLES, example_paths

runner = CliRunner()
AS_OF = date(2026, 11, 20)
SHIPPED = ["ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex07", "ex08"]


def _screen(path, *options: str):
    return runner.invoke(
        app, ["screen", "--cases", str(path), "--as-of", AS_OF.isoformat(), *options]
    )


def _case(case_id: str, **parts):
    return {
        "format": "referwell.case/1",
        "id": case_id,
        "as_of": AS_OF.isoformat(),
        "clinician": {"competencies": ["cbt", "adults"]},
        "client": {"age": 30},
        "concerns": ["depression"],
        **parts,
    }


def _days_back(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def _jsonl(tmp_path, cases) -> str:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    return str(path)


def test_the_shipped_examples_are_all_accounted_for():
    assert sorted(json.loads(p.read_text())["id"] for p in example_paths()) == SHIPPED
    result = _screen(EXAMPLES, "-f", "json")
    assert result.exit_code == 0, result.output
    worklist = json.loads(result.stdout)
    listed = [c["case_id"] for c in worklist["clients"]]
    # ex03 and ex04 have no session but a questionnaire in the last 90 days: in scope.
    assert listed == ["ex04", "ex06", "ex01", "ex03", "ex07", "ex02", "ex05"]
    assert worklist["clients"][0]["recommendation"] == "urgent_safety"
    assert all(c["in_scope"] for c in worklist["clients"])
    # ex08 has nothing dated at all: counted and named, not listed.
    assert worklist["recent_days"] == 90
    assert worklist["out_of_scope"] == 1
    assert worklist["not_listed"] == [{"client": "ex08-referral-fee.json", "case_id": "ex08"}]
    assert sorted(listed + [c["case_id"] for c in worklist["not_listed"]]) == SHIPPED


def test_the_table_names_the_cases_left_off_in_words_at_80_columns():
    result = runner.invoke(
        app,
        ["screen", "--cases", str(EXAMPLES), "--as-of", AS_OF.isoformat()],
        env={"COLUMNS": "80", "NO_COLOR": "1"},
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("Worklist: 7 clients")
    assert all(len(line) <= 80 for line in text.splitlines())
    flat = " ".join(text.split())
    assert "1 case had nothing recorded in the last 90 days and is not listed: ex08." in flat
    assert codes_in(text) == []


def test_the_csv_lists_and_marks_the_scope_and_names_the_rest_on_stderr():
    result = _screen(EXAMPLES, "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["case_id"] for r in rows] == ["ex04", "ex06", "ex01", "ex03", "ex07", "ex02", "ex05"]
    assert {r["in_scope"] for r in rows} == {"true"}
    assert rows[1]["latest_trigger"] == "2026-11-08"
    assert "1 case had nothing recorded in the last 90 days and is not listed: ex08." in (
        result.stderr
    )


def test_an_urgent_case_out_of_scope_is_listed_and_marked():
    # ex04's only entry is a PHQ-9 three days back: out of a two-day window, and urgent.
    result = _screen(EXAMPLES, "-f", "json", "--recent-days", "2")
    assert result.exit_code == 0, result.output
    worklist = json.loads(result.stdout)
    assert [(c["case_id"], c["in_scope"]) for c in worklist["clients"]] == [("ex04", False)]
    assert worklist["out_of_scope"] == 8
    assert [c["case_id"] for c in worklist["not_listed"]] == sorted(set(SHIPPED) - {"ex04"})

    csv_result = _screen(EXAMPLES, "-f", "csv", "--recent-days", "2")
    assert [r["in_scope"] for r in csv.DictReader(io.StringIO(csv_result.stdout))] == ["false"]
    assert "1 case had nothing recorded in the last 2 days but is listed because urgent: ex04." in (
        csv_result.stderr
    )

    text = runner.invoke(
        app,
        ["screen", "--cases", str(EXAMPLES), "--as-of", AS_OF.isoformat(), "--recent-days", "2"],
        env={"COLUMNS": "80", "NO_COLOR": "1"},
    ).stdout
    flat = " ".join(text.split())
    assert "listed because urgent, with nothing recorded in the last 2 days" in flat
    assert (
        "7 cases had nothing recorded in the last 2 days and are not listed: "
        "ex01, ex02, ex03, ex05, ex06, ex07, ex08."
    ) in flat
    assert "1 case had nothing recorded in the last 2 days but is listed because urgent: ex04." in (
        flat
    )
    assert all(len(line) <= 80 for line in text.splitlines())
    assert codes_in(text) == []


def test_an_urgent_case_with_nothing_dated_is_never_left_out(tmp_path):
    undated = _case("undated-risk", concerns=["suicidality"])
    quiet = _case("quiet")
    result = _screen(_jsonl(tmp_path, [undated, quiet]), "-f", "json")
    worklist = json.loads(result.stdout)
    assert [(c["case_id"], c["recommendation"], c["in_scope"]) for c in worklist["clients"]] == [
        ("undated-risk", "urgent_safety", False)
    ]
    assert worklist["not_listed"] == [{"client": "cases.jsonl:2", "case_id": "quiet"}]
    assert worklist["out_of_scope"] == 2


def test_a_questionnaire_or_an_event_alone_puts_a_case_in_scope(tmp_path):
    phq9 = {"instrument": "PHQ-9", "date": _days_back(30), "items": [1, 1, 1, 1, 0, 0, 0, 0, 0]}
    event = {"date": _days_back(30), "kind": "boundary_crossing"}
    old_session = {"date": _days_back(200), "attendance": "attended"}
    cases = [
        _case("questionnaire-only", measures=[phq9]),
        _case("event-only", events=[event]),
        _case("old-session-only", sessions=[old_session]),
    ]
    worklist = json.loads(_screen(_jsonl(tmp_path, cases), "-f", "json").stdout)
    assert sorted(c["case_id"] for c in worklist["clients"]) == ["event-only", "questionnaire-only"]
    assert [c["case_id"] for c in worklist["not_listed"]] == ["old-session-only"]


def test_the_window_counts_back_from_each_cases_own_as_of(tmp_path):
    session = {"date": "2026-01-10", "attendance": "attended"}
    earlier = _case("screened-back-then", as_of="2026-01-20", sessions=[session])
    worklist = json.loads(_screen(_jsonl(tmp_path, [earlier]), "-f", "json").stdout)
    assert [c["case_id"] for c in worklist["clients"]] == ["screened-back-then"]
    assert worklist["out_of_scope"] == 0


@pytest.mark.parametrize("part", ["sessions", "measures", "events"])
@pytest.mark.parametrize(
    ("days", "recent_days", "in_scope"),
    [(90, 90, True), (91, 90, False), (7, 7, True), (8, 7, False), (0, 0, True), (1, 0, False)],
)
def test_the_window_boundary(tmp_path, part, days, recent_days, in_scope):
    entry = {
        "sessions": {"date": _days_back(days), "attendance": "attended"},
        "measures": {"instrument": "GAD-7", "date": _days_back(days), "total": 3},
        "events": {"date": _days_back(days), "kind": "boundary_crossing"},
    }[part]
    case = _case("edge", **{part: [entry]})
    result = _screen(_jsonl(tmp_path, [case]), "-f", "json", "--recent-days", str(recent_days))
    worklist = json.loads(result.stdout)
    assert [c["case_id"] for c in worklist["clients"]] == (["edge"] if in_scope else [])
    assert worklist["out_of_scope"] == (0 if in_scope else 1)


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


def test_screen_database_names_the_clients_left_off_and_audits_every_client_read(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    old = [{"date": _days_back(120), "attendance": "attended"}]
    cases = {
        "seen": _case("seen", sessions=[{"date": _days_back(10), "attendance": "attended"}]),
        "gone-quiet": _case("gone-quiet", sessions=old),
        "quiet-at-risk": _case("quiet-at-risk", sessions=old, concerns=["suicidality"]),
    }
    with make_session_factory(engine)() as session:
        practice = Practice(name="P")
        clinician = User(practice=practice, username="c1", display_name="C1", role="clinician")
        session.add(clinician)
        session.flush()
        ids = {
            key: import_case(session, practice.id, clinician.id, case, display_name=key).id
            for key, case in cases.items()
        }
        session.commit()

    result = runner.invoke(
        app, ["screen", "--database", url, "--as-of", AS_OF.isoformat(), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    worklist = json.loads(result.stdout)
    assert [(int(c["client"]), c["in_scope"]) for c in worklist["clients"]] == [
        (ids["quiet-at-risk"], False),
        (ids["seen"], True),
    ]
    assert worklist["not_listed"] == [{"client": str(ids["gone-quiet"]), "case_id": "gone-quiet"}]
    assert worklist["out_of_scope"] == 2

    text = runner.invoke(
        app,
        ["screen", "--database", url, "--as-of", AS_OF.isoformat()],
        env={"COLUMNS": "80", "NO_COLOR": "1"},
    ).stdout
    flat = " ".join(text.split())
    assert (
        f"1 client had nothing recorded in the last 90 days and is not listed: {ids['gone-quiet']}."
    ) in flat
    assert (
        f"1 client had nothing recorded in the last 90 days but is listed because urgent: "
        f"{ids['quiet-at-risk']}."
    ) in flat
    assert codes_in(text) == []

    with make_session_factory(engine)() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "screen:read")
        ).all()
    engine.dispose()
    # Every client's record was read, the ones left off too: each read is audited.
    assert [sorted(e.target_ids) for e in entries] == [sorted(ids.values())] * 2
