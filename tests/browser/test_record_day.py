"""A record corrected, a questionnaire filled in by the client, a supervisor's mark, a client moved:
in Chromium, on a server of this module's own (these tests change the demo practice).

- An entry marked in error: the client leaves the top of the caseload.
- A client fills in a PHQ-9 by link on a 375 px-wide phone; item 9 above 0 brings crisis
  resources, and the client rises to the top of the caseload. The link is refused on its
  second use, and another after it expired.
- A supervisor's "reviewed" mark clears when the recommendation changes.
- A reassignment moves access at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from referwell.db.engine import make_engine
from referwell.db.models import QuestionnaireLink
from referwell.services.clients.links import token_digest
from referwell.services.synthetic.demo import DEMO_PASSWORD

from .a11y import assert_no_sideways_scrolling, axe_violations
from .conftest import OUTPUT, Server, running_server

PHONE = {"width": 375, "height": 740}
SCREENSHOTS = OUTPUT / "screenshots"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory, "browser-record-day") as started:
        yield started


@pytest.fixture
def person(browser: Any) -> Iterator[Any]:
    """A fresh browser context per person signed in (its own cookies)."""
    contexts: list[Any] = []

    def open_as(
        server: Server, username: str | None, viewport: dict[str, int] | None = None
    ) -> Any:
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if username is not None:
            page.goto(f"{server.url}/login")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


def caseload(page: Any, server: Server) -> list[tuple[str, str]]:
    """(client path, recommendation class) of each row, top first."""
    page.goto(f"{server.url}/caseload")
    return [
        (row.locator("th a").get_attribute("href"), row.get_attribute("class"))
        for row in page.locator("table.caseload tbody tr").all()
    ]


def last_client(page: Any, server: Server) -> str:
    """The caseload's last client: the least pressing."""
    return caseload(page, server)[-1][0]


def add_phq9(page: Any, server: Server, client: str, item9: int) -> None:
    page.goto(f"{server.url}{client}")
    page.locator("#form-measure-PHQ-9 summary").click()
    for number in range(1, 9):
        page.check(f"#m-phq9-item{number}-1")
    page.check(f"#m-phq9-item9-{item9}" if item9 else "#m-phq9-item9")
    page.get_by_role("button", name="Save the PHQ-9").click()
    page.locator("#saved").wait_for()


def test_an_entry_marked_in_error_leaves_the_assessment_and_the_caseload_changes(
    person: Any, own_server: Server
) -> None:
    casey = person(own_server, "casey")
    client = last_client(casey, own_server)
    add_phq9(casey, own_server, client, item9=2)
    assert caseload(casey, own_server)[0] == (client, "row-urgent_safety")

    casey.goto(f"{own_server.url}{client}")
    casey.locator("#questionnaires-title").scroll_into_view_if_needed()
    casey.locator("section:has(#questionnaires-title) a.entry-link").first.click()
    casey.wait_for_url(re.compile(r".*/entries/questionnaires/\d+$"))
    assert axe_violations(casey) == []
    casey.get_by_label("Why is it in error?").fill("typed into the wrong client's record")
    casey.get_by_role("button", name="Mark entered in error").click()
    casey.wait_for_url(re.compile(r".*/clients/\d+#record$"))
    struck = casey.locator("section:has(#questionnaires-title) li.in-error").first
    assert struck.locator("del").is_visible()
    assert "typed into the wrong client's record" in struck.inner_text()
    assert (client, "row-urgent_safety") not in caseload(casey, own_server)


def test_a_client_fills_in_a_phq9_by_link_on_a_phone_and_rises_to_the_top(
    person: Any, own_server: Server
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dana = person(own_server, "dana")
    client = last_client(dana, own_server)
    dana.goto(f"{own_server.url}{client}")
    dana.locator("#links-title").scroll_into_view_if_needed()
    dana.uncheck("input[name=instruments][value='GAD-7']")
    dana.get_by_role("button", name="Make a link").click()
    link = dana.locator("#link-url").input_value()
    assert "/q/rwq_" in link

    phone = person(own_server, None, PHONE)
    phone.goto(link)
    assert phone.get_by_role("heading", level=1).inner_text()  # the practice's name
    assert "Little interest or pleasure in doing things" in phone.content()
    assert_no_sideways_scrolling(phone)
    assert axe_violations(phone) == []
    for number in range(1, 9):
        phone.locator(f"label[for='phq9-q-item{number}-1']").click()
    phone.locator("label[for='phq9-q-item9-1']").click()
    phone.screenshot(path=str(SCREENSHOTS / "questionnaire-phone.png"), full_page=False)
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_url(re.compile(r".*/q/done$"))
    crisis = phone.locator("section.crisis")
    assert crisis.is_visible()
    assert "Call or text 988" in crisis.inner_text()
    assert_no_sideways_scrolling(phone)
    assert axe_violations(phone) == []

    assert caseload(dana, own_server)[0] == (client, "row-urgent_safety")

    phone.goto(link)
    assert "already been used" in phone.locator("main").inner_text()

    # Another link, aged past its expiry: refused.
    dana.goto(f"{own_server.url}{client}")
    dana.get_by_role("button", name="Make a link").click()
    old = dana.locator("#link-url").input_value()
    engine = make_engine(own_server.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(QuestionnaireLink)
                .where(QuestionnaireLink.token_hash == token_digest(old.rsplit("/", 1)[-1]))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    finally:
        engine.dispose()
    phone.goto(old)
    assert "has expired" in phone.locator("main").inner_text()


def test_a_supervisors_reviewed_mark_clears_when_the_recommendation_changes(
    person: Any, own_server: Server
) -> None:
    robin = person(own_server, "robin")
    client = last_client(robin, own_server)
    client_id = client.rsplit("/", 1)[-1]
    morgan = person(own_server, "morgan")
    morgan.goto(f"{own_server.url}/supervision")
    row = morgan.locator(f"#client-{client_id}")
    row.locator("summary").click()
    row.get_by_label("Note (optional)").fill("agreed to keep going; review at week 12")
    row.get_by_role("button", name="Mark reviewed").click()
    morgan.wait_for_url(re.compile(r".*/supervision#client-\d+$"))
    row = morgan.locator(f"#client-{client_id}")
    assert row.get_attribute("data-reviewed") == "yes"
    assert "review at week 12" in row.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    morgan.screenshot(path=str(SCREENSHOTS / "supervisor-list.png"), full_page=False)

    add_phq9(robin, own_server, client, item9=1)

    morgan.goto(f"{own_server.url}/supervision")
    row = morgan.locator(f"#client-{client_id}")
    assert row.get_attribute("data-reviewed") == "no"
    assert "row-urgent_safety" in (row.get_attribute("class") or "")


def test_a_reassignment_moves_access_at_once(person: Any, own_server: Server) -> None:
    casey = person(own_server, "casey")
    client = caseload(casey, own_server)[1][0]
    client_id = client.rsplit("/", 1)[-1]
    morgan = person(own_server, "morgan")
    morgan.goto(f"{own_server.url}/assignments")
    assert axe_violations(morgan) == []
    morgan.locator(f"#to-{client_id}").select_option(label="Dana Wrenfield")
    morgan.locator(f"form[action='/assignments/{client_id}'] button").click()
    morgan.wait_for_url(re.compile(r".*/assignments$"))
    assert "is now Dana Wrenfield's client" in morgan.locator(".flash").inner_text()

    answer = casey.goto(f"{own_server.url}{client}")
    assert answer.status == 404
    assert client not in [path for path, _ in caseload(casey, own_server)]
    dana = person(own_server, "dana")
    assert client in [path for path, _ in caseload(dana, own_server)]
