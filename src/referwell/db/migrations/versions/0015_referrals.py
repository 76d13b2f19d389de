"""Closed-loop referrals: referrals, consents, partners, status links (issue 11).

- `partners`: other referwell practices (base URL, the entries they answer for, the token
  they issued to us, the digest of the one we issued to them, revoked or not);
- `referrals`: one per referral, outgoing or incoming, with its FHIR Task status, business
  status and version counter; `referral_options` the directory entries offered (the chosen
  ones receive it); `referral_events` every transition, with who, when and on whose behalf;
- `consents`: consent to release information, by scope, to a recipient, until a date;
- `referral_status_links`: one-time status links for receivers without referwell (digests).

The audit log learns two kinds of actor: `partner_practice` and `status_link`. Downgrading
is refused while the audit log holds entries of either; otherwise it drops the tables.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from referwell.db.migrations.guards import create_audit_log_guard, drop_audit_log_guard

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "actor_kind IN ('user', 'api_token', 'os_user', 'system', 'questionnaire_link')"
NEW_KINDS = (
    "actor_kind IN ('user', 'api_token', 'os_user', 'system', 'questionnaire_link', "
    "'partner_practice', 'status_link')"
)


def _check_kinds(condition: str) -> None:
    # SQLite rebuilds the table to change a CHECK, and the triggers go with the old one.
    drop_audit_log_guard()
    with op.batch_alter_table("audit_log", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_audit_log_actor_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_log_actor_kind"), sa.text(condition))
    create_audit_log_guard()


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("entry_external_ids", sa.JSON(), nullable=False),
        sa.Column("outbound_token", sa.String(length=200), nullable=False),
        sa.Column("inbound_token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_partners_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("inbound_token_hash", name=op.f("uq_partners_inbound_token_hash")),
    )
    op.create_index(op.f("ix_partners_practice_id"), "partners", ["practice_id"], unique=False)
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("recipient_name", sa.String(length=500), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_consents_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_consents_entry_id_directory_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"], ["users.id"], name=op.f("fk_consents_granted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_consents_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["users.id"], name=op.f("fk_consents_revoked_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(op.f("ix_consents_client_id"), "consents", ["client_id"], unique=False)
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("practice_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("clinician_id", sa.Integer(), nullable=True),
        sa.Column("need_service", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("business_status", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pretermination", sa.Boolean(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("transfer_summary", sa.Text(), nullable=True),
        sa.Column("cautions", sa.JSON(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("remote_id", sa.String(length=200), nullable=True),
        sa.Column("appointment_on", sa.Date(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "business_status IN ('drafted', 'sent', 'acknowledged', 'accepted', 'scheduled', 'declined_by_receiver', 'no_show', 'rescheduled', 'first_appointment_attended', 'care_established', 'waitlisted', 'withdrawn', 'declined_by_client', 'no_contact', 'entered_in_error')",
            name=op.f("ck_referrals_business_status"),
        ),
        sa.CheckConstraint(
            "direction IN ('outgoing', 'incoming')", name=op.f("ck_referrals_direction")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'requested', 'received', 'accepted', 'rejected', 'cancelled', 'in-progress', 'on-hold', 'failed', 'completed', 'entered-in-error')",
            name=op.f("ck_referrals_status"),
        ),
        sa.CheckConstraint(
            "urgency IN ('routine', 'soon', 'urgent')", name=op.f("ck_referrals_urgency")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_referrals_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_referrals_clinician_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_referrals_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["practice_id"],
            ["practices.id"],
            name=op.f("fk_referrals_practice_id_practices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index(op.f("ix_referrals_client_id"), "referrals", ["client_id"], unique=False)
    op.create_index(op.f("ix_referrals_clinician_id"), "referrals", ["clinician_id"], unique=False)
    op.create_index(
        op.f("ix_referrals_practice_id_status"),
        "referrals",
        ["practice_id", "status"],
        unique=False,
    )
    op.create_table(
        "referral_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("business_status", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("actor_kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reported_by", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("appointment_on", sa.Date(), nullable=True),
        sa.CheckConstraint("side IN ('sender', 'receiver')", name=op.f("ck_referral_events_side")),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_events_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_events")),
    )
    op.create_index(
        op.f("ix_referral_events_referral_id"), "referral_events", ["referral_id"], unique=False
    )
    op.create_table(
        "referral_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("financial_arrangement", sa.String(length=32), nullable=True),
        sa.Column("chosen", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_referral_options_entry_id_directory_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_options_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_options")),
    )
    op.create_index(
        op.f("ix_referral_options_referral_id"), "referral_options", ["referral_id"], unique=False
    )
    op.create_table(
        "referral_status_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uses", sa.SmallInteger(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_referral_status_links_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_status_links_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_status_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_referral_status_links_token_hash")),
    )
    op.create_index(
        op.f("ix_referral_status_links_referral_id"),
        "referral_status_links",
        ["referral_id"],
        unique=False,
    )
    _check_kinds(NEW_KINDS)


def downgrade() -> None:
    held = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*) FROM audit_log "
                "WHERE actor_kind IN ('partner_practice', 'status_link')"
            )
        )
        .scalar()
    )
    if held:
        raise RuntimeError(
            f"the audit log holds {held} entries of partner practices or status links; "
            "revision 0014 cannot name them, so it is not downgraded to"
        )
    _check_kinds(OLD_KINDS)
    op.drop_index(op.f("ix_referral_status_links_referral_id"), table_name="referral_status_links")
    op.drop_table("referral_status_links")
    op.drop_index(op.f("ix_referral_options_referral_id"), table_name="referral_options")
    op.drop_table("referral_options")
    op.drop_index(op.f("ix_referral_events_referral_id"), table_name="referral_events")
    op.drop_table("referral_events")
    op.drop_index(op.f("ix_referrals_practice_id_status"), table_name="referrals")
    op.drop_index(op.f("ix_referrals_clinician_id"), table_name="referrals")
    op.drop_index(op.f("ix_referrals_client_id"), table_name="referrals")
    op.drop_table("referrals")
    op.drop_index(op.f("ix_consents_client_id"), table_name="consents")
    op.drop_table("consents")
    op.drop_index(op.f("ix_partners_practice_id"), table_name="partners")
    op.drop_table("partners")
