"""A real server for the browser tests: uvicorn (uvloop, httptools) on a free loopback port,
serving a temporary SQLite database with the demo practice, and headless Debian Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from referwell.db import migrate
from referwell.db.engine import for_writing, make_engine, make_session_factory
from referwell.db.uow import UnitOfWork
from referwell.services.permissions import Operator
from referwell.services.synthetic.demo import seed_demo

CHROMIUM = Path("/usr/lib/chromium/chromium")
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"


@dataclass(frozen=True)
class Server:
    url: str
    log: Path
    database_url: str = ""  # the server's own database, for a test to look at or age a row


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within 30 s: {log.read_text()[-2000:]}")


@contextmanager
def running_server(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Server]:
    """A server of its own: a fresh demo practice in a new SQLite file, on a free port."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: run scripts/system-deps.sh")
    data = tmp_path_factory.mktemp(name)
    url = f"sqlite:///{data / 'referwell.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        seed_demo(
            UnitOfWork(make_session_factory(for_writing(engine))),
            actor=Operator("browser-tests"),
            today=date.today(),
        )
    finally:
        engine.dispose()
    port = _free_port()
    log = OUTPUT / f"{name}.log"
    OUTPUT.mkdir(exist_ok=True)
    env = os.environ | {
        "REFERWELL_DATA_DIR": str(data),
        "REFERWELL_DATABASE_URL": url,
        "REFERWELL_SECRET_KEY": "browser-test-secret-" + "x" * 32,
    }
    env.pop("REFERWELL_CONFIG", None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "--factory", "referwell.web.app:create_app",
                "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools",
                "--no-server-header",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield Server(base, log, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory, "browser-server") as started:
        yield started


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: run scripts/system-deps.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    problems: list[str] = []
    opened.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.problems = problems
    yield opened
    context.close()
