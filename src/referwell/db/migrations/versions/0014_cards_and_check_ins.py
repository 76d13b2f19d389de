"""Ethics practice cards scheduled with FSRS, and the clinician's own ProQOL check-ins (issue 12).

- `card_states`: each card's FSRS state per user, and when it is next due;
- `card_reviews`: every answer to a card (the rating, right or not, the state before);
- `proqol_check_ins`: a clinician's ProQOL 5 answers and three sums, whether they share
  them with their supervisor, and their answer to the offer a high score makes.

Downgrading drops the three tables, and with them every review and check-in.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.String(length=64), nullable=False),
        sa.Column("fsrs", sa.JSON(), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviews", sa.SmallInteger(), nullable=False),
        sa.Column("lapses", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_card_states_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_states")),
        sa.UniqueConstraint("user_id", "card_id", name=op.f("uq_card_states_user_id_card_id")),
    )
    op.create_index(op.f("ix_card_states_user_id_due"), "card_states", ["user_id", "due"])

    op.create_table(
        "card_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("state_before", sa.SmallInteger(), nullable=False),
        sa.Column("retrievability", sa.Float(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 4", name=op.f("ck_card_reviews_rating")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_card_reviews_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_reviews")),
    )
    op.create_index(
        op.f("ix_card_reviews_user_id_reviewed_at"), "card_reviews", ["user_id", "reviewed_at"]
    )

    op.create_table(
        "proqol_check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("compassion_satisfaction", sa.SmallInteger(), nullable=False),
        sa.Column("burnout", sa.SmallInteger(), nullable=False),
        sa.Column("secondary_traumatic_stress", sa.SmallInteger(), nullable=False),
        sa.Column(
            "shared_with_supervisor", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("burnout_offer", sa.String(length=16), nullable=True),
        sa.Column("burnout_offer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "burnout_offer IN ('accepted', 'declined')",
            name=op.f("ck_proqol_check_ins_burnout_offer"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_proqol_check_ins_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proqol_check_ins")),
    )
    op.create_index(
        op.f("ix_proqol_check_ins_user_id_taken_on"), "proqol_check_ins", ["user_id", "taken_on"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_proqol_check_ins_user_id_taken_on"), table_name="proqol_check_ins")
    op.drop_table("proqol_check_ins")
    op.drop_index(op.f("ix_card_reviews_user_id_reviewed_at"), table_name="card_reviews")
    op.drop_table("card_reviews")
    op.drop_index(op.f("ix_card_states_user_id_due"), table_name="card_states")
    op.drop_table("card_states")
