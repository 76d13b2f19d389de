"""The audit log is written with the change it records, and never changed afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from referwell.db import migrate
from referwell.db.audit import (
    ActorKind,
    AuditAction,
    AuditEntry,
    AuditLogAppendOnlyError,
    os_user,
    record,
)
from referwell.db.cases import import_case
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client, Practice, User
from referwell.db.uow import UnitOfWork

CASE = {
    "format": "referwell.case/1",
    "id": "audited",
    "clinician": {"competencies": ["cbt"]},
    "client": {"age": 30},
    "concerns": ["depression"],
}


@pytest.fixture
def fresh_engine(database_url: str) -> Iterator[Engine]:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        clients = connection.scalar(select(func.count()).select_from(Client))
        entries = connection.scalar(select(func.count()).select_from(AuditEntry))
    return clients or 0, entries or 0


def _clinician(engine: Engine) -> int:
    with UnitOfWork(make_session_factory(engine)) as uow:
        user = User(practice=Practice(name="P"), username="c", display_name="C", role="clinician")
        uow.session.add(user)
        uow.commit()
        return user.id


def _import_and_audit(uow: UnitOfWork, clinician_id: int) -> Client:
    clinician = uow.session.get(User, clinician_id)
    assert clinician is not None
    client = import_case(
        uow.session, clinician.practice_id, clinician_id, CASE, display_name="Sam Synthetic"
    )
    record(
        uow.session,
        AuditAction.CLIENT_IMPORT,
        actor=clinician,
        target_type="client",
        target_ids=[client.id],
    )
    return client


def test_an_entry_is_committed_with_the_change(fresh_engine: Engine) -> None:
    clinician_id = _clinician(fresh_engine)
    with UnitOfWork(make_session_factory(fresh_engine)) as uow:
        client = _import_and_audit(uow, clinician_id)
        uow.commit()

    assert _counts(fresh_engine) == (1, 1)
    with fresh_engine.connect() as connection:
        entry = connection.execute(select(AuditEntry)).one()
    assert entry.actor == str(clinician_id)
    assert entry.actor_kind == "user"
    assert entry.action == "client:import"
    assert entry.target_type == "client"
    assert entry.target_ids == [client.id]
    assert entry.at.tzinfo is not None


def test_an_entry_is_rolled_back_with_the_change(fresh_engine: Engine) -> None:
    clinician_id = _clinician(fresh_engine)

    def save_that_fails() -> None:
        with UnitOfWork(make_session_factory(fresh_engine)) as uow:
            _import_and_audit(uow, clinician_id)
            uow.session.flush()
            raise RuntimeError("the save failed")

    with pytest.raises(RuntimeError, match="the save failed"):
        save_that_fails()

    assert _counts(fresh_engine) == (0, 0)


def test_the_orm_refuses_to_change_or_remove_an_entry(session: Session) -> None:
    entry = record(session, AuditAction.CASELOAD_READ, actor="alice", target_ids=[1, 2])
    session.flush()

    entry.action = AuditAction.CLIENT_UPDATE.value
    with pytest.raises(AuditLogAppendOnlyError):
        session.flush()
    session.rollback()

    entry = record(session, AuditAction.CASELOAD_READ, actor="alice")
    session.flush()
    session.delete(entry)
    with pytest.raises(AuditLogAppendOnlyError):
        session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).values(actor="mallory"),
        delete(AuditEntry),
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_remove_an_entry(
    connection: Connection, statement: Executable
) -> None:
    with Session(connection, join_transaction_mode="create_savepoint") as session:
        record(session, AuditAction.CLIENT_READ, actor="alice", target_ids=[7])
        session.commit()

    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(statement)
    savepoint.rollback()

    assert connection.scalar(select(AuditEntry.actor)) == "alice"


def test_postgresql_refuses_truncate(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("TRUNCATE audit_log"))
    savepoint.rollback()


def test_os_users_and_system_actors(session: Session) -> None:
    by_cli = record(session, AuditAction.CLIENT_EXPORT, actor=os_user(), target_ids=[3])
    by_job = record(
        session, AuditAction.ASSESSMENT_STORE, actor="screening", actor_kind=ActorKind.SYSTEM
    )
    session.flush()

    assert by_cli.actor_kind == "os_user"
    assert by_cli.actor
    assert by_job.actor_kind == "system"


def test_actions_are_area_and_verb() -> None:
    values = [action.value for action in AuditAction]
    assert len(values) == len(set(values))
    for value in values:
        area, _, verb = value.rpartition(":")
        assert area
        assert verb
        assert value == value.lower()
