"""Rule settings with a reason, and floors under the safety windows.

A practice's change of a rule setting from its default is recorded with who
made it, when and why (`practice_setting_changes`). The windows behind the
safety findings get floors (14 days for suicidal statements and self-harm, 7
days before a suicide-risk finding may stand down, 14 days for threats to
others): a stored value below its floor is raised to it here, recorded as
referwell's own change, and audited. Values that differ from their defaults
without any record get one that says so.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As they were when this revision was written: a migration does not follow the code.
FLOORS = {
    "suicide_event_window_days": 14,
    "suicide_downgrade_after_days": 7,
    "threat_window_days": 14,
}
DEFAULTS = {
    "suicide_event_window_days": 30,
    "suicide_downgrade_after_days": 7,
    "threat_window_days": 30,
    "not_on_track_after_sessions": 8,
    "attendance_window": 10,
    "attendance_missed_threshold": 3,
    "attendance_late_threshold": 3,
}


def upgrade() -> None:
    op.create_table(
        "practice_setting_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_practice_setting_changes_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_setting_changes")),
    )
    op.create_index(
        op.f("ix_practice_setting_changes_practice_id_name_id"),
        "practice_setting_changes",
        ["practice_id", "name", "id"],
    )
    _raise_to_floors()


def _raise_to_floors() -> None:
    bind = op.get_bind()
    practices = sa.table(
        "practices", sa.column("id", sa.Integer), sa.column("rule_settings", sa.JSON)
    )
    changes = sa.table(
        "practice_setting_changes",
        sa.column("practice_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("value", sa.Integer),
        sa.column("set_by", sa.String),
        sa.column("set_at", sa.DateTime(timezone=True)),
        sa.column("reason", sa.Text),
    )
    audit = sa.table(
        "audit_log",
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String),
        sa.column("actor_kind", sa.String),
        sa.column("action", sa.String),
        sa.column("target_type", sa.String),
        sa.column("target_ids", sa.JSON),
    )
    now = datetime.now(UTC)
    stamp = now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now
    for practice_id, overrides in bind.execute(
        sa.select(practices.c.id, practices.c.rule_settings)
    ):
        values = dict(overrides or {})
        raised = {}
        records = []
        for name, value in sorted(values.items()):
            if name in FLOORS and isinstance(value, int) and value < FLOORS[name]:
                raised[name] = FLOORS[name]
                records.append(
                    {
                        "name": name,
                        "value": FLOORS[name],
                        "set_by": "referwell",
                        "reason": f"raised from {value} to the safety floor of {FLOORS[name]} "
                        "when the floors came in (revision 0005)",
                    }
                )
            elif value != DEFAULTS.get(name):
                records.append(
                    {
                        "name": name,
                        "value": value,
                        "set_by": "",
                        "reason": "(set before reasons were recorded)",
                    }
                )
        if raised:
            new_values = values | raised
            # Only the values that still differ from the defaults are kept, as the app keeps them.
            new_values = {k: v for k, v in new_values.items() if v != DEFAULTS.get(k)}
            bind.execute(
                practices.update()
                .where(practices.c.id == practice_id)
                .values(rule_settings=new_values)
            )
            bind.execute(
                audit.insert().values(
                    at=stamp,
                    actor="referwell",
                    actor_kind="system",
                    action="practice:settings:update",
                    target_type="practice",
                    target_ids=[practice_id],
                )
            )
        for record in records:
            if record["value"] != DEFAULTS.get(record["name"]):
                bind.execute(
                    changes.insert().values(practice_id=practice_id, set_at=stamp, **record)
                )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_practice_setting_changes_practice_id_name_id"),
        table_name="practice_setting_changes",
    )
    op.drop_table("practice_setting_changes")
