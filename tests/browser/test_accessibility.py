"""axe-core finds nothing on any page of the demo practice, for any role, at 1280 and 375 px.

Each role's pages are found as a person finds them: the navigation, the lists' client
pages (the first few of each), a client's correction, discharge and questionnaire-link
pages, the admin's pages; and a client's own questionnaire page, opened by a link.
Every `<details>` is opened first, so that forms folded away are checked too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from referwell.services.synthetic.demo import DEMO_PASSWORD, DEMO_USERS

from .a11y import axe_violations
from .conftest import Server

CLIENTS_PER_ROLE = 3
WIDTHS = (1280, 375)
# The clinician's own growth (issue 12), checked for each role whether or not a link leads
# there on the demo day (the burnout offer's page is linked only after a high check-in).
_OWN_GROWTH = (
    "/growth",
    "/growth/evidence",
    "/growth/ce",
    "/growth/cards",
    "/growth/check-ins",
    "/growth/check-ins/burnout",
)
# The provider directory (issue 10): a search with results, uncertainties and left-out
# counts, and an entry's page; the navigation leads only to the empty search form.
_DIRECTORY = (
    "/directory?service=dbt&age=15&postal_code=80202&include_waitlist=on&telehealth=on",
    "/directory/entries/demo-002",
)
GROWTH_PAGES = {
    "clinician": (*_OWN_GROWTH, *_DIRECTORY),
    "supervisor": (
        *_OWN_GROWTH,
        *_DIRECTORY,
        "/growth/team",
        "/growth/supervision-log",
        "/supervision/check-ins",
    ),
    "admin": ("/admin/competence",),
}


def _sign_in(page: Any, server: Server, username: str) -> None:
    page.goto(f"{server.url}/login")
    assert axe_violations(page) == [], "the sign-in page"
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _links(page: Any, selector: str) -> list[str]:
    hrefs = page.locator(selector).evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return [href for href in hrefs if href and href.startswith("/")]


def _download(link: str) -> bool:
    """A link that downloads a file (a CSV, a certificate) rather than opening a page."""
    return "format=csv" in link or link.startswith("/growth/certificate")


def _pages_of(page: Any, server: Server) -> list[str]:
    """Every page this person reaches: the navigation, then what the lists lead to."""
    found = dict.fromkeys(_links(page, "header nav a"))
    for listing in list(found):
        page.goto(f"{server.url}{listing}")
        for link in _links(page, "main a")[:40]:
            if re.fullmatch(r"/clients/\d+", link):
                clients = [p for p in found if re.fullmatch(r"/clients/\d+", p)]
                if len(clients) < CLIENTS_PER_ROLE:
                    found[link] = None
            elif _download(link):
                continue
            elif link.startswith(
                (
                    "/admin/users/",
                    "/clients/new",
                    "/clients/discharged",
                    "/growth/",
                    "/supervision/",
                )
            ):
                found[link] = None
    for client in [p for p in found if re.fullmatch(r"/clients/\d+", p)]:
        page.goto(f"{server.url}{client}")
        for link in _links(page, "main a.entry-link")[:2] + _links(
            page, "main a[href$='/discharge']"
        ):
            found[link] = None
    return list(found)


def _check(page: Any, server: Server, path: str) -> list[Any]:
    page.goto(f"{server.url}{path}")
    page.wait_for_load_state()
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(50)
    return axe_violations(page)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("username", [user.username for user in DEMO_USERS])
def test_axe_finds_nothing_on_any_page_of_any_role(
    browser: Any, server: Server, username: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
    try:
        page = context.new_page()
        _sign_in(page, server, username)
        pages = _pages_of(page, server)
        assert len(pages) >= 3, pages
        role = next(user.role for user in DEMO_USERS if user.username == username)
        pages = list(dict.fromkeys([*pages, *GROWTH_PAGES[role]]))
        found = {path: violations for path in pages if (violations := _check(page, server, path))}
        assert found == {}, f"{username} at {width} px: {found}"
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_on_a_clients_questionnaire_pages(
    browser: Any, server: Server, width: int
) -> None:
    clinician = next(user.username for user in DEMO_USERS if user.role == "clinician")
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
    try:
        page = context.new_page()
        _sign_in(page, server, clinician)
        client = _links(page, "table.caseload tbody th a")[-1]
        page.goto(f"{server.url}{client}")
        page.get_by_role("button", name="Make a link").click()
        link = page.locator("#link-url").input_value()
        assert axe_violations(page) == [], "the page that shows a new link"
        visitor = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
        try:
            holder = visitor.new_page()
            holder.goto(link)
            assert axe_violations(holder) == [], "the questionnaire page"
            holder.get_by_role("button", name="Send my answers").click()
            holder.wait_for_load_state()
            assert axe_violations(holder) == [], "the questionnaire page with its errors"
        finally:
            visitor.close()
    finally:
        context.close()
