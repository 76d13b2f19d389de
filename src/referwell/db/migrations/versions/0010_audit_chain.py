"""A tamper-evident audit log: each entry's HMAC chained to the one before (issue 9, item 7).

`audit_log` gains `seq` (the entry's position in the chain) and `hmac`; the one-row
`audit_chain` table holds the chain's id and head, what the next entry chains on. The
entries already there are chained in id order with the audit key (made into
`<data_dir>/audit_key` if none is given), and the head is recorded outside the database
(`audit_chain.HeadStore`). The table is rebuilt on SQLite, so the append-only guard is
dropped and made again around it.

Downgrading removes the chain (its head file outside stays, naming a chain that is gone).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from referwell.db.base import UTCDateTime
from referwell.db.migrations.guards import create_audit_log_guard, drop_audit_log_guard

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_log = sa.table(
    "audit_log",
    sa.column("id", sa.BigInteger()),
    sa.column("at", UTCDateTime()),
    sa.column("actor", sa.String()),
    sa.column("actor_kind", sa.String()),
    sa.column("action", sa.String()),
    sa.column("target_type", sa.String()),
    sa.column("target_ids", sa.JSON()),
    sa.column("seq", sa.BigInteger()),
    sa.column("hmac", sa.String()),
)


def upgrade() -> None:
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chain_id", sa.String(length=36), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("last_hmac", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    drop_audit_log_guard()
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("hmac", sa.String(length=64), nullable=True))
    chain_id = str(uuid.uuid4())
    length, last = _chain_existing_entries(chain_id)
    with op.batch_alter_table("audit_log", recreate="auto") as batch:
        batch.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("hmac", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f("uq_audit_log_seq"), ["seq"])
    create_audit_log_guard()
    op.get_bind().execute(
        sa.text("INSERT INTO audit_chain (id, chain_id, length, last_hmac) VALUES (1, :c, :n, :h)"),
        {"c": chain_id, "n": length, "h": last},
    )


def _chain_existing_entries(chain_id: str) -> tuple[int, str]:
    """Number and sign the entries older than the chain, in id order; record the head."""
    from referwell.db.audit_chain import Head, chain_settings, entry_mac

    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _log.c.id,
            _log.c.at,
            _log.c.actor,
            _log.c.actor_kind,
            _log.c.action,
            _log.c.target_type,
            _log.c.target_ids,
        ).order_by(_log.c.id)
    ).all()
    if not rows:
        return 0, ""
    settings = chain_settings()
    if settings.key is None:  # chain_settings() makes one when none is given
        raise RuntimeError("no audit key to chain the audit log with")
    last, changes = "", []
    for seq, row in enumerate(rows, start=1):
        last = entry_mac(
            settings.key,
            chain_id,
            seq,
            last,
            at=row.at,
            actor=row.actor,
            actor_kind=row.actor_kind,
            action=row.action,
            target_type=row.target_type,
            target_ids=row.target_ids or [],
        )
        changes.append({"row_id": row.id, "new_seq": seq, "new_hmac": last})
    bind.execute(
        sa.update(_log)
        .where(_log.c.id == sa.bindparam("row_id"))
        .values(seq=sa.bindparam("new_seq"), hmac=sa.bindparam("new_hmac")),
        changes,
    )
    # Recorded before the migration commits: if it rolls back, this names a chain that never was.
    settings.heads.reset(Head(chain_id, len(rows), last))
    return len(rows), last


def downgrade() -> None:
    drop_audit_log_guard()
    with op.batch_alter_table("audit_log", recreate="auto") as batch:
        batch.drop_constraint(op.f("uq_audit_log_seq"), type_="unique")
        batch.drop_column("hmac")
        batch.drop_column("seq")
    create_audit_log_guard()
    op.drop_table("audit_chain")
