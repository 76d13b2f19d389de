"""The clinician's own growth in headless Chromium, on a demo practice of its own (the check-in
changes Casey's cases): an ethics practice session, a ProQOL check-in and its trend with the
offer it makes, and a supervisor who sees that check-ins happen but not their scores.

Two screenshots for the documentation, taken as tests/browser/test_screenshots.py takes its
own: to test-output/screenshots/, copied to docs/screenshots/ when missing there or when
REFERWELL_UPDATE_SCREENSHOTS=1: `ethics-card.png` (a card answered, with its explanation and
citations) and `check-in-trend.png` (the trend after a check-in).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from referwell.domain.growth.cards import card_named
from referwell.services.synthetic.demo import DEMO_PASSWORD

from .a11y import assert_no_sideways_scrolling, axe_violations
from .conftest import OUTPUT, ROOT, Server, running_server

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs" / "screenshots"
SHOTS = OUTPUT / "screenshots"
# Casey's answers, item by item: burnout 44 and secondary traumatic stress 46 (high),
# compassion satisfaction 20 (see tests/functional/web/test_growth_pages.py for the sums).
HIGH = {
    **dict.fromkeys((3, 6, 12, 16, 18, 20, 22, 24, 27, 30), 2),
    **dict.fromkeys((8, 10, 19, 21, 26), 5),
    **dict.fromkeys((1, 4, 15, 17), 2),
    29: 3,
    **dict.fromkeys((2, 5, 7, 9, 11, 13), 5),
    **dict.fromkeys((14, 23, 25, 28), 4),
}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory, "browser-growth") as started:
        yield started


def _page(browser: Any, server: Server, username: str, width: int = 1280, height: int = 900) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
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
    documented = DOCS / name
    if not documented.exists() or os.environ.get("REFERWELL_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(taken, documented)
    return taken


def _due(page: Any) -> int:
    return int(page.locator("[data-due]").inner_text())


def _answer_the_card(page: Any, rating: str = "Good") -> str:
    """Answer the card on the page rightly (by the bank's answer) and rate it; its id."""
    card_id = page.locator("[data-card]").get_attribute("data-card")
    card = card_named(card_id)
    assert card is not None
    if card.answer_index is not None:
        choice = "choice" if card.answer_index == 0 else f"choice-{card.answer_index}"
        page.locator(f"label[for='{choice}']").click()
        page.get_by_role("button", name="Check my answer").click()
        page.wait_for_load_state()
        assert page.locator(".verdict").inner_text() == "Right."
    else:
        page.get_by_role("button", name="Show the answer").click()
        page.wait_for_load_state()
        assert card.answer_text in page.locator(".verdict").inner_text()
    assert page.locator(".citations cite").count() == len(card.citations)
    page.get_by_role("button", name=re.compile(f"^{rating}")).click()
    page.wait_for_load_state()
    return str(card_id)


def test_an_ethics_practice_session(browser: Any, fresh: Server) -> None:
    page = _page(browser, fresh, "casey")
    page.get_by_role("link", name="Ethics practice").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1, name="Ethics practice").is_visible()
    due = _due(page)
    assert due > 0
    assert axe_violations(page) == [], "a card's question"
    page.locator("canvas[data-growth-chart][data-drawn]").wait_for()  # the demo's three weeks
    answered = []
    for _ in range(3):
        answered.append(_answer_the_card(page))
        assert (
            page.get_by_role("status").first.inner_text().startswith("Saved. That card comes back")
        )
    assert len(set(answered)) == 3
    assert _due(page) == due - 3
    # A wrong answer: the right one is shown, and only "Next card" can follow.
    card = card_named(str(page.locator("[data-card]").get_attribute("data-card")))
    assert card is not None
    if card.answer_index is None:
        _answer_the_card(page)
        card = card_named(str(page.locator("[data-card]").get_attribute("data-card")))
        assert card is not None
    assert card.answer_index is not None
    wrong = (card.answer_index + 1) % len(card.choices)
    page.locator(f"label[for='{'choice' if wrong == 0 else f'choice-{wrong}'}']").click()
    page.get_by_role("button", name="Check my answer").click()
    page.wait_for_load_state()
    assert page.locator(".verdict").inner_text().startswith("Not quite")
    assert page.locator(".choices-shown li.right").inner_text().startswith(card.answer_text)
    assert page.get_by_role("button", name="Good").count() == 0
    assert axe_violations(page) == [], "a card's answer"
    assert_no_sideways_scrolling(page)
    # The screenshot: the card answered, its explanation and citations in view.
    page.evaluate("document.querySelector('[data-card]').scrollIntoView({block: 'start'})")
    _keep(page, "ethics-card.png")
    page.get_by_role("button", name="Next card").click()
    page.wait_for_load_state()
    page.goto(f"{fresh.url}/profile")
    assert int(page.locator("[data-cards-due]").inner_text()) >= due - 4
    assert page.problems == []
    page.context.close()


def test_a_check_in_and_its_trend(browser: Any, fresh: Server) -> None:
    page = _page(browser, fresh, "casey", height=1000)
    page.get_by_role("link", name="Check-in", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("table.check-ins tbody tr").count() == 5  # the demo's months
    assert "B. Hudnall Stamm" in page.locator(".q-credit").inner_text()
    assert axe_violations(page) == [], "the check-in page with its form"
    for item, answer in HIGH.items():
        target = f"proqol-item{item}" if answer == 1 else f"proqol-item{item}-{answer}"
        page.locator(f"label[for='{target}']").click()
    page.get_by_role("button", name="Save my check-in").click()
    page.wait_for_load_state()
    assert "Check-in saved" in page.locator(".flash").inner_text()
    rows = page.locator("table.check-ins tbody tr")
    assert rows.count() == 6
    newest = rows.first.inner_text()
    for score in ("20", "44", "46"):
        assert score in newest
    assert "the date only" in newest
    page.locator("canvas[data-growth-chart='trend-data'][data-drawn]").wait_for()
    assert page.get_by_role("heading", name="Your latest check-in scores high").is_visible()
    assert axe_violations(page) == [], "the trend and the offer"
    assert_no_sideways_scrolling(page)
    page.locator("#trend-title").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('.check-in-offer').scrollIntoView({block: 'start'})")
    _keep(page, "check-in-trend.png")
    # The offer: nothing without agreement; with it, burnout on every open case.
    page.get_by_role("link", name="Consider noting burnout on my cases").click()
    page.wait_for_load_state()
    cases = page.locator("table tbody tr").count()
    assert cases > 0
    assert axe_violations(page) == [], "the offer's confirmation"
    page.get_by_role("button", name="Add burnout to my open cases").click()
    page.wait_for_load_state()
    assert "Tick the box to agree" in page.locator(".error-summary").inner_text()
    assert axe_violations(page) == [], "the offer refused without agreement"
    page.get_by_label(re.compile("I agree to add burnout")).check()
    page.get_by_role("button", name="Add burnout to my open cases").click()
    page.wait_for_load_state()
    assert "Burnout is now noted on" in page.locator(".flash").inner_text()
    assert page.get_by_role("heading", name="Your latest check-in scores high").count() == 0
    # The one refusal above (422) is the browser's only complaint.
    assert [p for p in page.problems if "status of 422" not in p] == []
    page.context.close()


def test_a_supervisor_sees_that_check_ins_happen_but_not_the_scores(
    browser: Any, fresh: Server
) -> None:
    page = _page(browser, fresh, "morgan")
    page.get_by_role("link", name="Check-in", exact=True).click()
    page.get_by_role("link", name="Whether your supervisees check in").click()
    page.wait_for_load_state()
    table = page.locator("table.supervisee-check-ins")
    casey = table.locator("tr", has_text="Casey Thornbury")
    dana = table.locator("tr", has_text="Dana Wrenfield")
    assert "nothing shared" in casey.inner_text()
    # Casey's scores (the demo's months, and today's 20, 44, 46 if the trend test ran) show
    # nowhere; Dana shared her latest check-in, and only that one shows its scores.
    words = table.inner_text()
    for secret in ("burnout 34", "burnout 44", "traumatic stress 46", "traumatic stress 30"):
        assert secret not in words
    assert "burnout 20 (low)" in dana.inner_text()
    assert dana.locator(".shared-scores li").count() == 1
    assert axe_violations(page) == [], "the supervisor's view of check-ins"
    assert page.problems == []
    page.context.close()
