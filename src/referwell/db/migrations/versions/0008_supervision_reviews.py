"""A supervisor's "reviewed" mark on a client, with a note, that clears when the client's
recommendation changes (`supervision_reviews`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECOMMENDATIONS = (
    "urgent_safety", "refer", "refer_adjunct", "consult_first", "plan_termination", "continue",
)  # fmt: skip


def upgrade() -> None:
    listed = ", ".join(f"'{code}'" for code in RECOMMENDATIONS)
    op.create_table(
        "supervision_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.String(length=32), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_because", sa.String(length=32), nullable=True),
        sa.Column("cleared_by_recommendation", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            f"recommendation IN ({listed})",
            name=op.f("ck_supervision_reviews_recommendation"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_supervision_reviews_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_supervision_reviews_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_reviews")),
    )
    op.create_index(
        "ix_supervision_reviews_open",
        "supervision_reviews",
        ["client_id"],
        sqlite_where=sa.text("cleared_at IS NULL"),
        postgresql_where=sa.text("cleared_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_supervision_reviews_open", table_name="supervision_reviews")
    op.drop_table("supervision_reviews")
