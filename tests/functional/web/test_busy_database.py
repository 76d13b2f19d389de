"""A lock the web app cannot wait out is a 503 with Retry-After, never a 500; on SQLite and
PostgreSQL. The lock is real: another connection holds SQLite's write lock (as a long
import's batch does) or a PostgreSQL row lock on the client, longer than the app waits
(shortened here to a fraction of a second). Writes get through a real long import.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, make_url, select, text
from sqlalchemy.orm.exc import StaleDataError

from referwell.db import engine as db_engine
from referwell.db.case_parts import TherapySession
from referwell.db.engine import make_engine, make_session_factory
from referwell.services.clients import entries
from referwell.services.synthetic.practice import synth_practice

from .conftest import Template, build_app, sign_in
from .seed import PASSWORD, TODAY, Seeded, token_secret

SHORT_WAIT_MS = 300


@pytest.fixture
def impatient_app(
    web_db: Template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FastAPI]:
    """The app on this test's database, waiting only briefly for a lock; its today a day
    after the seed's, so that every stored assessment is stale (a page view writes)."""
    monkeypatch.setattr(db_engine, "SQLITE_BUSY_TIMEOUT_MS", SHORT_WAIT_MS)
    monkeypatch.setattr(db_engine, "POSTGRES_LOCK_TIMEOUT_MS", SHORT_WAIT_MS)
    made = build_app(web_db.url, tmp_path, today=TODAY + timedelta(days=1))
    yield made
    made.state.web.reads.close()
    made.state.web.engine.dispose()


@contextmanager
def held_lock(url: str, client_id: int) -> Iterator[None]:
    """Another writer holds the lock a save to `client_id` needs, until the block ends:
    SQLite's write lock, or on PostgreSQL the client's row."""
    if url.startswith("sqlite"):
        holder = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(
                text("SELECT id FROM clients WHERE id = :id FOR UPDATE"), {"id": client_id}
            )
            yield
            connection.rollback()
    finally:
        engine.dispose()


def _session_form(day: str) -> dict[str, str]:
    return {"date": day, "attendance": "attended"}


def _sessions(url: str, client_id: int) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return int(
                session.scalar(select(func.count()).where(TherapySession.client_id == client_id))
                or 0
            )
    finally:
        engine.dispose()


def test_a_web_write_during_a_long_import_is_503_not_500(
    impatient_app: FastAPI, web_db: Template, seeded: Seeded
) -> None:
    client_id = seeded.client_of("clin")
    browser = sign_in(impatient_app, "clin")
    before = _sessions(web_db.url, client_id)

    with held_lock(web_db.url, client_id):
        busy = browser.post_form(f"/clients/{client_id}/sessions", _session_form("2026-11-19"))
        api = browser.get(
            f"/api/v1/clients/{client_id}/assessment",
            headers={"Authorization": f"Bearer {token_secret('clin')}"},
        )
        page = browser.get(f"/clients/{client_id}")  # its stale assessment must be stored

    assert busy.status_code == 503, busy.text
    assert busy.headers["Retry-After"] == "5"
    assert "busy" in busy.text
    assert "nothing was saved" in busy.text
    assert api.status_code == 503, api.text
    assert api.headers["Retry-After"] == "5"
    assert api.json()["error"]["code"] == "database_busy"
    assert set(api.json()["error"]) == {"status", "code", "message", "fields"}
    assert page.status_code == 503, page.text
    assert page.headers["Retry-After"] == "5"
    assert _sessions(web_db.url, client_id) == before

    again = browser.post_form(f"/clients/{client_id}/sessions", _session_form("2026-11-19"))

    assert again.status_code == 303, again.text
    assert _sessions(web_db.url, client_id) == before + 1


def test_a_sign_in_while_the_database_is_locked_is_503_not_500(
    impatient_app: FastAPI, web_db: Template, seeded: Seeded
) -> None:
    browser = sign_in(impatient_app, None)

    with held_lock(web_db.url, seeded.client_of("clin")):
        wrong = browser.post_form("/login", {"username": "clin", "password": "wrong" * 4})
        right = browser.post_form("/login", {"username": "clin", "password": PASSWORD})

    # Signing in writes (the session, the failures counted): never a 500 when it cannot.
    # SQLite's write lock holds every table: the failure cannot be counted, so it is not
    # answered as if it were (that would let guesses past the throttle), nor is a session
    # made. PostgreSQL's lock is the client's row only: signing in goes on.
    if web_db.url.startswith("sqlite"):
        for answer in (wrong, right):
            assert answer.status_code == 503, answer.text
            assert answer.headers["Retry-After"] == "5"
    else:
        assert wrong.status_code == 400, wrong.text
        assert right.status_code == 303, right.text


def test_a_save_that_finds_the_record_changed_is_409_not_500(
    app: FastAPI, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    def changed_meanwhile(*args: Any, **kwargs: Any) -> Any:
        raise StaleDataError("UPDATE statement on table 'clients' expected to update 1 row")

    monkeypatch.setattr(entries, "add_session", changed_meanwhile)
    browser = sign_in(app, "clin")

    answer = browser.post_form(
        f"/clients/{seeded.client_of('clin')}/sessions", _session_form("2026-11-19")
    )

    assert answer.status_code == 409
    assert "changed while you were saving" in answer.text
    assert "clients" not in answer.text.split("changed while", 1)[0][-200:]


def test_web_writes_get_through_a_real_long_import(
    app: FastAPI, web_db: Template, seeded: Seeded, tmp_path: Path
) -> None:
    """A real `referwell import` of a few hundred cases writes in batches: the clinician's
    saves meanwhile all land (SQLite: between batches), none is a 500."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for number, case in enumerate(synth_practice(300, 5).cases()):
        (folder / f"{number:04d}.json").write_text(
            json.dumps({**case, "id": f"long-{number:04d}"}), encoding="utf-8"
        )
    client_id = seeded.client_of("clin")
    browser = sign_in(app, "clin")
    before = _sessions(web_db.url, client_id)
    importing = subprocess.Popen(
        [sys.executable, "-c", "from referwell.cli.main import run; run()",
         "import", str(folder), "--clinician", "clin2", "--database", web_db.url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    statuses: list[int] = []
    try:
        _wait_until_writing(web_db.url, importing)
        while importing.poll() is None and len(statuses) < 40:
            day = (TODAY - timedelta(days=len(statuses) % 20)).isoformat()
            answer = browser.post_form(f"/clients/{client_id}/sessions", _session_form(day))
            statuses.append(answer.status_code)
        _, said = importing.communicate(timeout=120)
    finally:
        importing.kill()
        importing.wait()

    assert importing.returncode == 0, said
    assert statuses, "the import ended before any save was tried"
    assert 500 not in statuses
    assert set(statuses) <= {303, 503}
    assert _sessions(web_db.url, client_id) == before + statuses.count(303)
    assert statuses.count(303) >= len(statuses) // 2


def _wait_until_writing(url: str, process: subprocess.Popen[bytes]) -> None:
    engine = make_engine(url)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"the import ended first: {process.communicate()}")
            with engine.connect() as connection:
                running = connection.scalar(
                    text("SELECT count(*) FROM imports WHERE status = 'running' AND clients > 0")
                )
            if running:
                return
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError("the import did not start writing within 60 s")
