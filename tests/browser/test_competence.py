"""Competence with evidence in the browser, on a fresh demo practice of its own: a clinician
records supervision from a finding and the caution clears; and the documentation's
screenshots of the profile with evidence, the growth plan, the CE log and the team's view.

Each screenshot goes to test-output/screenshots/ on every run, and is copied to
docs/screenshots/ when the file there is missing or REFERWELL_UPDATE_SCREENSHOTS=1; each
page is checked with axe-core first.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from referwell.db.cases import case_dicts_for_clients
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client, User
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case
from referwell.domain.settings import RuleSettings

from .a11y import axe_violations, sign_in
from .conftest import OUTPUT, ROOT, Server, running_server

DOCS = ROOT / "docs" / "screenshots"
SHOTS = OUTPUT / "screenshots"


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory, "browser-competence") as started:
        yield started


def _page(browser: Any, server: Server, username: str, width: int = 1280, height: int = 900) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, server, username)
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
    return taken


def _client_with_caution(server: Server, kind: str) -> tuple[str, int]:
    """(clinician's username, client id) of a demo client whose assessment today has the
    caution `kind`."""
    engine = make_engine(server.database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(
                select(Client.id, User.username).join(User, User.id == Client.clinician_id)
            ).all()
            owners: dict[int, str] = {row[0]: row[1] for row in rows}
            cases = case_dicts_for_clients(session, sorted(owners), date.today())
    finally:
        engine.dispose()
    for client_id, case in sorted(cases.items()):
        cautions = assess_case(parse_case(case), RuleSettings()).cautions
        if any(caution.kind == kind for caution in cautions):
            return owners[client_id], client_id
    raise AssertionError(f"no demo client with the caution {kind}")


def test_a_clinician_records_supervision_from_a_finding_and_the_caution_clears(
    browser: Any, practice: Server
) -> None:
    username, client_id = _client_with_caution(practice, "alternatives_not_tried")
    page = _page(browser, practice, username, height=1100)
    page.goto(f"{practice.url}/clients/{client_id}")
    caution = page.locator("article.caution[data-kind='alternatives_not_tried']")
    assert caution.is_visible()
    form = page.locator("details.record-step[data-for-kind='alternatives_not_tried']")
    form.locator("summary").click()
    assert form.get_by_label("With whom").input_value() == "Morgan Vale"
    form.get_by_label(re.compile("Note")).fill("Talked through my reaction to the client.")
    form.get_by_label("Supervision", exact=True).check()
    # The caution's heading, what it asks first and the form under it, in one view.
    caution.evaluate("el => el.scrollIntoView({block: 'start'})")
    _keep(page, "supervision-from-a-finding.png")
    form.get_by_role("button", name=re.compile("^Record")).click()
    page.wait_for_load_state()
    assert "Supervision recorded" in page.locator("#saved").inner_text()
    assert page.locator("article.caution[data-kind='alternatives_not_tried']").count() == 0
    records = page.locator("#supervision-records")
    assert "Talked through my reaction" in records.inner_text()
    page.context.close()

    # The supervisor's log of that supervisee names the client discussed.
    supervisor = _page(browser, practice, "morgan")
    supervisor.goto(f"{practice.url}/growth/team")
    name = {"casey": "Casey Thornbury", "dana": "Dana Wrenfield", "robin": "Robin Ashcombe"}
    supervisor.get_by_role("link", name=f"Supervision log of {name[username]}").click()
    supervisor.wait_for_load_state()
    assert supervisor.locator(f"main a[href='/clients/{client_id}']").count() >= 1
    supervisor.context.close()


def test_the_screenshots_of_competence_and_growth(browser: Any, practice: Server) -> None:
    page = _page(browser, practice, "dana", height=1000)
    page.goto(f"{practice.url}/profile")
    section = page.locator("#evidence")
    assert section.locator("tr[data-counts='yes']").count() >= 5
    page.evaluate("document.querySelector('#evidence').scrollIntoView()")
    _keep(page, "profile-evidence.png")
    page.context.close()

    page = _page(browser, practice, "casey", height=1000)
    page.goto(f"{practice.url}/growth")
    assert page.locator("table.plan tbody tr").count() >= 2
    _keep(page, "growth-plan.png")
    page.goto(f"{practice.url}/growth/ce")
    assert page.locator("ul.reminders li[data-note='expiring']").count() == 1
    _keep(page, "ce-log.png")
    page.context.close()

    page = _page(browser, practice, "morgan", height=1000)
    page.goto(f"{practice.url}/growth/team")
    assert page.locator("table.team-needs tbody tr").count() >= 3
    _keep(page, "team-growth.png")
    page.context.close()
