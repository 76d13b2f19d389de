"""The documentation's screenshots, taken of a fresh demo practice: the caseload, a client page,
the client's questionnaire page on a phone, and the supervisor's list.

Each goes to test-output/screenshots/ on every run, and is copied to docs/screenshots/
when the file there is missing or REFERWELL_UPDATE_SCREENSHOTS=1 (so that a test run
leaves the tree clean). Each shot checks first that the page shows what it should.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from referwell.services.synthetic.demo import DEMO_PASSWORD

from .a11y import axe_violations
from .conftest import OUTPUT, ROOT, Server, running_server

DOCS = ROOT / "docs" / "screenshots"
SHOTS = OUTPUT / "screenshots"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory, "browser-screenshots") as started:
        yield started


def _page(browser: Any, server: Server, username: str | None, width: int, height: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    if username:
        page.goto(f"{server.url}/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    return page


def _keep(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    taken = SHOTS / name
    page.screenshot(path=str(taken), full_page=False)
    assert axe_violations(page) == [], name
    documented = DOCS / name
    if not documented.exists() or os.environ.get("REFERWELL_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(taken, documented)
    page.context.close()
    return taken


def test_the_caseload_and_a_client_page(browser: Any, fresh: Server) -> None:
    page = _page(browser, fresh, "casey", 1280, 820)
    page.goto(f"{fresh.url}/caseload")
    assert page.locator("table.caseload tbody tr").count() > 5
    _keep(page, "caseload.png")

    page = _page(browser, fresh, "casey", 1280, 1100)
    page.goto(f"{fresh.url}/caseload")
    page.locator("table.caseload tbody tr").first.locator("th a").click()
    page.wait_for_load_state()
    page.locator("canvas[data-chart]").first.wait_for(state="visible")
    assert page.locator("#assessment-title").is_visible()
    _keep(page, "client.png")


def test_the_clients_questionnaire_page_on_a_phone(browser: Any, fresh: Server) -> None:
    page = _page(browser, fresh, "dana", 1280, 900)
    page.goto(f"{fresh.url}/caseload")
    page.locator("table.caseload tbody tr").last.locator("th a").click()
    page.get_by_role("button", name="Make a link").click()
    link = page.locator("#link-url").input_value()
    page.context.close()
    phone = _page(browser, fresh, None, 375, 740)
    phone.goto(link)
    phone.locator("label[for='phq9-q-item1-1']").click()
    assert phone.get_by_role("heading", level=1).is_visible()
    _keep(phone, "questionnaire-phone.png")


def test_the_supervisors_list(browser: Any, fresh: Server) -> None:
    page = _page(browser, fresh, "morgan", 1280, 820)
    page.goto(f"{fresh.url}/supervision")
    rows = page.locator("table.supervision tbody tr")
    assert rows.count() > 5
    first = rows.first
    first.locator("summary").click()
    first.get_by_label("Note (optional)").fill("discussed in supervision; safety plan checked")
    first.get_by_role("button", name="Mark reviewed").click()
    page.wait_for_load_state()
    page.evaluate("window.scrollTo(0, 0)")
    assert page.locator("tr[data-reviewed='yes']").count() == 1
    _keep(page, "supervisor-list.png")
