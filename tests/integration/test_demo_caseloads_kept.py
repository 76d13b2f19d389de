"""Issue 12: the demo practice gets evidence for its clinicians' competencies, so that its
caseloads stay as they are: every demo case read back from the database is the case the
demo wrote, and is assessed alike (no competence demoted to "in training")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from referwell.db import migrate
from referwell.db.cases import case_dicts_for_clients
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client
from referwell.db.uow import UnitOfWork
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case
from referwell.services.permissions import Operator
from referwell.services.synthetic.demo import seed_demo
from referwell.services.synthetic.demo_cases import demo_cases

DEMO_DAY = date(2026, 11, 27)


def test_the_demo_caseloads_stay_as_they_are(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        seed_demo(UnitOfWork(factory), actor=Operator("tester"), today=DEMO_DAY)
        written = {case["id"]: case for _, _, case in demo_cases(DEMO_DAY)}
        with factory() as session:
            ids = dict(session.execute(select(Client.id, Client.external_id)).all())
            stored = case_dicts_for_clients(session, list(ids), as_of=DEMO_DAY)
        assert sorted(ids.values()) == sorted(written)
        in_training = 0
        for client_id, case in stored.items():
            original = parse_case(written[ids[client_id]], today=DEMO_DAY)
            back = parse_case(case, today=DEMO_DAY)
            # The clinician's competencies all count, as the demo wrote them.
            assert back.to_dict()["clinician"] == original.to_dict()["clinician"], ids[client_id]
            before, after = assess_case(original), assess_case(back)
            assert after.as_dict() == before.as_dict(), ids[client_id]
            in_training += any(f.kind == "competence.in_training" for f in after.findings)
        # Robin's couples training still shows where the demo meant it to.
        assert in_training >= 1
    finally:
        engine.dispose()
