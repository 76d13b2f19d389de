"""The provider directory: organizations, entries (practitioners and programs), the codes
they offer, their locations, the states they are licensed in for telehealth, and imports.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_imports")),
    )
    op.create_table(
        "directory_organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["directory_imports.id"],
            name=op.f("fk_directory_organizations_import_id_directory_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_organizations")),
        sa.UniqueConstraint("external_id", name=op.f("uq_directory_organizations_external_id")),
    )
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("age_min", sa.SmallInteger(), nullable=True),
        sa.Column("age_max", sa.SmallInteger(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("insurance", sa.JSON(), nullable=False),
        sa.Column("sliding_scale", sa.Boolean(), nullable=True),
        sa.Column("fees", sa.Text(), nullable=True),
        sa.Column("credentials", sa.JSON(), nullable=False),
        sa.Column("telehealth", sa.Boolean(), nullable=True),
        sa.Column("telehealth_states_known", sa.Boolean(), nullable=False),
        sa.Column("accepting_new_clients", sa.Boolean(), nullable=True),
        sa.Column("waitlist_weeks", sa.SmallInteger(), nullable=True),
        sa.Column("financial_arrangement", sa.String(length=32), nullable=True),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("faiths", sa.JSON(), nullable=False),
        sa.Column("unmapped", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('practitioner', 'program')", name=op.f("ck_directory_entries_kind")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["directory_imports.id"],
            name=op.f("fk_directory_entries_import_id_directory_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["directory_organizations.id"],
            name=op.f("fk_directory_entries_organization_id_directory_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entries")),
        sa.UniqueConstraint("external_id", name=op.f("uq_directory_entries_external_id")),
    )
    op.create_index(
        op.f("ix_directory_entries_organization_id"), "directory_entries", ["organization_id"]
    )
    op.create_table(
        "directory_services",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_directory_services_entry_id_directory_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "code", name=op.f("pk_directory_services")),
    )
    op.create_index(
        op.f("ix_directory_services_code_entry_id"), "directory_services", ["code", "entry_id"]
    )
    op.create_table(
        "directory_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_directory_locations_entry_id_directory_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_locations")),
    )
    op.create_index(op.f("ix_directory_locations_entry_id"), "directory_locations", ["entry_id"])
    op.create_index(
        op.f("ix_directory_locations_latitude_longitude"),
        "directory_locations",
        ["latitude", "longitude"],
    )
    op.create_table(
        "directory_telehealth_states",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_directory_telehealth_states_entry_id_directory_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "state", name=op.f("pk_directory_telehealth_states")),
    )
    op.create_index(
        op.f("ix_directory_telehealth_states_state_entry_id"),
        "directory_telehealth_states",
        ["state", "entry_id"],
    )


def downgrade() -> None:
    op.drop_table("directory_telehealth_states")
    op.drop_table("directory_locations")
    op.drop_table("directory_services")
    op.drop_table("directory_entries")
    op.drop_table("directory_organizations")
    op.drop_table("directory_imports")
