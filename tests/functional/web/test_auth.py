"""Signing in and out, sessions, cookies, headers; nothing clinical in logs, URLs or error pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from referwell.db.models import User

from .conftest import Template, WebClient, build_app, sign_in, sqlite_copy
from .seed import CHEAP_HASHER, PASSWORD, Seeded


@pytest.fixture
def web_db(sqlite_template: Template, tmp_path: Path) -> Template:
    """SQLite only: nothing here depends on the database."""
    return sqlite_copy(sqlite_template, tmp_path)


def cookie_header(client: WebClient) -> str:
    client.cookies.clear()
    client.refresh_csrf("/login")
    answer = client.post_form("/login", {"username": "clin", "password": PASSWORD})
    return answer.headers["set-cookie"]


def test_the_session_cookie_is_httponly_samesite_lax_and_not_secure_by_default(
    app: FastAPI,
) -> None:
    header = cookie_header(WebClient(app, follow_redirects=False)).lower()
    assert "referwell_session=" in header
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "secure" not in header
    assert "max-age=28800" in header


def test_the_session_cookie_is_secure_when_configured(web_db: Template, tmp_path: Path) -> None:
    app = build_app(web_db.url, tmp_path, secure_cookies=True)
    try:
        client = WebClient(app, follow_redirects=False, base_url="https://testserver")
        assert "; secure" in cookie_header(client).lower()
    finally:
        app.state.web.engine.dispose()


def test_each_role_lands_on_its_own_page(signed_in: Callable[[str | None], WebClient]) -> None:
    for username, landing in (
        ("clin", "/caseload"),
        ("sup", "/supervision"),
        ("admin", "/admin/users"),
    ):
        assert signed_in(username).get("/").headers["location"] == landing


def test_wrong_passwords_and_unknown_users_get_the_same_answer(
    signed_in: Callable[[str | None], WebClient],
) -> None:
    client = signed_in(None)
    wrong = client.post_form("/login", {"username": "clin", "password": "nope"})
    unknown = client.post_form("/login", {"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong username or password." in wrong.text
    assert wrong.text.replace('value="clin"', "") == unknown.text.replace('value="nobody"', "")


def test_signing_out_ends_the_session(signed_in: Callable[[str | None], WebClient]) -> None:
    client = signed_in("clin")
    assert client.post_form("/logout").headers["location"] == "/login?signed_out=1"
    assert client.get("/caseload").headers["location"] == "/login?next=/caseload"


def test_after_signing_in_a_local_next_page_is_kept_and_a_foreign_one_ignored(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    for target, landing in (
        (f"/clients/{seeded.clients['ex01']}", f"/clients/{seeded.clients['ex01']}"),
        ("//evil.example/", "/caseload"),
        ("https://evil.example/", "/caseload"),
    ):
        client = signed_in(None)
        answer = client.post_form(
            "/login", {"username": "clin", "password": PASSWORD, "next": target}
        )
        assert answer.headers["location"] == landing


def test_a_deactivated_user_or_a_new_password_ends_the_session(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin, clin2 = signed_in("clin"), signed_in("clin2")
    with Session(engine) as session:
        users = {u.username: u for u in session.scalars(select(User))}
        users["clin"].password_hash = CHEAP_HASHER.hash("another long password")
        users["clin2"].active = False
        session.commit()
    assert clin.get("/caseload").status_code == 303
    assert clin2.get("/caseload").status_code == 303
    assert signed_in("sup").get("/supervision").status_code == 200  # others are unaffected


def test_a_password_is_rehashed_with_the_apps_parameters_at_sign_in(
    web_db: Template, tmp_path: Path, engine: Engine
) -> None:
    from argon2 import PasswordHasher

    app = build_app(web_db.url, tmp_path)
    app.state.web.hasher = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    try:
        sign_in(app, "clin")
    finally:
        app.state.web.engine.dispose()
    with Session(engine) as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "clin"))
    assert stored is not None
    assert "m=16,t=2,p=1" in stored


def test_security_headers_on_every_answer(app: FastAPI) -> None:
    client = TestClient(app)
    for path in ("/login", "/static/app.css", "/nowhere"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
    assert client.get("/login").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")


def test_vendored_scripts_are_served_from_the_app(app: FastAPI) -> None:
    client = TestClient(app)
    chart = client.get("/static/vendor/chart.umd.min.js")
    htmx = client.get("/static/vendor/htmx.min.js")
    assert chart.status_code == htmx.status_code == 200
    assert "Chart.js v4" in chart.text[:200]
    page = sign_in(app, "clin").get("/caseload").text
    assert "https://" not in page.split("<body", 1)[0]  # nothing fetched from elsewhere


def test_a_foreign_client_and_a_missing_one_look_the_same(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    client = signed_in("clin2")
    foreign = client.get(f"/clients/{seeded.clients['ex04']}")
    missing = client.get("/clients/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.text == missing.text
    assert "Client 04" not in foreign.text


def test_no_clinical_content_in_logs_or_urls(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = signed_in("clin")
    client_id = seeded.clients["ex02"]
    client.get("/caseload")
    page = client.get(f"/clients/{client_id}")
    client.post_form(
        f"/clients/{client_id}/goals", {"description": "Secret goal text", "status": "meh"}
    )
    answer = client.post_form(
        f"/clients/{client_id}/goals", {"description": "Secret goal text", "status": "met"}
    )
    client.post_form(f"/clients/{client_id}/considering-referral", {"reason": "personal_values"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for clinical in (
        "Secret goal text",
        "Client 02",
        "values_conflict",
        "personal_values",
        "depression",
    ):
        assert clinical not in logged
        assert clinical not in answer.headers.get("location", "")
    urls = [link.split('"', 1)[0] for link in page.text.split('href="')[1:]]
    urls += [action.split('"', 1)[0] for action in page.text.split('action="')[1:]]
    for url in urls:
        assert all(word not in url for word in ("depression", "Client", "values"))


def test_a_session_ends_eight_hours_after_signing_in_however_busy(
    signed_in: Callable[[str | None], WebClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from referwell.web import guard

    client = signed_in("clin")
    assert client.get("/caseload").status_code == 200
    signed_at = time.time()
    # Busy all day: a request every ten minutes keeps it from idling out.
    for minutes in range(10, guard.SESSION_LIFETIME // 60, 10):
        monkeypatch.setattr(guard, "now", lambda m=minutes: signed_at + m * 60)
        assert client.get("/profile").status_code == 200, minutes
    monkeypatch.setattr(guard, "now", lambda: signed_at + guard.SESSION_LIFETIME - 60)
    assert client.get("/caseload").status_code == 200
    monkeypatch.setattr(guard, "now", lambda: signed_at + guard.SESSION_LIFETIME + 1)
    assert client.get("/caseload").headers["location"] == "/login?next=/caseload"


def test_requests_are_logged_by_route_template_and_status_only(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="referwell.access")
    client = signed_in("clin")
    client_id = seeded.clients["ex02"]
    client.get(f"/clients/{client_id}?note=secret")
    client.get("/clients/999999")
    lines = [r.getMessage() for r in caplog.records if r.name == "referwell.access"]
    assert any(line.startswith("GET /clients/{client_id:id} 200 ") for line in lines), lines
    assert any(line.startswith("GET /clients/{client_id:id} 404 ") for line in lines), lines
    joined = "\n".join(lines)
    assert not re.search(r"/clients/\d", joined)
    assert "secret" not in joined
    assert "999999" not in joined
