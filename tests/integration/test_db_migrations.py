"""The migrations build what the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from referwell.db import migrate
from referwell.db.base import Base
from referwell.db.engine import make_engine


def test_an_empty_database_migrates_to_head_and_matches_the_models(database_url: str) -> None:
    assert migrate.current_revision(database_url) is None

    migrate.upgrade(database_url)

    assert migrate.current_revision(database_url) == migrate.head_revision()
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": False}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrading_twice_changes_nothing(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)

    assert migrate.current_revision(database_url) == migrate.head_revision()


def test_downgrade_to_base_leaves_no_table_behind(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.downgrade(database_url, "base")

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(database_url)  # and back up: the downgrade left nothing in the way


def test_sqlite_engines_use_wal_foreign_keys_and_a_busy_timeout(
    database_url: str, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite pragmas")
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()


def test_a_sqlite_data_directory_is_made_when_missing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'deeper' / 'referwell.sqlite3'}"

    migrate.upgrade(url)

    assert (tmp_path / "var" / "deeper" / "referwell.sqlite3").exists()


def test_a_failed_migration_leaves_the_database_as_it_was(database_url: str) -> None:
    """Migrations run in one transaction on both backends (SQLite DDL included)."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            # A table the first migration will try to create: it fails part-way.
            connection.execute(text("CREATE TABLE client_steps (id INTEGER PRIMARY KEY)"))
        with pytest.raises(Exception, match="client_steps"):
            migrate.upgrade(database_url)
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"client_steps"}
    finally:
        engine.dispose()
    assert migrate.current_revision(database_url) is None


def test_the_comparison_would_notice_a_missing_index(database_url: str) -> None:
    """Guards the test above against comparing nothing with nothing."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_clients_clinician_id"))
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert [change[0] for change in diff] == ["add_index"]
