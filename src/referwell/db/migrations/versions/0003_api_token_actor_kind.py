"""The audit log names calls made with an API token as their own kind of actor, `api_token`.

Until now such calls were recorded as the token's user (`user`). Downgrading
turns the `api_token` entries back into `user` entries (the user's id is the
actor either way); it is the only change ever made to audit entries, and only
when the schema itself goes back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from referwell.db.migrations.guards import create_audit_log_guard, drop_audit_log_guard

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_KINDS = "actor_kind IN ('user', 'api_token', 'os_user', 'system')"
OLD_KINDS = "actor_kind IN ('user', 'os_user', 'system')"


def _check_kinds(condition: str) -> None:
    with op.batch_alter_table("audit_log", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_audit_log_actor_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_log_actor_kind"), sa.text(condition))


def upgrade() -> None:
    # SQLite rebuilds the table to change a CHECK, and the triggers go with the old one.
    drop_audit_log_guard()
    _check_kinds(NEW_KINDS)
    create_audit_log_guard()


def downgrade() -> None:
    drop_audit_log_guard()
    op.execute("UPDATE audit_log SET actor_kind = 'user' WHERE actor_kind = 'api_token'")
    _check_kinds(OLD_KINDS)
    create_audit_log_guard()
