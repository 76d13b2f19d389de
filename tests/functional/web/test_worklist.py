"""The supervisor's worklist: the screening service on the request's connection, ordered as
`referwell screen` orders, agreeing with the client page, audited, and for supervisors only."""

from __future__ import annotations

import copy
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from integration.conftest import (  # noqa: F401 - fixtures
    database_url,
    postgres_databases,
)
from referwell.db import migrate
from referwell.db.case_parts import TherapySession
from referwell.db.cases import import_case
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client, User
from referwell.db.uow import UnitOfWork
from referwell.services.auditing import ImmediateReads
from referwell.services.permissions import Operator, Person, Role
from referwell.services.screening.rows import order_worklist
from referwell.services.screening.worklist import supervision_worklist
from referwell.services.synthetic.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo

from .conftest import WebClient, audit_entries, build_app
from .seed import TODAY, Seeded, example_cases

RANKS = ["urgent_safety", "refer", "refer_adjunct", "consult_first", "plan_termination", "continue"]
_ROW = re.compile(r'<tr class="row-([a-z_]+)" data-client="(\d+)" data-trigger="([0-9-]*)">')


def worklist_rows(html: str) -> list[tuple[int, str, date | None]]:
    """(client id, recommendation, newest dated trigger) of each worklist row, in page order."""
    return [
        (int(client), recommendation, date.fromisoformat(trigger) if trigger else None)
        for recommendation, client, trigger in _ROW.findall(html)
    ]


def page_recommendation(html: str) -> str:
    found = re.search(r'<section class="card assessment rec-([a-z_]+)"', html)
    assert found, "no assessment card"
    return found.group(1)


def add_clients(engine: Engine, seeded: Seeded, cases: dict[str, dict[str, Any]]) -> None:
    """Import these cases (by case id) as clients of `clin`, whom `sup` supervises."""
    with make_session_factory(engine)() as session:
        for case_id, case in cases.items():
            client = import_case(
                session,
                seeded.practice_id,
                seeded.users["clin"],
                {**case, "id": case_id},
                display_name=f"Client {case_id}",
            )
            seeded.clients[case_id] = client.id
        session.commit()


def item9_case(phq9_day: str, session_day: str = "2026-11-13") -> dict[str, Any]:
    case = copy.deepcopy(example_cases()["ex04-phq9-item9"])
    case["measures"][0]["date"] = phq9_day
    case["sessions"] = [{"date": session_day, "attendance": "attended"}]
    return case


def test_most_pressing_first_then_newest_trigger_undated_after_dated_then_client_id(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    undated = item9_case("2026-11-17")
    del undated["measures"]
    undated["concerns"] = ["depression", "suicidality"]
    # Imported in this order, so client ids rise down the list: ties must go by id.
    add_clients(
        engine,
        seeded,
        {
            "u-undated": undated,
            "u-old": item9_case("2026-11-01"),
            "u-new": item9_case("2026-11-17"),
            "u-tie": item9_case("2026-11-17"),
        },
    )

    listed = worklist_rows(signed_in("sup").get("/worklist").text)

    ranks = [RANKS.index(recommendation) for _, recommendation, _ in listed]
    assert ranks == sorted(ranks)
    urgent = [(client, trigger) for client, rec, trigger in listed if rec == "urgent_safety"]
    assert urgent == [
        (seeded.clients["u-new"], date(2026, 11, 17)),
        (seeded.clients["u-tie"], date(2026, 11, 17)),
        (seeded.clients["u-old"], date(2026, 11, 1)),
        (seeded.clients["u-undated"], None),
    ]
    refer = [(client, trigger) for client, rec, trigger in listed if rec == "refer"]
    assert refer == [  # a dated trigger before an undated one, whatever the ids
        (seeded.clients["ex06"], date(2026, 11, 8)),
        (seeded.clients["ex01"], None),
    ]
    for (a_client, a_rec, a_trigger), (b_client, b_rec, b_trigger) in itertools.pairwise(listed):
        if a_rec == b_rec:
            key_a = (a_trigger is None, -(a_trigger or date.min).toordinal(), a_client)
            key_b = (b_trigger is None, -(b_trigger or date.min).toordinal(), b_client)
            assert key_a < key_b


def test_rank_client_link_clinician_badge_trigger_and_kinds(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("sup").get("/worklist").text
    client_id = seeded.clients["ex02"]
    row = page.split(f'data-client="{client_id}"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
    assert re.sub(r"<[^>]+>", "", cells[0]) == "4"
    assert f'<a href="/clients/{client_id}">Client 02 values-conflict</a>' in cells[1]
    assert cells[2] == "Clin Testperson"
    assert 'class="badge rec rec-consult_first"' in cells[3]
    assert "none dated" in cells[4]
    # Kinds in words for people, the codes kept in attributes for programs.
    assert '<li data-kind="clinician.values_conflict">Values conflict</li>' in cells[5]
    assert re.findall(r'<li data-kind="([a-z_.]+)">', cells[6]) == [
        "reason.personal_values",
        "alternatives_not_tried",
    ]
    assert "Personal values as a reason" in cells[6]


def test_only_supervisees_clients_seen_in_the_window(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    long_ago = item9_case("2026-08-01", session_day=(TODAY - timedelta(days=100)).isoformat())
    add_clients(engine, seeded, {"seen-100-days-ago": long_ago})
    sup = signed_in("sup")

    def shown(query: str = "") -> set[int]:
        return {client for client, _, _ in worklist_rows(sup.get(f"/worklist{query}").text)}

    recent = {seeded.clients[c] for c in ("ex01", "ex02", "ex05", "ex06", "ex07")}
    assert shown() == recent  # ex03, ex04 and ex08 have no sessions; clin2's are not supervised
    assert shown("?recent_days=99") == recent
    assert shown("?recent_days=100") == recent | {seeded.clients["seen-100-days-ago"]}
    assert shown("?recent_days=3650") == recent | {seeded.clients["seen-100-days-ago"]}
    assert "None of your supervisees' clients had a session in the last 1 days" in (
        sup.get("/worklist?recent_days=1").text
    )


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?recent_days=0", "recent_days", "from 1 to 3650; got &#34;0&#34;"),
        ("?recent_days=3651", "recent_days", "from 1 to 3650; got &#34;3651&#34;"),
        ("?recent_days=-5", "recent_days", "from 1 to 3650; got &#34;-5&#34;"),
        ("?recent_days=ninety", "recent_days", "whole number of days"),
        ("?recent_days=9.5", "recent_days", "whole number of days"),
        ("?format=xlsx", "format", "expected &#34;html&#34; or &#34;csv&#34;"),
        ("?recent_days=0&format=csv", "recent_days", "from 1 to 3650"),
    ],
)
def test_a_bad_query_is_422_naming_the_field_and_screens_nothing(
    signed_in: Callable[[str | None], WebClient],
    flush_reads: Callable[[], int],
    query: str,
    field: str,
    message: str,
) -> None:
    sup = signed_in("sup")
    flush_reads()
    answer = sup.get(f"/worklist{query}")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert f'<span class="path">{field}</span>: ' in answer.text
    assert message in answer.text
    if field == "recent_days":
        assert 'aria-invalid="true" aria-describedby="recent_days-error"' in answer.text
    assert worklist_rows(answer.text) == []
    assert flush_reads() == 0  # nothing screened, nothing read


def test_viewing_is_one_read_entry_naming_the_clients_shown(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    flush_reads: Callable[[], int],
) -> None:
    sup = signed_in("sup")
    flush_reads()
    page = sup.get("/worklist")
    assert audit_entries(engine, action="screen:read") == []  # queued, not yet written
    assert flush_reads() == 1

    (entry,) = audit_entries(engine, action="screen:read")
    assert (entry.actor, entry.actor_kind, entry.target_type) == (
        str(seeded.users["sup"]),
        "user",
        "client",
    )
    assert entry.target_ids == [client for client, _, _ in worklist_rows(page.text)]
    # Screening reads; it stores no assessment.
    assert audit_entries(engine, action="assessment:store") == []


def test_the_csv_download_is_the_screens_csv_and_audited_alike(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    flush_reads: Callable[[], int],
) -> None:
    sup = signed_in("sup")
    page = worklist_rows(sup.get("/worklist").text)
    answer = sup.get("/worklist?recent_days=90&format=csv")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="worklist-2026-11-20-90d.csv"'
    )
    assert answer.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(int(r["client"]), r["recommendation"]) for r in rows] == [
        (client, recommendation) for client, recommendation, _ in page
    ]
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["clinician"] == "clin"
    flush_reads()
    entries = audit_entries(engine, action="screen:read")
    assert len(entries) == 2
    assert entries[0].target_ids == entries[1].target_ids


def test_clinicians_and_admins_cannot_see_it_and_only_supervisors_get_the_link(
    signed_in: Callable[[str | None], WebClient],
) -> None:
    for username in ("clin", "clin2", "admin"):
        user = signed_in(username)
        answer = user.get("/worklist")
        assert answer.status_code == 403, username
        assert "data-client=" not in answer.text
        assert user.get("/worklist?format=csv").status_code == 403
        assert 'href="/worklist"' not in user.get("/profile").text
    assert signed_in(None).get("/worklist").headers["location"] == "/login?next=/worklist"
    sup_page = signed_in("sup").get("/supervision").text
    assert '<a href="/worklist">Worklist</a>' in sup_page


def test_a_supervisor_without_supervisees_has_an_empty_worklist(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    with Session(engine) as session:
        clin = session.get(User, seeded.users["clin"])
        assert clin is not None
        clin.supervisor_id = None
        session.commit()
    page = signed_in("sup").get("/worklist").text
    assert worklist_rows(page) == []
    assert "None of your supervisees' clients had a session" in page


# --- the same recommendation as the client page, on the demo practice --------------------

DEMO_DAY = date(2026, 11, 27)


@pytest.fixture
def demo_app(database_url: str, tmp_path: Path) -> Iterator[FastAPI]:  # noqa: F811
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        seed_demo(
            UnitOfWork(make_session_factory(engine)), actor=Operator("tester"), today=DEMO_DAY
        )
    finally:
        engine.dispose()
    app = build_app(database_url, tmp_path, today=DEMO_DAY)
    yield app
    app.state.web.reads.close()
    app.state.web.engine.dispose()


def demo_sign_in(app: FastAPI, role: str) -> WebClient:
    username = next(user.username for user in DEMO_USERS if user.role == role)
    client = WebClient(app, follow_redirects=False)
    client.refresh_csrf("/login")
    answer = client.post_form("/login", {"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 303
    client.refresh_csrf("/profile")
    return client


def test_every_client_gets_the_recommendation_of_its_client_page(demo_app: FastAPI) -> None:
    """On the demo practice (every finding and caution kind): the worklist's rows are the
    screening service's rows in its order, and each client's recommendation, finding kinds
    and caution kinds are those of its client page and the API's current assessment."""
    supervisor = demo_sign_in(demo_app, "supervisor")
    engine: Engine = demo_app.state.web.engine

    def seen_within(days: int) -> set[int]:
        since = DEMO_DAY - timedelta(days=days)
        with Session(engine) as session:
            return set(
                session.scalars(
                    select(Client.id)
                    .join(TherapySession, TherapySession.client_id == Client.id)
                    .where(TherapySession.date >= since, TherapySession.date <= DEMO_DAY)
                )
            )

    default = worklist_rows(supervisor.get("/worklist").text)
    everyone = worklist_rows(supervisor.get("/worklist?recent_days=3650").text)
    assert {client for client, _, _ in default} == seen_within(90)
    assert {client for client, _, _ in everyone} == seen_within(3650)
    assert len(everyone) >= 40  # most of the demo's 60 clients
    assert len({recommendation for _, recommendation, _ in everyone}) == len(RANKS)

    with Session(engine) as session:
        morgan = session.scalars(select(User).where(User.role == "supervisor")).one()
        actor = Person(morgan.id, morgan.practice_id, Role.SUPERVISOR, morgan.username, "M")
        by_service = supervision_worklist(
            UnitOfWork(make_session_factory(engine)),
            actor,
            today=DEMO_DAY,
            reads=ImmediateReads(session),
        )
    assert by_service.rows == order_worklist(by_service.rows)
    assert [(int(r.client), r.recommendation, r.latest_trigger) for r in by_service.rows] == (
        default
    )

    csv_rows = csv.DictReader(
        io.StringIO(supervisor.get("/worklist?recent_days=3650&format=csv").text)
    )
    kinds = {
        int(row["client"]): (row["finding_kinds"].split(), row["caution_kinds"].split())
        for row in csv_rows
    }
    disagreements = []
    for client_id, recommendation, _ in everyone:
        page = supervisor.get(f"/clients/{client_id}")
        assert page.status_code == 200
        assessment = supervisor.get(f"/api/v1/clients/{client_id}/assessment").json()
        on_page = page_recommendation(page.text)
        alone = (
            assessment["recommendation"],
            [finding["kind"] for finding in assessment["findings"]],
            [caution["kind"] for caution in assessment["cautions"]],
        )
        if not (recommendation == on_page and (recommendation, *kinds[client_id]) == alone):
            disagreements.append((client_id, recommendation, on_page, kinds[client_id], alone))
    assert not disagreements
