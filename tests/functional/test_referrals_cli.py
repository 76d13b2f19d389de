"""`referwell referrals list|bundle|letter|due` on SQLite and PostgreSQL: the list in words
and JSON, the Bundle and the letter with only what the consent covers, the follow-up
worklist by the configured days, and a referral that is not there (or cannot be made into
a letter) refused in one line with exit 2. Every read is audited with the OS login."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from integration.conftest import (  # noqa: F401 - fixtures
    backend,
    database_url,
    postgres_databases,
)
from referral_fixtures import NAME, REASON, SUMMARY, seed_referrals
from referwell.cli.main import app
from referwell.db import migrate
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import AuditEntry

runner = CliRunner()
DAY = "2026-11-20"


@pytest.fixture
def seeded(database_url: str) -> Iterator[tuple[str, dict[str, Any]]]:  # noqa: F811
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield database_url, seed_referrals(make_session_factory(engine))
    finally:
        engine.dispose()


def run(url: str, *args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, ["referrals", *args, "--database", url], env=env)


def actions(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(
                select(AuditEntry.action, AuditEntry.actor_kind).order_by(AuditEntry.id)
            ).all()
            return [(a, k) for a, k in rows]
    finally:
        engine.dispose()


def test_list_in_words_and_json(seeded: tuple[str, dict[str, Any]]) -> None:
    url, ids = seeded
    shown = run(url, "list")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.strip().splitlines()
    assert len(lines) == 2
    sent = next(line for line in lines if line.startswith(f"{ids['sent']} "))
    assert "requested (sent)" in sent
    assert "Front Range Psychiatry" in sent
    assert REASON not in shown.stdout
    assert NAME not in shown.stdout
    listed = run(url, "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert {r["referral_id"] for r in rows} == {ids["sent"], ids["draft"]}
    assert {r["status"] for r in rows} == {"requested", "draft"}
    assert ("referral:list", "os_user") in actions(url)


def test_bundle_prints_a_valid_bundle_of_what_is_consented(
    seeded: tuple[str, dict[str, Any]],
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    url, ids = seeded
    printed = run(url, "bundle", str(ids["sent"]), "--as-of", DAY)
    assert printed.exit_code == 0, printed.output
    bundle = json.loads(printed.stdout)
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["ServiceRequest", "Task", "Patient", "Consent"]  # no questionnaire consent
    assert NAME in printed.stdout
    assert SUMMARY in printed.stdout
    assert ("referral:export", "os_user") in actions(url)


def test_letter_writes_the_pdf(seeded: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    url, ids = seeded
    target = tmp_path / "letter.pdf"
    written = run(url, "letter", str(ids["sent"]), "--output", str(target), "--as-of", DAY)
    assert written.exit_code == 0, written.output
    assert target.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(target), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert NAME in text
        assert "PHQ-9" not in " ".join(text.split())
    html = tmp_path / "letter.html"
    assert run(url, "letter", str(ids["sent"]), "-o", str(html), "--as-of", DAY).exit_code == 0
    assert '<html lang="en">' in html.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bundle", "999"], "ID: no referral 999"),
        (["bundle", "x1"], 'ID: a referral is named by its number; got "x1"'),
        (["letter", "999", "--output", "{tmp}/a.pdf"], "ID: no referral 999"),
        (["letter", "{draft}", "--output", "{tmp}/a.pdf"], "options: choose the one recipient"),
        (["letter", "{sent}", "--output", "{tmp}/no/such/a.pdf"], "--output: no folder"),
        (["due", "--as-of", "2026-13-01"], "--as-of: expected a date as YYYY-MM-DD"),
    ],
)
def test_a_bad_referral_exits_2_in_one_line(
    seeded: tuple[str, dict[str, Any]], tmp_path: Path, args: list[str], message: str
) -> None:
    url, ids = seeded
    given = [a.format(tmp=tmp_path, draft=ids["draft"], sent=ids["sent"]) for a in args]
    refused = run(url, *given)
    assert refused.exit_code == 2, refused.output
    assert refused.stdout == ""
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(message), lines
    assert not (tmp_path / "a.pdf").exists()


def test_due_follows_the_configured_days(seeded: tuple[str, dict[str, Any]]) -> None:
    url, ids = seeded
    # Sent on 20 Nov: not acknowledged after 5 days (the default) on the 25th, not the 24th.
    early = run(url, "due", "--as-of", "2026-11-24", "--format", "json")
    assert early.exit_code == 0, early.output
    assert json.loads(early.stdout) == []
    due = run(url, "due", "--as-of", "2026-11-25", "--format", "json")
    assert [(r["referral_id"], r["reasons"]) for r in json.loads(due.stdout)] == [
        (ids["sent"], ["not_acknowledged"])
    ]
    words = run(url, "due", "--as-of", "2026-11-25")
    assert "sent and not acknowledged" in words.stdout
    # The setting moves N: with 3 days it is due on the 23rd.
    sooner = run(
        url, "due", "--as-of", "2026-11-23", "--format", "json",
        env={"REFERWELL_REFERRAL_UNACKNOWLEDGED_DAYS": "3"},
    )  # fmt: skip
    assert [r["referral_id"] for r in json.loads(sooner.stdout)] == [ids["sent"]]
    bad = run(url, "due", env={"REFERWELL_REFERRAL_UNACKNOWLEDGED_DAYS": "0"})
    assert bad.exit_code == 2
    assert bad.stderr.strip() == (
        "referral_unacknowledged_days: referral_unacknowledged_days must be from 1 to 90; got 0"
    )
