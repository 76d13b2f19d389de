"""The directory's pages on the demo practice: the client page shows beside a DBT need its best
options with why each fits and what is uncertain, the directory page finds the same with the
need's filters, an entry's page shows the entry; no page shows a code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from referwell.db import migrate
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client
from referwell.db.uow import UnitOfWork
from referwell.services.permissions import Operator
from referwell.services.synthetic.demo import DEMO_PASSWORD, seed_demo

from .conftest import WebClient, build_app
from .test_plain_words import codes_shown

DEMO_DAY = date(2026, 11, 27)
OPTION = re.compile(r'<li class="option" data-entry-id="([^"]+)">')


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    folder: Path = tmp_path_factory.mktemp("directory-pages")
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    seed_demo(UnitOfWork(make_session_factory(engine)), actor=Operator("tests"), today=DEMO_DAY)
    engine.dispose()
    app = build_app(url, folder, today=DEMO_DAY)
    yield app, url
    app.state.web.reads.close()
    app.state.web.engine.dispose()


def signed_in(app: FastAPI, username: str) -> WebClient:
    client = WebClient(app, follow_redirects=False)
    client.refresh_csrf("/login")
    answer = client.post_form("/login", {"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 303
    return client


def client_with(url: str, display_name: str) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            found = session.scalar(select(Client.id).where(Client.display_name == display_name))
    finally:
        engine.dispose()
    assert found is not None
    return found


def test_a_dbt_need_shows_its_options_and_the_directory_page_finds_the_same(
    demo: tuple[FastAPI, str],
) -> None:
    app, url = demo
    casey = signed_in(app, "casey")
    page = casey.get(f"/clients/{client_with(url, 'Gorrin Applewhite')}")
    assert page.status_code == 200
    row = page.text.index('<tr class="need-options" data-for="dbt">')
    beside = page.text[row : page.text.index("</tr>", row)]
    shown = OPTION.findall(beside)
    assert 1 <= len(shown) <= 3
    assert "Fits:" in beside
    assert "offers DBT" in beside
    link = re.search(r'<a class="all-options" href="([^"]+)"', beside)
    assert link is not None
    search = casey.get(link.group(1).replace("&amp;", "&"))
    assert search.status_code == 200
    assert OPTION.findall(search.text)[: len(shown)] == shown
    assert codes_shown(page.text) == []
    assert codes_shown(search.text) == []


def test_the_search_says_what_is_uncertain_and_what_was_left_out(
    demo: tuple[FastAPI, str],
) -> None:
    app, _ = demo
    dana = signed_in(app, "dana")
    found = dana.get("/directory?service=dbt&age=30&postal_code=80202&include_waitlist=on&k=20")
    assert found.status_code == 200
    assert "Uncertain:" in found.text  # a waitlist, or insurance not stated
    assert "Left out, among those offering it" in found.text
    assert codes_shown(found.text) == []
    entry = OPTION.findall(found.text)[0]
    page = dana.get(f"/directory/entries/{entry}")
    assert page.status_code == 200
    assert "What it offers, and to whom" in page.text
    assert codes_shown(page.text) == []
    assert dana.get("/directory/entries/no-such-entry").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("service=dbt&age=x&postal_code=80202", "Age"),
        ("service=dbt&age=30&postal_code=00000", "ZIP code"),
        ("service=nothing&age=30&postal_code=80202", "Service"),
        ("service=dbt&age=30", "ZIP code"),
    ],
)
def test_a_search_that_cannot_be_read_says_which_filter(
    demo: tuple[FastAPI, str], query: str, field: str
) -> None:
    app, _ = demo
    answer = signed_in(app, "casey").get(f"/directory?{query}")
    assert answer.status_code == 422
    assert f'<span class="path">{field}</span>' in answer.text


def test_admins_have_no_directory(demo: tuple[FastAPI, str]) -> None:
    app, _ = demo
    admin = signed_in(app, "alex")
    assert admin.get("/directory").status_code == 403
    assert "Directory</a>" not in admin.get("/profile").text
