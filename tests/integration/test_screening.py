"""Bulk screening gives every client the assessment that assessing it alone gives."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from referwell.db import migrate
from referwell.db.cases import case_dict_for_client, import_case
from referwell.db.engine import Database, make_engine, make_session_factory
from referwell.db.models import Client, Practice, User
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case
from referwell.domain.settings import RuleSettings
from referwell.services.permissions import Operator
from referwell.services.screening.rows import order_worklist
from referwell.services.screening.screen import ScreenScope, screen_chunk, screen_database

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


def test_screen_database_filters_by_recent_session_orders_and_runs_in_processes(tmp_path):
    url = f"sqlite:///{tmp_path / 'screen.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        ids = _seed(session, 300, seed=5)
        session.commit()
        expected = {}
        for client_id in ids:
            case = case_dict_for_client(session, client_id, TODAY)
            recent = any(
                (TODAY - date.fromisoformat(s["date"])).days <= 90 for s in case.get("sessions", [])
            )
            if recent:
                expected[client_id] = _fields(_alone(session, client_id, TODAY, RuleSettings()))
    engine.dispose()
    scope = ScreenScope(as_of=TODAY, settings=RuleSettings(), recent_days=90)
    single = screen_database(Database(url), scope, chunk_size=70, workers=1)
    double = screen_database(Database(url), scope, chunk_size=70, workers=2)
    assert [r.client for r in single] == [r.client for r in double]
    assert {int(r.client): _fields(r) for r in single} == expected
    assert single == order_worklist(single)
    ranks = [r.recommendation for r in single]
    order = [
        "urgent_safety",
        "refer",
        "refer_adjunct",
        "consult_first",
        "plan_termination",
        "continue",
    ]
    assert ranks == sorted(ranks, key=order.index)
    for a, b in itertools.pairwise(single):
        if a.recommendation == b.recommendation:
            if a.latest_trigger and b.latest_trigger:
                assert a.latest_trigger >= b.latest_trigger
            assert not (a.latest_trigger is None and b.latest_trigger is not None)


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
