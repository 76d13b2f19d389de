"""To whom to refer, in Chromium: a client with a DBT need shows its best options beside the
need, with why each fits; the directory page, opened from there, finds the same; an entry's
page; axe-core finds nothing on any of them."""

from __future__ import annotations

from typing import Any

from .a11y import axe_violations, sign_in
from .conftest import SCREENSHOTS, Server


def test_a_dbt_need_shows_options_and_the_directory_page_finds_the_same(
    page: Any, server: Server
) -> None:
    sign_in(page, server, "casey")
    page.goto(f"{server.url}/caseload")
    page.get_by_role("link", name="Gorrin Applewhite").click()
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

    beside.get_by_role("link", name="Every option in the directory").click()
    page.wait_for_url("**/directory?*")
    assert page.get_by_label("Service").input_value() == "dbt"
    found = page.locator("section.directory-results li.option").evaluate_all(
        "items => items.map(item => item.dataset.entryId)"
    )
    assert found[: len(shown)] == shown
    assert axe_violations(page) == []

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
    page.wait_for_url("**/directory?*")
    results = page.locator("section.directory-results li.option")
    assert results.count() >= 1
    assert "trauma" in results.first.inner_text().lower()
    assert axe_violations(page) == []
