"""Alembic migrations run from the installed package: `upgrade`, `current_revision`, `head_revision`.

The migration scripts live in `referwell/db/migrations/`; no `alembic.ini` is
needed at run time. For writing a new migration during development:

    alembic -c src/referwell/db/alembic.ini revision --autogenerate -m "what changed"

(with `REFERWELL_DATABASE_URL` or `-x url=...` naming a database at head).
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from referwell.db.engine import make_engine

SCRIPT_LOCATION = "referwell.db:migrations"


def alembic_config(
    database_url: str | None = None, *, connection: Connection | None = None
) -> Config:
    """An Alembic configuration for the packaged migrations and this database.

    Give a URL, or an open `connection` to migrate inside its transaction.
    """
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    # Passed as attributes, not main options: a URL may hold `%`, which the
    # ini-style options would try to interpolate.
    config.attributes["database_url"] = database_url
    config.attributes["connection"] = connection
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at `database_url` to `revision` (the newest by default)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrate the database at `database_url` back to `revision` (`base`: empty)."""
    command.downgrade(alembic_config(database_url), revision)


def current_revision(database_url: str) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def is_known(revision: str) -> bool:
    """Whether the packaged migrations know `revision` (a database at one they do not was
    migrated by a newer referwell: `upgrade` cannot help, only a newer referwell can)."""
    script = ScriptDirectory.from_config(alembic_config())
    return revision in {known.revision for known in script.walk_revisions()}


def head_revision() -> str:
    """The newest revision the packaged migrations know."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the packaged migrations have no revisions")
    return head
