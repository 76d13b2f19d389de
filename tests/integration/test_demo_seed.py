"""The demo practice: every finding kind and every caution kind appears, the logins work."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select

from referwell.db import migrate
from referwell.db.audit import AuditEntry
from referwell.db.cases import case_dicts_for_clients
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client, Practice, User
from referwell.db.uow import UnitOfWork
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case
from referwell.domain.vocabulary import CAUTION_KINDS, FINDING_KINDS
from referwell.services.permissions import Operator
from referwell.services.synthetic.demo import DEMO_CLIENTS, DEMO_USERS, demo_is_needed, seed_demo

DEMO_DAY = date(2026, 11, 27)


@pytest.fixture
def demo_engine(database_url: str) -> Iterator[Engine]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _uow(engine: Engine) -> UnitOfWork:
    return UnitOfWork(make_session_factory(engine))


def test_the_demo_yields_every_finding_and_caution_kind(demo_engine: Engine) -> None:
    assert demo_is_needed(_uow(demo_engine))
    seed = seed_demo(_uow(demo_engine), actor=Operator("tester"), today=DEMO_DAY)
    assert seed.seeded
    assert seed.clients == DEMO_CLIENTS

    findings: Counter[str] = Counter()
    cautions: Counter[str] = Counter()
    with make_session_factory(demo_engine)() as session:
        ids = session.scalars(select(Client.id)).all()
        assert len(ids) == DEMO_CLIENTS
        for case in case_dicts_for_clients(session, ids, as_of=DEMO_DAY).values():
            assessment = assess_case(parse_case(case, today=DEMO_DAY))
            findings.update(f.kind for f in assessment.findings)
            cautions.update(c.kind for c in assessment.cautions)
    assert set(FINDING_KINDS) - set(findings) == set()
    assert set(CAUTION_KINDS) - set(cautions) == set()


def test_staff_roles_competencies_and_logins(demo_engine: Engine) -> None:
    seed_demo(_uow(demo_engine), actor=Operator("tester"), today=DEMO_DAY)
    hasher = PasswordHasher()
    with make_session_factory(demo_engine)() as session:
        users = {u.username: u for u in session.scalars(select(User))}
        assert set(users) == {u.username for u in DEMO_USERS}
        for demo_user in DEMO_USERS:
            user = users[demo_user.username]
            assert user.role == demo_user.role
            assert hasher.verify(user.password_hash or "", demo_user.password)
            assert [c.code for c in user.competencies] == list(demo_user.competencies)
            assert [c.code for c in user.in_training] == list(demo_user.in_training)
        clinicians = [u for u in users.values() if u.role == "clinician"]
        assert len(clinicians) == 3
        assert {u.supervisor.username for u in clinicians if u.supervisor} == {"morgan"}
        assert len({tuple(c.code for c in u.competencies) for u in clinicians}) == 3
        assert any(u.in_training for u in clinicians)
        for clinician in clinicians:
            count = session.scalar(
                select(func.count(Client.id)).where(Client.clinician_id == clinician.id)
            )
            assert count is not None
            assert count >= 10


def test_a_database_with_another_practice_is_left_alone(demo_engine: Engine) -> None:
    with make_session_factory(demo_engine)() as session:
        session.add(Practice(name="Another practice"))
        session.commit()
    seed = seed_demo(_uow(demo_engine), actor=Operator("tester"), today=DEMO_DAY)
    assert not seed.seeded
    assert not seed.demo_present
    with make_session_factory(demo_engine)() as session:
        assert session.scalar(select(func.count(Client.id))) == 0


def test_seeding_again_writes_nothing(demo_engine: Engine) -> None:
    seed_demo(_uow(demo_engine), actor=Operator("tester"), today=DEMO_DAY)
    again = seed_demo(_uow(demo_engine), actor=Operator("tester"), today=DEMO_DAY)
    assert not again.seeded
    assert again.demo_present
    assert not demo_is_needed(_uow(demo_engine))
    with make_session_factory(demo_engine)() as session:
        assert session.scalar(select(func.count(Practice.id))) == 1
        assert session.scalar(select(func.count(Client.id))) == DEMO_CLIENTS
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor == "tester")
        ).all()
        # Written once, by the first seeding: the people, their clients, the evidence their
        # competencies rest on, the supervision records beside the cases' steps, referrals.
        assert sorted(actions) == [
            "client:create",
            "client:supervision_record",
            "competence:evidence_add",
            "competence:evidence_add",
            "competence:evidence_add",
            "competence:verify",
            "referral:create",  # the demo's referrals in every state (issue 11)
            "user:create",
        ]


def test_the_demo_holds_a_referral_in_every_state(demo_engine: Engine) -> None:
    """Issue 11: every status of the table, with its events, and a consent for each sent one."""
    from referwell.db.referrals.models import Referral, ReleaseConsent
    from referwell.domain.referrals.status import STATUSES, Side, check_transition

    seed_demo(_uow(demo_engine), actor=Operator("tester"), today=DEMO_DAY)
    with make_session_factory(demo_engine)() as session:
        referrals = session.scalars(select(Referral)).all()
        assert {r.status for r in referrals} == set(STATUSES)
        assert {"scheduled", "waitlisted", "care_established", "no_show"} <= {
            r.business_status for r in referrals
        }
        for referral in referrals:
            events = referral.events
            assert events[-1].to_status == referral.status
            previous, side = None, None
            for event in events:  # every step one the table allows
                check_transition(
                    previous, event.to_status, event.business_status, side=Side(event.side),
                    appointment_on=event.appointment_on, reason=event.note,
                    error_side=side,
                )  # fmt: skip
                previous, side = event.to_status, Side(event.side)
            client = session.get(Client, referral.client_id)
            assert client is not None
            assert client.clinician_id == referral.clinician_id
        sent = [r for r in referrals if r.sent_at is not None]
        consented = set(session.scalars(select(ReleaseConsent.client_id)).all())
        assert {r.client_id for r in sent} <= consented
