"""The directory's pages on the demo practice: the client page shows beside a DBT need its best
options with why each fits and what is uncertain, its "every option" page finds the same, the
directory's search form (POSTed) finds options too, an entry's page shows the entry; no page
shows a code, and no address carries a need, an age or a ZIP code (issue 10). On both
backends, with the test practice: the "every option" page goes through the permission check
and is audited as a read of the client."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import Engine, select

from referwell.db import migrate
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client
from referwell.db.uow import UnitOfWork
from referwell.services.permissions import Operator
from referwell.services.synthetic.demo import DEMO_PASSWORD, seed_demo

from .conftest import WebClient, audit_entries, build_app, sign_in
from .seed import DIRECTORY_ENTRY, Seeded
from .test_plain_words import codes_shown

DEMO_DAY = date(2026, 11, 27)
OPTION = re.compile(r'<li class="option" data-entry-id="([^"]+)">')
# Every address a page leads to: links, form actions, htmx requests, images and scripts.
ADDRESS = re.compile(r'\b(?:href|action|formaction|src|hx-get|hx-post)="([^"]*)"')
CLINICAL_PARAMETERS = frozenset({"service", "age", "postal_code"})
OPTIONS_ADDRESS = re.compile(r"/clients/\d+/options/\d+")


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


def search(client: WebClient, **filters: str) -> Response:
    """The directory's search form, POSTed (with the session's CSRF token)."""
    client.refresh_csrf("/directory")
    return client.post_form("/directory", filters)


def clinical_parameters(html: str) -> list[str]:
    """Each address of the page whose query string names a need, an age or a ZIP code."""
    return [
        address
        for address in ADDRESS.findall(html)
        if CLINICAL_PARAMETERS & set(parse_qs(urlsplit(address.replace("&amp;", "&")).query))
    ]


def test_clinical_parameters_finds_a_need_in_an_address() -> None:
    assert clinical_parameters('<a href="/directory?service=dbt&amp;k=3">x</a>') != []
    assert clinical_parameters('<form action="/x?postal_code=80202">') != []
    assert clinical_parameters('<a href="/clients/7/options/1">x</a><a href="/?format=csv">') == []


def test_a_dbt_need_shows_its_options_and_every_option_is_a_page_of_the_client(
    demo: tuple[FastAPI, str],
) -> None:
    app, url = demo
    casey = signed_in(app, "casey")
    client_id = client_with(url, "Gorrin Applewhite")
    page = casey.get(f"/clients/{client_id}")
    assert page.status_code == 200
    row = page.text.index('<tr class="need-options" data-for="dbt">')
    beside = page.text[row : page.text.index("</tr>", row)]
    shown = OPTION.findall(beside)
    assert 1 <= len(shown) <= 3
    assert "Fits:" in beside
    assert "offers DBT" in beside
    link = re.search(r'<a class="all-options" href="([^"]+)"', beside)
    assert link is not None
    assert re.fullmatch(rf"/clients/{client_id}/options/\d+", link.group(1))
    every = casey.get(link.group(1))
    assert every.status_code == 200
    found = OPTION.findall(every.text)
    assert found[: len(shown)] == shown
    assert f'href="/clients/{client_id}">Gorrin Applewhite</a>' in every.text
    # The search form is filled in from the record, to search again (POSTed).
    assert re.search(r'<option value="dbt"[^>]* selected', every.text)
    assert '<form method="post" action="/directory"' in every.text
    assert codes_shown(page.text) == []
    assert codes_shown(every.text) == []


def test_a_need_that_is_not_there_is_not_found(demo: tuple[FastAPI, str]) -> None:
    app, url = demo
    casey = signed_in(app, "casey")
    client_id = client_with(url, "Gorrin Applewhite")
    positions = len(OPTIONS_ADDRESS.findall(casey.get(f"/clients/{client_id}").text))
    assert positions >= 1
    for position in (0, positions + 1, 99):
        answer = casey.get(f"/clients/{client_id}/options/{position}")
        assert answer.status_code == 404
        assert "DBT" not in answer.text


def test_no_page_puts_a_need_an_age_or_a_zip_code_in_an_address(
    demo: tuple[FastAPI, str],
) -> None:
    app, _ = demo
    casey = signed_in(app, "casey")
    caseload = casey.get("/caseload").text
    clients = list(dict.fromkeys(re.findall(r'href="(/clients/\d+)"', caseload)))
    assert clients
    pages = {path: casey.get(path).text for path in ["/directory", *clients]}
    options = sorted({a for html in pages.values() for a in OPTIONS_ADDRESS.findall(html)})
    assert options, "no client of casey's has a referral need with options"
    pages |= {path: casey.get(path).text for path in options}
    found = search(casey, service="dbt", age="30", postal_code="80202", include_waitlist="on")
    assert OPTION.findall(found.text)
    pages["POST /directory"] = found.text
    refused = search(casey, service="dbt", age="x", postal_code="80202")
    assert refused.status_code == 422
    pages["POST /directory, refused"] = refused.text
    carrying = {path: bad for path, html in pages.items() if (bad := clinical_parameters(html))}
    assert carrying == {}


def test_the_search_is_posted_and_an_address_searches_nothing(
    demo: tuple[FastAPI, str],
) -> None:
    app, _ = demo
    dana = signed_in(app, "dana")
    form = dana.get("/directory")
    assert form.status_code == 200
    assert '<form method="post" action="/directory"' in form.text
    assert 'name="csrf_token"' in form.text
    asked = dana.get("/directory?service=dbt&age=30&postal_code=80202")
    assert asked.status_code == 200
    assert OPTION.findall(asked.text) == []
    assert 'value="80202"' not in asked.text
    assert OPTION.findall(search(dana, service="dbt", age="30", postal_code="80202").text)
    # Without the session's CSRF token the search is refused, like every form.
    assert dana.post("/directory", data={"service": "dbt", "age": "30"}).status_code == 403


def test_the_search_says_what_is_uncertain_and_what_was_left_out(
    demo: tuple[FastAPI, str],
) -> None:
    app, _ = demo
    dana = signed_in(app, "dana")
    found = search(
        dana, service="dbt", age="30", postal_code="80202", include_waitlist="on", k="20"
    )
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
    ("filters", "field"),
    [
        ({"service": "dbt", "age": "x", "postal_code": "80202"}, "Age"),
        ({"service": "dbt", "age": "30", "postal_code": "00000"}, "ZIP code"),
        ({"service": "nothing", "age": "30", "postal_code": "80202"}, "Service"),
        ({"service": "dbt", "age": "30"}, "ZIP code"),
    ],
)
def test_a_search_that_cannot_be_read_says_which_filter(
    demo: tuple[FastAPI, str], filters: dict[str, str], field: str
) -> None:
    app, _ = demo
    answer = search(signed_in(app, "casey"), **filters)
    assert answer.status_code == 422
    assert f'<span class="path">{field}</span>' in answer.text
    assert "Nothing was searched." in answer.text


def test_admins_have_no_directory(demo: tuple[FastAPI, str]) -> None:
    app, _ = demo
    admin = signed_in(app, "alex")
    assert admin.get("/directory").status_code == 403
    admin.refresh_csrf("/profile")
    assert admin.post_form("/directory", {"service": "dbt"}).status_code == 403
    assert "Directory</a>" not in admin.get("/profile").text


# --- on both backends, with the test practice ------------------------------------------------


def test_every_option_for_a_need_is_read_through_the_permission_check_and_audited(
    app: FastAPI,
    seeded: Seeded,
    engine: Engine,
    flush_reads: Callable[[], int],
) -> None:
    own, colleagues, elsewhere = (seeded.client_of(u) for u in ("clin", "clin2", "other"))
    clin = sign_in(app, "clin")
    flush_reads()
    before = audit_entries(engine)[-1].id
    page = clin.get(f"/clients/{own}/options/1")  # ex01: a DBT need, near the test entry
    assert page.status_code == 200
    assert OPTION.findall(page.text) == [DIRECTORY_ENTRY]
    flush_reads()
    reads = [e for e in audit_entries(engine, action="client:read") if e.id > before]
    assert [(e.actor, e.target_ids) for e in reads] == [(str(seeded.users["clin"]), [own])]
    assert clin.get(f"/clients/{own}/options/2").status_code == 404
    assert clin.get(f"/clients/{colleagues}/options/1").status_code == 404
    assert clin.get(f"/clients/{elsewhere}/options/1").status_code == 404
    assert sign_in(app, "sup").get(f"/clients/{own}/options/1").status_code == 200
    assert sign_in(app, "admin").get(f"/clients/{own}/options/1").status_code == 404


def test_the_posted_search_finds_the_test_entry(app: FastAPI) -> None:
    clin = sign_in(app, "clin")
    found = search(clin, service="dbt", age="34", postal_code="80202")
    assert found.status_code == 200
    assert OPTION.findall(found.text) == [DIRECTORY_ENTRY]
    too_young = search(clin, service="dbt", age="12", postal_code="80202")
    assert OPTION.findall(too_young.text) == []
