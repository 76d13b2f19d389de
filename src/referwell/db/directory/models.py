"""The directory's tables. Codes (services, languages, insurance) are the vocabulary's strings,
checked by the importers, not by the database. Services and telehealth states are rows of
their own so that a query can use an index on them (the SQL baseline of benchmarks/match.py
does); everything else an entry says sits on its row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referwell.db.base import Base, one_of, utcnow

ENTRY_KINDS = ("practitioner", "program")


class DirectoryImport(Base):
    """One import of a directory file: its format, source, counts and report."""

    __tablename__ = "directory_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Counts (organizations, entries, locations, skipped …) and every skipped or corrected
    # row with its file, row, field and why.
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DirectoryOrganization(Base):
    """An organization that runs programs or employs practitioners."""

    __tablename__ = "directory_organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("directory_imports.id"))

    entries: Mapped[list[DirectoryEntry]] = relationship(back_populates="organization")


class DirectoryEntry(Base):
    """A practitioner, or a program (a service of an organization)."""

    __tablename__ = "directory_entries"
    __table_args__ = (
        CheckConstraint(one_of("kind", ENTRY_KINDS), name="kind"),
        Index(None, "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The entry's id as its source gives it: what options, exports and references name.
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(500))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="SET NULL")
    )
    age_min: Mapped[int | None] = mapped_column(SmallInteger)
    age_max: Mapped[int | None] = mapped_column(SmallInteger)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    insurance: Mapped[list[str]] = mapped_column(JSON, default=list)
    sliding_scale: Mapped[bool | None]
    fees: Mapped[str | None] = mapped_column(Text)
    credentials: Mapped[list[str]] = mapped_column(JSON, default=list)
    telehealth: Mapped[bool | None]
    # False: the states are not known (unknown licensure never passes the telehealth route).
    telehealth_states_known: Mapped[bool] = mapped_column(default=False)
    accepting_new_clients: Mapped[bool | None]
    waitlist_weeks: Mapped[int | None] = mapped_column(SmallInteger)
    financial_arrangement: Mapped[str | None] = mapped_column(String(32))
    gender: Mapped[str | None] = mapped_column(String(16))
    faiths: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What the source said that maps to no code (taxonomy terms, attributes): kept, reported.
    unmapped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("directory_imports.id"))

    organization: Mapped[DirectoryOrganization | None] = relationship(back_populates="entries")
    services: Mapped[list[DirectoryService]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="DirectoryService.code"
    )
    locations: Mapped[list[DirectoryLocation]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="DirectoryLocation.id"
    )
    telehealth_states: Mapped[list[DirectoryTelehealthState]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="DirectoryTelehealthState.state",
    )


class DirectoryService(Base):
    """A code an entry offers: a modality, specialty area, population or care setting."""

    __tablename__ = "directory_services"
    __table_args__ = (Index(None, "code", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("directory_entries.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(64), primary_key=True)

    entry: Mapped[DirectoryEntry] = relationship(back_populates="services")


class DirectoryLocation(Base):
    """Where an entry sees clients in person."""

    __tablename__ = "directory_locations"
    __table_args__ = (Index(None, "entry_id"), Index(None, "latitude", "longitude"))

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("directory_entries.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str | None] = mapped_column(String(20))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    entry: Mapped[DirectoryEntry] = relationship(back_populates="locations")


class DirectoryTelehealthState(Base):
    """A state where an entry is licensed to see clients by telehealth."""

    __tablename__ = "directory_telehealth_states"
    __table_args__ = (Index(None, "state", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("directory_entries.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(2), primary_key=True)

    entry: Mapped[DirectoryEntry] = relationship(back_populates="telehealth_states")


__all__ = [
    "ENTRY_KINDS",
    "DirectoryEntry",
    "DirectoryImport",
    "DirectoryLocation",
    "DirectoryOrganization",
    "DirectoryService",
    "DirectoryTelehealthState",
]
