"""Every revision upgrades with data in it, and downgrades, losing nothing.

One database per backend walks the whole chain: at each revision a row goes into every
table that is still empty (raw SQL built from the reflected columns, so the rows are that
revision's own, not today's models'), and one more audit entry; then it upgrades to the
next revision. Each step must keep every row of the tables it had, so every migration runs
with data from every revision before it. Then it goes down again one revision at a time,
each step keeping the rows of the tables the lower revision has, and back up to head,
where the counts are those of the first ascent and the audit log verifies (the entries
made before revision 0010 are chained by it). On SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    func,
    inspect,
    select,
)

from referwell.db import audit_chain, migrate
from referwell.db.engine import make_engine

REVISIONS = [
    script.revision
    for script in reversed(
        list(ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions())
    )
]
DICT_COLUMNS = {"rule_settings", "preferences", "settings", "result", "display"}
# Columns whose JSON a migration reads as a list of codes: given one, so it has work to do.
CODE_LISTS = {"current_care": ["psychiatry"], "languages": ["en"], "insurance": ["medicaid"]}
WHEN = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
DAY = date(2026, 1, 5)


@pytest.fixture(autouse=True)
def _own_audit_heads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REFERWELL_AUDIT_HEAD_DIR", str(tmp_path / "heads"))


def _constrained_values(connection: Connection, table: Table) -> dict[str, Any]:
    """A value each CHECK constraint accepts, by column (one column per check here)."""
    values: dict[str, Any] = {}
    for check in inspect(connection).get_check_constraints(table.name):
        sql = check["sqltext"]
        for column in table.columns:
            if not re.search(rf"\b{column.name}\b", sql):
                continue
            literal = re.search(r"'([^']*)'", sql)
            number = re.search(r"(?:BETWEEN|>=|=)\s*\(?(-?\d+)", sql, re.IGNORECASE)
            if literal:
                values[column.name] = literal.group(1)
            elif number:
                values[column.name] = int(number.group(1))
    return values


def _value(table: Table, column: Any, ids: dict[str, int], checked: dict[str, Any]) -> Any:
    if column.name in checked:
        return checked[column.name]
    for foreign_key in column.foreign_keys:
        referred = foreign_key.column.table.name
        if referred in ids:
            return ids[referred]
        return None  # a table with no row yet (itself): nullable in this schema
    kind = column.type
    if isinstance(kind, JSON):
        if column.name in CODE_LISTS:
            return CODE_LISTS[column.name]
        return {} if column.name in DICT_COLUMNS else []
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return WHEN
    if isinstance(kind, Date):
        return DAY
    if isinstance(kind, Integer | BigInteger | Numeric | Float):
        return 1
    if isinstance(kind, LargeBinary):
        return b"x"
    if isinstance(kind, String):
        text = f"{table.name[:12]}-{column.name}"
        return text[: kind.length] if kind.length else text
    raise AssertionError(f"{table.name}.{column.name}: no value for {kind!r}")


def _fill(connection: Connection, revision: str) -> None:
    """A row in every table the schema at `revision` has, in foreign key order."""
    metadata = MetaData()
    metadata.reflect(connection)
    ids: dict[str, int] = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        if table.name == "audit_log" and "seq" in table.columns:
            entry = {"actor": "ops", "actor_kind": "os_user", "action": "client:read"}
            audit_chain.append_entries(connection, [{**entry, "target_ids": [1]}])
            continue
        if (
            table.name != "audit_log"
            and connection.execute(select(func.count()).select_from(table)).scalar_one()
        ):
            if len(table.primary_key) == 1:  # filled before, or by a migration: refer to it
                (key,) = table.primary_key.columns
                ids[table.name] = connection.execute(select(func.min(key))).scalar_one()
            continue
        checked = _constrained_values(connection, table)
        values = {}
        for column in table.columns:
            if (
                column.primary_key
                and column.autoincrement in (True, "auto")
                and isinstance(column.type, Integer | BigInteger)
                and len(table.primary_key) == 1
            ):
                continue
            value = _value(table, column, ids, checked)
            if value is None and not column.nullable:
                raise AssertionError(f"{revision}: {table.name}.{column.name} needs a row first")
            values[column.name] = value
        result = connection.execute(table.insert().values(values))
        if result.inserted_primary_key and len(table.primary_key) == 1:
            ids[table.name] = result.inserted_primary_key[0]


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            metadata = MetaData()
            metadata.reflect(connection)
            return {
                name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in metadata.tables.items()
                if name != "alembic_version"
            }
    finally:
        engine.dispose()


def _verify_audit_log(url: str) -> audit_chain.ChainReport:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return audit_chain.verify_chain(connection, audit_chain.chain_settings())
    finally:
        engine.dispose()


def _record_head(url: str) -> None:
    """Entries appended with SQL leave the head kept outside behind: record it, as an app
    commit would."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if "audit_chain" not in inspect(connection).get_table_names():
                return
            head = audit_chain.read_chain_row(connection)
    finally:
        engine.dispose()
    if head is not None and head.length:
        audit_chain.chain_settings().heads.reset(head)


def _fill_at(url: str, revision: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _fill(connection, revision)
    finally:
        engine.dispose()
    _record_head(url)
    return _counts(url)


def _lost(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int | None]]:
    """The tables of `before` with fewer rows (or none at all) in `after`."""
    return {
        name: (count, after.get(name))
        for name, count in before.items()
        if after.get(name, -1) < count
    }


def _ascend(url: str) -> dict[str, dict[str, int]]:
    """Up the chain one revision at a time, filling what is empty at each; each step keeps
    every row. The counts after filling, by revision."""
    counts: dict[str, dict[str, int]] = {}
    previous: dict[str, int] = {}
    for revision in REVISIONS:
        migrate.upgrade(url, revision)
        assert not _lost(previous, _counts(url)), f"upgrading to {revision} lost rows"
        counts[revision] = previous = _fill_at(url, revision)
        assert all(previous.values()), f"a table of {revision} has no row"
    report = _verify_audit_log(url)
    assert report.intact, report.problems
    return counts


def test_every_revision_upgrades_and_downgrades_with_data_from_every_earlier_one(
    database_url: str,
) -> None:
    counts = _ascend(database_url)
    assert counts[REVISIONS[-1]]["audit_log"] == len(REVISIONS)

    for revision in reversed(REVISIONS[:-1]):
        migrate.downgrade(database_url, revision)
        now = _counts(database_url)
        assert set(now) == set(counts[revision]), f"downgrading to {revision}: other tables"
        assert not _lost(counts[revision], now), f"downgrading to {revision} lost rows"

    again = _ascend(database_url)  # up again, from the data that came down
    assert again[REVISIONS[-1]]["audit_log"] == 2 * len(REVISIONS)
