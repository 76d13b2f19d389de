"""Faults of the surroundings are one line and exit 2, never a traceback, never a clinical value.

Each fault is real, not mocked: a read-only folder (as root, which ignores file modes,
an immutable one: `chattr +i`), a read-only database (SQLite's `mode=ro`), a full disk
(SQLite's `max_page_count`: the database cannot grow), a closed port for an unreachable
PostgreSQL, a text file for a database, an `alembic_version` a newer referwell wrote.
A refused command leaves no folder and no database behind.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from typer.testing import CliRunner

from referwell.cli.main import app
from referwell.db import migrate
from shipped_examples import EXAMPLES

runner = CliRunner()

EXAMPLE = EXAMPLES / "ex07-not-on-track.json"
CLINICIAN = "s1-clin00001"


def _env(data_dir: Path, url: str | None = None) -> dict[str, str | None]:
    return {
        "REFERWELL_DATA_DIR": str(data_dir),
        "REFERWELL_DATABASE_URL": url,
        "REFERWELL_CONFIG": None,
        "REFERWELL_SECRET_KEY": None,
    }


def _commands(url: str, tmp_path: Path) -> dict[str, list[str]]:
    """Every command that opens the database, with `url` as its --database."""
    return {
        "db upgrade": ["db", "upgrade", "--database", url],
        "screen": ["screen", "--database", url],
        "import": ["import", str(EXAMPLE), "--clinician", CLINICIAN, "--database", url],
        "export": ["export", "1", "--database", url],
        "export -o": ["export", "1", "-o", str(tmp_path / "out.json"), "--database", url],
        "serve": ["serve", "--database", url],
        "synth": ["synth", "caseload", "--clients", "3", "--seed", "2", "--database", url],
    }


COMMAND_NAMES = ["db upgrade", "screen", "import", "export", "export -o", "serve", "synth"]


def _one_line(result: Any) -> str:
    """The single line a refused command printed; fails on a traceback or anything more."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert not result.stdout
    return lines[0]


_TEMPLATE: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _template(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A small synthetic practice (clinician s1-clin00001), made once, for `_practice`."""
    template = tmp_path_factory.mktemp("faults-template") / "template.sqlite3"
    made = runner.invoke(
        app,
        ["synth", "caseload", "--clients", "3", "--seed", "1", "--database",
         f"sqlite:///{template}"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    _TEMPLATE[:] = [template]


def _practice(folder: Path, name: str = "practice.sqlite3") -> str:
    """A migrated SQLite database with the small synthetic practice, a copy of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    source, target = sqlite3.connect(_TEMPLATE[0]), sqlite3.connect(folder / name)
    try:
        source.backup(target)  # a consistent copy, its WAL included
    finally:
        source.close()
        target.close()
    return f"sqlite:///{folder / name}"


def _sqlite(url: str) -> sqlite3.Connection:
    return sqlite3.connect(url.removeprefix("sqlite:///"))


def _count(url: str, table: str) -> int:
    with _sqlite(url) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` (a folder or a file) read-only for real. Root ignores file modes, so as root
    it is made immutable (`chattr +i`); skipped where neither works."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], check=False).returncode:
        pytest.skip("no read-only folder here: root, and no `chattr +i` on this file system")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


@contextmanager
def disk_full_after(pages: Callable[[], int]) -> Iterator[None]:
    """Every SQLite connection opened meanwhile may grow its database to `pages()` pages
    and no further: SQLite answers SQLITE_FULL, "database or disk is full", as on a full
    disk."""

    def limit(dbapi_connection: Any, connection_record: Any) -> None:
        del connection_record
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages()}")

    event.listen(Engine, "connect", limit)
    try:
        yield
    finally:
        event.remove(Engine, "connect", limit)


# --- a malformed or unusable database URL ----------------------------------------------


@pytest.mark.parametrize("command", COMMAND_NAMES)
@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("not a url", "--database: the URL given is not a database URL"),
        ("mysql+nodriver://u:secret@db/x", "names a database referwell has no driver for"),
    ],
    ids=["malformed", "no-driver"],
)
def test_a_malformed_database_url_is_one_line_and_exit_2(
    tmp_path: Path, command: str, url: str, said: str
) -> None:
    result = runner.invoke(app, _commands(url, tmp_path)[command], env=_env(tmp_path / "data"))

    line = _one_line(result)
    assert said in line
    assert "sqlite:///PATH" in line
    assert "is it a referwell database" not in line
    assert "secret" not in line
    assert list(tmp_path.iterdir()) == []


def test_a_malformed_url_from_the_environment_is_refused_by_demo_too(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve"], env=_env(tmp_path / "d", "not a url"))

    assert "not a database URL" in _one_line(result)
    assert list(tmp_path.iterdir()) == []


# --- an unreachable PostgreSQL -----------------------------------------------------------


@pytest.mark.parametrize("command", COMMAND_NAMES)
def test_an_unreachable_postgresql_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    url = f"postgresql+psycopg://referwell:secret@127.0.0.1:{_free_port()}/referwell"

    result = runner.invoke(app, _commands(url, tmp_path)[command], env=_env(tmp_path / "data"))

    line = _one_line(result)
    assert line.startswith("cannot reach the database server of postgresql+psycopg://referwell:")
    assert "is it running" in line
    assert "secret" not in line
    assert list(tmp_path.iterdir()) == []


# --- a file that is not a database ---------------------------------------------------------


@pytest.mark.parametrize("command", COMMAND_NAMES)
def test_a_file_that_is_not_a_database_is_one_line_and_left_as_it_was(
    tmp_path: Path, command: str
) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("these are not the droids\n", encoding="utf-8")

    result = runner.invoke(
        app, _commands(f"sqlite:///{notes}", tmp_path)[command], env=_env(tmp_path / "data")
    )

    assert _one_line(result) == (
        f"{notes} is not a SQLite database, or it is damaged: name a referwell database with "
        "--database or REFERWELL_DATABASE_URL, or restore it from a backup"
    )
    assert notes.read_text(encoding="utf-8") == "these are not the droids\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite3"]


# --- a database newer than the code ----------------------------------------------------------


@pytest.mark.parametrize("command", [*COMMAND_NAMES, "demo"])
def test_a_database_newer_than_the_code_says_upgrade_referwell_not_db_upgrade(
    tmp_path: Path, command: str
) -> None:
    data = tmp_path / "data"
    url = _practice(data, "referwell.sqlite3")
    with _sqlite(url) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999'")
    arguments = ["demo", "--no-serve"] if command == "demo" else _commands(url, tmp_path)[command]

    result = runner.invoke(app, arguments, env=_env(data))

    line = _one_line(result)
    assert "is at schema revision 0999, which this referwell" in line
    assert "`referwell db upgrade` cannot help; upgrade referwell" in line
    assert migrate.current_revision(url) == "0999"  # untouched


# --- read-only: the database, its folder -------------------------------------------------------


@pytest.mark.parametrize("command", ["db upgrade", "demo", "synth"])
def test_a_read_only_folder_is_one_line_and_exit_2_and_nothing_is_made(
    tmp_path: Path, command: str
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    url = f"sqlite:///{folder / 'referwell.sqlite3'}"
    arguments = {
        "db upgrade": ["db", "upgrade", "--database", url],
        "demo": ["demo", "--no-serve"],
        "synth": ["synth", "caseload", "--clients", "3", "--seed", "2", "--database", url],
    }[command]

    with read_only(folder):
        result = runner.invoke(app, arguments, env=_env(folder))
        line = _one_line(result)

    assert line.startswith(f"cannot open {folder / 'referwell.sqlite3'}")
    assert list(folder.iterdir()) == []


def test_a_read_only_data_folder_for_a_new_database_makes_no_folders(tmp_path: Path) -> None:
    with read_only(tmp_path):
        result = runner.invoke(app, ["demo", "--no-serve"], env=_env(tmp_path / "new" / "data"))
        line = _one_line(result)

    assert str(tmp_path / "new") in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["read-only URI", "immutable file and folder"])
def test_import_into_a_read_only_database_is_one_line_and_exit_2(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "db"
    url = _practice(folder)
    # Leave no WAL behind: a read-only database must be whole in its file.
    with _sqlite(url) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _count(url, "clients")
    path = folder / "practice.sqlite3"
    if how == "read-only URI":
        result = runner.invoke(
            app,
            ["import", str(EXAMPLE), "--clinician", CLINICIAN,
             "--database", f"sqlite:///file:{path}?mode=ro&uri=true"],
        )  # fmt: skip
        line = _one_line(result)
    else:
        with ExitStack() as stack:
            for each in (*folder.iterdir(), folder):  # the WAL files beside it too
                stack.enter_context(read_only(each))
            result = runner.invoke(
                app, ["import", str(EXAMPLE), "--clinician", CLINICIAN, "--database", url]
            )
            line = _one_line(result)

    assert "cannot be written here" in line or line.startswith(f"cannot open {path}")
    assert _count(url, "clients") == before


@pytest.mark.parametrize("command", ["demo", "synth"])
def test_a_read_only_database_is_one_line_for_demo_and_synth(tmp_path: Path, command: str) -> None:
    path = tmp_path / "data" / "referwell.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    arguments = {
        "demo": ["demo", "--no-serve"],
        "synth": ["synth", "caseload", "--clients", "3", "--seed", "2", "--database", url],
    }[command]

    result = runner.invoke(app, arguments, env=_env(tmp_path / "data", url))

    assert "cannot be written here" in _one_line(result)
    assert _count(f"sqlite:///{path}", "practices") == 0


def test_db_upgrade_of_a_read_only_database_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    migrate.upgrade(f"sqlite:///{path}", "0008")
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    result = runner.invoke(
        app, ["db", "upgrade", "--database", f"sqlite:///file:{path}?mode=ro&uri=true"]
    )

    assert "cannot be written here" in _one_line(result)
    assert migrate.current_revision(f"sqlite:///{path}") == "0008"


# --- a full disk -----------------------------------------------------------------------------


def test_disk_full_during_import_is_one_line_and_exit_2_and_imports_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from referwell.services.clients import transfer

    url = _practice(tmp_path)
    cases = tmp_path / "cases"
    cases.mkdir()
    original = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for number in range(40):
        case = {**original, "id": f"full-{number:03d}"}
        (cases / f"case-{number:03d}.json").write_text(json.dumps(case), encoding="utf-8")
    before = _count(url, "clients")
    with _sqlite(url) as connection:
        # No free pages left by the migrations: the import must grow the file to write.
        connection.execute("VACUUM")
        pages = int(connection.execute("PRAGMA page_count").fetchone()[0])
    # Batches of two clients: some are written before the disk is full.
    monkeypatch.setattr(transfer, "BATCH_CLIENTS", 2)
    monkeypatch.setattr(transfer, "PAUSE_SECONDS", 0)
    monkeypatch.setattr(transfer, "BATCH_SECONDS", 600)

    with disk_full_after(lambda: pages + 12):
        result = runner.invoke(
            app, ["import", str(cases), "--clinician", CLINICIAN, "--database", url]
        )

    line = _one_line(result)
    assert line == (
        f"{tmp_path / 'practice.sqlite3'}: the disk is full (or the database reached its size "
        "limit); nothing was saved. Free some space, then try again"
    )
    assert "full-0" not in line  # never the values a statement carried
    assert _count(url, "clients") == before
    with _sqlite(url) as connection:
        status, written = connection.execute("SELECT status, clients FROM imports").fetchone()
    assert status == "failed"
    assert written > 0  # it failed midway, after batches were written: they are gone


@pytest.mark.parametrize("command", ["db upgrade", "demo", "synth"])
def test_a_full_disk_while_making_a_database_leaves_no_folder_and_no_database(
    tmp_path: Path, command: str
) -> None:
    data = tmp_path / "new" / "data"
    url = f"sqlite:///{data / 'referwell.sqlite3'}"
    arguments = {
        "db upgrade": ["db", "upgrade", "--database", url],
        "demo": ["demo", "--no-serve"],
        "synth": ["synth", "caseload", "--clients", "50", "--seed", "2", "--database", url],
    }[command]

    with disk_full_after(lambda: 20):
        result = runner.invoke(app, arguments, env=_env(data))

    assert "the disk is full" in _one_line(result)
    assert list(tmp_path.iterdir()) == []


# --- a locked database -------------------------------------------------------------------------


def test_an_import_into_a_database_locked_too_long_is_one_line_and_imports_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from referwell.db import engine

    url = _practice(tmp_path)
    before = _count(url, "clients")
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, for longer than we wait
    try:
        result = runner.invoke(
            app, ["import", str(EXAMPLE), "--clinician", CLINICIAN, "--database", url]
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    line = _one_line(result)
    assert line.startswith(f"{tmp_path / 'practice.sqlite3'} is busy: another writer")
    assert _count(url, "clients") == before


# --- import and export ---------------------------------------------------------------------------


def test_the_same_id_twice_in_one_import_names_both_files(tmp_path: Path) -> None:
    url = _practice(tmp_path)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    shutil.copyfile(EXAMPLE, first)
    shutil.copyfile(EXAMPLE, second)

    result = runner.invoke(
        app, ["import", str(first), str(second), "--clinician", CLINICIAN, "--database", url]
    )

    assert _one_line(result) == (
        f'{second}: id: case "ex07" is also in {first}; give each case its own id'
    )
    assert _count(url, "clients") == 3


def test_export_into_a_missing_folder_audits_nothing(tmp_path: Path) -> None:
    url = _practice(tmp_path)
    entries = _count(url, "audit_log")
    target = tmp_path / "missing" / "ex.json"

    result = runner.invoke(app, ["export", "1", "-o", str(target), "--database", url])

    assert _one_line(result) == (
        f"--output: the folder {tmp_path / 'missing'} does not exist; nothing was exported"
    )
    assert _count(url, "audit_log") == entries
    assert not (tmp_path / "missing").exists()


def test_export_into_a_read_only_folder_audits_nothing(tmp_path: Path) -> None:
    url = _practice(tmp_path)
    entries = _count(url, "audit_log")
    folder = tmp_path / "out"
    folder.mkdir()

    with read_only(folder):
        result = runner.invoke(
            app, ["export", "1", "-o", str(folder / "ex.json"), "--database", url]
        )
        line = _one_line(result)

    assert line.startswith(str(folder))
    assert _count(url, "audit_log") == entries
    assert list(folder.iterdir()) == []


def test_an_export_that_is_refused_leaves_no_file(tmp_path: Path) -> None:
    url = _practice(tmp_path)

    result = runner.invoke(
        app, ["export", "no-such-case", "-o", str(tmp_path / "ex.json"), "--database", url]
    )

    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["practice.sqlite3"] + [
        p.name for p in tmp_path.glob("practice.sqlite3-*")
    ]


# --- the sentence, never the driver's text --------------------------------------------------------


def test_a_refused_write_never_prints_the_values_it_carried() -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import IntegrityError

    from referwell.cli.faults import explain

    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (note TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO t VALUES (:note)"), {"note": "hears voices"})
        with pytest.raises(IntegrityError) as refused:
            connection.execute(text("INSERT INTO t VALUES (:note)"), {"note": "hears voices"})
    assert "hears voices" in str(refused.value)  # SQLAlchemy quotes the parameters

    said = explain(refused.value, "sqlite:///x.sqlite3")

    assert said is not None
    assert "hears voices" not in said
    assert said.startswith("x.sqlite3 refused the write") or "refused the write" in said
