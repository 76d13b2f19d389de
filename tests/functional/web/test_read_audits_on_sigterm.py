"""Read audits wait in a batch; a server stopped with SIGTERM writes them before it exits
(issue 9, item 7). On SQLite and PostgreSQL, with a real uvicorn server as `serve` runs it.

The batch interval is an hour here, so only the shutdown can have written the entry.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import AuditEntry

from .conftest import SECRET, Template
from .seed import PASSWORD, Seeded

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# The app as `referwell serve` runs it (uvloop, httptools), its read audits batched for an hour.
SERVER = """
import sys
import uvicorn
from referwell.config import load_config
from referwell.web.app import create_app
uvicorn.run(create_app(load_config(), audit_interval=3600), host="127.0.0.1",
            port=int(sys.argv[1]), loop="uvloop", http="httptools", server_header=False,
            log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _reads_of(url: str, client_id: int) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            entries = session.scalars(
                select(AuditEntry).where(AuditEntry.action == AuditAction.CLIENT_READ.value)
            )
            return sum(1 for entry in entries if client_id in entry.target_ids)
    finally:
        engine.dispose()


def test_read_audits_waiting_in_the_batch_are_written_when_the_server_gets_sigterm(
    web_db: Template, seeded: Seeded, tmp_path: Path
) -> None:
    client_id = seeded.client_of("clin")
    port = _free_port()
    env = os.environ | {
        "REFERWELL_DATA_DIR": str(tmp_path),
        "REFERWELL_DATABASE_URL": web_db.url,
        "REFERWELL_SECRET_KEY": SECRET,
    }
    env.pop("REFERWELL_CONFIG", None)
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.1)
        with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as browser:
            token = _CSRF.search(browser.get("/login").text)
            assert token
            signed_in = browser.post(
                "/login",
                data={"username": "clin", "password": PASSWORD, "csrf_token": token.group(1)},
            )
            assert signed_in.status_code == 303, signed_in.text
            before = _reads_of(web_db.url, client_id)
            assert browser.get(f"/clients/{client_id}").status_code == 200
            assert browser.get(f"/api/v1/clients/{client_id}/case").status_code == 200
        time.sleep(0.5)
        assert _reads_of(web_db.url, client_id) == before  # still waiting in the batch

        server.send_signal(signal.SIGTERM)
        # uvicorn shuts the app down (its lifespan), then raises the signal again to exit.
        assert server.wait(timeout=30) in (0, -signal.SIGTERM), log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    assert _reads_of(web_db.url, client_id) == before + 2
    assert "Traceback" not in log.read_text()
