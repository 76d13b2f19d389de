"""A certification on the web pages, on SQLite and PostgreSQL: it makes its competency count
through its expiry date and not after, the CE log reminds of it while it is expiring and
says when it has expired."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from .conftest import Template, WebClient, build_app, sign_in
from .seed import TODAY

EXPIRES = date(2026, 12, 31)  # 41 days after the tests' today: expiring


def _counts(page: str, code: str) -> str:
    found = re.search(rf'<tr data-code="{code}" data-counts="(yes|no)">', page)
    assert found is not None, code
    return found.group(1)


def test_a_certification_counts_until_it_expires_and_is_reminded_of(
    signed_in: Callable[[str | None], WebClient], web_db: Template, tmp_path: Path
) -> None:
    clin = signed_in("clin")
    assert (
        clin.post_form("/profile/competencies", {"competencies": ["adults", "emdr"]}).status_code
        == 303
    )
    assert _counts(clin.get("/growth/evidence").text, "emdr") == "no"
    assert 'data-note="expiring"' not in clin.get("/growth/ce").text

    saved = clin.post_form(
        "/growth/certifications",
        {
            "title": "EMDR certification",
            "issuer": "EMDR board (synthetic)",
            "number": "E-1234",
            "expires_on": EXPIRES.isoformat(),
            "code": "emdr",
            "back": "evidence",
        },
    )
    assert saved.status_code == 303, saved.text[:400]
    assert _counts(clin.get("/growth/evidence").text, "emdr") == "yes"
    ce = clin.get("/growth/ce").text
    reminder = re.search(r'<li data-note="expiring">(.*?)</li>', ce)
    assert reminder is not None
    assert "EMDR certification expires on 31 Dec 2026" in reminder.group(1)

    # The day of expiry it still counts; the day after it does not, and the log says so.
    for day, counts, note in ((EXPIRES, "yes", "expiring"), (date(2027, 1, 1), "no", "expired")):
        later = build_app(web_db.url, tmp_path / day.isoformat(), today=day)
        try:
            client = sign_in(later, "clin")
            assert _counts(client.get("/growth/evidence").text, "emdr") == counts, day
            assert f'<li data-note="{note}">EMDR certification' in client.get("/growth/ce").text
        finally:
            later.state.web.reads.close()
            later.state.web.engine.dispose()
    assert TODAY < EXPIRES
