"""The audit log's chain shows every entry changed, removed, inserted or cut off the end, and a
chain recomputed without the key, however it was done: SQL past the triggers (dropped on
SQLite, disabled by PostgreSQL's superuser), or bytes edited in the SQLite file."""

from __future__ import annotations

import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from referwell.db import migrate
from referwell.db.audit import AuditAction, record
from referwell.db.audit_chain import (
    ChainReport,
    Head,
    append_entries,
    chain_settings,
    entry_mac,
    read_chain_row,
    verify_chain,
)
from referwell.db.engine import for_writing, make_engine, make_session_factory
from referwell.db.models import AuditEntry
from referwell.services.auditing import ReadAuditLog
from referwell.services.permissions import Operator

OTHER_KEY = b"a key the attacker made up"


@pytest.fixture(autouse=True)
def _own_heads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REFERWELL_AUDIT_HEAD_DIR", str(tmp_path / "heads"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A database at head with six audit entries, written in three transactions."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    _write(engine, [("ops-ann", [1]), ("ops-ann", [2])])
    _write(engine, [("ops-zelda", [3]), ("ops-ann", [4])])
    _write(engine, [("ops-ann", [5]), ("ops-ann", [6, 7])])
    yield engine
    engine.dispose()


def _write(engine: Engine, entries: list[tuple[str, list[int]]]) -> None:
    with make_session_factory(for_writing(engine))() as session:
        for actor, targets in entries:
            record(
                session,
                AuditAction.CLIENT_READ,
                actor=actor,
                target_type="client",
                target_ids=targets,
            )
        session.commit()


def _verify(engine: Engine) -> ChainReport:
    with engine.connect() as connection:
        return verify_chain(connection, chain_settings(make_key=False))


def _ids(engine: Engine) -> dict[int, int]:
    """Entry id by position."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT seq, id FROM audit_log ORDER BY seq"))
        return dict(rows.all())


def _hmacs(engine: Engine) -> dict[int, str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT seq, hmac FROM audit_log ORDER BY seq"))
        return dict(rows.all())


def _tamper(engine: Engine, *statements: tuple[str, dict[str, Any]]) -> None:
    """Run SQL as whoever holds the SQLite file (its triggers dropped) or PostgreSQL's
    superuser (the triggers disabled), past referwell."""
    url = engine.url
    engine.dispose()
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(str(url.database))
        try:
            connection.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
            connection.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
            for sql, params in statements:
                connection.execute(sql, params)
            connection.commit()
        finally:
            connection.close()
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        for sql, params in statements:
            connection.execute(text(sql), params)
        connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")


def _recorded_head(engine: Engine) -> Head | None:
    with engine.connect() as connection:
        row = read_chain_row(connection)
    assert row is not None
    return chain_settings().heads.read(row.chain_id)


def test_an_untouched_chain_verifies_and_its_head_is_kept_outside(
    engine: Engine, tmp_path: Path
) -> None:
    report = _verify(engine)

    assert report.intact, report.problems
    assert (report.entries, report.length, report.notes) == (6, 6, [])
    assert report.recorded == Head(str(report.chain_id), 6, _hmacs(engine)[6])
    head_file = tmp_path / "heads" / f"{report.chain_id}.json"
    assert head_file.is_file()
    assert stat.S_IMODE(head_file.stat().st_mode) == 0o600


def test_a_changed_entry_is_named_by_id_and_position(engine: Engine) -> None:
    ids = _ids(engine)
    _tamper(engine, ("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3", {}))

    assert _verify(engine).problems == [
        f"entry {ids[3]} (position 3): its HMAC does not match: changed, inserted, or "
        "chained without the key"
    ]


def test_a_changed_target_list_is_named_too(engine: Engine) -> None:
    ids = _ids(engine)
    _tamper(engine, ("UPDATE audit_log SET target_ids = '[6]' WHERE seq = 6", {}))

    (problem,) = _verify(engine).problems
    assert problem.startswith(f"entry {ids[6]} (position 6)")


def test_a_removed_entry_is_named_by_its_position(engine: Engine) -> None:
    _tamper(engine, ("DELETE FROM audit_log WHERE seq = 2", {}))

    assert _verify(engine).problems == ["position 2 missing: entries removed"]


def test_a_forged_entry_at_the_end_is_named(engine: Engine) -> None:
    last = _hmacs(engine)[6]
    with engine.connect() as connection:
        row = read_chain_row(connection)
    assert row is not None
    forged = {
        "at": "2026-11-30 10:00:00",
        "actor": "ops-ann",
        "actor_kind": "os_user",
        "action": "client:read",
        "target_type": "client",
        "target_ids": "[9]",
    }
    from datetime import UTC, datetime

    mac = entry_mac(
        OTHER_KEY,
        row.chain_id,
        7,
        last,
        at=datetime(2026, 11, 30, 10, tzinfo=UTC),
        actor="ops-ann",
        actor_kind="os_user",
        action="client:read",
        target_type="client",
        target_ids=[9],
    )
    _tamper(
        engine,
        (
            "INSERT INTO audit_log (at, actor, actor_kind, action, target_type, target_ids, "
            "seq, hmac) VALUES (:at, :actor, :actor_kind, :action, :target_type, :target_ids, "
            "7, :mac)",
            {**forged, "mac": mac},
        ),
        ("UPDATE audit_chain SET length = 7, last_hmac = :mac", {"mac": mac}),
    )

    report = _verify(engine)
    assert report.problems == [
        f"entry {_ids(engine)[7]} (position 7): its HMAC does not match: changed, inserted, "
        "or chained without the key"
    ]


def test_an_entry_slipped_in_between_is_named(engine: Engine) -> None:
    _tamper(
        engine,
        ("UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3", {}),
        ("UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100", {}),
        (
            "INSERT INTO audit_log (at, actor, actor_kind, action, target_type, target_ids, "
            "seq, hmac) VALUES ('2026-11-30 10:00:00', 'ops-ann', 'os_user', 'client:read', "
            "'client', '[9]', 3, :mac)",
            {"mac": "0" * 64},
        ),
    )

    forged = _ids(engine)[3]
    problems = _verify(engine).problems
    assert any(problem.startswith(f"entries {forged}-") for problem in problems), problems
    assert any("position 6 does not match the head kept outside" in p for p in problems)


def test_a_tail_cut_off_is_named_even_with_the_database_head_moved_back(engine: Engine) -> None:
    fourth = _hmacs(engine)[4]
    _tamper(
        engine,
        ("DELETE FROM audit_log WHERE seq > 4", {}),
        ("UPDATE audit_chain SET length = 4, last_hmac = :h", {"h": fourth}),
    )

    assert _verify(engine).problems == [
        "position 5-6 missing at the end: the head kept outside the database says 6 "
        "(the tail cut off)"
    ]


def test_a_tail_cut_off_stays_shown_after_referwell_writes_on(engine: Engine) -> None:
    """The entries written after the cut do not move the head kept outside on: it still
    names the entry that was cut."""
    head_before = _recorded_head(engine)
    fourth = _hmacs(engine)[4]
    _tamper(
        engine,
        ("DELETE FROM audit_log WHERE seq > 4", {}),
        ("UPDATE audit_chain SET length = 4, last_hmac = :h", {"h": fourth}),
    )
    _write(engine, [("ops-ann", [8]), ("ops-ann", [9]), ("ops-ann", [10])])

    assert _recorded_head(engine) == head_before
    assert _verify(engine).problems == [
        "position 6 does not match the head kept outside the database: the log was rewritten"
    ]


def test_a_chain_recomputed_without_the_key_is_named(engine: Engine) -> None:
    ids = _ids(engine)
    log = AuditEntry.__table__
    with engine.connect() as connection:
        row = read_chain_row(connection)
        entries = connection.execute(select(log).order_by(log.c.seq)).all()
    assert row is not None
    previous, updates = "", []
    for entry in entries:
        previous = entry_mac(
            OTHER_KEY,
            row.chain_id,
            entry.seq,
            previous,
            at=entry.at,
            actor=entry.actor,
            actor_kind=entry.actor_kind,
            action=entry.action,
            target_type=entry.target_type,
            target_ids=entry.target_ids,
        )
        updates.append(
            ("UPDATE audit_log SET hmac = :h WHERE seq = :s", {"h": previous, "s": entry.seq})
        )
    _tamper(engine, *updates, ("UPDATE audit_chain SET last_hmac = :h", {"h": previous}))

    assert _verify(engine).problems == [
        f"entries {ids[1]}-{ids[6]} (positions 1-6): their HMACs do not match: changed, "
        "inserted, or chained again without the key",
        "position 6 does not match the head kept outside the database: the log was rewritten",
    ]


def test_bytes_edited_in_the_sqlite_file_are_found(engine: Engine, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the SQLite file")
    ids = _ids(engine)
    path = Path(str(engine.url.database))
    engine.dispose()  # the last connection checkpoints the log into the file
    data = path.read_bytes()
    assert data.count(b"ops-zelda") == 1
    path.write_bytes(data.replace(b"ops-zelda", b"ops-yorik"))

    assert _verify(engine).problems == [
        f"entry {ids[3]} (position 3): its HMAC does not match: changed, inserted, or "
        "chained without the key"
    ]


def test_entries_after_the_recorded_head_are_a_note_and_the_next_commit_records_them(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        append_entries(connection, [{"actor": "ops", "actor_kind": "os_user", "action": "x:y"}])

    report = _verify(engine)
    assert report.intact, report.problems
    assert report.notes == [
        "1 entries after the head kept outside the database (position 6): written since it "
        "was last recorded"
    ]
    _write(engine, [("ops-ann", [1])])
    report = _verify(engine)
    assert (report.notes, report.recorded and report.recorded.length) == ([], 8)


def test_a_rolled_back_transaction_leaves_the_chain_and_its_head_alone(engine: Engine) -> None:
    head = _recorded_head(engine)
    with make_session_factory(for_writing(engine))() as session:
        record(session, AuditAction.CLIENT_READ, actor="ops-ann", target_ids=[1])
        session.flush()
        session.rollback()

    assert _recorded_head(engine) == head
    report = _verify(engine)
    assert report.intact, report.problems
    assert report.entries == 6


def test_transactions_appending_at_once_never_fork_the_chain(engine: Engine) -> None:
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            for turn in range(10):
                _write(engine, [(f"ops-{worker}", [turn]), (f"ops-{worker}", [turn, 1])])
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = _verify(engine)
    assert report.intact, report.problems
    assert report.entries == report.length == 6 + 4 * 10 * 2
    assert report.recorded is not None
    assert report.recorded.length == report.length


def test_read_audits_are_batched_chained_and_flushed_when_the_log_closes(engine: Engine) -> None:
    reads = ReadAuditLog(make_session_factory(for_writing(engine)), interval=60)
    operator = Operator("ops-reader")
    for client in range(25):
        reads.record_read(
            operator, AuditAction.CLIENT_READ, target_type="client", target_ids=[client]
        )
    assert reads.pending == 25
    assert reads.flush() == 25
    for client in range(5):
        reads.record_read(
            operator, AuditAction.CLIENT_READ, target_type="client", target_ids=[client]
        )

    reads.close()  # what the web app's shutdown (SIGTERM) does

    report = _verify(engine)
    assert report.intact, report.problems
    assert report.entries == 6 + 30
    assert report.recorded is not None
    assert report.recorded.length == 36


def test_migration_0010_chains_the_entries_already_in_the_log(database_url: str) -> None:
    migrate.upgrade(database_url, "0009")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for target in range(3):
                connection.execute(
                    text(
                        "INSERT INTO audit_log (at, actor, actor_kind, action, target_type, "
                        "target_ids) VALUES (:at, 'ops', 'os_user', 'client:read', 'client', :t)"
                    ),
                    {"at": f"2026-11-0{target + 1} 08:00:00", "t": f"[{target}]"},
                )
        migrate.upgrade(database_url)

        report = _verify(engine)
        assert report.intact, report.problems
        assert report.entries == 3
        assert report.recorded is not None
        assert report.recorded.length == 3
    finally:
        engine.dispose()


def test_without_its_key_the_chain_cannot_be_checked_and_another_key_fails_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REFERWELL_AUDIT_KEY")
    monkeypatch.setenv("REFERWELL_DATA_DIR", str(tmp_path / "elsewhere"))
    key_file = tmp_path / "elsewhere" / "audit_key"
    assert _verify(engine).problems == [f"no audit key ({key_file}): the chain cannot be checked"]

    monkeypatch.setenv("REFERWELL_AUDIT_KEY", "not the key it was chained with")
    problems = _verify(engine).problems
    assert "(positions 1-6): their HMACs do not match" in problems[0]


def test_a_head_file_that_is_not_one_is_a_problem(engine: Engine, tmp_path: Path) -> None:
    report = _verify(engine)
    (tmp_path / "heads" / f"{report.chain_id}.json").write_text("{", encoding="utf-8")

    (problem,) = _verify(engine).problems
    assert problem.startswith("the head kept outside the database cannot be read")


def test_the_key_is_made_in_the_data_folder_for_its_owner_only(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.delenv("REFERWELL_AUDIT_KEY")
    monkeypatch.delenv("REFERWELL_AUDIT_HEAD_DIR")
    monkeypatch.setenv("REFERWELL_DATA_DIR", str(data_dir))
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert not (data_dir / "audit_key").exists()
        _write(engine, [("ops-ann", [1])])

        key_file = data_dir / "audit_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert len(key_file.read_text().strip()) >= 64
        report = _verify(engine)
        assert report.intact, report.problems
        assert (data_dir / "audit_heads" / f"{report.chain_id}.json").is_file()
    finally:
        engine.dispose()
