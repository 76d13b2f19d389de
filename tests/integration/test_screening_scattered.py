"""Screening a scattered set of clients (one clinician's in a practice, as the supervisor's
worklist does) reads them by list, not by the range between them, and agrees with assessing
each client alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event, select

from referwell.db.models import Client
from referwell.domain.settings import RuleSettings
from referwell.services.screening.screen import (
    ScreenScope,
    clients_in_scope,
    clients_with_scope,
    screen_chunk,
)

from .test_screening import TODAY, _alone, _fields, _seed

RANGE = "clients.id >= "  # how a range read of the clients table starts


def statements_of(connection: Any, screen: Callable[[], Sequence[Any]]) -> list[str]:
    """The SQL statements `screen()` runs on `connection`."""
    statements: list[str] = []

    def seen(*cursor_execute: Any) -> None:
        statements.append(cursor_execute[2])

    event.listen(connection.engine, "before_cursor_execute", seen)
    try:
        screen()
    finally:
        event.remove(connection.engine, "before_cursor_execute", seen)
    return statements


def test_a_run_of_clients_is_read_by_range(session):
    ids = _seed(session, 30, seed=19)
    scope = ScreenScope(as_of=TODAY, settings=RuleSettings(), recent_days=10_000)
    connection = session.connection()
    statements = statements_of(connection, lambda: screen_chunk(connection, scope, ids))
    assert any(RANGE in s for s in statements)


def test_scattered_clients_are_read_by_list_and_agree_with_assessing_alone(session):
    ids = _seed(session, 240, seed=23)
    scattered = ids[1::3]  # clinician 1's clients: every third id
    settings = RuleSettings()
    scope = ScreenScope(as_of=TODAY, settings=settings, recent_days=10_000)
    connection = session.connection()
    screened: list[Any] = []
    statements = statements_of(
        connection, lambda: screened.extend(screen_chunk(connection, scope, scattered)) or screened
    )
    rows = {int(r.client): r for r in screened}

    assert set(rows) == set(scattered)
    assert any(" IN (" in s for s in statements)
    assert not any(RANGE in s for s in statements)
    disagreements = [
        (client_id, _fields(_alone(session, client_id, TODAY, settings)), _fields(row))
        for client_id, row in rows.items()
        if _fields(_alone(session, client_id, TODAY, settings)) != _fields(row)
    ]
    assert not disagreements, disagreements[:3]


def test_clients_in_scope_by_clinician_and_window(session):
    ids = _seed(session, 60, seed=29)
    clinician = session.scalar(select(Client.clinician_id).where(Client.id == ids[0]))
    everyone = ScreenScope(TODAY, RuleSettings(), recent_days=10_000)
    theirs = ScreenScope(TODAY, RuleSettings(), recent_days=10_000, clinician_ids=(clinician,))
    nobody = ScreenScope(TODAY, RuleSettings(), recent_days=10_000, clinician_ids=())
    connection = session.connection()
    in_scope = clients_in_scope(connection, everyone)
    assert set(in_scope) <= set(ids)
    assert in_scope == sorted(in_scope)
    assert set(clients_in_scope(connection, theirs)) == set(ids[0::3]) & set(in_scope)
    assert clients_in_scope(connection, nobody) == []


def test_clients_with_scope_marks_what_clients_in_scope_picks(session):
    ids = _seed(session, 90, seed=31)
    clinician = session.scalar(select(Client.clinician_id).where(Client.id == ids[1]))
    connection = session.connection()
    for clinicians in (None, (clinician,)):
        scope = ScreenScope(TODAY, RuleSettings(), recent_days=30, clinician_ids=clinicians)
        marked = clients_with_scope(connection, scope)
        mine = set(ids) if clinicians is None else set(ids[1::3])
        assert {c for c, _ in marked} & set(ids) == mine
        assert [c for c, recent in marked if recent] == clients_in_scope(connection, scope)
        assert any(recent for _, recent in marked)
        assert not all(recent for _, recent in marked)
        # The rows a chunk gives carry the scope they are given.
        chunk = [c for c, _ in marked if c in mine]
        in_scope = {c for c, recent in marked if recent}
        rows = screen_chunk(connection, scope, chunk, in_scope)
        assert {int(r.client): r.in_scope for r in rows} == {c: c in in_scope for c in chunk}
