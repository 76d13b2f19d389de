"""Limits on guessing (issue 9, item 2): sign-in attempts throttled per account name and per
address (a growing delay, then a lockout), audited, the same for unknown names; an admin
unlocks; API tokens expire, and the API limits each token's calls (429 with Retry-After).
On SQLite and PostgreSQL.

The clock is `guard.now`, moved by the `clock` fixture: nothing sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.models import ApiToken
from referwell.web import guard

from .conftest import Template, WebClient, audit_entries, build_app
from .seed import CHEAP_HASHER, PASSWORD, Seeded, token_secret

WRONG = "not the password at all"


@dataclass
class Clock:
    at: float

    def advance(self, *, minutes: float = 0, seconds: float = 0) -> None:
        self.at += minutes * 60 + seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    held = Clock(time.time())
    monkeypatch.setattr(guard, "now", lambda: held.at)
    return held


def visitor(app: FastAPI, address: str = "testclient") -> WebClient:
    """A browser at `address` with the sign-in form's CSRF token."""
    client = WebClient(app, follow_redirects=False, client=(address, 50000))
    client.refresh_csrf("/login")
    return client


def attempt(client: WebClient, username: str, password: str = WRONG) -> Any:
    return client.post_form("/login", {"username": username, "password": password})


def signed_in(answer: Any) -> bool:
    return answer.status_code == 303 and not answer.headers["location"].startswith("/login")


def test_twenty_wrong_passwords_then_the_right_one_is_refused_while_locked(
    app: FastAPI, engine: Engine, seeded: Seeded, clock: Clock
) -> None:
    """The burst of the issue: twenty wrong passwords at once; the right one is refused."""
    client = visitor(app)
    statuses = [attempt(client, "clin").status_code for _ in range(20)]
    right = attempt(client, "clin", PASSWORD)

    assert statuses[:3] == [400, 400, 400]  # a typo or two costs nothing
    assert set(statuses[3:]) == {429}  # then each attempt waits: these were not even heard
    assert right.status_code == 429
    assert right.headers["retry-after"] == "1"
    assert "Too many failed sign-ins" in right.text
    assert guard.SESSION_ID not in client.cookies.get(guard.SESSION_COOKIE, "")
    assert client.get("/caseload").status_code == 303

    # Guessing slowly, past every delay: the tenth failure locks the account.
    for _ in range(7):
        clock.advance(minutes=2)
        assert attempt(client, "clin").status_code == 400
    clock.advance(minutes=2)
    locked = attempt(client, "clin", PASSWORD)
    assert locked.status_code == 429
    assert "or ask your practice" in locked.text
    assert int(locked.headers["retry-after"]) == 13 * 60
    clock.advance(minutes=12, seconds=59)
    assert attempt(client, "clin", PASSWORD).status_code == 429  # still locked
    clock.advance(seconds=2)
    assert signed_in(attempt(client, "clin", PASSWORD))  # the lockout is over

    clin = [seeded.users["clin"]]
    assert [e.target_ids for e in audit_entries(engine, action=AuditAction.SIGN_IN_LOCK)] == [clin]
    throttled = audit_entries(engine, action=AuditAction.LOGIN_THROTTLED)
    assert len(throttled) == 17 + 1 + 1 + 1
    assert {(e.actor, e.actor_kind) for e in throttled} == {(str(clin[0]), "user")}
    assert len(audit_entries(engine, action=AuditAction.LOGIN_FAILED)) == 3 + 7


def test_each_failure_past_the_third_makes_the_next_attempt_wait_twice_as_long(
    app: FastAPI, clock: Clock
) -> None:
    client = visitor(app)
    for _ in range(3):
        assert attempt(client, "clin").status_code == 400
    waits = []
    for _ in range(4):
        early = attempt(client, "clin", PASSWORD)
        assert early.status_code == 429
        waits.append(int(early.headers["retry-after"]))
        clock.advance(seconds=waits[-1])
        assert attempt(client, "clin").status_code == 400
    assert waits == [1, 2, 4, 8]


def test_a_success_forgets_the_accounts_failures(app: FastAPI, clock: Clock) -> None:
    for _ in range(2):
        client = visitor(app)
        for _ in range(9):
            clock.advance(minutes=2)
            assert attempt(client, "clin").status_code == 400
        clock.advance(minutes=2)
        assert signed_in(attempt(client, "clin", PASSWORD))


def schedule(app: FastAPI, clock: Clock, username: str, address: str) -> list[tuple[int, str]]:
    """Twelve wrong passwords for `username`, a minute and a second apart by turns: the
    status, Retry-After and the page (less the name typed) of each answer."""
    client = visitor(app, address)
    answers = []
    for step in range(12):
        clock.advance(seconds=1 if step % 2 else 61)
        answer = attempt(client, username)
        page = answer.text.replace(f'value="{username}"', "").replace(client.csrf, "")
        answers.append((answer.status_code, answer.headers.get("retry-after", "") + page))
    return answers


class CountingHasher(PasswordHasher):
    """The tests' cheap hasher, counting the passwords it checks."""

    checked = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        CountingHasher.checked += 1
        return super().verify(hash, password)


def test_an_unknown_name_gets_the_same_answers_and_the_same_hashing_as_a_known_one(
    app: FastAPI, clock: Clock
) -> None:
    """Nothing tells which names exist: not the answers, not the lockout, not the work done."""
    app.state.web.hasher = CountingHasher(
        time_cost=CHEAP_HASHER.time_cost,
        memory_cost=CHEAP_HASHER.memory_cost,
        parallelism=CHEAP_HASHER.parallelism,
        hash_len=CHEAP_HASHER.hash_len,
        salt_len=CHEAP_HASHER.salt_len,
    )
    CountingHasher.checked = 0
    known = schedule(app, clock, "clin", "192.0.2.1")
    known_checks = CountingHasher.checked
    CountingHasher.checked = 0
    unknown = schedule(app, clock, "nobody-at-all", "192.0.2.2")

    assert unknown == known
    assert CountingHasher.checked == known_checks > 0
    assert {status for status, _ in known} == {400, 429}


def test_a_name_is_counted_however_it_is_capitalised(app: FastAPI, clock: Clock) -> None:
    client = visitor(app)
    for name in ("clin", "CLIN", " Clin "):
        clock.advance(minutes=2)
        assert attempt(client, name).status_code == 400
    assert attempt(client, "clin", PASSWORD).status_code == 429


def test_one_address_trying_many_names_is_locked_out_too(
    web_db: Template, tmp_path: Path, engine: Engine, clock: Clock
) -> None:
    app = build_app(web_db.url, tmp_path, sign_in_failures_per_address=10)
    try:
        sprayer = visitor(app, "198.51.100.7")
        for number in range(10):  # one guess per name: no name is held back
            assert attempt(sprayer, f"user{number}").status_code == 400
        assert attempt(sprayer, "clin", PASSWORD).status_code == 429  # the address is
        assert signed_in(attempt(visitor(app, "198.51.100.8"), "clin", PASSWORD))
        clock.advance(minutes=15)
        assert signed_in(attempt(visitor(app, "198.51.100.7"), "clin", PASSWORD))
    finally:
        app.state.web.reads.close()
        app.state.web.engine.dispose()
    locks = audit_entries(engine, action=AuditAction.SIGN_IN_LOCK)
    assert [(e.actor_kind, e.target_type, e.target_ids) for e in locks] == [
        ("system", "address", [])
    ]


@pytest.fixture
def locked_clin(app: FastAPI, clock: Clock) -> None:
    client = visitor(app, "203.0.113.9")
    for _ in range(10):
        clock.advance(minutes=1, seconds=1)
        assert attempt(client, "clin").status_code == 400
    assert attempt(client, "clin", PASSWORD).status_code == 429


@pytest.mark.usefixtures("locked_clin")
def test_an_admin_sees_the_lock_and_unlocks_the_user(
    app: FastAPI,
    signed_in_as: Callable[[str], WebClient],
    engine: Engine,
    seeded: Seeded,
    clock: Clock,
) -> None:
    admin = signed_in_as("admin")
    user_page = f"/admin/users/{seeded.users['clin']}"
    assert "Locked until" in admin.get(user_page).text

    answer = admin.post_form(f"{user_page}/unlock")

    assert answer.headers["location"] == user_page
    page = admin.get(user_page).text
    assert "Unlocked" in page
    assert "Locked until" not in page
    clock.advance(seconds=2)  # the address's own short delay
    assert signed_in(attempt(visitor(app, "203.0.113.9"), "clin", PASSWORD))
    unlocks = audit_entries(engine, action=AuditAction.SIGN_IN_UNLOCK)
    assert [(e.actor, e.target_ids) for e in unlocks] == [
        (str(seeded.users["admin"]), [seeded.users["clin"]])
    ]


@pytest.mark.usefixtures("locked_clin")
def test_an_admin_of_another_practice_cannot_unlock(
    signed_in_as: Callable[[str], WebClient], seeded: Seeded
) -> None:
    answer = signed_in_as("admin_b").post_form(f"/admin/users/{seeded.users['clin']}/unlock")
    assert answer.status_code == 404


@pytest.fixture
def signed_in_as(app: FastAPI) -> Callable[[str], WebClient]:
    def sign_in(username: str) -> WebClient:
        client = visitor(app, "10.9.8.7")
        assert signed_in(attempt(client, username, PASSWORD))
        client.refresh_csrf("/profile")
        return client

    return sign_in


# --- API tokens: expiry, and a rate limit per token ----------------------------------------


def api_call(app: FastAPI, username: str, seeded: Seeded) -> Any:
    client = TestClient(app, follow_redirects=False)
    return client.get(
        f"/api/v1/clients/{seeded.client_of(username)}/case",
        headers={"Authorization": f"Bearer {token_secret(username)}"},
    )


def test_an_expired_api_token_answers_401_in_the_json_shape(
    app: FastAPI, engine: Engine, seeded: Seeded
) -> None:
    assert api_call(app, "clin", seeded).status_code == 200
    with Session(engine) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == seeded.tokens["clin"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()

    answer = api_call(app, "clin", seeded)

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert "expired" in answer.json()["error"]["message"]
    assert answer.headers["www-authenticate"].startswith("Bearer")


def newest_token(engine: Engine, user_id: int) -> ApiToken | None:
    with Session(engine) as session:
        return session.scalar(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )


def test_a_token_lives_the_days_chosen_when_it_is_made(
    signed_in_as: Callable[[str], WebClient], engine: Engine, seeded: Seeded
) -> None:
    client = signed_in_as("clin")
    assert 'name="expires_in_days"' in client.get("/profile").text

    made = client.post_form("/profile/tokens", {"label": "weekly", "expires_in_days": "7"})

    assert made.status_code == 200
    token = newest_token(engine, seeded.users["clin"])
    assert token is not None
    assert token.label == "weekly"
    assert (token.expires_at - token.created_at) == timedelta(days=7)

    client.post_form("/profile/tokens", {"label": "default"})
    token = newest_token(engine, seeded.users["clin"])
    assert token is not None
    assert (token.expires_at - token.created_at) == timedelta(days=90)


def test_a_token_life_not_offered_is_refused_naming_the_field(
    signed_in_as: Callable[[str], WebClient], engine: Engine, seeded: Seeded
) -> None:
    client = signed_in_as("clin")
    with Session(engine) as session:
        before = session.scalar(select(func.count(ApiToken.id)))

    refused = client.post_form("/profile/tokens", {"label": "forever", "expires_in_days": "9999"})

    assert refused.status_code == 422
    assert 'aria-describedby="token-days-error"' in refused.text
    assert "choose one of 7, 30, 90, 180, 365 days; got the number 9999" in refused.text
    with Session(engine) as session:
        assert session.scalar(select(func.count(ApiToken.id))) == before


def test_the_api_answers_429_with_retry_after_past_the_rate_limit_per_token(
    web_db: Template, tmp_path: Path, seeded: Seeded, clock: Clock
) -> None:
    app = build_app(web_db.url, tmp_path, api_requests_per_minute=3)
    try:
        assert [api_call(app, "clin", seeded).status_code for _ in range(3)] == [200] * 3

        refused = api_call(app, "clin", seeded)

        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "20"
        assert refused.json() == {
            "error": {
                "status": 429,
                "code": "rate_limited",
                "message": "Too many requests with this API token: try again in 20 seconds.",
                "fields": [],
            }
        }
        assert api_call(app, "clin2", seeded).status_code == 200  # another token: its own
        clock.advance(seconds=19)
        assert api_call(app, "clin", seeded).status_code == 429
        clock.advance(seconds=1)
        assert api_call(app, "clin", seeded).status_code == 200
    finally:
        app.state.web.reads.close()
        app.state.web.engine.dispose()


class _SlowHasher(PasswordHasher):
    """A hasher during whose check of the right password someone else guesses wrong."""

    def __init__(self, during: Callable[[], None]) -> None:
        super().__init__(
            time_cost=CHEAP_HASHER.time_cost,
            memory_cost=CHEAP_HASHER.memory_cost,
            parallelism=CHEAP_HASHER.parallelism,
            hash_len=CHEAP_HASHER.hash_len,
            salt_len=CHEAP_HASHER.salt_len,
        )
        self.during: Callable[[], None] | None = during

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        if self.during is not None and password == PASSWORD:
            during, self.during = self.during, None
            during()
        return super().verify(hash, password)


def test_a_right_password_does_not_open_an_account_locked_while_it_was_checked(
    engine: Engine, seeded: Seeded
) -> None:
    """The password is hashed outside the transactions; failures noted meanwhile still count."""
    from referwell.db.engine import make_session_factory
    from referwell.db.uow import UnitOfWork
    from referwell.services.accounts.signin import sign_in
    from referwell.services.errors import LoginFailed, SignInThrottled

    def uow() -> UnitOfWork:
        return UnitOfWork(make_session_factory(engine))

    def three_wrong() -> None:
        for _ in range(3):
            with pytest.raises(LoginFailed):
                sign_in(uow(), "clin", WRONG, hasher=CHEAP_HASHER, address="203.0.113.9")

    signed_in_before = len(audit_entries(engine, action=AuditAction.LOGIN))
    with pytest.raises(SignInThrottled):
        sign_in(uow(), "clin", PASSWORD, hasher=_SlowHasher(three_wrong), address="203.0.113.8")
    assert len(audit_entries(engine, action=AuditAction.LOGIN)) == signed_in_before
    assert len(audit_entries(engine, action=AuditAction.LOGIN_THROTTLED)) == 1
    # Without the guesses alongside, the same right password opens it (once the delay passed).
    sign_in(uow(), "clin", PASSWORD, hasher=CHEAP_HASHER, address="203.0.113.8",
            now=datetime.now(UTC) + timedelta(hours=2))  # fmt: skip
