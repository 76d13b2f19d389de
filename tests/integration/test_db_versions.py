"""Every change to a case bumps its client's case_version, and nothing else does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from referwell.db import migrate
from referwell.db.assessments import store_assessment
from referwell.db.case_parts import Measure, StepTaken, TherapySession
from referwell.db.cases import import_case
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client, ClinicianCompetency, ClinicianTraining, Practice, User
from referwell.db.uow import UnitOfWork

CASE = {
    "format": "referwell.case/1",
    "id": "versioned",
    "clinician": {"competencies": ["cbt"]},
    "client": {"age": 30},
    "concerns": ["depression"],
    "sessions": [{"date": "2026-11-01", "attendance": "attended"}],
    "steps_taken": ["supervision"],
}
ASSESSMENT = {
    "format": "referwell.assessment/1",
    "case_id": "versioned",
    "as_of": "2026-11-20",
    "recommendation": "continue",
    "headline": "Nothing calls for a change.",
    "findings": [],
    "cautions": [],
    "referral_needs": [],
    "measures": [],
    "settings": {"attendance_window": 10},
}


@pytest.fixture
def client(session: Session, clinician: User) -> Client:
    client = import_case(session, clinician.practice_id, clinician.id, CASE, display_name="V")
    session.commit()
    return client


def _version_after(session: Session, client: Client) -> int:
    session.commit()
    session.refresh(client)
    return client.case_version


def test_a_new_client_is_at_version_1(client: Client) -> None:
    assert client.case_version == 1


def test_a_client_column_bumps_it(session: Session, client: Client) -> None:
    client.engagement = "low"
    assert _version_after(session, client) == 2


def test_adding_a_part_bumps_it_once(session: Session, client: Client) -> None:
    session.add(Measure(client_id=client.id, instrument="GAD-7", date=date(2026, 11, 2), total=9))
    session.add(TherapySession(client=client, date=date(2026, 11, 8), attendance="no_show"))
    assert _version_after(session, client) == 2


def test_a_part_added_by_id_alone_bumps_it(session: Session, client: Client) -> None:
    session.expunge(client)
    session.add(StepTaken(client_id=client.id, step="consultation"))
    session.commit()
    fresh = session.get(Client, client.id)
    assert fresh is not None
    assert fresh.case_version == 2


def test_changing_and_removing_parts_bumps_it(session: Session, client: Client) -> None:
    client.sessions[0].attendance = "late"
    assert _version_after(session, client) == 2

    client.steps_taken.remove(client.steps_taken[0])  # delete-orphan
    assert _version_after(session, client) == 3

    session.delete(client.sessions[0])
    assert _version_after(session, client) == 4


def test_storing_an_assessment_does_not(session: Session, client: Client) -> None:
    stored = store_assessment(session, client, ASSESSMENT, rules_version="1")
    assert stored.case_version == 1
    assert stored.recommendation_rank == 6
    assert _version_after(session, client) == 1


def test_the_clinicians_competencies_bump_every_client_of_theirs(
    session: Session, clinician: User, client: Client
) -> None:
    other = import_case(
        session, clinician.practice_id, clinician.id, dict(CASE, id="v2"), display_name="W"
    )
    session.commit()

    clinician.competencies.append(ClinicianCompetency(code="dbt"))
    session.commit()
    assert (client.case_version, other.case_version) == (2, 2)

    session.add(ClinicianTraining(user_id=clinician.id, code="emdr"))
    session.commit()
    assert (client.case_version, other.case_version) == (3, 3)

    clinician.competencies = [c for c in clinician.competencies if c.code != "dbt"]
    session.commit()
    assert (client.case_version, other.case_version) == (4, 4)

    clinician.display_name = "Dr Renamed"  # not part of any case
    session.commit()
    assert (client.case_version, other.case_version) == (4, 4)


@pytest.fixture
def fresh_engine(database_url: str) -> Iterator[Engine]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_an_update_from_a_stale_copy_fails(fresh_engine: Engine) -> None:
    factory = make_session_factory(fresh_engine)
    with UnitOfWork(factory) as uow:
        user = User(practice=Practice(name="P"), username="c", display_name="C", role="clinician")
        uow.session.add(user)
        uow.session.flush()
        client_id = import_case(uow.session, user.practice_id, user.id, CASE, display_name="V").id
        uow.commit()

    with UnitOfWork(factory) as first:
        stale = first.session.get(Client, client_id)
        assert stale is not None
        first.commit()  # the copy outlives its transaction, as a form does between requests

        with UnitOfWork(factory) as second:
            current = second.session.get(Client, client_id)
            assert current is not None
            current.age = 31
            second.commit()

        stale.age = 32
        with pytest.raises(StaleDataError):
            first.commit()
