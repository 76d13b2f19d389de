"""The client page's quick case reader says exactly what `db.cases.case_dict_for_client` says."""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from integration.random_cases import random_case
from integration.test_db_cases import FULL_CASE
from referwell.db.cases import case_dict_for_client, import_case
from referwell.db.engine import make_session_factory
from referwell.services.clients.record import case_as_of

from .seed import TODAY, Seeded


def test_the_quick_reader_and_the_orm_reader_agree(engine: Engine, seeded: Seeded) -> None:
    rng = random.Random(3)
    cases = [copy.deepcopy(FULL_CASE)] + [
        random_case(rng, f"random-{number}", TODAY) for number in range(30)
    ]
    with make_session_factory(engine)() as session:
        ids = list(seeded.clients.values())
        for case in cases:
            case.pop("as_of", None)
            client = import_case(
                session, seeded.practice_id, seeded.users["clin"], case, display_name="Reader"
            )
            ids.append(client.id)
        session.commit()
    with Session(engine) as session:
        for client_id in ids:
            for day in (TODAY, TODAY - timedelta(days=60), date(2026, 10, 2)):
                quick, _ = case_as_of(session, client_id, day)
                assert quick == case_dict_for_client(session, client_id, day), client_id
