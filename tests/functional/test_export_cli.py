"""`referwell export`: the plain case file stays importable; `--with-outcomes` wraps it with
the outcome report of that very case. Both are audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from referwell.cli.main import app
from referwell.db.audit import os_user
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import AuditEntry, Practice
from referwell.domain.caseformat import parse_case
from referwell.domain.reports import case_outcome_report
from referwell.domain.settings import RuleSettings
from shipped_examples import EXAMPLES

AS_OF = "2026-11-20"
runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A synthetic practice with ex05 (PHQ-9 16 → 9 → 4) imported as client 11."""
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    made = runner.invoke(
        app,
        ["synth", "caseload", "--clients", "10", "--seed", "8", "--as-of", AS_OF,
         "--database", url],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    imported = runner.invoke(
        app,
        ["import", str(EXAMPLES / "ex05-goals-met.json"), "--clinician", "s8-clin00001",
         "--database", url],
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    return url


def _export(url: str, *options: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["export", "ex05", "--as-of", AS_OF, *options, "--database", url])
    assert result.exit_code == 0, result.output
    found: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return found


def _exports(url: str) -> list[tuple[str, str, list[int]]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return [
                (e.actor, e.actor_kind, list(e.target_ids))
                for e in session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.action == "client:export")
                    .order_by(AuditEntry.id)
                )
            ]
    finally:
        engine.dispose()


def test_with_outcomes_wraps_the_case_file_and_its_outcome_report(url: str) -> None:
    plain = _export(url)
    wrapped = _export(url, "--with-outcomes")

    assert list(wrapped) == ["format", "case", "outcomes"]
    assert wrapped["format"] == "referwell.export/1"
    assert wrapped["case"] == plain
    assert wrapped["outcomes"] == case_outcome_report(
        parse_case(plain, today=date.fromisoformat(AS_OF)), RuleSettings()
    )
    (phq9,) = wrapped["outcomes"]["instruments"]
    assert (phq9["instrument"], phq9["first"], phq9["first_date"]) == ("PHQ-9", 16, "2026-09-11")
    assert (phq9["latest"], phq9["latest_date"], phq9["change"]) == (4, "2026-11-13", -12)
    assert phq9["outcome"] == "reliable_recovery"
    assert wrapped["outcomes"]["combined"]["outcome"] == "reliable_recovery"
    assert wrapped["outcomes"]["combined"]["with_outcome"] == ["PHQ-9"]


def test_both_exports_are_audited_alike(url: str, tmp_path: Path) -> None:
    _export(url)
    out = tmp_path / "ex05.export.json"
    result = runner.invoke(
        app, ["export", "11", "--with-outcomes", "--output", str(out), "--database", url]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["format"] == "referwell.export/1"
    assert _exports(url) == [(os_user(), "os_user", [11]), (os_user(), "os_user", [11])]


def test_outcomes_as_of_an_earlier_day_read_the_case_of_that_day(url: str) -> None:
    result = runner.invoke(
        app, ["export", "11", "--as-of", "2026-10-20", "--with-outcomes", "--database", url]
    )
    assert result.exit_code == 0, result.output
    (phq9,) = json.loads(result.stdout)["outcomes"]["instruments"]
    assert (phq9["scores"], phq9["latest"], phq9["latest_date"]) == (2, 9, "2026-10-16")
    assert phq9["outcome"] == "reliable_recovery"  # 16 → 9: a case at first, below 10 at last


def test_the_plain_export_imports_again_and_the_wrapped_one_is_refused(
    url: str, tmp_path: Path
) -> None:
    plain = _export(url)
    again = tmp_path / "again.json"
    again.write_text(json.dumps({**plain, "id": "ex05-again"}))
    imported = runner.invoke(
        app, ["import", str(again), "--clinician", "s8-clin00001", "--database", url]
    )
    assert imported.exit_code == 0, imported.output

    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps(_export(url, "--with-outcomes")))
    refused = runner.invoke(
        app, ["import", str(wrapped), "--clinician", "s8-clin00001", "--database", url]
    )
    assert refused.exit_code == 2
    assert f"{wrapped}: format:" in refused.stderr


def test_outcomes_follow_the_practice_of_the_client(url: str) -> None:
    """The report reads the summary under the practice's settings; outcome words do not
    depend on them, so a practice with other settings gets the same words."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            practice = session.scalars(select(Practice)).one()
            practice.rule_settings = {"attendance_window": 4}
            session.commit()
    finally:
        engine.dispose()
    assert _export(url, "--with-outcomes")["outcomes"]["combined"]["outcome"] == (
        "reliable_recovery"
    )


def test_an_export_leaves_out_the_entries_marked_in_error(url: str) -> None:
    from referwell.db.case_parts import Measure
    from referwell.db.models import Client

    before = _export(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            client_id = session.scalar(select(Client.id).where(Client.external_id == "ex05"))
            first = session.scalars(
                select(Measure).where(Measure.client_id == client_id).order_by(Measure.id)
            ).first()
            assert first is not None
            first.in_error_at = datetime.now(UTC)
            first.in_error_reason = "another client's scores"
            session.commit()
    finally:
        engine.dispose()
    after = _export(url)
    assert after["measures"] == before["measures"][1:]
    assert {k: v for k, v in after.items() if k != "measures"} == {
        k: v for k, v in before.items() if k != "measures"
    }
    parse_case(after, today=date.fromisoformat(AS_OF))
