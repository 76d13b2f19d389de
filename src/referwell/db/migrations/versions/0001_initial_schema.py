"""Initial schema: practices, users, clients and their cases, assessments, the audit log.

The audit log is append-only: triggers refuse UPDATE and DELETE on it (and
TRUNCATE on PostgreSQL), on both backends.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from referwell.db.migrations.guards import create_audit_log_guard, drop_audit_log_guard

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=True),
        sa.Column("target_ids", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "actor_kind IN ('user', 'os_user', 'system')", name=op.f("ck_audit_log_actor_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])

    op.create_table(
        "practices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("rule_settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practices")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('clinician', 'supervisor', 'admin')", name=op.f("ck_users_role")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_users_practice_id_practices")
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["users.id"],
            name=op.f("fk_users_supervisor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_practice_id"), "users", ["practice_id"])
    op.create_index(op.f("ix_users_supervisor_id"), "users", ["supervisor_id"])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])

    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("age", sa.SmallInteger(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("insurance", sa.JSON(), nullable=False),
        sa.Column("telehealth_ok", sa.Boolean(), nullable=True),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.Column("current_care", sa.JSON(), nullable=False),
        sa.Column(
            "engagement", sa.String(length=32), server_default=sa.text("'active'"), nullable=False
        ),
        sa.Column("wants_to_end", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "format_of_care",
            sa.String(length=16),
            server_default=sa.text("'individual'"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "engagement IN ('active', 'low', 'refuses_discussion')",
            name=op.f("ck_clients_engagement"),
        ),
        sa.CheckConstraint(
            "format_of_care IN ('individual', 'couple', 'family')",
            name=op.f("ck_clients_format_of_care"),
        ),
        sa.CheckConstraint("age BETWEEN 0 AND 120", name=op.f("ck_clients_age")),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_clients_clinician_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_clients_practice_id_practices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint(
            "practice_id", "external_id", name=op.f("uq_clients_practice_id_external_id")
        ),
    )
    op.create_index(op.f("ix_clients_clinician_id"), "clients", ["clinician_id"])

    op.create_table(
        "clinician_competencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_clinician_competencies_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinician_competencies")),
        sa.UniqueConstraint("user_id", "code", name=op.f("uq_clinician_competencies_user_id_code")),
    )
    op.create_table(
        "clinician_training",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_clinician_training_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinician_training")),
        sa.UniqueConstraint("user_id", "code", name=op.f("uq_clinician_training_user_id_code")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("case_version", sa.Integer(), nullable=False),
        sa.Column("rules_version", sa.String(length=40), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("recommendation", sa.String(length=32), nullable=False),
        sa.Column("recommendation_rank", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "recommendation IN ('urgent_safety', 'refer', 'refer_adjunct', 'consult_first', 'plan_termination', 'continue')",
            name=op.f("ck_assessments_recommendation"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_assessments_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index(
        op.f("ix_assessments_client_id_computed_at"), "assessments", ["client_id", "computed_at"]
    )

    op.create_table(
        "client_clinician_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_clinician_factors_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_clinician_factors")),
        sa.UniqueConstraint(
            "client_id", "code", name=op.f("uq_client_clinician_factors_client_id_code")
        ),
    )
    op.create_table(
        "client_concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_concerns_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_concerns")),
        sa.UniqueConstraint("client_id", "code", name=op.f("uq_client_concerns_client_id_code")),
    )
    op.create_table(
        "client_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("discussed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_events_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_events")),
    )
    op.create_index(op.f("ix_client_events_client_id_date"), "client_events", ["client_id", "date"])

    op.create_table(
        "client_financial_arrangements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("counterparty", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_financial_arrangements_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_financial_arrangements")),
    )
    op.create_index(
        op.f("ix_client_financial_arrangements_client_id"),
        "client_financial_arrangements",
        ["client_id"],
    )

    op.create_table(
        "client_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "status IN ('met', 'progressing', 'not_started', 'dropped')",
            name=op.f("ck_client_goals_status"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_goals_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_goals")),
    )
    op.create_index(op.f("ix_client_goals_client_id"), "client_goals", ["client_id"])

    op.create_table(
        "client_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("items", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("total", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("total >= 0", name=op.f("ck_client_measures_total")),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_measures_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_measures")),
    )
    op.create_index(
        op.f("ix_client_measures_client_id_date"), "client_measures", ["client_id", "date"]
    )

    op.create_table(
        "client_physical_symptoms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("symptom", sa.Text(), nullable=False),
        sa.Column("medically_evaluated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_physical_symptoms_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_physical_symptoms")),
    )
    op.create_index(
        op.f("ix_client_physical_symptoms_client_id"), "client_physical_symptoms", ["client_id"]
    )

    op.create_table(
        "client_referral_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_referral_reasons_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_referral_reasons")),
        sa.UniqueConstraint(
            "client_id", "code", name=op.f("uq_client_referral_reasons_client_id_code")
        ),
    )
    op.create_table(
        "client_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("attendance", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "attendance IN ('attended', 'late', 'no_show', 'late_cancel', 'cancelled')",
            name=op.f("ck_client_sessions_attendance"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_sessions_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_sessions")),
    )
    op.create_index(
        op.f("ix_client_sessions_client_id_date"), "client_sessions", ["client_id", "date"]
    )

    op.create_table(
        "client_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_steps_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_steps")),
        sa.UniqueConstraint("client_id", "step", name=op.f("uq_client_steps_client_id_step")),
    )
    create_audit_log_guard()


def downgrade() -> None:
    drop_audit_log_guard()
    op.drop_table("client_steps")
    op.drop_index(op.f("ix_client_sessions_client_id_date"), table_name="client_sessions")

    op.drop_table("client_sessions")
    op.drop_table("client_referral_reasons")
    op.drop_index(
        op.f("ix_client_physical_symptoms_client_id"), table_name="client_physical_symptoms"
    )

    op.drop_table("client_physical_symptoms")
    op.drop_index(op.f("ix_client_measures_client_id_date"), table_name="client_measures")

    op.drop_table("client_measures")
    op.drop_index(op.f("ix_client_goals_client_id"), table_name="client_goals")

    op.drop_table("client_goals")
    op.drop_index(
        op.f("ix_client_financial_arrangements_client_id"),
        table_name="client_financial_arrangements",
    )

    op.drop_table("client_financial_arrangements")
    op.drop_index(op.f("ix_client_events_client_id_date"), table_name="client_events")

    op.drop_table("client_events")
    op.drop_table("client_concerns")
    op.drop_table("client_clinician_factors")
    op.drop_index(op.f("ix_assessments_client_id_computed_at"), table_name="assessments")

    op.drop_table("assessments")
    op.drop_table("clinician_training")
    op.drop_table("clinician_competencies")
    op.drop_index(op.f("ix_clients_clinician_id"), table_name="clients")

    op.drop_table("clients")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")

    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_users_supervisor_id"), table_name="users")
    op.drop_index(op.f("ix_users_practice_id"), table_name="users")

    op.drop_table("users")
    op.drop_table("practices")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")

    op.drop_table("audit_log")
