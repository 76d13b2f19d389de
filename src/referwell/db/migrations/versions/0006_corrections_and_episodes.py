"""A record corrected the way clinical records are: nothing vanishes. Episodes of care.

- Every part of the case gets an *entered in error* mark (`in_error_at`,
  `in_error_by`, `in_error_reason`). A code held once per client (a concern,
  a clinician factor, a reason, a step) is unique only among the entries not
  in error, so a partial unique index replaces the unique constraint.
- The client's current care moves from a JSON list on `clients` into its own
  table, `client_current_care`, so that each service can be marked in error too.
- A goal's status changes are kept with their day (`client_goal_status_changes`).
- Episodes of care (`client_episodes`): every client gets one open episode,
  opened on the day of their earliest dated entry (or the day the client was
  created, when earlier or when there is none); `clients.discharged_on` says
  whether the client is in care.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PART_TABLES = (
    "client_concerns",
    "client_physical_symptoms",
    "client_measures",
    "client_sessions",
    "client_events",
    "client_clinician_factors",
    "client_referral_reasons",
    "client_steps",
    "client_goals",
    "client_financial_arrangements",
)
# The parts whose code was unique per client: (table, column).
ONCE_PER_CLIENT = (
    ("client_concerns", "code"),
    ("client_clinician_factors", "code"),
    ("client_referral_reasons", "code"),
    ("client_steps", "step"),
)
DATED_TABLES = ("client_measures", "client_sessions", "client_events", "client_steps")
NOT_IN_ERROR = sa.text("in_error_at IS NULL")


def _in_error_columns(batch: Any, table: str) -> None:
    batch.add_column(sa.Column("in_error_at", sa.DateTime(timezone=True), nullable=True))
    batch.add_column(sa.Column("in_error_by", sa.Integer(), nullable=True))
    batch.add_column(sa.Column("in_error_reason", sa.Text(), nullable=True))
    batch.create_foreign_key(
        op.f(f"fk_{table}_in_error_by_users"), "users", ["in_error_by"], ["id"]
    )


def _unique_open(table: str, column: str) -> None:
    op.create_index(
        f"uq_{table}_client_id_{column}",
        table,
        ["client_id", column],
        unique=True,
        sqlite_where=NOT_IN_ERROR,
        postgresql_where=NOT_IN_ERROR,
    )


def upgrade() -> None:
    unique = dict(ONCE_PER_CLIENT)
    for table in PART_TABLES:
        with op.batch_alter_table(table) as batch:
            if table in unique:
                batch.drop_constraint(f"uq_{table}_client_id_{unique[table]}", type_="unique")
            _in_error_columns(batch, table)
        if table in unique:
            _unique_open(table, unique[table])

    op.create_table(
        "client_current_care",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("in_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_error_by", sa.Integer(), nullable=True),
        sa.Column("in_error_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_current_care_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["in_error_by"], ["users.id"], name=op.f("fk_client_current_care_in_error_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_current_care")),
    )
    _unique_open("client_current_care", "service")
    op.create_table(
        "client_goal_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('met', 'progressing', 'not_started', 'dropped')",
            name=op.f("ck_client_goal_status_changes_status"),
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["client_goals.id"],
            name=op.f("fk_client_goal_status_changes_goal_id_client_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["users.id"],
            name=op.f("fk_client_goal_status_changes_changed_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_goal_status_changes")),
    )
    op.create_index(
        op.f("ix_client_goal_status_changes_goal_id"), "client_goal_status_changes", ["goal_id"]
    )
    op.create_table(
        "client_episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_episodes_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["users.id"], name=op.f("fk_client_episodes_opened_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_client_episodes_closed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_episodes")),
    )
    op.create_index(
        op.f("ix_client_episodes_client_id_opened_on"),
        "client_episodes",
        ["client_id", "opened_on"],
    )
    _move_current_care()
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("current_care")
        batch.add_column(sa.Column("discharged_on", sa.Date(), nullable=True))
    _open_episodes()


def _move_current_care() -> None:
    bind = op.get_bind()
    clients = sa.table("clients", sa.column("id", sa.Integer), sa.column("current_care", sa.JSON))
    care = sa.table(
        "client_current_care", sa.column("client_id", sa.Integer), sa.column("service", sa.String)
    )
    rows = []
    for client_id, services in bind.execute(sa.select(clients.c.id, clients.c.current_care)):
        for service in dict.fromkeys(services or []):
            rows.append({"client_id": client_id, "service": service})
    if rows:
        bind.execute(sa.insert(care), rows)


def _open_episodes() -> None:
    """One open episode per client, from the earliest dated entry (or the client's creation)."""
    bind = op.get_bind()
    clients = sa.table("clients", sa.column("id", sa.Integer), sa.column("created_at", sa.DateTime))
    earliest: dict[int, date] = {}
    for table in DATED_TABLES:
        part = sa.table(table, sa.column("client_id", sa.Integer), sa.column("date", sa.Date))
        query = sa.select(part.c.client_id, sa.func.min(part.c.date)).group_by(part.c.client_id)
        for client_id, value in bind.execute(query):
            if value is None:
                continue
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
            if client_id not in earliest or day < earliest[client_id]:
                earliest[client_id] = day
    episodes = sa.table(
        "client_episodes",
        sa.column("client_id", sa.Integer),
        sa.column("opened_on", sa.Date),
    )
    rows = []
    for client_id, created_at in bind.execute(sa.select(clients.c.id, clients.c.created_at)):
        created = (
            created_at if isinstance(created_at, datetime) else datetime.fromisoformat(created_at)
        ).date()
        opened = min(earliest.get(client_id, created), created)
        rows.append({"client_id": client_id, "opened_on": opened})
    if rows:
        bind.execute(sa.insert(episodes), rows)


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("discharged_on")
        batch.add_column(
            sa.Column("current_care", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    bind = op.get_bind()
    care = sa.table(
        "client_current_care",
        sa.column("id", sa.Integer),
        sa.column("client_id", sa.Integer),
        sa.column("service", sa.String),
        sa.column("in_error_at", sa.DateTime),
    )
    clients = sa.table("clients", sa.column("id", sa.Integer), sa.column("current_care", sa.JSON))
    by_client: dict[int, list[str]] = {}
    for client_id, service in bind.execute(
        sa.select(care.c.client_id, care.c.service)
        .where(care.c.in_error_at.is_(None))
        .order_by(care.c.id)
    ):
        by_client.setdefault(client_id, []).append(service)
    for client_id, services in by_client.items():
        bind.execute(
            sa.update(clients).where(clients.c.id == client_id).values(current_care=services)
        )
    op.drop_table("client_episodes")
    op.drop_table("client_goal_status_changes")
    op.drop_table("client_current_care")
    unique = dict(ONCE_PER_CLIENT)
    for table in PART_TABLES:
        # Entries in error leave with their marks: a record downgraded keeps only its case.
        part = sa.table(table, sa.column("in_error_at", sa.DateTime))
        bind.execute(sa.delete(part).where(part.c.in_error_at.is_not(None)))
        if table in unique:
            op.drop_index(f"uq_{table}_client_id_{unique[table]}", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"fk_{table}_in_error_by_users"), type_="foreignkey")
            batch.drop_column("in_error_reason")
            batch.drop_column("in_error_by")
            batch.drop_column("in_error_at")
            if table in unique:
                batch.create_unique_constraint(
                    f"uq_{table}_client_id_{unique[table]}", ["client_id", unique[table]]
                )
