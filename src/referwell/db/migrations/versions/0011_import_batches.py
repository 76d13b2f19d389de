"""Imports written in bounded batches tagged with their import id (issue 9, item 5).

- `imports`: one row per `referwell import`, with who ran it, on which host and in
  which process (to tell an import still running from one that was killed), when it
  began, last wrote and ended, and how it ended.
- `clients.import_id`: the import writing the client, while it runs; cleared by the
  import's last transaction. A failed or killed import's clients are removed by id.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("clients", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'done', 'failed')", name=op.f("ck_imports_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index(op.f("ix_imports_status"), "imports", ["status"])
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_clients_import_id_imports"), "imports", ["import_id"], ["id"]
        )
        batch.create_index(op.f("ix_clients_import_id"), ["import_id"])


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_index(op.f("ix_clients_import_id"))
        batch.drop_constraint(op.f("fk_clients_import_id_imports"), type_="foreignkey")
        batch.drop_column("import_id")
    op.drop_index(op.f("ix_imports_status"), table_name="imports")
    op.drop_table("imports")
