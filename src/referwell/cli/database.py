"""`referwell db`: the practice database's schema."""

from __future__ import annotations

from referwell.cli.common import DatabaseOption, database_url, err, migrate_database, shown
from referwell.cli.helpstyle import App

db_app = App(help="The practice database.")


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOption = None) -> None:
    """Migrate the database to the newest schema (creating a SQLite file if there is none).

    It also removes what an import killed before it finished had written. A database a
    newer referwell migrated is refused (exit 2): only a newer referwell can open it.
    """
    url = database_url(database)
    before, after = migrate_database(url)
    if before == after:
        err.print(f"{shown(url)} is up to date ({after})", markup=False)
    else:
        err.print(f"{shown(url)} migrated from {before or 'empty'} to {after}", markup=False)
