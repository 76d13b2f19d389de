"""Sessions kept on the server (issue 9, item 1): sign-out, a new password and deactivation end
them, a new id at each sign-in, an idle timeout besides the 8 hours, the profile's list of
one's sessions with "sign out everywhere". On SQLite and PostgreSQL.

The sessions' clock is `guard.now`, moved by the `clock` fixture: nothing sleeps.
"""

from __future__ import annotations

import hashlib
import json
import time
from base64 import b64decode
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.security import WebSession
from referwell.web import guard

from .conftest import Template, WebClient, audit_entries, build_app, sign_in
from .seed import PASSWORD, Seeded


@dataclass
class Clock:
    """`guard.now`, held still until a test moves it."""

    at: float

    def advance(self, *, minutes: float = 0, seconds: float = 0) -> None:
        self.at += minutes * 60 + seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    held = Clock(time.time())
    monkeypatch.setattr(guard, "now", lambda: held.at)
    return held


def session_cookie(client: WebClient) -> str:
    value = client.cookies.get(guard.SESSION_COOKIE)
    assert value, "no session cookie"
    return value


def cookie_payload(client: WebClient) -> dict[str, Any]:
    """What the signed cookie says (its signature is the app's business)."""
    found: dict[str, Any] = json.loads(b64decode(session_cookie(client).split(".", 1)[0]))
    return found


def with_cookie(app: FastAPI, cookie: str) -> WebClient:
    """Another browser, holding a copy of a session cookie."""
    thief = WebClient(app, follow_redirects=False)
    thief.cookies.set(guard.SESSION_COOKIE, cookie)
    return thief


def sessions_of(engine: Engine, user_id: int) -> list[WebSession]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(WebSession).where(WebSession.user_id == user_id).order_by(WebSession.id)
            )
        )


def signed_out(answer: Any, path: str) -> bool:
    return answer.status_code == 303 and answer.headers["location"] == f"/login?next={path}"


def test_a_cookie_copied_before_sign_out_opens_nothing_after(
    signed_in: Callable[[str | None], WebClient], app: FastAPI, seeded: Seeded
) -> None:
    client = signed_in("clin")
    copied = session_cookie(client)
    client_id = seeded.client_of("clin")
    assert with_cookie(app, copied).get("/caseload").status_code == 200

    assert client.post_form("/logout").headers["location"] == "/login?signed_out=1"

    thief = with_cookie(app, copied)
    assert signed_out(thief.get("/caseload"), "/caseload")
    thief = with_cookie(app, copied)
    api = thief.get(f"/api/v1/clients/{client_id}/case")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "not_authenticated"
    thief = with_cookie(app, copied)
    assert signed_out(thief.get(f"/clients/{client_id}"), f"/clients/{client_id}")


def test_the_cookie_carries_a_random_id_only_and_the_database_its_hash(
    signed_in: Callable[[str | None], WebClient], engine: Engine, seeded: Seeded
) -> None:
    client = signed_in("clin")
    payload = cookie_payload(client)
    assert set(payload) == {guard.SESSION_ID}
    secret = payload[guard.SESSION_ID]
    assert len(secret) >= 43  # 256 random bits, URL-safe
    (stored,) = sessions_of(engine, seeded.users["clin"])
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in stored.token_hash


def test_signing_in_gives_a_new_session_id_and_the_old_one_opens_nothing(
    app: FastAPI, signed_in: Callable[[str | None], WebClient]
) -> None:
    client = signed_in(None)
    before = cookie_payload(client)
    assert guard.SESSION_ID not in before  # an anonymous visitor: a CSRF token only

    client.post_form("/login", {"username": "clin", "password": PASSWORD})
    first = cookie_payload(client)[guard.SESSION_ID]
    client.refresh_csrf("/profile")
    client.post_form("/logout")
    client.refresh_csrf("/login")
    client.post_form("/login", {"username": "clin", "password": PASSWORD})
    second = cookie_payload(client)[guard.SESSION_ID]

    assert first != second
    assert client.get("/caseload").status_code == 200
    assert with_cookie(app, first).get("/caseload").status_code == 303


def test_a_session_idle_for_fifteen_minutes_ends(
    signed_in: Callable[[str | None], WebClient], clock: Clock
) -> None:
    client = signed_in("clin")
    for _ in range(4):  # an hour of work, a request every 14 minutes
        clock.advance(minutes=14)
        assert client.get("/caseload").status_code == 200
    clock.advance(minutes=15, seconds=1)
    assert signed_out(client.get("/caseload"), "/caseload")
    # Forgotten for good: coming back sooner does not revive it.
    clock.advance(minutes=-10)
    assert signed_out(client.get("/caseload"), "/caseload")


def test_a_session_ends_eight_hours_after_sign_in_however_busy(
    signed_in: Callable[[str | None], WebClient], clock: Clock
) -> None:
    client = signed_in("clin")
    for _ in range(34):  # a request every 14 minutes: 7 hours 56 minutes of work
        clock.advance(minutes=14)
        assert client.get("/caseload").status_code == 200
    clock.advance(minutes=4, seconds=1)  # 8 hours and a second after signing in
    assert signed_out(client.get("/caseload"), "/caseload")


def test_the_idle_timeout_is_a_setting(web_db: Template, tmp_path: Path, clock: Clock) -> None:
    app = build_app(web_db.url, tmp_path, session_idle_minutes=5)
    try:
        client = sign_in(app, "clin")
        clock.advance(minutes=4)
        assert client.get("/caseload").status_code == 200
        clock.advance(minutes=5, seconds=1)
        assert signed_out(client.get("/caseload"), "/caseload")
    finally:
        app.state.web.reads.close()
        app.state.web.engine.dispose()


def test_the_last_seen_time_is_written_at_most_once_a_minute(
    signed_in: Callable[[str | None], WebClient], engine: Engine, seeded: Seeded, clock: Clock
) -> None:
    client = signed_in("clin")
    (started,) = sessions_of(engine, seeded.users["clin"])
    updates: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE WEB_SESSIONS"):
            updates.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(19):  # nineteen requests in 57 seconds: no write
            clock.advance(seconds=3)
            assert client.get("/profile").status_code == 200
        assert updates == []
        (seen,) = sessions_of(engine, seeded.users["clin"])
        assert seen.last_seen_at == started.last_seen_at

        clock.advance(seconds=4)  # a minute on: one write
        assert client.get("/profile").status_code == 200
        assert client.get("/profile").status_code == 200
        assert len(updates) == 1
    finally:
        event.remove(engine, "before_cursor_execute", count)
    (seen,) = sessions_of(engine, seeded.users["clin"])
    assert (seen.last_seen_at - started.last_seen_at).total_seconds() == pytest.approx(61, abs=1)


def test_signing_out_ends_that_session_only(
    signed_in: Callable[[str | None], WebClient], engine: Engine, seeded: Seeded
) -> None:
    office, home = signed_in("clin"), signed_in("clin")
    office.post_form("/logout")
    assert signed_out(office.get("/caseload"), "/caseload")
    assert home.get("/caseload").status_code == 200
    assert len(sessions_of(engine, seeded.users["clin"])) == 1
    assert [e.action for e in audit_entries(engine, action=AuditAction.LOGOUT.value)] == [
        "session:logout"
    ]


@pytest.fixture
def admin_changes_clin(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> Callable[..., Any]:
    admin = signed_in("admin")

    def change(**fields: str) -> Any:
        form = {"display_name": "Casey Clin", "role": "clinician", "active": "on"} | fields
        return admin.post_form(f"/admin/users/{seeded.users['clin']}", form)

    return change


def test_a_new_password_given_by_the_admin_ends_every_session_of_the_user(
    signed_in: Callable[[str | None], WebClient],
    admin_changes_clin: Callable[..., Any],
    engine: Engine,
    seeded: Seeded,
) -> None:
    office, home, colleague = signed_in("clin"), signed_in("clin"), signed_in("clin2")
    copied = session_cookie(office)
    assert admin_changes_clin(password="a brand new long password").status_code == 303

    assert signed_out(office.get("/caseload"), "/caseload")
    assert signed_out(home.get("/caseload"), "/caseload")
    assert colleague.get("/caseload").status_code == 200
    assert sessions_of(engine, seeded.users["clin"]) == []
    ended = audit_entries(engine, action=AuditAction.SESSIONS_END.value)
    assert [(e.actor, e.target_ids) for e in ended] == [
        (str(seeded.users["admin"]), [seeded.users["clin"]])
    ]
    assert copied  # and a copy made before is nothing now either:
    assert signed_out(
        WebClient(office.app, follow_redirects=False, cookies={guard.SESSION_COOKIE: copied}).get(
            "/caseload"
        ),
        "/caseload",
    )


def test_deactivating_a_user_ends_every_session_of_theirs(
    signed_in: Callable[[str | None], WebClient],
    admin_changes_clin: Callable[..., Any],
    engine: Engine,
    seeded: Seeded,
) -> None:
    client = signed_in("clin")
    assert admin_changes_clin(active="").status_code == 303
    assert signed_out(client.get("/caseload"), "/caseload")
    assert sessions_of(engine, seeded.users["clin"]) == []


def test_changing_only_a_users_name_ends_no_session(
    signed_in: Callable[[str | None], WebClient], admin_changes_clin: Callable[..., Any]
) -> None:
    client = signed_in("clin")
    assert admin_changes_clin(display_name="Casey C.").status_code == 303
    assert client.get("/caseload").status_code == 200


def test_the_profile_lists_ones_sessions_and_signs_out_everywhere(
    signed_in: Callable[[str | None], WebClient], engine: Engine, seeded: Seeded
) -> None:
    office, home, colleague = signed_in("clin"), signed_in("clin"), signed_in("clin2")
    page = office.get("/profile").text
    listed = page.split('id="sessions-title"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    assert listed.count("<tr>") == 2  # office and home
    assert listed.count("this one") == 1
    assert "Sign out everywhere" in page

    answer = office.post_form("/profile/sessions/end-all")

    assert answer.headers["location"] == "/login?signed_out=1"
    assert signed_out(office.get("/caseload"), "/caseload")
    assert signed_out(home.get("/caseload"), "/caseload")
    assert colleague.get("/caseload").status_code == 200
    assert sessions_of(engine, seeded.users["clin"]) == []
    ended = audit_entries(engine, action=AuditAction.SESSIONS_END.value)
    assert [(e.actor, e.actor_kind, e.target_ids) for e in ended] == [
        (str(seeded.users["clin"]), "user", [seeded.users["clin"]])
    ]


def test_an_anonymous_visitor_keeps_the_csrf_token_and_the_flash_in_the_cookie(
    signed_in: Callable[[str | None], WebClient], engine: Engine
) -> None:
    """Nothing of a visitor who has not signed in goes into the database."""
    client = signed_in(None)
    assert set(cookie_payload(client)) == {guard.SESSION_CSRF}
    with Session(engine) as session:
        assert session.scalars(select(WebSession)).all() == []
