"""Clients coming into care, leaving it, coming back and moving to another clinician; and the
dates a form may give an entry of the record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.cases import import_case
from referwell.db.models import AuditEntry, Client, Episode, User
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import BEFORE_EPISODE, SAME_DAY_AGAIN, TOO_FAR_BACK, InvalidInput
from referwell.services.auditing import ImmediateReads
from referwell.services.clients import entries, episodes
from referwell.services.clients.caseload import clinician_caseload
from referwell.services.errors import Forbidden, NotFound
from referwell.services.permissions import Person, client_access
from shipped_examples import example_cases

TODAY = date(2026, 11, 20)
CASES = dict(example_cases())


def _person(user: User) -> Person:
    return Person.from_user(user)


def _import(session: Session, user: User, stem: str, case_id: str | None = None) -> Client:
    case = dict(CASES[stem])
    if case_id:
        case["id"] = case_id
    client = import_case(session, user.practice_id, user.id, case, display_name=f"Client {stem}")
    session.commit()
    return client


def _actions(session: Session, action: AuditAction) -> list[tuple[str | None, list[int]]]:
    return [
        (entry.target_type, entry.target_ids)
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.action == action.value))
    ]


# --- a new client ---------------------------------------------------------------------


def test_a_new_client_is_in_care_from_the_day_given_and_assessed(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    saved = episodes.add_client(
        uow,
        _person(clinician),
        today=TODAY,
        display_name="Robin Example",
        client={"age": 29, "languages": ["en"]},
        concerns=["depression"],
        opened_on="2026-11-02",
    )
    session.expire_all()
    client = session.get(Client, saved.client_id)
    assert client is not None
    assert client.clinician_id == clinician.id
    assert client.external_id.startswith("rw-")
    assert [(e.opened_on, e.opened_by, e.closed_on) for e in client.episodes] == [
        (date(2026, 11, 2), clinician.id, None)
    ]
    assert saved.assessment is not None
    assert saved.assessment["recommendation"] == "continue"
    assert _actions(session, AuditAction.CLIENT_CREATE) == [("client", [saved.client_id])]


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 201}, "display_name"),
        ({"client": {}}, "client.age"),
        ({"client": {"age": 200}}, "client.age"),
        ({"concerns": ["sadness"]}, "concerns[0]"),
        ({"format_of_care": "group"}, "format_of_care"),
        ({"opened_on": "2026-11-21"}, "date"),
        ({"opened_on": "2025-11-19"}, "date"),
        ({"opened_on": "20 Nov"}, "date"),
    ],
)
def test_a_new_client_with_a_wrong_field_is_refused_and_nothing_is_stored(
    session: Session, uow: UnitOfWork, clinician: User, changes: dict[str, Any], path: str
) -> None:
    given: dict[str, Any] = {
        "display_name": "Robin Example",
        "client": {"age": 29},
        "concerns": ["depression"],
    } | changes
    with pytest.raises(InvalidInput) as refused:
        episodes.add_client(uow, _person(clinician), today=TODAY, **given)
    assert path in [error.path for error in refused.value.errors]
    assert session.scalar(select(func.count()).select_from(Client)) == 0


def test_a_case_id_already_in_the_practice_is_refused(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    _import(session, clinician, "ex05-goals-met")
    with pytest.raises(InvalidInput) as refused:
        episodes.add_client(
            uow, _person(clinician), today=TODAY, display_name="Robin Example",
            client={"age": 29}, case_id="ex05",
        )  # fmt: skip
    assert [error.path for error in refused.value.errors] == ["case_id"]


# --- discharge and readmission --------------------------------------------------------


def test_discharge_is_refused_while_the_client_needs_safety_action_now(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    client = _import(session, clinician, "ex04-phq9-item9")
    with pytest.raises(InvalidInput) as refused:
        episodes.discharge_client(
            uow, _person(clinician), client.id, today=TODAY, day="2026-11-20", reason="moved"
        )
    assert refused.value.errors[0].path == "(client)"
    assert "safety" in refused.value.errors[0].message
    session.expire_all()
    assert session.get(Client, client.id).discharged_on is None  # type: ignore[union-attr]
    assert _actions(session, AuditAction.CLIENT_DISCHARGE) == []


def test_a_discharged_client_leaves_the_caseload_keeps_the_record_and_may_come_back(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    client = _import(session, clinician, "ex05-goals-met")
    other = _import(session, clinician, "ex07-not-on-track")
    me = _person(clinician)
    reads = ImmediateReads(session)

    episodes.discharge_client(
        uow, me, client.id, today=TODAY, day="2026-11-19", reason="goals met, as agreed"
    )

    session.expire_all()
    listed = clinician_caseload(uow, me, today=TODAY, reads=reads)
    assert [row.client_id for row in listed.rows] == [other.id]
    gone = episodes.discharged_clients(uow, me, reads=reads)
    assert [(row.client_id, row.discharged_on) for row in gone] == [(client.id, date(2026, 11, 19))]
    episode = session.scalars(select(Episode).where(Episode.client_id == client.id)).one()
    assert (episode.closed_on, episode.closed_by, episode.close_reason) == (
        date(2026, 11, 19),
        clinician.id,
        "goals met, as agreed",
    )
    # Readable, not writable until readmitted.
    client_access(session, me, client.id)
    with pytest.raises(InvalidInput) as refused:
        entries.add_session(
            uow, me, client.id, today=TODAY, day="2026-11-20", attendance="attended"
        )
    assert refused.value.errors[0].path == "(client)"
    with pytest.raises(InvalidInput):
        episodes.readmit_client(uow, me, client.id, today=TODAY, day="2026-11-18")

    episodes.readmit_client(uow, me, client.id, today=TODAY, day="2026-11-20")

    session.expire_all()
    assert session.get(Client, client.id).discharged_on is None  # type: ignore[union-attr]
    assert len(session.scalars(select(Episode).where(Episode.client_id == client.id)).all()) == 2
    listed = clinician_caseload(uow, me, today=TODAY, reads=reads)
    assert {row.client_id for row in listed.rows} == {client.id, other.id}
    assert _actions(session, AuditAction.CLIENT_DISCHARGE) == [("client", [client.id])]
    assert _actions(session, AuditAction.CLIENT_READMIT) == [("client", [client.id])]


def test_a_discharge_needs_a_reason_and_a_day_in_the_episode(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    client = _import(session, clinician, "ex05-goals-met")
    for day, reason, path in (
        ("2026-11-20", "", "reason"),
        ("2026-11-21", "moved away", "date"),
        ("2020-01-01", "moved away", "date"),
    ):
        with pytest.raises(InvalidInput) as refused:
            episodes.discharge_client(
                uow, _person(clinician), client.id, today=TODAY, day=day, reason=reason
            )
        assert [error.path for error in refused.value.errors] == [path]


# --- reassignment ---------------------------------------------------------------------


@pytest.fixture
def team(make_clinician: Callable[..., User], clinician: User) -> dict[str, User]:
    practice = clinician.practice
    supervisor = make_clinician(practice=practice, username="sup", role="supervisor")
    clinician.supervisor_id = supervisor.id
    return {
        "clin": clinician,
        "sup": supervisor,
        "clin2": make_clinician(practice=practice, username="clin2"),
        "admin": make_clinician(practice=practice, username="admin", role="admin"),
        "stranger": make_clinician(username="elsewhere"),
    }


def test_a_supervisor_reassigns_a_supervisees_client_and_access_moves_at_once(
    session: Session, uow: UnitOfWork, team: dict[str, User]
) -> None:
    client = _import(session, team["clin"], "ex05-goals-met")
    moved = episodes.reassign_client(
        uow, _person(team["sup"]), client.id, to_user_id=str(team["clin2"].id)
    )
    assert (moved.clinician_id, moved.clinician_name) == (team["clin2"].id, "Dr clin2")
    session.expire_all()
    with pytest.raises(NotFound):
        client_access(session, _person(team["clin"]), client.id)
    assert client_access(session, _person(team["clin2"]), client.id, write=True).writable
    assert _actions(session, AuditAction.CLIENT_REASSIGN) == [
        ("client", [client.id]),
        ("user", [team["clin"].id, team["clin2"].id]),
    ]
    # clin2 is not the supervisor's supervisee: the client is out of their reach now.
    with pytest.raises(NotFound):
        episodes.reassign_client(
            uow, _person(team["sup"]), client.id, to_user_id=str(team["clin"].id)
        )


def test_an_admin_reassigns_any_client_of_the_practice_seeing_names_only(
    session: Session, uow: UnitOfWork, team: dict[str, User]
) -> None:
    client = _import(session, team["clin2"], "ex07-not-on-track")
    rows = episodes.assignments(uow, _person(team["admin"]))
    assert [(row.client_id, row.display_name, row.external_id) for row in rows] == [
        (client.id, "Client ex07-not-on-track", "ex07")
    ]
    assert set(rows[0].__dataclass_fields__) == {
        "client_id", "display_name", "external_id", "clinician_id", "clinician_name",
        "discharged_on",
    }  # fmt: skip
    episodes.reassign_client(uow, _person(team["admin"]), client.id, to_user_id=team["clin"].id)
    session.expire_all()
    assert session.get(Client, client.id).clinician_id == team["clin"].id  # type: ignore[union-attr]


@pytest.mark.parametrize("to", ["admin", "stranger", "clin", "nobody", ""])
def test_a_reassignment_only_to_another_active_clinician_of_the_practice(
    session: Session, uow: UnitOfWork, team: dict[str, User], to: str
) -> None:
    client = _import(session, team["clin"], "ex05-goals-met")
    target = team[to].id if to in team else ("999999" if to == "nobody" else "")
    with pytest.raises(InvalidInput) as refused:
        episodes.reassign_client(uow, _person(team["sup"]), client.id, to_user_id=target)
    assert [error.path for error in refused.value.errors] == ["clinician_id"]
    session.expire_all()
    assert session.get(Client, client.id).clinician_id == team["clin"].id  # type: ignore[union-attr]


def test_clinicians_reassign_nothing_and_supervisors_only_their_supervisees(
    session: Session, uow: UnitOfWork, team: dict[str, User]
) -> None:
    theirs = _import(session, team["clin2"], "ex05-goals-met")
    with pytest.raises(Forbidden):
        episodes.reassign_client(uow, _person(team["clin"]), theirs.id, to_user_id=team["clin"].id)
    with pytest.raises(NotFound):
        episodes.reassign_client(uow, _person(team["sup"]), theirs.id, to_user_id=team["clin"].id)
    assert episodes.assignments(uow, _person(team["sup"])) == []


# --- the dates of entries added by hand ----------------------------------------------------


def test_a_form_date_before_the_episode_or_a_year_back_is_refused(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    saved = episodes.add_client(
        uow, _person(clinician), today=TODAY, display_name="Robin Example",
        client={"age": 29}, concerns=["depression"], opened_on="2026-10-01",
    )  # fmt: skip
    me = _person(clinician)
    for day, kind in (("2026-09-30", BEFORE_EPISODE), ("1900-01-01", TOO_FAR_BACK)):
        with pytest.raises(entries.RecordRefused) as refused:
            entries.add_measure(
                uow, me, saved.client_id, today=TODAY, instrument="PHQ-9", day=day, items=[1] * 9
            )
        assert [(e.path, e.kind) for e in refused.value.errors] == [("measures[0].date", kind)]
        with pytest.raises(entries.RecordRefused):
            entries.add_event(uow, me, saved.client_id, today=TODAY, day=day, kind="crisis")
    entries.add_session(
        uow, me, saved.client_id, today=TODAY, day="2026-10-01", attendance="attended"
    )


def test_a_second_questionnaire_of_one_instrument_on_one_day_asks_first(
    session: Session, uow: UnitOfWork, clinician: User
) -> None:
    client = _import(session, clinician, "ex07-not-on-track")
    me = _person(clinician)
    entries.add_measure(
        uow, me, client.id, today=TODAY, instrument="GAD-7", day="2026-11-20", items=[1] * 7
    )
    with pytest.raises(entries.RecordRefused) as refused:
        entries.add_measure(
            uow, me, client.id, today=TODAY, instrument="GAD-7", day="2026-11-20", items=[2] * 7
        )
    assert refused.value.errors[0].kind == SAME_DAY_AGAIN
    again = entries.add_measure(
        uow, me, client.id, today=TODAY, instrument="GAD-7", day="2026-11-20", items=[2] * 7,
        confirm_same_day=True,
    )  # fmt: skip
    assert again.changed
