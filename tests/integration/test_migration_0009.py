"""Revision 0009 (server-side sessions, sign-in throttling, API token expiry) on existing data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text

from referwell.db import migrate
from referwell.db.engine import make_engine


def test_revision_0009_gives_every_existing_api_token_an_expiry_and_downgrades_cleanly(
    database_url: str,
) -> None:
    migrate.upgrade(database_url, "0008")
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
            connection.execute(
                text(
                    "INSERT INTO api_tokens (user_id, token_hash, created_at) "
                    "SELECT id, :h, :t FROM users"
                ),
                {"h": "a" * 64, "t": "2026-01-01 00:00:00"},
            )
        upgraded_at = datetime.now(UTC)
        migrate.upgrade(database_url, "0009")
        with engine.connect() as connection:
            (expires,) = connection.execute(text("SELECT expires_at FROM api_tokens")).scalars()
            if isinstance(expires, str):  # SQLite: naive UTC text
                expires = datetime.fromisoformat(expires)
            expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
            assert abs(expires - (upgraded_at + timedelta(days=90))) < timedelta(minutes=5)
            tables = set(inspect(connection).get_table_names())
            assert {"web_sessions", "sign_in_throttles"} <= tables

        migrate.downgrade(database_url, "0008")
        with engine.connect() as connection:
            inspector = inspect(connection)
            assert not {"web_sessions", "sign_in_throttles"} & set(inspector.get_table_names())
            columns = {column["name"] for column in inspector.get_columns("api_tokens")}
            assert "expires_at" not in columns
            assert connection.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1
    finally:
        engine.dispose()
    migrate.upgrade(database_url)
