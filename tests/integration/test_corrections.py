"""A record corrected the way clinical records are: every kind of entry marked entered in error
leaves the case and the assessment, stays in the record with its mark, and is audited.

Each kind is tried on a case where that entry matters: the first case (of the shipped
examples and a few made here) where leaving the entry out changes the assessment. The
stored assessment after the mark must be exactly the engine's on the case without it.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.case_parts import Goal
from referwell.db.cases import import_case, read_case
from referwell.db.models import AuditEntry, Client, StoredAssessment, User
from referwell.db.record_entries import read_entries
from referwell.db.uow import UnitOfWork
from referwell.domain.assessment import assess_case
from referwell.domain.canonical import canonical_case
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import InvalidInput
from referwell.domain.settings import RuleSettings
from referwell.services.clients import corrections, entries
from referwell.services.errors import NotFound
from referwell.services.permissions import Person
from shipped_examples import example_cases

TODAY = date(2026, 11, 20)


def _made_cases() -> list[dict[str, Any]]:
    base = {
        "format": "referwell.case/1",
        "as_of": "2026-11-20",
        "clinician": {"competencies": ["cbt", "depression", "anxiety", "adults", "psychosis"]},
        "client": {"age": 30, "current_care": ["psychiatry"]},
        "concerns": ["psychosis"],
    }
    impaired = copy.deepcopy(base) | {"id": "made-impairment"}
    impaired["client"] = {"age": 30}
    impaired["concerns"] = ["depression"]
    impaired["clinician_factors"] = ["impairment"]
    return [base | {"id": "made-care"}, impaired]


def _cases() -> list[dict[str, Any]]:
    return [case for _, case in example_cases()] + _made_cases()


def _without(case: dict[str, Any], key: str) -> dict[str, Any]:
    """The case without the first entry of `key` (a key of the case, or `current_care`)."""
    smaller = copy.deepcopy(case)
    holder = smaller["client"] if key == "current_care" else smaller
    holder[key] = holder[key][1:]
    return smaller


def _assessed(case: dict[str, Any]) -> dict[str, Any]:
    return assess_case(parse_case(case, today=TODAY), RuleSettings()).as_dict()


def _entries_of(case: dict[str, Any], key: str) -> list[Any]:
    holder = case.get("client", {}) if key == "current_care" else case
    return list(holder.get(key, []))


def _telling_case(key: str) -> dict[str, Any]:
    """A case where the first entry of `key` changes the assessment."""
    for case in _cases():
        if _entries_of(case, key) and _assessed(_without(case, key)) != _assessed(case):
            return case
    raise AssertionError(f"no case where an entry of {key} changes the assessment")


def _person(user: User) -> Person:
    return Person.from_user(user)


@pytest.mark.parametrize("kind", corrections.ENTRY_KINDS, ids=lambda kind: kind.slug)
def test_every_kind_of_entry_in_error_leaves_the_case_and_the_assessment(
    session: Session, uow: UnitOfWork, clinician: User, kind: corrections.EntryKind
) -> None:
    case = _telling_case(kind.key)
    client = import_case(session, clinician.practice_id, clinician.id, case, display_name="Test")
    session.commit()
    first = read_entries(session, client.id)[kind.key][0]

    saved = corrections.mark_in_error(
        uow,
        _person(clinician),
        client.id,
        today=TODAY,
        kind=kind,
        entry_id=first.id,
        reason="typed into the wrong client's record",
    )

    assert saved.changed
    expected = _assessed(_without(case, kind.key))
    assert saved.assessment is not None
    assert saved.assessment["findings"] == expected["findings"]
    assert saved.assessment["recommendation"] == expected["recommendation"]
    assert saved.assessment["cautions"] == expected["cautions"]
    session.expire_all()
    stored = session.scalars(
        select(StoredAssessment)
        .where(StoredAssessment.client_id == client.id)
        .order_by(StoredAssessment.id.desc())
    ).first()
    assert stored is not None
    assert stored.result == saved.assessment
    # The case leaves it out; the record keeps it, with who, when and why.
    now_case = read_case(session, client.id, TODAY).case
    assert _entries_of(now_case, kind.key) == _entries_of(
        canonical_case(_without(case, kind.key)), kind.key
    )
    assert len(_entries_of(now_case, kind.key)) == len(_entries_of(case, kind.key)) - 1
    kept = {entry.id: entry for entry in read_entries(session, client.id)[kind.key]}
    mark = kept[first.id].in_error
    assert mark is not None
    assert mark.reason == "typed into the wrong client's record"
    assert mark.by == clinician.display_name
    audited = session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.ENTRY_IN_ERROR.value)
    ).all()
    assert [(a.actor, a.target_type, a.target_ids) for a in audited] == [
        (str(clinician.id), kind.model.__tablename__, [first.id])
    ]


def test_marking_twice_changes_nothing_and_a_reason_is_required(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    case = dict(example_cases()[3][1])  # ex04: a PHQ-9 with item 9 above 0
    client = import_case(session, clinician.practice_id, clinician.id, case, display_name="Test")
    session.commit()
    measure = read_entries(session, client.id)["measures"][-1]
    kind = corrections.KINDS_BY_KEY["measures"]
    for reason in (None, "", "   ", "x" * 501):
        with pytest.raises(InvalidInput) as refused:
            corrections.mark_in_error(
                uow, _person(clinician), client.id, today=TODAY, kind=kind,
                entry_id=measure.id, reason=reason,
            )  # fmt: skip
        assert refused.value.errors[0].path == "reason"
    session.expire_all()
    assert read_entries(session, client.id)["measures"][-1].in_error is None

    first = corrections.mark_in_error(
        uow, _person(clinician), client.id, today=TODAY, kind=kind, entry_id=measure.id,
        reason="score of another client",
    )  # fmt: skip
    again = corrections.mark_in_error(
        uow, _person(clinician), client.id, today=TODAY, kind=kind, entry_id=measure.id,
        reason="again",
    )  # fmt: skip
    assert first.changed
    assert not again.changed
    session.expire_all()
    assert read_entries(session, client.id)["measures"][-1].in_error.reason == (  # type: ignore[union-attr]
        "score of another client"
    )


def test_an_entry_of_another_client_is_not_found(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    cases = dict(example_cases())
    mine = import_case(
        session, clinician.practice_id, clinician.id, cases["ex05-goals-met"], display_name="A"
    )
    other_case = dict(cases["ex05-goals-met"]) | {"id": "other"}
    other = import_case(session, clinician.practice_id, clinician.id, other_case, display_name="B")
    session.commit()
    theirs = read_entries(session, other.id)["goals"][0]
    with pytest.raises(NotFound):
        corrections.mark_in_error(
            uow, _person(clinician), mine.id, today=TODAY,
            kind=corrections.KINDS_BY_KEY["goals"], entry_id=theirs.id, reason="wrong",
        )  # fmt: skip


def test_a_code_marked_in_error_can_be_entered_again(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    case = dict(example_cases()[1][1])  # ex02: a clinician factor and a reason
    client = import_case(session, clinician.practice_id, clinician.id, case, display_name="A")
    session.commit()
    factor = read_entries(session, client.id)["clinician_factors"][0]
    corrections.mark_in_error(
        uow, _person(clinician), client.id, today=TODAY,
        kind=corrections.KINDS_BY_KEY["clinician_factors"], entry_id=factor.id, reason="not so",
    )  # fmt: skip
    again = entries.add_clinician_factor(
        uow, _person(clinician), client.id, today=TODAY, code=factor.value
    )
    assert again.changed
    session.expire_all()
    rows = read_entries(session, client.id)["clinician_factors"]
    assert [(row.value, row.in_error is not None) for row in rows] == [
        (factor.value, True),
        (factor.value, False),
    ]


def test_a_goal_changes_status_from_a_day_and_keeps_its_history(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    case = dict(example_cases()[4][1])  # ex05: goals met
    client = import_case(session, clinician.practice_id, clinician.id, case, display_name="A")
    session.commit()
    goal = read_entries(session, client.id)["goals"][0]
    saved = corrections.change_goal_status(
        uow, _person(clinician), client.id, today=TODAY, goal_id=goal.id,
        status="progressing", day="2026-11-18",
    )  # fmt: skip
    assert saved.changed
    session.expire_all()
    changed = read_entries(session, client.id)["goals"][0]
    assert changed.value["status"] == "progressing"
    assert [(c.status, c.on) for c in changed.status_changes] == [
        ("progressing", date(2026, 11, 18))
    ]
    assert read_case(session, client.id, TODAY).case["goals"][0]["status"] == "progressing"
    row = session.get(Goal, goal.id)
    assert row is not None
    assert row.status == "progressing"
    for status, day, path in (
        ("finished", "2026-11-18", "status"),
        ("met", "2026-11-21", "date"),
        ("met", "2020-01-01", "date"),
        ("met", "", "date"),
    ):
        with pytest.raises(InvalidInput) as refused:
            corrections.change_goal_status(
                uow, _person(clinician), client.id, today=TODAY, goal_id=goal.id,
                status=status, day=day,
            )  # fmt: skip
        assert refused.value.errors[0].path == path


def test_a_supervisor_marks_nothing(
    session: Session, uow: UnitOfWork, make_clinician: Any, clinician: User
) -> None:
    supervisor = make_clinician(practice=clinician.practice, username="sup", role="supervisor")
    clinician.supervisor_id = supervisor.id
    case = dict(example_cases()[4][1])
    client = import_case(session, clinician.practice_id, clinician.id, case, display_name="A")
    session.commit()
    goal = read_entries(session, client.id)["goals"][0]
    from referwell.services.errors import Forbidden

    with pytest.raises(Forbidden):
        corrections.mark_in_error(
            uow, _person(supervisor), client.id, today=TODAY,
            kind=corrections.KINDS_BY_KEY["goals"], entry_id=goal.id, reason="no",
        )  # fmt: skip
    assert session.get(Client, client.id) is not None
