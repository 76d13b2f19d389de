"""An import writes in bounded batches and stays all or nothing, on SQLite and PostgreSQL.

A failure midway removes what it wrote; its clients are nobody's until it finishes; a
second import while one runs exits 2 in one line; Ctrl-C removes what was written; a
killed import is cleaned up by the next one (or `referwell db upgrade`). The runs that
must be killed or interrupted are real `referwell import` processes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, make_url, select, text
from typer.testing import CliRunner

from referwell.cli.main import app
from referwell.db import cases as db_cases
from referwell.db import migrate
from referwell.db.audit import AuditEntry
from referwell.db.engine import Database, make_engine, make_session_factory
from referwell.db.import_runs import ImportRun
from referwell.db.imports import clean_abandoned_imports
from referwell.db.models import Client, ClinicianCompetency, User
from referwell.domain.errors import InvalidInput
from referwell.services.clients import transfer
from referwell.services.errors import NotFound
from referwell.services.permissions import Operator, Person, client_access
from referwell.services.synthetic.practice import synth_practice, write_database

runner = CliRunner()
CLINICIAN = "s1-clin00001"
ACTOR = Operator("importer")


@pytest.fixture(scope="session")
def practice_template(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> str:
    """A migrated database with a small synthetic practice (clinician s1-clin00001), made
    once per backend and test process, for `practice_url` to copy."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('imports') / 'template.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_databases").create()
    migrate.upgrade(url)
    with Database(url) as database:
        write_database(database.unit_of_work(), synth_practice(2, 1), actor=ACTOR)
    return url


@pytest.fixture
def practice_url(
    backend: str, practice_template: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A copy of the template practice for this test alone."""
    if backend == "sqlite":
        target = tmp_path / "practice.sqlite3"
        source = sqlite3.connect(practice_template.removeprefix("sqlite:///"))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        yield f"sqlite:///{target}"
        return
    databases = request.getfixturevalue("postgres_databases")
    url = databases.create()
    name, template = make_url(url).database, make_url(practice_template).database
    admin = make_engine(make_url(url).set(database="postgres"))
    try:
        with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()
    yield url
    databases.drop(url)


@pytest.fixture
def engine_of(practice_url: str) -> Iterator[Engine]:
    engine = make_engine(practice_url)
    yield engine
    engine.dispose()


def _cases(count: int, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    """`count` synthetic cases, each with its own id and a clinician code of its own."""
    found = []
    for number, case in enumerate(synth_practice(count, 7).cases()):
        found.append((f"{prefix}/{number:04d}.json", {**case, "id": f"{prefix}-{number:04d}"}))
    return found


def _case_files(folder: Path, count: int, prefix: str) -> Path:
    folder.mkdir()
    for name, case in _cases(count, prefix):
        (folder / Path(name).name).write_text(json.dumps(case), encoding="utf-8")
    return folder


def _scalar(engine: Engine, query: Any) -> Any:
    with make_session_factory(engine)() as session:
        return session.scalar(query)


def _clients(engine: Engine) -> int:
    return int(_scalar(engine, select(func.count()).select_from(Client)) or 0)


def _runs(engine: Engine) -> list[tuple[str, int]]:
    with make_session_factory(engine)() as session:
        return [
            (run.status, run.clients)
            for run in session.scalars(select(ImportRun).order_by(ImportRun.id))
        ]


def _competencies(engine: Engine) -> int:
    return int(_scalar(engine, select(func.count()).select_from(ClinicianCompetency)) or 0)


def _import(url: str, cases: list[tuple[str, dict[str, Any]]], **options: Any) -> Any:
    with Database(url) as database:
        return transfer.import_cases(database, cases, clinician=CLINICIAN, actor=ACTOR, **options)


def test_an_import_that_fails_midway_leaves_nothing(
    practice_url: str, engine_of: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, competencies = _clients(engine_of), _competencies(engine_of)
    entries = _scalar(engine_of, select(func.count()).select_from(AuditEntry))
    monkeypatch.setattr(transfer, "BATCH_CLIENTS", 4)
    monkeypatch.setattr(transfer, "PAUSE_SECONDS", 0)
    monkeypatch.setattr(transfer, "BATCH_SECONDS", 600)  # batches by count alone, however slow
    real_import_case = db_cases.import_case
    calls = 0

    def failing(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 15:  # in the fourth batch: three are written
            raise RuntimeError("the power went")
        return real_import_case(*args, **kwargs)

    monkeypatch.setattr(db_cases, "import_case", failing)

    with pytest.raises(RuntimeError, match="the power went"):
        _import(practice_url, _cases(30, "mid"), clinician_profile="replace")

    assert _clients(engine_of) == before
    assert _runs(engine_of) == [("failed", 12)]
    assert _competencies(engine_of) == competencies  # the profile is changed only at the end
    assert _scalar(engine_of, select(func.count()).select_from(AuditEntry)) == entries


def test_an_import_in_batches_writes_every_case_and_audits_once(
    practice_url: str, engine_of: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH_CLIENTS", 4)
    monkeypatch.setattr(transfer, "PAUSE_SECONDS", 0)
    monkeypatch.setattr(transfer, "BATCH_SECONDS", 600)  # batches by count alone, however slow
    before = _clients(engine_of)
    heard: list[int] = []

    imported = _import(practice_url, _cases(10, "ok"), progress=heard.append)

    assert len(imported.client_ids) == 10
    assert heard == [4, 8, 10]
    assert _clients(engine_of) == before + 10
    assert _runs(engine_of) == [("done", 10)]
    assert _scalar(engine_of, select(func.count()).where(Client.import_id.is_not(None))) == 0
    actions = _scalar(
        engine_of,
        select(func.count()).where(
            AuditEntry.action == "client:import", AuditEntry.actor == "importer"
        ),
    )
    assert actions == 1


def test_an_imports_clients_are_nobodys_until_it_finishes(
    practice_url: str, engine_of: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BATCH_CLIENTS", 3)
    monkeypatch.setattr(transfer, "PAUSE_SECONDS", 0)
    monkeypatch.setattr(transfer, "BATCH_SECONDS", 600)  # batches by count alone, however slow
    with make_session_factory(engine_of)() as session:
        clinician = session.scalars(select(User).where(User.username == CLINICIAN)).one()
        person = Person.from_user(clinician)
    seen: list[str] = []

    def look(done: int) -> None:
        if done != 3:
            return
        with make_session_factory(engine_of)() as session:
            tagged = session.scalars(select(Client.id).where(Client.import_id.is_not(None))).all()
            assert len(tagged) == 3
            for client_id in tagged:
                with pytest.raises(NotFound):
                    client_access(session, person, client_id)
        with Database(practice_url) as database, pytest.raises(InvalidInput):
            transfer.export_case(
                database.unit_of_work(), "seen-0000", actor=ACTOR, as_of=date.today()
            )
        seen.append("looked")

    _import(practice_url, _cases(5, "seen"), progress=look)

    assert seen == ["looked"]


def test_the_same_id_twice_is_refused_before_anything_is_written(
    practice_url: str, engine_of: Engine
) -> None:
    cases = _cases(3, "twice")
    cases.append(("again.json", cases[1][1]))

    with pytest.raises(InvalidInput) as refused:
        _import(practice_url, cases)

    assert [str(error) for error in refused.value.errors] == [
        'again.json: id: case "twice-0001" is also in twice/0001.json; give each case its own id'
    ]
    assert _runs(engine_of) == []


def test_db_upgrade_removes_what_a_killed_import_wrote(
    practice_url: str, engine_of: Engine
) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with make_session_factory(engine_of)() as session:
        clinician = session.scalars(select(User).where(User.username == CLINICIAN)).one()
        run = ImportRun(
            status="running", started_by="someone", host=socket.gethostname(), pid=dead.pid
        )
        session.add(run)
        session.flush()
        for _, case in _cases(3, "killed"):
            db_cases.import_case(
                session,
                clinician.practice_id,
                clinician.id,
                case,
                display_name="Invented Name",
                clinician_profile="keep",
                import_id=run.id,
            )
        session.commit()
    before = _clients(engine_of)

    result = runner.invoke(app, ["db", "upgrade", "--database", practice_url])

    assert result.exit_code == 0, result.output
    assert "removed the 3 clients written by imports that did not finish" in result.stderr
    assert _clients(engine_of) == before - 3
    assert _runs(engine_of) == [("failed", 0)]


def test_a_live_import_is_never_cleaned_up(practice_url: str, engine_of: Engine) -> None:
    with make_session_factory(engine_of)() as session:
        session.add(
            ImportRun(
                status="running", started_by="me", host=socket.gethostname(), pid=os.getppid()
            )
        )
        session.commit()

    cleaned = clean_abandoned_imports(engine_of)

    if engine_of.dialect.name == "sqlite":  # the parent process lives: it is running
        assert cleaned.import_ids == ()
        assert _runs(engine_of) == [("running", 0)]
    else:  # nobody holds the import lock: the row is abandoned whatever its process
        assert _runs(engine_of) == [("failed", 0)]


# --- real processes: a second import, Ctrl-C, a kill ------------------------------------------


def _start_import(url: str, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        # Ctrl-C raises KeyboardInterrupt, even where the tests run with SIGINT ignored.
        [sys.executable, "-c", "import signal; signal.signal(signal.SIGINT, "
         "signal.default_int_handler); from referwell.cli.main import run; run()",
         "import", str(folder), "--clinician", CLINICIAN, "--database", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for(check: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if check():
            return
        if process.poll() is not None:
            raise AssertionError(f"the import ended first: {process.communicate()}")
        time.sleep(0.05)
    raise AssertionError("the import did not start writing within 60 s")


def _writing(engine: Engine) -> Callable[[], bool]:
    return lambda: any(status == "running" and n > 0 for status, n in _runs(engine))


def test_a_second_import_while_one_runs_exits_2_and_ctrl_c_leaves_nothing(
    practice_url: str, engine_of: Engine, tmp_path: Path
) -> None:
    before = _clients(engine_of)
    first = _start_import(practice_url, _case_files(tmp_path / "first", 300, "first"))
    try:
        _wait_for(_writing(engine_of), first)
        first.send_signal(signal.SIGSTOP)  # still running, and certainly not done meanwhile
        second = runner.invoke(
            app,
            ["import", str(_case_files(tmp_path / "second", 2, "second")),
             "--clinician", CLINICIAN, "--database", practice_url],
        )  # fmt: skip
        first.send_signal(signal.SIGINT)  # Ctrl-C
        first.send_signal(signal.SIGCONT)
        said = first.communicate(timeout=60)
    finally:
        first.kill()
        first.wait()

    assert second.exit_code == 2, second.output
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("another import (import 1, begun ")
    assert lines[0].endswith("; nothing was imported. Try again when it ends")
    assert first.returncode != 0, said
    assert _clients(engine_of) == before
    assert _runs(engine_of)[0][0] == "failed"


def test_a_killed_import_is_cleaned_up_by_the_next_import(
    practice_url: str, engine_of: Engine, tmp_path: Path
) -> None:
    before = _clients(engine_of)
    killed = _start_import(practice_url, _case_files(tmp_path / "killed", 300, "killed"))
    try:
        _wait_for(_writing(engine_of), killed)
    finally:
        killed.kill()
        killed.wait()
    assert _clients(engine_of) > before  # it had written some (nobody sees them)
    if engine_of.dialect.name == "postgresql":  # until the server notices its client went
        _wait_for_no_import_lock(engine_of)

    result = runner.invoke(
        app,
        ["import", str(_case_files(tmp_path / "next", 2, "next")),
         "--clinician", CLINICIAN, "--database", practice_url],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert _clients(engine_of) == before + 2
    assert [status for status, _ in _runs(engine_of)] == ["failed", "done"]


def _wait_for_no_import_lock(engine: Engine) -> None:
    deadline = time.monotonic() + 30
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            held = connection.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
            )
            connection.rollback()
            if not held:
                return
            time.sleep(0.05)
    raise AssertionError("the killed import's lock was not let go within 30 s")


def test_migrating_adds_the_import_columns_and_back(database_url: str) -> None:
    migrate.upgrade(database_url, "0011")
    migrate.downgrade(database_url, "0010")
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert _runs(engine) == []
    finally:
        engine.dispose()
