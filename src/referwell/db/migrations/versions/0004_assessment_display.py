"""Stored assessments keep their words for people beside the JSON: `assessments.display`.

The page and the caseload show a finding's summary, evidence and actions in
words, rendered from the findings' structure when the assessment is made
(`Assessment.display()`); the JSON document (`result`) is unchanged. Rows
stored before have none and are recomputed when next shown (the rules'
version moved to referwell.rules/2 with this revision).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("display", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("display")
