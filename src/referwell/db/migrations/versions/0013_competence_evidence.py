"""Competence with evidence, supervision and consultation recorded from findings, continuing education (issue 12).

- `growth_trainings` (with `growth_certificate_files`): courses taken, the CE log, and
  evidence for a competency when one names it;
- `growth_certifications`, `growth_supervised_hours`: more evidence;
- `growth_verifications`: a supervisor's verification, or the operator's attestation of a
  competency that arrived with imported cases;
- `competence_policies`: a practice's rule of what counts, and its minimums per code;
- `growth_licences`: the licence the CE hours are totalled against;
- `supervision_records`: supervision or consultation recorded from a finding, with the note
  kept out of every export (the dated step itself is the case's `steps_taken`).

No existing claim is given evidence: after the upgrade, a competency without evidence
counts as in training until a supervisor verifies it or evidence meets the practice's
minimum (docs/growth.md). Downgrading drops the tables and everything in them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user_fk(
    table: str, column: str = "user_id", *, cascade: bool = True
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["users.id"],
        name=op.f(f"fk_{table}_{column}_users"),
        ondelete="CASCADE" if cascade else None,
    )


def _correctable(table: str) -> list[Any]:
    return [
        sa.Column("in_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_error_by", sa.Integer(), nullable=True),
        sa.Column("in_error_reason", sa.Text(), nullable=True),
        _user_fk(table, "in_error_by", cascade=False),
    ]


def upgrade() -> None:
    op.create_table(
        "growth_trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_correctable("growth_trainings"),
        _user_fk("growth_trainings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_growth_trainings")),
    )
    op.create_index(op.f("ix_growth_trainings_user_id_day"), "growth_trainings", ["user_id", "day"])
    op.create_table(
        "growth_certificate_files",
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["growth_trainings.id"],
            name=op.f("fk_growth_certificate_files_training_id_growth_trainings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("training_id", name=op.f("pk_growth_certificate_files")),
    )
    op.create_table(
        "growth_certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_correctable("growth_certifications"),
        _user_fk("growth_certifications"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_growth_certifications")),
    )
    op.create_index(op.f("ix_growth_certifications_user_id"), "growth_certifications", ["user_id"])
    op.create_table(
        "growth_supervised_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("with_whom", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_correctable("growth_supervised_hours"),
        _user_fk("growth_supervised_hours"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_growth_supervised_hours")),
    )
    op.create_index(
        op.f("ix_growth_supervised_hours_user_id"), "growth_supervised_hours", ["user_id"]
    )
    op.create_table(
        "growth_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "kind IN ('verified', 'attested')", name=op.f("ck_growth_verifications_kind")
        ),
        _user_fk("growth_verifications"),
        _user_fk("growth_verifications", "by_user_id", cascade=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_growth_verifications")),
    )
    op.create_index(
        op.f("ix_growth_verifications_user_id_code"), "growth_verifications", ["user_id", "code"]
    )
    op.create_table(
        "competence_policies",
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("counts_when", sa.String(length=32), nullable=False),
        sa.Column("minimums", sa.JSON(), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "counts_when IN ('verified_or_evidence', 'verified_only')",
            name=op.f("ck_competence_policies_counts_when"),
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_competence_policies_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("practice_id", name=op.f("pk_competence_policies")),
    )
    op.create_table(
        "growth_licences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("renews_on", sa.Date(), nullable=False),
        sa.Column("period_months", sa.SmallInteger(), nullable=False),
        sa.Column("required_hours", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("growth_licences"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_growth_licences")),
    )
    op.create_table(
        "supervision_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("with_whom", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answers", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "step IN ('supervision', 'consultation')", name=op.f("ck_supervision_records_step")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_supervision_records_client_id_clients"),
            ondelete="CASCADE",
        ),
        _user_fk("supervision_records", "clinician_id", cascade=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_records")),
    )
    op.create_index(
        op.f("ix_supervision_records_client_id_day"), "supervision_records", ["client_id", "day"]
    )
    op.create_index(
        op.f("ix_supervision_records_clinician_id_day"),
        "supervision_records",
        ["clinician_id", "day"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_supervision_records_clinician_id_day"), table_name="supervision_records")
    op.drop_index(op.f("ix_supervision_records_client_id_day"), table_name="supervision_records")
    op.drop_table("supervision_records")
    op.drop_table("growth_licences")
    op.drop_table("competence_policies")
    op.drop_index(op.f("ix_growth_verifications_user_id_code"), table_name="growth_verifications")
    op.drop_table("growth_verifications")
    op.drop_index(op.f("ix_growth_supervised_hours_user_id"), table_name="growth_supervised_hours")
    op.drop_table("growth_supervised_hours")
    op.drop_index(op.f("ix_growth_certifications_user_id"), table_name="growth_certifications")
    op.drop_table("growth_certifications")
    op.drop_table("growth_certificate_files")
    op.drop_index(op.f("ix_growth_trainings_user_id_day"), table_name="growth_trainings")
    op.drop_table("growth_trainings")
