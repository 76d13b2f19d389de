"""No page of the demo practice shows a person a code: every role, every page it reaches.

A code of the vocabulary with `_` or `.` in it (`borderline_personality`,
`safety.suicide_risk`), or a lower-case abbreviation code as a whole word (`dbt`,
`erp`), must not be in any page's visible text. Codes may stay in attributes (a
stylesheet or a test reads `data-kind`) and in the JSON; free text the clinician
typed, shown in quotes, is the clinician's own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from plain_words import codes_in
from referwell.db import migrate
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client, User
from referwell.db.record_entries import read_entries
from referwell.db.uow import UnitOfWork
from referwell.services.clients.corrections import KINDS_BY_KEY
from referwell.services.permissions import Operator
from referwell.services.synthetic.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo

from .conftest import WebClient, build_app

DEMO_DAY = date(2026, 11, 27)


def visible_text(page: str) -> str:
    """What a person reads: the body without scripts, styles, tags or attributes."""
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


def codes_shown(page: str) -> list[str]:
    return codes_in(visible_text(page))


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    directory: Path = tmp_path_factory.mktemp("demo-words")
    url = f"sqlite:///{directory / 'demo.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    seed_demo(UnitOfWork(make_session_factory(engine)), actor=Operator("tests"), today=DEMO_DAY)
    engine.dispose()
    app = build_app(url, directory, today=DEMO_DAY)
    yield app
    app.state.web.reads.close()
    app.state.web.engine.dispose()


def _sign_in(app: FastAPI, username: str) -> WebClient:
    client = WebClient(app, follow_redirects=False)
    client.refresh_csrf("/login")
    answer = client.post_form("/login", {"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 303, answer.text[:500]
    client.refresh_csrf("/profile")
    return client


def _pages_of(app: FastAPI, username: str) -> list[str]:
    """Every page this user reaches from the navigation: lists, profile, admin, clients."""
    engine = app.state.web.engine
    with make_session_factory(engine)() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        role = user.role
        if role == "clinician":
            clients = list(session.scalars(select(Client.id).where(Client.clinician_id == user.id)))
        elif role == "supervisor":
            supervisees = select(User.id).where(User.supervisor_id == user.id)
            supervisee_ids = list(session.scalars(supervisees))
            clients = list(
                session.scalars(select(Client.id).where(Client.clinician_id.in_(supervisees)))
            )
        else:
            clients = []
        users = list(session.scalars(select(User.id))) if role == "admin" else []
        # The clinician's correction pages: every entry of their first three clients.
        corrected = clients[:3] if role == "clinician" else []
        entry_pages = [
            f"/clients/{client_id}/entries/{KINDS_BY_KEY[key].slug}/{entry.id}"
            for client_id in corrected
            for key, listed in read_entries(session, client_id).items()
            for entry in listed
        ]
    pages = ["/profile"]
    if role in ("clinician", "supervisor"):
        pages += ["/caseload", "/clients/discharged", "/growth/cards", "/growth/check-ins"]
        pages += ["/growth/check-ins/burnout"]
        pages += ["/growth", "/growth/evidence", "/growth/ce"]
    if role == "clinician":
        pages += ["/clients/new"] + [f"/clients/{i}/discharge" for i in corrected]
    if role == "supervisor":
        pages += ["/supervision", "/assignments", "/supervision/check-ins"]
        pages += ["/growth/team", "/growth/supervision-log"]
        pages += [f"/growth/supervision-log?clinician={i}" for i in supervisee_ids]
    if role == "admin":
        pages += ["/admin/users", "/admin/settings", "/assignments", "/admin/competence"]
        pages += [f"/admin/users/{i}" for i in users]
    pages += [f"/clients/{client_id}" for client_id in clients]
    return pages + entry_pages


@pytest.mark.parametrize("username", [user.username for user in DEMO_USERS])
def test_no_page_shows_a_code(demo_app: FastAPI, username: str) -> None:
    client = _sign_in(demo_app, username)
    pages = _pages_of(demo_app, username)
    assert len(pages) > 1
    shown = {}
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        found = codes_shown(answer.text)
        if found:
            shown[path] = found
    assert shown == {}, f"{username} sees codes: {shown}"


def test_the_check_finds_a_code_when_there_is_one() -> None:
    page = (
        '<html><body><p data-kind="safety.suicide_risk">Suicide risk</p>'
        '<script>{"kind": "safety.suicide_risk"}</script>'
        '<p>refer to dbt now</p><p>Referral fee to "dbt-clinic-1"</p></body></html>'
    )
    assert codes_shown(page) == ["dbt"]
    assert codes_shown("<body><li>concerns: borderline_personality</li></body>") == [
        "borderline_personality"
    ]
    assert codes_shown("<body><li>items[8]: missing</li></body>") == ["items[8]"]
