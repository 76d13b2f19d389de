"""`referwell demo` says when the demo was seeded; `--reset` reseeds it for today, and
removes only the demo's own database."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from referwell.cli.main import app
from referwell.db import migrate
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.models import Client, Practice
from referwell.db.uow import UnitOfWork
from referwell.services.permissions import Operator
from referwell.services.synthetic.demo import DEMO_PRACTICE, demo_seeded_on, seed_demo

runner = CliRunner()
RESET_HINT = "Run `referwell demo --reset` to reseed it for today."


def _env(data_dir: Path, **more: str | None) -> dict[str, str | None]:
    return {
        "REFERWELL_DATA_DIR": str(data_dir),
        "REFERWELL_DATABASE_URL": None,
        "REFERWELL_CONFIG": None,
        **more,
    }


def _url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'referwell.sqlite3'}"


def _seed_on(data_dir: Path, day: date) -> None:
    url = _url(data_dir)
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        seed = seed_demo(UnitOfWork(make_session_factory(engine)), actor=Operator("t"), today=day)
    finally:
        engine.dispose()
    assert seed.seeded
    assert seed.seeded_on == day


def _practices(data_dir: Path) -> dict[str, int]:
    engine = make_engine(_url(data_dir))
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(
                select(Practice.name, func.count(Client.id))
                .join(Client, Client.practice_id == Practice.id, isouter=True)
                .group_by(Practice.name)
            )
            return {str(row[0]): int(row[1]) for row in rows}
    finally:
        engine.dispose()


def _seeded_on(data_dir: Path) -> date | None:
    engine = make_engine(_url(data_dir))
    try:
        return demo_seeded_on(UnitOfWork(make_session_factory(engine)))
    finally:
        engine.dispose()


def test_a_fresh_demo_says_it_was_seeded_today(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve"], env=_env(tmp_path / "data"))

    assert result.exit_code == 0, result.output
    today = date.today().isoformat()
    assert f"The demo practice was seeded on {today}; its dates count back from that day." in (
        result.stdout
    )
    assert RESET_HINT not in result.stdout
    assert _seeded_on(tmp_path / "data") == date.today()


def test_an_older_demo_says_its_day_and_reset_reseeds_it_for_today(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    old = date.today() - timedelta(days=45)
    _seed_on(data_dir, old)

    shown = runner.invoke(app, ["demo", "--no-serve"], env=_env(data_dir))
    assert shown.exit_code == 0, shown.output
    assert "The demo practice is already in" in shown.stdout
    assert (
        f"The demo practice was seeded on {old.isoformat()}; its dates count back from that "
        f"day. {RESET_HINT}"
    ) in shown.stdout

    reset = runner.invoke(app, ["demo", "--no-serve", "--reset"], env=_env(data_dir))
    assert reset.exit_code == 0, reset.output
    assert "Seeded the demo practice: 60 clients" in reset.stdout
    assert f"seeded on {date.today().isoformat()}" in reset.stdout
    assert RESET_HINT not in reset.stdout
    assert _practices(data_dir) == {DEMO_PRACTICE: 60}
    assert _seeded_on(data_dir) == date.today()
    assert not (data_dir / "secret_key").exists()  # only the web app makes it


def test_reset_on_no_database_seeds_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--reset"], env=_env(tmp_path / "data"))
    assert result.exit_code == 0, result.output
    assert "Seeded the demo practice: 60 clients" in result.stdout


def test_reset_is_refused_for_a_database_named_elsewhere(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    other = tmp_path / "other.sqlite3"

    result = runner.invoke(
        app,
        ["demo", "--no-serve", "--reset"],
        env=_env(data_dir, REFERWELL_DATABASE_URL=f"sqlite:///{other}"),
    )

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("--reset: ")
    assert str(other) in result.stderr
    assert not other.exists()
    assert not data_dir.exists()


def test_reset_is_refused_when_the_database_holds_another_practice(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    synth = runner.invoke(
        app, ["synth", "caseload", "--clients", "5", "--seed", "3"], env=_env(data_dir)
    )
    assert synth.exit_code == 0, synth.output

    result = runner.invoke(app, ["demo", "--no-serve", "--reset"], env=_env(data_dir))

    assert result.exit_code == 2, result.output
    assert "--reset: " in result.stderr
    assert "not the demo's" in result.stderr
    assert list(_practices(data_dir).values()) == [5]
