"""Alembic environment for referwell: the URL or connection comes from `migrate.alembic_config`.

Run through the `alembic` command line (development), the URL comes from
`-x url=...`, else from referwell's settings (`REFERWELL_DATABASE_URL` …).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from referwell.db.base import Base
from referwell.db.engine import make_engine

# Registers every table on Base.metadata.
from referwell.db import models  # noqa: F401  # isort: skip

config = context.config


def _database_url() -> str:
    url = config.attributes.get("database_url") or context.get_x_argument(as_dictionary=True).get(
        "url"
    )
    if url:
        return str(url)
    from referwell.config import load_locations

    return load_locations().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters most things by copying the table: batch mode does that.
        render_as_batch=True,
        # make_engine gives SQLite real transactions: a failed migration leaves nothing behind.
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken after migrating: {broken[:5]}")


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Foreign keys off while migrating: SQLite batch mode drops and recreates
    # tables, and with them on, dropping a parent would cascade to its children.
    # _run checks every foreign key afterwards instead.
    engine = make_engine(_database_url(), foreign_keys=False)
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
