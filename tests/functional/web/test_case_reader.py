"""The case reader says the same of a client read alone as of the same client read among many,
and each as of any day is the canonical form of what went in, up to that day."""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from integration.random_cases import random_case
from integration.test_db_cases import FULL_CASE
from referwell.db.cases import case_dict_for_client, case_dicts_for_clients, import_case
from referwell.db.engine import make_session_factory

from .seed import TODAY, Seeded


def test_one_client_alone_and_among_many_read_the_same(engine: Engine, seeded: Seeded) -> None:
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
        for day in (TODAY, TODAY - timedelta(days=60), date(2026, 10, 2)):
            many = case_dicts_for_clients(session, ids, day)
            assert set(many) == set(ids)
            for client_id in ids:
                quick = many[client_id]
                assert quick == case_dict_for_client(session, client_id, day), client_id
