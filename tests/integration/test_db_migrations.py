"""The migrations build what the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
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


def test_revision_0005_raises_settings_below_their_safety_floors_and_audits_it(
    database_url: str,
) -> None:
    """A practice that set a safety window to nothing gets the floor, on record and audited;
    a changed setting with no record gets one that says so."""
    migrate.upgrade(database_url, "0004")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO practices (name, rule_settings, created_at) VALUES (:n, :s, :t)"),
                {
                    "n": "Low windows",
                    "s": '{"threat_window_days": 0, "suicide_downgrade_after_days": 3, '
                    '"attendance_window": 12}',
                    "t": "2026-11-01 00:00:00",
                },
            )
            connection.execute(
                text("INSERT INTO practices (name, rule_settings, created_at) VALUES (:n, :s, :t)"),
                {"n": "Defaults", "s": "{}", "t": "2026-11-01 00:00:00"},
            )
        migrate.upgrade(database_url)
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT name, rule_settings FROM practices")).all())
            low = rows["Low windows"]
            low = json.loads(low) if isinstance(low, str) else low
            # 7 days is also the default: the practice simply follows it again.
            assert low == {"threat_window_days": 14, "attendance_window": 12}
            records = {
                name: (value, set_by, reason)
                for name, value, set_by, reason in connection.execute(
                    text("SELECT name, value, set_by, reason FROM practice_setting_changes")
                )
            }
            assert records["threat_window_days"][:2] == (14, "referwell")
            assert "raised from 0 to the safety floor of 14" in records["threat_window_days"][2]
            assert "suicide_downgrade_after_days" not in records
            assert records["attendance_window"] == (12, "", "(set before reasons were recorded)")
            audited = connection.execute(
                text(
                    "SELECT actor, actor_kind, action, target_type FROM audit_log "
                    "WHERE action = 'practice:settings:update'"
                )
            ).all()
            assert [tuple(row) for row in audited] == [
                ("referwell", "system", "practice:settings:update", "practice")
            ]
    finally:
        engine.dispose()
    migrate.downgrade(database_url, "0004")
    migrate.upgrade(database_url)


def test_revision_0006_moves_current_care_to_rows_and_opens_an_episode_per_client(
    database_url: str,
) -> None:
    """Current care leaves the JSON column for rows that can be marked in error; each client
    gets an open episode from its earliest dated entry (or its creation, when earlier)."""
    migrate.upgrade(database_url, "0005")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO practices (name, rule_settings, created_at) VALUES ('P', '{}', :t)"
                ),
                {"t": "2026-11-01 00:00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO users (practice_id, username, display_name, role, active, created_at) "
                    "SELECT id, 'c', 'C', 'clinician', true, :t FROM practices"
                ),
                {"t": "2026-11-01 00:00:00"},
            )
            for external_id, care, created in (
                ("a", '["psychiatry", "primary_care"]', "2026-11-10 09:00:00"),
                ("b", "[]", "2026-06-01 09:00:00"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO clients (practice_id, clinician_id, external_id, display_name,"
                        " age, languages, insurance, preferences, current_care, engagement,"
                        " wants_to_end, format_of_care, created_at, updated_at, case_version) "
                        "SELECT p.id, u.id, :e, 'X', 30, '[]', '[]', '{}', :care, 'active', false,"
                        " 'individual', :t, :t, 1 FROM practices p, users u"
                    ),
                    {"e": external_id, "care": care, "t": created},
                )
            connection.execute(
                text(
                    "INSERT INTO client_sessions (client_id, date, attendance) "
                    "SELECT id, '2026-09-02', 'attended' FROM clients WHERE external_id = 'a'"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO client_concerns (client_id, code) "
                    "SELECT id, 'depression' FROM clients"
                )
            )
        migrate.upgrade(database_url)
        with engine.connect() as connection:
            care = connection.execute(
                text(
                    "SELECT c.external_id, cc.service FROM client_current_care cc "
                    "JOIN clients c ON c.id = cc.client_id ORDER BY cc.id"
                )
            ).all()
            assert [tuple(row) for row in care] == [("a", "psychiatry"), ("a", "primary_care")]
            episodes = connection.execute(
                text(
                    "SELECT c.external_id, e.opened_on, e.closed_on, c.discharged_on "
                    "FROM client_episodes e JOIN clients c ON c.id = e.client_id "
                    "ORDER BY c.external_id"
                )
            ).all()
            assert [(row[0], str(row[1]), row[2], row[3]) for row in episodes] == [
                ("a", "2026-09-02", None, None),
                ("b", "2026-06-01", None, None),
            ]
        # A code marked in error may be entered again: the unique index covers open entries only.
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE client_concerns SET in_error_at = :t, in_error_reason = 'wrong'"),
                {"t": "2026-11-20 10:00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO client_concerns (client_id, code) "
                    "SELECT id, 'depression' FROM clients"
                )
            )
    finally:
        engine.dispose()
    migrate.downgrade(database_url, "0005")
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT external_id, current_care FROM clients ORDER BY external_id")
            ).all()
            decoded = [
                (name, json.loads(care) if isinstance(care, str) else care) for name, care in rows
            ]
            assert decoded == [("a", ["psychiatry", "primary_care"]), ("b", [])]
            # The concerns marked in error leave with their marks; the open ones stay.
            assert connection.execute(text("SELECT count(*) FROM client_concerns")).scalar() == 2
    finally:
        engine.dispose()
    migrate.upgrade(database_url)
