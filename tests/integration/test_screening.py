"""Bulk screening gives every client the assessment that assessing it alone gives; a client
with nothing recorded in the window is left off, counted and named, unless urgent."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from referwell.db import migrate
from referwell.db.cases import case_dict_for_client, import_case
from referwell.db.engine import Database, make_engine, make_session_factory
from referwell.db.models import AuditEntry, Client, Practice, User
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case
from referwell.domain.settings import RuleSettings
from referwell.services.permissions import Operator
from referwell.services.screening.rows import order_worklist
from referwell.services.screening.screen import (
    ScreenScope,
    clients_in_scope,
    clients_with_scope,
    recorded_within,
    screen_chunk,
    screen_database,
    screen_practices,
)

from .random_cases import random_case

TODAY = date(2026, 11, 20)


def _seed(session, n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    practice = Practice(name="Screening practice")
    clinicians = [
        User(
            practice=practice, username=f"clin{i}", display_name=f"Clinician {i}", role="clinician"
        )
        for i in range(3)
    ]
    session.add_all(clinicians)
    session.flush()
    ids = []
    for i in range(n):
        # Cases made a month after the screening day: entries dated after it must not count.
        case = random_case(rng, f"case-{i:05d}", TODAY + timedelta(days=30))
        client = import_case(
            session,
            practice.id,
            clinicians[i % 3].id,
            case,
            display_name=f"Synthetic Client {i}",
            clinician_profile="keep",
        )
        ids.append(client.id)
    session.flush()
    return ids


def _alone(session, client_id: int, as_of: date, settings: RuleSettings):
    case = parse_case(case_dict_for_client(session, client_id, as_of))
    return assess_case(case, settings)


def _fields(assessment_or_row):
    a = assessment_or_row
    if hasattr(a, "findings"):
        return (
            a.recommendation,
            tuple(f.kind for f in a.findings),
            tuple(c.kind for c in a.cautions),
            tuple(n.service for n in a.referral_needs),
            a.latest_trigger,
        )
    return (a.recommendation, a.finding_kinds, a.caution_kinds, a.services, a.latest_trigger)


@pytest.mark.parametrize(
    "settings",
    [
        RuleSettings(),
        RuleSettings(attendance_window=4, attendance_missed_threshold=1, threat_window_days=5),
    ],
)
def test_bulk_summaries_agree_with_assessing_each_client_alone(session, settings):
    ids = _seed(session, 400, seed=11)
    scope = ScreenScope(as_of=TODAY, settings=settings, recent_days=10_000)
    rows = {int(r.client): r for r in screen_chunk(session.connection(), scope, ids)}
    assert set(rows) == set(ids)
    disagreements = []
    for client_id in ids:
        alone = _alone(session, client_id, TODAY, settings)
        if _fields(alone) != _fields(rows[client_id]):
            disagreements.append((client_id, _fields(alone), _fields(rows[client_id])))
    assert not disagreements, disagreements[:3]
    kinds = {k for r in rows.values() for k in r.finding_kinds}
    assert len(kinds) >= 15, "the random cases should exercise most rules"


def test_screen_database_lists_in_scope_and_urgent_orders_and_runs_in_processes(database_url):
    """On SQLite and PostgreSQL: the screen lists each client in scope (something recorded in
    the window, as `recorded_within` says of the case read alone) or urgent, leaves off the
    others by name, and gives the same result in one process or two."""
    url = database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        ids = _seed(session, 300, seed=5)
        session.commit()
        expected, left_off = {}, set()
        for client_id in ids:
            case = parse_case(case_dict_for_client(session, client_id, TODAY))
            alone = assess_case(case, RuleSettings())
            recent = recorded_within(case, 90)
            if recent or alone.recommendation == "urgent_safety":
                expected[client_id] = (*_fields(alone), recent)
            else:
                left_off.add(client_id)
    engine.dispose()
    scope = ScreenScope(as_of=TODAY, settings=RuleSettings(), recent_days=90)
    single = screen_database(Database(url), scope, chunk_size=70, workers=1)
    double = screen_database(Database(url), scope, chunk_size=70, workers=2)
    assert single == double
    assert {int(r.client): (*_fields(r), r.in_scope) for r in single.rows} == expected
    assert [int(n.client) for n in single.not_listed] == sorted(left_off)
    assert left_off, "some random clients should be out of scope"
    assert any(not r.in_scope for r in single.rows), "and some of them urgent"
    assert single.out_of_scope == len(left_off) + sum(
        not in_scope for *_, in_scope in expected.values()
    )
    rows = single.rows
    assert rows == order_worklist(rows)
    ranks = [r.recommendation for r in rows]
    order = [
        "urgent_safety",
        "refer",
        "refer_adjunct",
        "consult_first",
        "plan_termination",
        "continue",
    ]
    assert ranks == sorted(ranks, key=order.index)
    for a, b in itertools.pairwise(rows):
        if a.recommendation == b.recommendation:
            if a.latest_trigger and b.latest_trigger:
                assert a.latest_trigger >= b.latest_trigger
            assert not (a.latest_trigger is None and b.latest_trigger is not None)


def _days_back(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def _edge_case(case_id: str, **parts) -> dict:
    return {
        "format": "referwell.case/1",
        "id": case_id,
        "as_of": TODAY.isoformat(),
        "clinician": {"competencies": ["cbt", "adults"]},
        "client": {"age": 30},
        "concerns": ["depression"],
        **parts,
    }


def _session(days: int) -> dict:
    return {"date": _days_back(days), "attendance": "attended"}


def _questionnaire(days: int) -> dict:
    return {"instrument": "GAD-7", "date": _days_back(days), "total": 3}


def _event(days: int) -> dict:
    return {"date": _days_back(days), "kind": "boundary_crossing"}


# Each case, and whether it is in scope on TODAY with a 90-day window.
EDGE_CASES = {
    "session-90": (_edge_case("session-90", sessions=[_session(91), _session(90)]), True),
    "session-91": (_edge_case("session-91", sessions=[_session(91)]), False),
    "questionnaire-90": (_edge_case("questionnaire-90", measures=[_questionnaire(90)]), True),
    "questionnaire-91": (_edge_case("questionnaire-91", measures=[_questionnaire(91)]), False),
    "event-90": (_edge_case("event-90", events=[_event(90)]), True),
    "event-91": (_edge_case("event-91", events=[_event(91)]), False),
    # Entered later than the screening day: nothing of it counts on TODAY.
    "after-the-day": (
        _edge_case(
            "after-the-day",
            as_of=(TODAY + timedelta(days=30)).isoformat(),
            sessions=[_session(-5)],
        ),
        False,
    ),
    "nothing-dated": (_edge_case("nothing-dated"), False),
    # Urgent (suicidality among the concerns) with nothing recorded for months.
    "quiet-at-risk": (
        _edge_case("quiet-at-risk", concerns=["suicidality"], sessions=[_session(200)]),
        False,
    ),
}


def _import_edge_cases(session) -> dict[str, int]:
    practice = Practice(name="Edges")
    clinician = User(practice=practice, username="edge", display_name="Edge", role="clinician")
    session.add(clinician)
    session.flush()
    return {
        key: import_case(session, practice.id, clinician.id, case, display_name=key).id
        for key, (case, _) in EDGE_CASES.items()
    }


def test_clients_in_scope_by_session_questionnaire_or_event_to_the_day(session):
    ids = _import_edge_cases(session)
    practice_id = session.scalar(
        select(Client.practice_id).where(Client.id == ids["nothing-dated"])
    )
    scope = ScreenScope(TODAY, RuleSettings(), recent_days=90, practice_id=practice_id)
    connection = session.connection()
    expected = {ids[key]: recent for key, (_, recent) in EDGE_CASES.items()}
    assert dict(clients_with_scope(connection, scope)) == expected
    assert [c for c, _ in clients_with_scope(connection, scope)] == sorted(expected)
    assert clients_in_scope(connection, scope) == sorted(c for c, r in expected.items() if r)
    # One day more and the entries 91 days back are in; one day less and those at 90 are out.
    wider = ScreenScope(TODAY, RuleSettings(), recent_days=91, practice_id=practice_id)
    narrower = ScreenScope(TODAY, RuleSettings(), recent_days=89, practice_id=practice_id)
    assert {k for k in EDGE_CASES if ids[k] in clients_in_scope(connection, wider)} == {
        "session-90", "session-91", "questionnaire-90", "questionnaire-91", "event-90", "event-91",
    }  # fmt: skip
    assert clients_in_scope(connection, narrower) == []


def test_screen_practices_counts_names_and_lists_the_urgent_out_of_scope(database_url):
    """On SQLite and PostgreSQL: out of scope counted and named, the urgent one listed."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        ids = _import_edge_cases(session)
        session.commit()
    engine.dispose()

    found = screen_practices(Database(database_url), Operator("tester"), TODAY, workers=1)

    in_scope = {ids[k] for k, (_, recent) in EDGE_CASES.items() if recent}
    listed = {int(r.client): r.in_scope for r in found.rows}
    assert listed == {**dict.fromkeys(in_scope, True), ids["quiet-at-risk"]: False}
    assert found.rows[0].recommendation == "urgent_safety"
    assert [(n.client, n.case_id) for n in found.not_listed] == sorted(
        ((str(ids[k]), k) for k in ("session-91", "questionnaire-91", "event-91",
                                    "after-the-day", "nothing-dated")),
        key=lambda n: int(n[0]),
    )  # fmt: skip
    assert found.out_of_scope == 6
    assert [int(r.client) for r in found.listed_out_of_scope] == [ids["quiet-at-risk"]]
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        audited = session.scalars(
            select(AuditEntry.target_ids).where(AuditEntry.action == "screen:read")
        ).all()
    engine.dispose()
    assert [sorted(t) for t in audited] == [sorted(ids.values())]


@pytest.mark.parametrize("clients", [2000])
def test_screen_matches_the_web_path_on_a_synthetic_practice(session, uow, backend, clients):
    """Every client of a few thousand synthetic ones: the screen's recommendation, finding
    kinds, caution kinds and referral needs equal assessing the client alone through the
    path the client page takes (its case reader, validation, the practice's settings)."""
    from referwell.db.cases import read_case
    from referwell.db.repositories import Practices
    from referwell.services.synthetic.practice import synth_practice, write_database

    count = clients if backend == "sqlite" else clients // 2
    stats = write_database(uow, synth_practice(count, 77, as_of=TODAY), actor=Operator("tester"))
    settings = Practices(session).rule_settings(stats.practice_id)
    scope = ScreenScope(
        as_of=TODAY, settings=settings, recent_days=90, practice_id=stats.practice_id
    )
    ids = [
        int(i)
        for (i,) in session.execute(
            select(Client.id).where(Client.practice_id == stats.practice_id).order_by(Client.id)
        )
    ]
    rows = {int(r.client): r for r in screen_chunk(session.connection(), scope, ids)}
    assert set(rows) == set(ids)
    differ = []
    for client_id in ids:
        case = read_case(session, client_id, TODAY).case
        alone = assess_case(parse_case(case, today=TODAY), settings)
        if _fields(alone) != _fields(rows[client_id]):
            differ.append(client_id)
    assert not differ, f"{len(differ)} clients differ, e.g. {differ[:5]}"
    recommendations = {r.recommendation for r in rows.values()}
    assert recommendations == {
        "urgent_safety", "refer", "refer_adjunct", "consult_first", "plan_termination", "continue",
    }  # fmt: skip
