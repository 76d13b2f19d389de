"""Concurrent saves to one client from two app processes lose nothing, on SQLite and PostgreSQL.

Two real servers (uvicorn, as `referwell serve` runs them) share one database with the
test practice; a clinician signed in to each posts sessions and questionnaires to one
client from several threads at once. Every save lands (the rows are counted after), or
is answered 409 or 503 and lands when sent again; none is lost and none is a 500.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from referwell.db.case_parts import Measure, TherapySession
from referwell.db.engine import make_engine, make_session_factory

from .conftest import Template
from .seed import PASSWORD, Seeded

SAVES = 24  # half sessions, half PHQ-9s
THREADS = 8
CLINICIAN = "clin"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def shared_url(web_db: Template) -> str:
    """The test practice's database, for this test alone."""
    return web_db.url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str, data: Path, log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    env = os.environ | {
        "REFERWELL_DATA_DIR": str(data),
        "REFERWELL_DATABASE_URL": url,
        "REFERWELL_SECRET_KEY": "concurrency-test-secret-" + "x" * 32,
    }
    env.pop("REFERWELL_CONFIG", None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "referwell.web.app:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop",
             "--http", "httptools"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    return f"http://127.0.0.1:{port}", process


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within 60 s: {log.read_text()[-2000:]}")


@pytest.fixture
def two_servers(shared_url: str, tmp_path: Path) -> Iterator[list[tuple[str, Path]]]:
    started = [
        (*_serve(shared_url, tmp_path, tmp_path / f"server-{n}.log"), tmp_path / f"server-{n}.log")
        for n in (1, 2)
    ]
    try:
        for base, process, log in started:
            _wait_until_up(base, process, log)
        yield [(base, log) for base, _, log in started]
    finally:
        for _, process, _ in started:
            process.terminate()
        for _, process, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _signed_in(base: str) -> tuple[httpx.Client, str]:
    browser = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    page = browser.get("/login")
    token = _CSRF.search(page.text)
    assert token, page.text
    answer = browser.post(
        "/login",
        data={"username": CLINICIAN, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text
    page = browser.get("/caseload")
    token = _CSRF.search(page.text) or re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert token, page.text
    return browser, token.group(1)


def _counts(url: str, client_id: int) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            sessions = session.scalar(
                select(func.count()).where(
                    TherapySession.client_id == client_id, TherapySession.in_error_at.is_(None)
                )
            )
            measures = session.scalar(
                select(func.count()).where(
                    Measure.client_id == client_id, Measure.in_error_at.is_(None)
                )
            )
            return int(sessions or 0), int(measures or 0)
    finally:
        engine.dispose()


def test_concurrent_saves_to_one_client_lose_nothing(
    shared_url: str, seeded: Seeded, two_servers: list[tuple[str, Path]]
) -> None:
    client_id = seeded.client_of(CLINICIAN)
    signed = [_signed_in(base) for base, _ in two_servers]
    before = _counts(shared_url, client_id)
    today = date.today()
    seen: list[int] = []

    def save(number: int) -> int:
        browser, csrf = signed[number % 2]
        day = (today - timedelta(days=number % 7)).isoformat()
        if number % 4 < 2:
            path, form = "sessions", {"date": day, "attendance": "attended"}
        else:
            items = {f"item{i}": str((number + i) % 4) for i in range(1, 10)}
            path = "measures"
            form = {"instrument": "PHQ-9", "date": day, "confirm_same_day": "on", **items}
        for _ in range(10):  # a 409 or a 503 is an answer to send again
            answer = browser.post(f"/clients/{client_id}/{path}", data={"csrf_token": csrf, **form})
            seen.append(answer.status_code)
            if answer.status_code not in {409, 503}:
                return answer.status_code
            time.sleep(0.2)
        return answer.status_code

    with ThreadPoolExecutor(THREADS) as pool:
        finals = list(pool.map(save, range(SAVES)))

    assert 500 not in seen, seen
    assert set(seen) <= {303, 409, 503}, seen
    # Saves to one client take turns (its row locked, or SQLite's one writer): none finds the
    # record changed under it. (Without the lock most would: 409, sent again.)
    assert 409 not in seen, seen
    assert finals == [303] * SAVES, finals
    sessions = sum(1 for number in range(SAVES) if number % 4 < 2)
    assert _counts(shared_url, client_id) == (before[0] + sessions, before[1] + SAVES - sessions)
    for _, log in two_servers:
        text: Any = log.read_text()
        assert "unexpected" not in text, text[-3000:]
