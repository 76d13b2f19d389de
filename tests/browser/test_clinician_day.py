"""A clinician's day in headless Chromium against `referwell serve`'s app on the demo practice.

Screenshots go to test-output/screenshots/ (the documentation's own are taken by
test_screenshots.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from referwell.services.synthetic.demo import DEMO_PASSWORD

from .conftest import SCREENSHOTS, Server

pytestmark = pytest.mark.browser


def sign_in(page: Any, server: Server, username: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def first_row(page: Any) -> Any:
    return page.locator("table.caseload tbody tr").first


def test_a_clinicians_day(page: Any, server: Server) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, server, "casey")
    page.wait_for_url(f"{server.url}/caseload")
    assert page.get_by_role("heading", name="Your caseload").is_visible()
    rows = page.locator("table.caseload tbody tr")
    assert rows.count() > 5

    # The least pressing client, to be made the most pressing.
    last = rows.last
    name = last.locator("th a").inner_text()
    assert "Urgent" not in last.inner_text()
    last.locator("th a").click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    client_url = page.url
    assert page.get_by_role("heading", name=name).is_visible()
    page.locator("canvas[data-chart]").first.wait_for(state="visible")
    page.screenshot(path=str(SCREENSHOTS / "client.png"), full_page=True)

    # A PHQ-9 whose item 9 is 2, through the htmx form.
    page.locator("#form-measure-PHQ-9 summary").click()
    for item in range(1, 9):
        page.check(f"#m-phq9-item{item}-1")  # "Several days"
    page.check("#m-phq9-item9-2")  # "More than half the days"
    page.get_by_role("button", name="Save the PHQ-9").click()
    card = page.locator("section.assessment")
    card.locator(".badge.rec-urgent_safety").wait_for()
    assert "Suicide risk" in card.inner_text()
    assert card.locator('[data-kind="safety.suicide_risk"]').count() == 1
    assert page.url == client_url  # a partial update: the page was not left

    # Back on the caseload the client is on top, urgent.
    page.get_by_role("link", name="Caseload", exact=True).first.click()
    page.wait_for_url(f"{server.url}/caseload")
    top = first_row(page)
    assert top.locator("th a").inner_text() == name
    assert "Urgent: safety" in top.inner_text()
    assert "Risk" in top.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "caseload.png"), full_page=False)

    # Considering referral because of personal values: the caution comes first.
    top.locator("th a").click()
    page.wait_for_url(client_url)
    page.locator("#form-referral summary").click()
    page.select_option("#referral-reason", "personal_values")
    page.get_by_role("button", name="Record the reason").click()
    considering = page.locator("#considering")
    considering.wait_for()
    text = considering.inner_text()
    assert "Cautions: read these before anything else" in text
    assert "Personal values as a reason" in text
    assert considering.locator('[data-kind="reason.personal_values"]').count() == 1
    assert considering.evaluate("element => document.activeElement === element")
    box = considering.bounding_box()
    card_box = page.locator("section.assessment").bounding_box()
    assert box["y"] < card_box["y"]  # before the assessment card
    page.screenshot(path=str(SCREENSHOTS / "client-considering-referral.png"), full_page=True)

    assert page.problems == [], page.problems  # no script errors, no CSP violations


def test_a_supervisor_sees_the_supervisees_clients_read_only(page: Any, server: Server) -> None:
    sign_in(page, server, "morgan")
    page.wait_for_url(f"{server.url}/supervision")
    rows = page.locator("table.caseload tbody tr")
    assert rows.count() > 0
    rows.first.locator("th a").click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    assert page.get_by_text("Read-only").is_visible()
    assert page.locator("#forms-title").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "supervision-client.png"), full_page=False)
    assert page.problems == [], page.problems


def test_a_refused_form_names_the_field_without_leaving_the_page(page: Any, server: Server) -> None:
    sign_in(page, server, "casey")
    page.wait_for_url(f"{server.url}/caseload")
    first_row(page).locator("th a").click()
    page.wait_for_url(re.compile(r".*/clients/\d+$"))
    page.locator("#form-session summary").click()
    # The field's own max stops the date in a browser that checks it; the server checks anyway.
    page.evaluate("document.getElementById('session-date').removeAttribute('max')")
    page.fill("#session-date", "2099-01-01")
    page.select_option("#session-attendance", "attended")
    page.get_by_role("button", name="Save the session").click()
    summary = page.locator("#form-session .error-summary")
    summary.wait_for()
    assert "This date is after today" in summary.inner_text()
    assert page.locator("#session-date").get_attribute("aria-invalid") == "true"
    # Chromium notes every 4xx answer on the console; the 422 is the refusal itself.
    problems = [p for p in page.problems if "status of 422" not in p]
    assert problems == [], problems
