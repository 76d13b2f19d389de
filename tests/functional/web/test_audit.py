"""The audit log: writes in the transaction of the change, reads queued and written in batches."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.case_parts import TherapySession
from referwell.db.engine import make_session_factory
from referwell.db.models import AuditEntry, StoredAssessment
from referwell.db.uow import UnitOfWork
from referwell.services.auditing import ReadAuditLog
from referwell.services.clients import entries as records
from referwell.services.permissions import Person, Role

from .conftest import WebClient, audit_entries
from .seed import PASSWORD, TODAY, Seeded

PHQ9 = {"instrument": "PHQ-9", "date": "2026-11-19", **{f"item{i}": "1" for i in range(1, 10)}}


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count(model.id))) or 0)


def clinician(seeded: Seeded) -> Person:
    return Person(seeded.users["clin"], seeded.practice_id, Role.CLINICIAN, "clin", "Clin")


def test_a_write_is_audited_with_who_what_when_and_which_client(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client = signed_in("clin")
    client_id = seeded.client_of("clin")
    before = audit_entries(engine)[-1].id

    answer = client.post_form(f"/clients/{client_id}/measures", PHQ9)

    assert answer.status_code == 303
    written = [entry for entry in audit_entries(engine) if entry.id > before]
    assert [(e.action, e.actor, e.actor_kind, e.target_type, e.target_ids) for e in written] == [
        ("client:update", str(seeded.users["clin"]), "user", "client", [client_id]),
        ("assessment:store", str(seeded.users["clin"]), "user", "client", [client_id]),
    ]
    assert all(entry.at is not None for entry in written)


def test_a_write_whose_audit_entry_fails_is_not_saved(
    web_db: Any, seeded: Seeded, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry is written in the transaction of the change: no entry, no change."""
    sessions, assessments = count(engine, TherapySession), count(engine, StoredAssessment)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr("referwell.services.auditing.record", broken)
    with pytest.raises(RuntimeError):
        records.add_session(
            UnitOfWork(make_session_factory(engine)),
            clinician(seeded),
            seeded.client_of("clin"),
            today=TODAY,
            day="2026-11-19",
            attendance="attended",
        )
    assert (count(engine, TherapySession), count(engine, StoredAssessment)) == (
        sessions,
        assessments,
    )


def test_a_refused_write_leaves_no_entry(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client = signed_in("clin")
    client.get(f"/clients/{seeded.client_of('clin')}")  # the page's assessment is stored now
    entries = count(engine, AuditEntry)
    answer = client.post_form(
        f"/clients/{seeded.client_of('clin')}/measures", PHQ9 | {"item9": "7"}
    )
    assert answer.status_code == 422
    assert count(engine, AuditEntry) == entries


def test_a_caseload_view_is_one_read_entry_naming_the_clients_shown(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    flush_reads: Callable[[], int],
) -> None:
    client = signed_in("clin")
    flush_reads()
    before = audit_entries(engine)[-1].id

    page = client.get("/caseload")
    assert page.status_code == 200
    queued_only = [
        e for e in audit_entries(engine) if e.id > before and e.action == "caseload:read"
    ]
    assert queued_only == []  # queued, not yet written
    # The clients shown, and (issue 11) the open referrals one sent, listed below them.
    assert flush_reads() == 2

    reads = [e for e in audit_entries(engine) if e.id > before and e.actor_kind == "user"]
    assert [(e.action, e.actor, e.target_type) for e in reads] == [
        ("caseload:read", str(seeded.users["clin"]), "client"),
        ("referral:list", str(seeded.users["clin"]), "referral"),
    ]
    assert reads[1].target_ids == [seeded.referral_id]
    shown = [int(part.split('"')[0]) for part in page.text.split('data-client="')[1:]]
    assert reads[0].target_ids == shown
    assert sorted(shown) == sorted(
        client_id for case_id, client_id in seeded.clients.items() if case_id.startswith("ex")
    )


def test_recomputing_stale_assessments_is_audited_as_referwells_own_write(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client = signed_in("clin")
    client.get("/caseload")  # the seed stores no assessment: all eight are computed now
    stores = audit_entries(engine, action="assessment:store", actor_kind="system")
    assert len(stores) == 1
    assert stores[0].actor == "referwell"
    assert len(stores[0].target_ids) == 8


def test_client_page_and_api_reads_are_audited(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    flush_reads: Callable[[], int],
) -> None:
    client = signed_in("sup")  # a supervisor's reads are audited like anyone's
    client_id = seeded.client_of("clin")
    flush_reads()
    before = audit_entries(engine)[-1].id
    assert client.get(f"/clients/{client_id}").status_code == 200
    assert client.get(f"/api/v1/clients/{client_id}/case").status_code == 200
    assert client.get(f"/api/v1/clients/{client_id}/assessment").status_code == 200
    assert flush_reads() == 3
    reads = [e for e in audit_entries(engine) if e.id > before and e.actor_kind == "user"]
    assert [(e.action, e.actor, e.target_ids) for e in reads] == [
        ("client:read", str(seeded.users["sup"]), [client_id]),
        ("client:read", str(seeded.users["sup"]), [client_id]),
        ("assessment:read", str(seeded.users["sup"]), [client_id]),
    ]


def test_a_refused_read_is_not_a_read(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    app: FastAPI,
    flush_reads: Callable[[], int],
) -> None:
    client = signed_in("clin2")
    flush_reads()
    assert client.get(f"/clients/{seeded.client_of('clin')}").status_code == 404
    assert app.state.web.reads.pending == 0


def test_signing_in_and_out_and_failing_to_are_audited(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    anonymous = signed_in(None)
    assert (
        anonymous.post_form("/login", {"username": "clin", "password": "wrong"}).status_code == 400
    )
    assert (
        anonymous.post_form("/login", {"username": "nobody", "password": PASSWORD}).status_code
        == 400
    )
    client = signed_in("clin")
    assert client.post_form("/logout").status_code == 303
    actions = [
        (e.action, e.actor) for e in audit_entries(engine) if e.action.startswith("session:")
    ]
    assert actions[-4:] == [
        ("session:login_failed", str(seeded.users["clin"])),
        ("session:login_failed", "referwell"),
        ("session:login", str(seeded.users["clin"])),
        ("session:logout", str(seeded.users["clin"])),
    ]


def test_the_audit_log_holds_no_clinical_content(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    flush_reads: Callable[[], int],
) -> None:
    client = signed_in("clin")
    client_id = seeded.client_of("clin")
    client.get("/caseload")
    client.post_form(
        f"/clients/{client_id}/goals",
        {"description": "Sleep through the night", "status": "progressing"},
    )
    client.post_form(f"/clients/{client_id}/considering-referral", {"reason": "personal_values"})
    flush_reads()
    for entry in audit_entries(engine):
        assert entry.action in {action.value for action in AuditAction}
        assert entry.target_type in (None, "client", "user", "api_token", "practice", "referral")
        assert all(isinstance(target, int) for target in entry.target_ids)
        assert entry.actor.isdigit() or entry.actor == "referwell"


def test_the_background_writer_writes_within_the_interval(engine: Engine, seeded: Seeded) -> None:
    log = ReadAuditLog(make_session_factory(engine), interval=0.05)
    try:
        before = count(engine, AuditEntry)
        log.record_read(
            clinician(seeded), AuditAction.CLIENT_READ, target_type="client", target_ids=[1]
        )
        deadline = time.monotonic() + 5
        while count(engine, AuditEntry) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert count(engine, AuditEntry) == before + 1
    finally:
        log.close()


def test_a_batch_the_database_refuses_stays_queued(engine: Engine, seeded: Seeded) -> None:
    def no_session() -> Session:
        raise RuntimeError("database down")

    log = ReadAuditLog(no_session, interval=3600)  # type: ignore[arg-type]
    log.record_read(
        clinician(seeded), AuditAction.CLIENT_READ, target_type="client", target_ids=[1]
    )
    with pytest.raises(RuntimeError):
        log.flush()
    assert log.pending == 1
