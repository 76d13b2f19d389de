"""Indexes for bulk screening and freshness checks.

`client_measures (client_id, instrument, date)` lets the screen find each
instrument's first and latest score from the index alone; `assessments
(client_id, id)` finds a client's newest stored assessment without a scan.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_client_measures_client_id_instrument_date"),
        "client_measures",
        ["client_id", "instrument", "date"],
    )
    op.create_index(op.f("ix_assessments_client_id_id"), "assessments", ["client_id", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_assessments_client_id_id"), table_name="assessments")
    op.drop_index(
        op.f("ix_client_measures_client_id_instrument_date"), table_name="client_measures"
    )
