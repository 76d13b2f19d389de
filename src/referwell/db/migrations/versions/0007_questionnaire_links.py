"""One-time questionnaire links, and their holder as a kind of actor in the audit log.

A clinician makes a link for one or more questionnaires; the client fills them
in without signing in. Only the SHA-256 of the link's token is stored. Every use
is audited as the link's holder (`questionnaire_link`, the link's id as actor).

Downgrading is refused while the audit log holds entries of link holders: they
cannot be named as any other kind of actor.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from referwell.db.migrations.guards import create_audit_log_guard, drop_audit_log_guard

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_KINDS = "actor_kind IN ('user', 'api_token', 'os_user', 'system', 'questionnaire_link')"
OLD_KINDS = "actor_kind IN ('user', 'api_token', 'os_user', 'system')"


def _check_kinds(condition: str, length: int) -> None:
    with op.batch_alter_table("audit_log", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_audit_log_actor_kind"), type_="check")
        batch.alter_column(
            "actor_kind",
            type_=sa.String(length=length),
            existing_type=sa.String(length=16 if length == 32 else 32),
            existing_nullable=False,
        )
        batch.create_check_constraint(op.f("ck_audit_log_actor_kind"), sa.text(condition))


def upgrade() -> None:
    op.create_table(
        "questionnaire_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("instruments", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_questionnaire_links_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_questionnaire_links_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_questionnaire_links_token_hash")),
    )
    op.create_index(op.f("ix_questionnaire_links_client_id"), "questionnaire_links", ["client_id"])
    # SQLite rebuilds the table to change a CHECK, and the triggers go with the old one.
    drop_audit_log_guard()
    _check_kinds(NEW_KINDS, 32)  # `questionnaire_link` is longer than 16
    create_audit_log_guard()


def downgrade() -> None:
    held = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM audit_log WHERE actor_kind = 'questionnaire_link'"))
        .scalar()
    )
    if held:
        raise RuntimeError(
            f"the audit log holds {held} entries of questionnaire-link holders; "
            "revision 0006 cannot name them, so it is not downgraded to"
        )
    drop_audit_log_guard()
    _check_kinds(OLD_KINDS, 16)
    create_audit_log_guard()
    op.drop_index(op.f("ix_questionnaire_links_client_id"), table_name="questionnaire_links")
    op.drop_table("questionnaire_links")
