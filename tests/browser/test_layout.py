"""Layout in headless Chromium: long words wrap, the pages work 375 px wide, and after a save the
confirmation and the new recommendation are in view, with the focus on the confirmation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .a11y import (
    assert_no_sideways_scrolling,
    axe_violations,
    in_viewport,
    open_client_without_considering,
    sign_in,
)
from .conftest import SCREENSHOTS, Server

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page 375 px wide, as on a small phone."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    problems: list[str] = []
    opened.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.problems = problems
    yield opened
    context.close()


@pytest.fixture
def no_script(browser: Any) -> Iterator[Any]:
    """A page with JavaScript off: forms post and the server redirects."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", java_script_enabled=False
    )
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def open_every_details(page: Any) -> None:
    """Opens the chart tables, the legend and every form."""
    page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(100)  # the toggle events


def save_a_session(page: Any) -> None:
    page.locator("#form-session summary").click()
    page.select_option("#session-attendance", "attended")
    page.get_by_role("button", name="Save the session").click()


# ---- Long unbroken words ----


def test_a_500_character_word_wraps_on_the_client_page(page: Any, server: Server) -> None:
    sign_in(page, server)
    client_url = open_client_without_considering(page, server)
    page.locator("#form-goal summary").click()
    page.fill("#goal-description", "x" * 500)
    page.select_option("#goal-status", "progressing")
    page.get_by_role("button", name="Save the goal").click()
    page.locator("#saved").wait_for()
    assert page.locator(".goals li", has_text="x" * 500).count() == 1
    assert_no_sideways_scrolling(page)

    page.goto(client_url)  # the same page read afresh, and on a phone
    assert_no_sideways_scrolling(page)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scrolling(page)
    assert page.problems == [], page.problems


# ---- 375 px wide ----


def test_the_caseload_fits_375_px(phone: Any, server: Server) -> None:
    sign_in(phone, server)
    phone.wait_for_url(f"{server.url}/caseload")
    assert_no_sideways_scrolling(phone)
    # The navigation: every link and the sign-out button in view and big enough to tap.
    for control in phone.locator(".site-header a, .site-header button").all():
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 24, control.inner_text()
    # The table stacks: each client a block as wide as the page allows, the name first.
    rows = phone.locator("table.caseload tbody tr")
    assert rows.count() > 5
    first = rows.first.bounding_box()
    assert first is not None
    assert first["width"] <= PHONE["width"]
    name = rows.first.locator("th").bounding_box()
    why = rows.first.locator("td.headline").bounding_box()
    assert name is not None
    assert why is not None
    assert name["y"] < why["y"]
    phone.screenshot(path=str(SCREENSHOTS / "caseload-375.png"), full_page=False)
    assert phone.problems == [], phone.problems


def test_the_client_page_fits_375_px_with_every_form_open(phone: Any, server: Server) -> None:
    sign_in(phone, server)
    phone.locator("table.caseload tbody th a").first.click()
    phone.wait_for_url(re.compile(r".*/clients/\d+$"))
    phone.locator("canvas[data-chart]").first.wait_for(state="visible")
    assert_no_sideways_scrolling(phone)
    open_every_details(phone)
    assert_no_sideways_scrolling(phone)
    # Every field fits the page.
    for field in phone.locator(".record-forms :is(input, select, button):visible").all():
        box = field.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], field.evaluate("e => e.outerHTML")
    phone.screenshot(path=str(SCREENSHOTS / "client-375.png"), full_page=True)
    assert phone.problems == [], phone.problems


@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_on_the_caseload_and_a_client_page(
    browser: Any, server: Server, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, server)
        page.wait_for_url(f"{server.url}/caseload")
        assert axe_violations(page) == []
        page.locator("table.caseload tbody th a").first.click()
        page.wait_for_url(re.compile(r".*/clients/\d+$"))
        page.locator("canvas[data-chart]").first.wait_for(state="visible")
        assert axe_violations(page) == []
        open_every_details(page)
        assert axe_violations(page) == []
    finally:
        context.close()


# ---- After a save ----


def assert_the_confirmation_and_recommendation_are_in_view(page: Any) -> None:
    saved = page.locator("#saved")
    saved.wait_for()
    assert "Session saved" in saved.inner_text() or "already recorded" in saved.inner_text()
    assert saved.locator(".badge.rec").count() == 1
    assert in_viewport(page, "#saved")
    assert in_viewport(page, "#assessment-title")
    assert in_viewport(page, "section.assessment .headline")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["wide", "phone"])
def test_after_a_save_the_confirmation_and_recommendation_are_in_view_and_focused(
    browser: Any, server: Server, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport, locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, server)
        client_url = open_client_without_considering(page, server)
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        save_a_session(page)
        assert_the_confirmation_and_recommendation_are_in_view(page)
        assert page.locator("#saved").evaluate("element => document.activeElement === element")
        assert page.url == client_url  # htmx swapped the page in
        page.screenshot(path=str(SCREENSHOTS / f"client-saved-{viewport['width']}.png"))
    finally:
        context.close()


def test_after_a_save_without_javascript_the_page_opens_at_the_confirmation(
    no_script: Any, server: Server
) -> None:
    page = no_script
    sign_in(page, server)
    open_client_without_considering(page, server)
    save_a_session(page)
    page.wait_for_url(re.compile(r".*/clients/\d+#saved$"))
    assert_the_confirmation_and_recommendation_are_in_view(page)
