"""A synthetic practice in the database: the same cases come back out, the same seed gives the same rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from referwell.db import migrate
from referwell.db.audit import AuditEntry
from referwell.db.base import Base
from referwell.db.cases import case_dicts_for_clients
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client, User
from referwell.db.uow import UnitOfWork
from referwell.services.permissions import Operator
from referwell.services.synthetic.practice import SynthError, synth_practice, write_database

AS_OF = date(2026, 11, 20)


def test_the_cases_come_back_out_as_they_went_in(session: Session, uow: UnitOfWork) -> None:
    practice = synth_practice(150, 21, as_of=AS_OF)
    stats = write_database(uow, practice, actor=Operator("tester"))

    assert stats.clients == 150
    ids = session.scalars(
        select(Client.id).where(Client.practice_id == stats.practice_id).order_by(Client.id)
    ).all()
    stored = case_dicts_for_clients(session, ids, as_of=AS_OF)
    generated = list(practice.cases())
    assert [stored[client_id] for client_id in ids] == generated
    assert stats.measures == sum(len(c.get("measures", [])) for c in generated)
    assert stats.sessions == sum(len(c.get("sessions", [])) for c in generated)


def test_staff_supervisors_and_logins(session: Session, uow: UnitOfWork) -> None:
    from argon2 import PasswordHasher

    practice = synth_practice(60, 22, as_of=AS_OF)
    write_database(uow, practice, actor=Operator("tester"), password="a long synthetic password")

    users = session.scalars(select(User).where(User.username.like("s22-%"))).all()
    assert {u.role for u in users} == {"clinician", "supervisor", "admin"}
    clinicians = [u for u in users if u.role == "clinician"]
    assert all(u.supervisor is not None and u.supervisor.role == "supervisor" for u in clinicians)
    assert all(u.competencies for u in clinicians)
    hashes = {u.password_hash for u in users}
    assert len(hashes) == 1
    assert PasswordHasher().verify(hashes.pop() or "", "a long synthetic password")


def test_the_write_is_audited_with_the_os_user(session: Session, uow: UnitOfWork) -> None:
    practice = synth_practice(40, 23, as_of=AS_OF)
    stats = write_database(uow, practice, actor=Operator("someone"))
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.actor == "someone").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor_kind, e.target_type) for e in entries] == [
        ("user:create", "os_user", "user"),
        # The clinicians' competencies, attested by the operator so that they count.
        ("competence:attest", "os_user", "growth_verification"),
        ("client:create", "os_user", "client"),
    ]
    client_ids = session.scalars(
        select(Client.id).where(Client.practice_id == stats.practice_id)
    ).all()
    assert sorted(entries[2].target_ids) == sorted(client_ids)


def test_a_seed_already_in_the_database_is_refused_and_nothing_written(
    session: Session, uow: UnitOfWork
) -> None:
    write_database(uow, synth_practice(10, 24, as_of=AS_OF), actor=Operator("tester"))
    clients = session.scalar(select(func.count(Client.id)))
    with pytest.raises(SynthError) as raised:
        write_database(uow, synth_practice(10, 24, as_of=AS_OF), actor=Operator("tester"))
    assert raised.value.field == "seed"
    assert session.scalar(select(func.count(Client.id))) == clients


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit log and its chain (which record when the write
    happened and under which random chain id)."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
            if table.name not in ("audit_log", "audit_chain")
        }


def test_same_seed_same_rows(database_url: str, backend: str, tmp_path: Any, request: Any) -> None:
    if backend == "sqlite":
        other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    else:
        other_url = request.getfixturevalue("postgres_databases").create()
    tables = []
    for url in (database_url, other_url):
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            write_database(
                UnitOfWork(make_session_factory(engine)),
                synth_practice(120, 25, as_of=AS_OF),
                actor=Operator("tester"),
                password="a long synthetic password",
            )
            tables.append(_rows(engine))
        finally:
            engine.dispose()
    assert tables[0]["clients"]
    assert tables[0]["client_measures"]
    assert tables[0] == tables[1]
