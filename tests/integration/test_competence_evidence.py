"""Competence with evidence in the database, on SQLite and PostgreSQL: a claim without evidence
is in training and the engine says so; verification and evidence make it count; expiry ends
it; the bulk path agrees with the case reader; an import attests and round-trips; a
supervision recorded from a finding satisfies the alternatives-first caution and keeps its
note out of the case; every change is audited and makes the assessments stale."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.cases import case_dict_for_client, import_case, read_case
from referwell.db.growth.counting import clinician_codes
from referwell.db.growth.models import Certification, SupervisionRecord, Verification
from referwell.db.models import AuditEntry, Client, ClinicianCompetency, Practice, User
from referwell.db.summaries import bulk_summaries
from referwell.db.uow import UnitOfWork
from referwell.domain.assessment import assess_case, assess_summary
from referwell.domain.caseformat import parse_case
from referwell.domain.settings import RuleSettings
from referwell.services.growth import competence_policy, evidence, supervision_records, team
from referwell.services.permissions import Person, Role

from .random_cases import random_case

TODAY = date(2026, 11, 20)


def _person(user: User) -> Person:
    return Person.from_user(user)


def _claim(session: Session, user: User, *codes: str) -> None:
    user.competencies.extend(ClinicianCompetency(code=code) for code in codes)
    session.flush()


def _psychosis_case(case_id: str = "ev-1") -> dict[str, Any]:
    return {
        "format": "referwell.case/1",
        "id": case_id,
        "as_of": TODAY.isoformat(),
        "clinician": {"competencies": ["adults"]},
        "client": {"age": 34},
        "concerns": ["psychosis"],
        "sessions": [{"date": (TODAY - timedelta(days=7)).isoformat(), "attendance": "attended"}],
    }


def _kinds(session: Session, client_id: int, day: date = TODAY) -> list[str]:
    case = parse_case(case_dict_for_client(session, client_id, day), today=day)
    return [f.kind for f in assess_case(case, RuleSettings()).findings]


def _team(make_clinician: Callable[..., User]) -> tuple[User, User]:
    supervisor = make_clinician(username="sup", role="supervisor")
    clinician = make_clinician(practice=supervisor.practice, username="clin")
    clinician.supervisor = supervisor
    return supervisor, clinician


def test_a_claim_without_evidence_counts_as_in_training_and_the_engine_says_so(
    session: Session, clinician: User
) -> None:
    client = import_case(
        session, clinician.practice_id, clinician.id, _psychosis_case(), display_name="A",
        clinician_profile="keep",
    )  # fmt: skip
    _claim(session, clinician, "adults", "psychosis")
    case = read_case(session, client.id, TODAY).case
    assert case["clinician"] == {"competencies": ["adults"], "in_training": ["psychosis"]}
    kinds = _kinds(session, client.id)
    assert "competence.in_training" in kinds
    assert "competence.specialized_condition" not in kinds


def test_verification_and_evidence_make_it_count(
    session: Session, uow: UnitOfWork, make_clinician: Callable[..., User]
) -> None:
    supervisor, clinician = _team(make_clinician)
    client = import_case(
        session, clinician.practice_id, clinician.id, _psychosis_case(), display_name="A",
        clinician_profile="keep",
    )  # fmt: skip
    _claim(session, clinician, "adults", "psychosis", "dbt")
    session.commit()
    version = session.get(Client, client.id).case_version

    made = team.verify_competence(
        uow, _person(supervisor), clinician_id=str(clinician.id), code="psychosis", today=TODAY
    )
    assert made is not None
    session.expire_all()
    assert "psychosis" in read_case(session, client.id, TODAY).case["clinician"]["competencies"]
    assert not [k for k in _kinds(session, client.id) if k.startswith("competence.")]
    assert session.get(Client, client.id).case_version > version  # the assessment is stale
    # Again: nothing new.
    assert (
        team.verify_competence(
            uow, _person(supervisor), clinician_id=clinician.id, code="psychosis", today=TODAY
        )
        is None
    )

    # DBT: evidence that meets the default minimum (40 training hours, 40 supervised).
    me = _person(clinician)
    evidence.add_training(
        uow,
        me,
        {"title": "DBT intensive", "provider": "P", "hours": "40", "date": "2026-01-10",
         "category": "clinical", "code": "dbt"},
        today=TODAY,
    )  # fmt: skip
    session.expire_all()
    assert "dbt" in read_case(session, client.id, TODAY).case["clinician"]["in_training"]
    hours_id = evidence.add_supervised_hours(
        uow,
        me,
        {"code": "dbt", "with_whom": "DBT team", "hours": "40", "date": "2026-09-01"},
        today=TODAY,
    )
    session.expire_all()
    assert "dbt" in read_case(session, client.id, TODAY).case["clinician"]["competencies"]
    # Before the hours were done, on an earlier day, it did not count yet.
    assert "dbt" in read_case(session, client.id, date(2026, 8, 1)).case["clinician"]["in_training"]
    # Entered in error: it counts for nothing, and stays.
    evidence.mark_evidence_in_error(
        uow, me, kind="supervised", ref=str(hours_id), reason="wrong clinician"
    )
    session.expire_all()
    assert "dbt" in read_case(session, client.id, TODAY).case["clinician"]["in_training"]

    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("competence:%"))
    ).all()
    assert sorted(actions) == [
        "competence:evidence_add",
        "competence:evidence_add",
        "competence:evidence_in_error",
        "competence:verify",
    ]


def test_a_certification_counts_through_its_expiry_and_not_after(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    client = import_case(
        session, clinician.practice_id, clinician.id, _psychosis_case(), display_name="A",
        clinician_profile="keep",
    )  # fmt: skip
    _claim(session, clinician, "adults", "psychosis")
    session.commit()
    evidence.add_certification(
        uow,
        _person(clinician),
        {"title": "CBT for psychosis", "issuer": "Board", "issued_on": "2025-01-01",
         "expires_on": TODAY.isoformat(), "code": "psychosis"},
        today=TODAY,
    )  # fmt: skip
    session.expire_all()
    on_expiry = read_case(session, client.id, TODAY).case["clinician"]
    assert on_expiry["competencies"] == ["adults", "psychosis"]
    after = TODAY + timedelta(days=1)
    assert read_case(session, client.id, after).case["clinician"]["in_training"] == ["psychosis"]
    assert "competence.in_training" in _kinds(session, client.id, after)
    assert session.scalar(select(Certification.code)) == "psychosis"


def test_the_bulk_path_agrees_with_the_case_reader(
    session: Session, make_clinician: Callable[..., User]
) -> None:
    """Clinicians with every kind of evidence, screened in bulk and read one by one."""
    rng = random.Random(12)
    practice = Practice(name="Evidence practice")
    codes = ["dbt", "psychosis", "trauma_focused", "erp", "children", "adolescents", "couples"]
    users = [
        User(practice=practice, username=f"ev{i}", display_name=f"Ev {i}", role="clinician")
        for i in range(4)
    ]
    session.add_all(users)
    session.flush()
    users[0].competencies = [ClinicianCompetency(code=c) for c in codes]
    users[1].competencies = [ClinicianCompetency(code=c) for c in codes[:4]]
    session.add_all(
        [
            Verification(user_id=users[0].id, code="dbt", kind="verified", by_name="S", day=TODAY),
            Verification(user_id=users[1].id, code="erp", kind="attested", by_name="op", day=TODAY),
            Certification(
                user_id=users[0].id, title="C", issuer="I", code="psychosis",
                expires_on=TODAY - timedelta(days=1),
            ),
            Certification(
                user_id=users[1].id, title="C", issuer="I", code="trauma_focused",
                expires_on=TODAY + timedelta(days=1),
            ),
        ]
    )  # fmt: skip
    session.flush()
    ids = [
        import_case(
            session,
            practice.id,
            users[i % 4].id,
            random_case(rng, f"ev-{i:04d}", TODAY),
            display_name=f"Client {i}",
            clinician_profile="keep",
        ).id
        for i in range(120)
    ]
    session.flush()
    codes_of = clinician_codes(session, [u.id for u in users], TODAY)
    assert codes_of[users[0].id][0] == ("dbt",)
    assert set(codes_of[users[1].id][0]) == {"erp", "trauma_focused"}
    settings = RuleSettings()
    bulk = {
        cid: assess_summary(summary, settings)
        for cid, _, summary in bulk_summaries(session.connection(), ids, TODAY, settings)
    }
    for client_id in ids:
        alone = assess_case(parse_case(case_dict_for_client(session, client_id, TODAY)), settings)
        assert alone.as_dict() == bulk[client_id].as_dict(), client_id


def test_an_import_attests_its_competencies_and_round_trips(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    case = _psychosis_case("imported")
    case["clinician"] = {"competencies": ["adults", "psychosis"], "in_training": ["dbt"]}
    client = import_case(
        session, clinician.practice_id, clinician.id, case, display_name="A",
        attested_by="operator-login",
    )  # fmt: skip
    stored = read_case(session, client.id, TODAY).case
    assert stored == parse_case(case).to_dict()
    attested = session.scalars(select(Verification).where(Verification.user_id == clinician.id))
    assert {(v.code, v.kind, v.by_name) for v in attested} == {
        ("adults", "attested", "operator-login"),
        ("psychosis", "attested", "operator-login"),
    }


def test_supervision_recorded_from_a_finding_satisfies_the_alternatives_first_caution(
    session: Session, uow: UnitOfWork, make_clinician: Callable[..., User]
) -> None:
    _, clinician = _team(make_clinician)
    case = _psychosis_case("alt")
    case["concerns"] = ["depression"]
    case["clinician"] = {"competencies": ["adults", "depression"]}
    case["considering_referral_because"] = ["dislike"]
    case["clinician_factors"] = ["strong_dislike"]
    client = import_case(session, clinician.practice_id, clinician.id, case, display_name="A")
    session.commit()

    def cautions() -> list[str]:
        parsed = parse_case(case_dict_for_client(session, client.id, TODAY), today=TODAY)
        return [c.kind for c in assess_case(parsed, RuleSettings()).cautions]

    assert "alternatives_not_tried" in cautions()
    saved = supervision_records.record_from_finding(
        uow,
        _person(clinician),
        client.id,
        today=TODAY,
        fields={
            "step": "supervision",
            "date": TODAY.isoformat(),
            "with_whom": "Dr sup",
            "note": "a private note about my reaction",
            "answers": "alternatives_not_tried",
        },
    )
    assert saved.changed
    assert saved.assessment is not None
    assert "alternatives_not_tried" not in [c["kind"] for c in saved.assessment["cautions"]]
    session.expire_all()
    assert "alternatives_not_tried" not in cautions()
    stored = case_dict_for_client(session, client.id, TODAY)
    assert {"step": "supervision", "date": TODAY.isoformat()} in stored["steps_taken"]
    assert "private note" not in repr(stored)  # the note is in no case, so in no export
    record = session.scalar(select(SupervisionRecord))
    assert record is not None
    assert (record.step, record.with_whom, record.answers) == (
        "supervision",
        "Dr sup",
        "alternatives_not_tried",
    )
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor == str(clinician.id))
    ).all()
    assert AuditAction.SUPERVISION_RECORD in actions
    assert AuditAction.CLIENT_UPDATE in actions


def test_the_practice_counts_verification_only_when_its_admin_says_so(
    session: Session, uow: UnitOfWork, make_clinician: Callable[..., User]
) -> None:
    clinician = make_clinician(username="clin")
    admin = make_clinician(practice=clinician.practice, username="adm", role="admin")
    client = import_case(
        session, clinician.practice_id, clinician.id, _psychosis_case(), display_name="A",
        clinician_profile="keep",
    )  # fmt: skip
    _claim(session, clinician, "adults", "psychosis")
    session.add(
        Certification(
            user_id=clinician.id, title="C", issuer="I", code="psychosis", expires_on=None
        )
    )
    session.commit()
    assert "psychosis" in read_case(session, client.id, TODAY).case["clinician"]["competencies"]
    version = session.get(Client, client.id).case_version
    actor = Person(admin.id, admin.practice_id, Role.ADMIN, admin.username, "Admin")
    shown = competence_policy.update_competence_policy(
        uow,
        actor,
        counts_when="verified_only",
        minimums={"dbt": ("10", "")},
        reason="our board asks for supervisors' sign-off",
    )
    assert shown.counts_when == "verified_only"
    dbt = next(row for row in shown.codes if row.code == "dbt")
    assert dbt.practice is not None
    assert (dbt.practice.training_hours, dbt.practice.supervised_hours) == (10, 40)
    session.expire_all()
    clinician_codes_now = read_case(session, client.id, TODAY).case["clinician"]
    assert clinician_codes_now == {"competencies": ["adults"], "in_training": ["psychosis"]}
    assert session.get(Client, client.id).case_version > version
    assert session.scalar(
        select(AuditEntry.action).where(AuditEntry.action == "practice:competence_policy:update")
    )
