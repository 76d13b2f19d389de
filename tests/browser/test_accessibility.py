"""axe-core finds nothing on any page of the demo practice, for any role, at 1280 and 375 px.

Each role's pages are found as a person finds them: the navigation, the lists' client
pages (the first few of each), a client's correction, discharge and questionnaire-link
pages, the admin's pages; and a client's own questionnaire page, opened by a link.
Every `<details>` is opened first, so that forms folded away are checked too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
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
# The provider directory (issue 10): an entry's page; the navigation leads only to the empty
# search form. Its results are checked as reached: every option for a client's need
# (`_every_option_page`) and the search form POSTed (`_posted_search`), since no address
# carries a search's filters.
_DIRECTORY = ("/directory/entries/demo-002",)
CLINICAL_ROLES = ("clinician", "supervisor")
GROWTH_PAGES = {
    "clinician": (*_OWN_GROWTH, *_DIRECTORY),
    "supervisor": (
        *_OWN_GROWTH,
        *_DIRECTORY,
        "/growth/team",
        "/growth/supervision-log",
        "/supervision/check-ins",
    ),
    "admin": ("/admin/competence", "/admin/partners"),
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


def _every_option_page(page: Any, server: Server) -> str:
    """Every option for a client's need (`/clients/{id}/options/{n}`): the link beside the
    first referral need with options among the clients this person's lists lead to."""
    seen: list[str] = []
    for listing in ("/caseload", "/supervision"):
        page.goto(f"{server.url}{listing}")
        seen += [link for link in _links(page, "main a") if re.fullmatch(r"/clients/\d+", link)]
    for client in dict.fromkeys(seen):
        page.goto(f"{server.url}{client}")
        if found := _links(page, "main a.all-options"):
            return found[0]
    raise AssertionError(f"no client with a referral need with options among {seen}")


def _posted_search(page: Any, server: Server) -> list[Any]:
    """The directory's search form, POSTed: results with uncertainties and left-out counts."""
    page.goto(f"{server.url}/directory")
    page.get_by_label("Service").select_option("dbt")
    page.get_by_label("Client's age").fill("15")
    page.get_by_label("Client's ZIP code").fill("80202")
    page.get_by_label("The client accepts telehealth").check()
    page.get_by_label("Options with a waitlist too").check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.locator("section.directory-results li.option").count() >= 1
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(50)
    return axe_violations(page)


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
        if role in CLINICAL_ROLES:
            pages.append(_every_option_page(page, server))
        found = {path: violations for path in pages if (violations := _check(page, server, path))}
        if role in CLINICAL_ROLES and (violations := _posted_search(page, server)):
            found["POST /directory"] = violations
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


def _referral_exchange_rows(database_url: str) -> str:
    """An incoming referral in the demo practice's inbox, and a sent referral with a status
    link; the link's token."""
    from sqlalchemy import select

    from referwell.db.engine import make_engine, make_session_factory
    from referwell.db.models import Client, User
    from referwell.db.referrals.models import Referral, ReferralOption, StatusLink
    from referwell.services.tokens import token_digest

    token = "rws_accessibility_status_link"
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            client = session.scalars(select(Client).order_by(Client.id)).first()
            assert client is not None
            clinician = session.get(User, client.clinician_id)
            assert clinician is not None
            patient = {"resourceType": "Patient", "id": "pt", "name": [{"text": "Synthetic Incoming"}],
                       "birthDate": "1990"}  # fmt: skip
            incoming = Referral(
                practice_id=client.practice_id, direction="incoming", reason="a synthetic reason",
                status="requested", business_status="sent", created_by="1", remote_id="77",
                payload={"resourceType": "Bundle", "type": "collection",
                         "entry": [{"resource": patient}]},
            )  # fmt: skip
            outgoing = Referral(
                practice_id=client.practice_id, client_id=client.id, clinician_id=clinician.id,
                reason="a synthetic reason", status="requested", business_status="sent",
                created_by=str(clinician.id),
                options=[ReferralOption(external_id="demo-002", name="A synthetic provider",
                                        chosen=True)],
            )  # fmt: skip
            session.add_all([incoming, outgoing])
            session.flush()
            session.add(
                StatusLink(
                    referral_id=outgoing.id,
                    token_hash=token_digest(token),
                    created_by=clinician.id,
                    expires_at=datetime(2100, 1, 1, tzinfo=UTC),
                )
            )
            session.commit()
    finally:
        engine.dispose()
    return token


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_on_the_referral_exchange_pages(
    browser: Any, server: Server, width: int
) -> None:
    """A receiver's status link (no role), an unusable one, and the supervisors' inbox of
    incoming referrals with one waiting."""
    token = "rws_accessibility_status_link"
    if width == WIDTHS[0]:
        token = _referral_exchange_rows(server.database_url)
    visitor = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
    try:
        holder = visitor.new_page()
        for path in (f"/r/{token}", "/r/rws_no_such_link"):
            assert _check(holder, server, path) == [], path
    finally:
        visitor.close()
    supervisor = next(user.username for user in DEMO_USERS if user.role == "supervisor")
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
    try:
        page = context.new_page()
        _sign_in(page, server, supervisor)
        assert _check(page, server, "/referrals/inbox") == []
        assert page.get_by_role("heading", name="Synthetic Incoming").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", CLINICAL_ROLES)
def test_axe_finds_nothing_on_the_sending_clinicians_referral_pages(
    browser: Any, server: Server, role: str, width: int
) -> None:
    """Issue 11: the follow-up worklist, a referral's page in every state the demo holds (a
    supervisor's read-only), its letter, and a draft refused with its errors beside fields."""
    username = next(user.username for user in DEMO_USERS if user.role == role)
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
    try:
        page = context.new_page()
        _sign_in(page, server, username)
        found = {}
        if violations := _check(page, server, "/referrals"):
            found["/referrals"] = violations
        referrals = [
            link
            for link in dict.fromkeys(_links(page, "main table.referrals a"))
            if re.fullmatch(r"/clients/\d+/referrals/\d+", link)
        ]
        assert len(referrals) >= 2, referrals
        for path in referrals:
            if violations := _check(page, server, path):
                found[path] = violations
            letter = _links(page, "main a[href$='/letter']")
            if letter and (violations := _check(page, server, letter[0])):
                found[letter[0]] = violations
        draft = next(
            (p for p in referrals if _check(page, server, p) is not None
             and page.locator("#referral-form").count()),
            None,
        )  # fmt: skip
        if role == "clinician":
            assert draft is not None, "no draft of one's own to refuse"
            page.goto(f"{server.url}{draft}")
            page.get_by_label("Consent valid until").fill("")
            page.locator("#scope-identity_contact").check()
            page.get_by_role("button", name="Send the referral").click()
            page.wait_for_load_state()
            assert page.locator(".error-summary").count() == 1
            if violations := axe_violations(page):
                found[f"POST {draft}"] = violations
        assert found == {}, f"{username} at {width} px: {found}"
    finally:
        context.close()
