"""The process's queue for SQLite write transactions (`db.uow.WriteGate`)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from referwell.db.faults import is_busy
from referwell.db.uow import UnitOfWork, WriteGate


def _uow(gate: WriteGate) -> UnitOfWork:
    return UnitOfWork(sessionmaker(bind=create_engine("sqlite://")), gate)


def test_writers_take_turns_and_a_turn_not_given_in_time_is_busy() -> None:
    gate = WriteGate(timeout=0.2)
    order: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with _uow(gate) as uow:
            uow.session.execute(text("SELECT 1"))
            order.append("first in")
            holding.set()
            time.sleep(0.5)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait()
    with pytest.raises(OperationalError) as raised, _uow(gate):
        order.append("second in too soon")
    assert is_busy(raised.value)  # answered 503 like SQLite's own "database is locked"
    thread.join()
    with _uow(gate):
        order.append("second in")
    assert order == ["first in", "first out", "second in"]


def test_the_same_thread_passes_again_and_a_failure_leaves_the_gate_open() -> None:
    gate = WriteGate(timeout=0.2)
    with _uow(gate), _uow(gate):  # re-entrant: a write unit of work inside another
        pass
    with pytest.raises(RuntimeError), _uow(gate):
        raise RuntimeError("a use case failed")
    done = threading.Event()

    def other() -> None:
        with _uow(gate):
            done.set()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert done.is_set()
