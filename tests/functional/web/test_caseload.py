"""The caseload and the supervisor's list: most pressing first, flags, and always today's."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from referwell.db.assessments import store_assessment
from referwell.db.case_parts import TherapySession
from referwell.db.cases import import_case
from referwell.db.engine import make_session_factory
from referwell.db.models import Client, StoredAssessment
from referwell.db.uow import UnitOfWork
from referwell.domain.settings import RULES_VERSION, RuleSettings
from referwell.services.auditing import ImmediateReads
from referwell.services.clients.caseload import clinician_caseload
from referwell.services.permissions import Person, Role

from .conftest import Template, WebClient, build_app, sign_in
from .seed import TODAY, Seeded, example_cases

RANKS = ["urgent_safety", "refer", "refer_adjunct", "consult_first", "plan_termination", "continue"]


def rows(html: str) -> list[tuple[int, str]]:
    """(client id, recommendation) of each caseload row, in page order."""
    return [
        (int(client), recommendation)
        for recommendation, client in re.findall(
            r'<tr class="row-([a-z_]+)" data-client="(\d+)"', html
        )
    ]


def stored(engine: Engine, client_id: int | None = None) -> list[StoredAssessment]:
    with Session(engine) as session:
        query = select(StoredAssessment).order_by(StoredAssessment.id)
        if client_id is not None:
            query = query.where(StoredAssessment.client_id == client_id)
        return list(session.scalars(query))


def fake_result(case_id: str, as_of: str, headline: str) -> dict[str, Any]:
    return {
        "format": "referwell.assessment/1",
        "case_id": case_id,
        "as_of": as_of,
        "recommendation": "continue",
        "headline": headline,
        "findings": [],
        "cautions": [],
        "referral_needs": [],
        "measures": [],
        "settings": RuleSettings().as_dict(),
    }


def store_fake(engine: Engine, client_id: int, as_of: str, headline: str) -> None:
    with make_session_factory(engine)() as session:
        client = session.get(Client, client_id)
        assert client is not None
        store_assessment(
            session,
            client,
            fake_result(client.external_id, as_of, headline),
            rules_version=RULES_VERSION,
        )
        session.commit()


def test_most_pressing_first_with_the_flags_that_matter(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("clin").get("/caseload").text
    listed = rows(page)
    assert len(listed) == 8
    assert [RANKS.index(rec) for _, rec in listed] == sorted(RANKS.index(rec) for _, rec in listed)
    assert listed[0] == (seeded.clients["ex04"], "urgent_safety")

    def flags_of(case_id: str) -> list[str]:
        row = page.split(f'data-client="{seeded.clients[case_id]}"', 1)[1].split("</tr>", 1)[0]
        return re.findall(r'class="flag flag-([a-z_]+)"', row)

    assert flags_of("ex04") == ["risk"]
    assert flags_of("ex07") == ["not_on_track"]
    assert "cautions" in flags_of("ex02")
    assert "competence" in flags_of("ex01")
    assert flags_of("ex05") == []


def test_a_clinician_sees_only_their_own_clients(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    shown = {client for client, _ in rows(signed_in("clin2").get("/caseload").text)}
    assert shown == {seeded.clients["c2-a"], seeded.clients["c2-b"]}


def test_an_assessment_made_before_today_is_recomputed_before_it_is_shown(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client_id = seeded.clients["ex04"]
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    store_fake(engine, client_id, yesterday, "STALE: said yesterday")

    page = signed_in("clin").get("/caseload").text

    assert "STALE" not in page
    assert (client_id, "urgent_safety") in rows(page)
    newest = stored(engine, client_id)[-1]
    assert (newest.as_of, newest.recommendation) == (TODAY, "urgent_safety")


def test_an_assessment_of_a_case_since_changed_is_recomputed(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client = signed_in("clin")
    client.get("/caseload")  # everything current now
    client_id = seeded.clients["ex05"]
    before = len(stored(engine))
    with make_session_factory(engine)() as session:  # a change made elsewhere (CLI, another tab)
        found = session.get(Client, client_id)
        assert found is not None
        found.sessions.append(TherapySession(date=TODAY, attendance="no_show"))
        session.commit()
        version = found.case_version

    client.get("/caseload")

    after = stored(engine)
    assert len(after) == before + 1
    assert (after[-1].client_id, after[-1].case_version) == (client_id, version)


def test_a_current_assessment_is_not_recomputed(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client = signed_in("clin")
    client.get("/caseload")
    # A stored assessment of today's case, today: shown as stored (this one is made up to tell).
    store_fake(engine, seeded.clients["ex04"], TODAY.isoformat(), "FRESH: stored today")
    count = len(stored(engine))

    page = client.get("/caseload").text

    assert "FRESH: stored today" in page
    assert len(stored(engine)) == count


def test_the_next_day_everything_is_recomputed(
    web_db: Template, seeded: Seeded, engine: Engine, tmp_path: Path
) -> None:
    sign_in(build_app(web_db.url, tmp_path), "clin").get("/caseload")
    count = len(stored(engine))
    tomorrow = TODAY + timedelta(days=1)
    next_day = build_app(web_db.url, tmp_path, today=tomorrow)
    try:
        sign_in(next_day, "clin").get("/caseload")
    finally:
        next_day.state.web.engine.dispose()
    newest = stored(engine)[count:]
    assert len(newest) == 8
    assert {assessment.as_of for assessment in newest} == {tomorrow}


def test_new_practice_settings_make_every_assessment_stale(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    signed_in("clin").get("/caseload")
    admin = signed_in("admin")
    assert (
        admin.post_form(
            "/admin/settings",
            {"not_on_track_after_sessions": "12", "reason_not_on_track_after_sessions": "a trial"},
        ).status_code
        == 303
    )
    count = len(stored(engine))

    page = signed_in("clin").get("/caseload").text

    newest = stored(engine)[count:]
    assert len(newest) == 8
    assert {a.settings["not_on_track_after_sessions"] for a in newest} == {12}
    # ex07 has 10 sessions: with 12 it is not yet "not on track".
    assert (seeded.clients["ex07"], "consult_first") not in rows(page)


def test_the_supervisor_reads_a_client_page_without_forms(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("sup").get(f"/clients/{seeded.clients['ex04']}").text
    assert "Read-only" in page
    assert "Add to the record" not in page
    assert "<form" in page  # only the sign-out form
    assert page.count("<form") == 1


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_current_caseload_costs_the_same_few_queries_however_long(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client = signed_in("clin")
    client.get("/caseload")
    with counting(engine) as small:
        client.get("/caseload")

    cases = example_cases()
    with make_session_factory(engine)() as session:
        for number in range(40):
            case = copy.deepcopy(cases["ex07-not-on-track"])
            case["id"] = f"more-{number}"
            import_case(
                session,
                seeded.practice_id,
                seeded.users["clin"],
                case,
                display_name=f"More {number}",
            )
        session.commit()
    client.get("/caseload")  # the new ones are assessed once
    with counting(engine) as large:
        page = client.get("/caseload")

    assert len(rows(page.text)) == 48
    # (one of them: the open referrals one sent, on the caseload until they close)
    assert len(large) == len(small) <= 9, large


def test_a_long_caseload_comes_in_pages(seeded: Seeded, engine: Engine) -> None:
    actor = Person(seeded.users["clin"], seeded.practice_id, Role.CLINICIAN, "clin", "Clin")
    with make_session_factory(engine)() as session:
        reads = ImmediateReads(session)
        pages = [
            clinician_caseload(
                UnitOfWork(make_session_factory(engine)),
                actor,
                today=TODAY,
                reads=reads,
                page=number,
                page_size=3,
            )
            for number in (1, 2, 3)
        ]
        session.commit()
    assert [len(page.rows) for page in pages] == [3, 3, 2]
    assert {page.total for page in pages} == {8}
    assert pages[0].pages == 3
    assert len({row.client_id for page in pages for row in page.rows}) == 8
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(StoredAssessment)) == 8
