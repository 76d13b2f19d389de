"""Helpers the layout and chart browser tests share: signing in, axe-core, what is in view.

axe-core comes from the `axe-playwright-python` package (its bundled `axe.min.js`); it is run
with Playwright's own evaluation, which the Content-Security-Policy does not stop.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from referwell.services.synthetic.demo import DEMO_PASSWORD

from .conftest import Server


def sign_in(page: Any, server: Server, username: str = "casey") -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(caseload|supervision)$"))


def client_links(page: Any, server: Server) -> list[str]:
    """The caseload's client pages, most pressing first."""
    page.goto(f"{server.url}/caseload")
    hrefs = page.locator("table.caseload tbody th a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return [f"{server.url}{href}" for href in hrefs]


def open_client_without_considering(page: Any, server: Server) -> str:
    """Opens the first client of the caseload not being considered for referral (whose
    cautions would stand between the confirmation of a save and the assessment)."""
    for url in client_links(page, server):
        page.goto(url)
        if page.locator("#considering").count() == 0:
            return str(url)
    pytest.fail("every client of the caseload is being considered for referral")


def page_overflow(page: Any) -> dict[str, int]:
    return dict(
        page.evaluate(
            "() => ({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth})"
        )
    )


def assert_no_sideways_scrolling(page: Any) -> None:
    sizes = page_overflow(page)
    if sizes["scrollWidth"] > sizes["innerWidth"]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                        && !e.closest('.table-scroll'))
                .slice(0, 8)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                          + (e.className && e.className.baseVal === undefined ? '.' + e.className : '')
                          + ' ' + Math.round(e.getBoundingClientRect().width) + 'px')"""
        )
        pytest.fail(f"the page scrolls sideways: {sizes}; widest: {wide}")


def in_viewport(page: Any, selector: str) -> bool:
    """Whether the element's box lies wholly within the viewport."""
    return bool(
        page.locator(selector).evaluate(
            """element => {
                const box = element.getBoundingClientRect();
                return box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight
                    && box.right <= window.innerWidth && box.height > 0;
            }"""
        )
    )


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(results =>
            results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))"""
    )
    return list(violations)
