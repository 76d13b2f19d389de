"""To whom to refer, in Chromium: a client with a DBT need shows its best options beside the
need, with why each fits; every option for it, opened from there, starts with the same; an
entry's page; the directory's own form searches by POST; axe-core finds nothing on any of
them, and no address carries the need, the age or the ZIP code."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .a11y import axe_violations, sign_in
from .conftest import SCREENSHOTS, Server

# The page's links and form actions whose query string names a need, an age or a ZIP code.
CLINICAL_ADDRESSES = """() => [...document.querySelectorAll('a[href], form[action]')]
  .map(element => element.getAttribute('href') ?? element.getAttribute('action'))
  .filter(address => ['service', 'age', 'postal_code']
    .some(name => new URL(address, location.href).searchParams.has(name)))"""


def test_a_dbt_need_shows_options_and_the_directory_page_finds_the_same(
    page: Any, server: Server
) -> None:
    sign_in(page, server, "casey")
    page.goto(f"{server.url}/caseload")
    page.get_by_role("link", name="Gorrin Applewhite").click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))  # and its load: the page is all there
    need = page.locator('section.assessment table.needs tr[data-service="dbt"]')
    assert need.is_visible()
    beside = page.locator('section.assessment table.needs tr.need-options[data-for="dbt"]')
    options = beside.locator("li.option")
    shown = options.evaluate_all("items => items.map(item => item.dataset.entryId)")
    assert 1 <= len(shown) <= 3
    assert "offers DBT" in options.first.inner_text()
    assert "km" in options.first.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    beside.screenshot(path=str(SCREENSHOTS / "need-options.png"))
    assert axe_violations(page) == []
    assert page.evaluate(CLINICAL_ADDRESSES) == []

    beside.get_by_role("link", name="Every option in the directory").click()
    page.wait_for_url(re.compile(r".*/clients/\d+/options/\d+$"))
    assert page.get_by_label("Service").input_value() == "dbt"
    assert page.get_by_role("link", name="Gorrin Applewhite").is_visible()
    found = page.locator("section.directory-results li.option").evaluate_all(
        "items => items.map(item => item.dataset.entryId)"
    )
    assert found[: len(shown)] == shown
    assert axe_violations(page) == []
    assert page.evaluate(CLINICAL_ADDRESSES) == []

    page.locator("section.directory-results li.option a").first.click()
    page.wait_for_url("**/directory/entries/*")
    assert page.get_by_role("heading", name="What it offers, and to whom").is_visible()
    assert axe_violations(page) == []
    assert page.problems == []


def test_the_directory_page_searches_with_its_own_form(page: Any, server: Server) -> None:
    sign_in(page, server, "dana")
    page.get_by_role("link", name="Directory").click()
    page.get_by_label("Service").select_option("trauma_focused")
    page.get_by_label("Client's age").fill("33")
    page.get_by_label("Client's ZIP code").fill("80202")
    page.get_by_label("Options with a waitlist too").check()
    page.get_by_role("button", name="Search").click()
    results = page.locator("section.directory-results li.option")
    results.first.wait_for()
    assert urlsplit(page.url).path == "/directory"
    assert urlsplit(page.url).query == ""  # POSTed: the filters stay out of the address
    assert results.count() >= 1
    assert "trauma" in results.first.inner_text().lower()
    assert page.get_by_label("Client's ZIP code").input_value() == "80202"
    assert page.evaluate(CLINICAL_ADDRESSES) == []
    assert axe_violations(page) == []
    assert page.problems == []
