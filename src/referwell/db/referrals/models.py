"""The referrals' tables (docs/referrals.md). Codes (statuses, scopes) are the domain's,
checked by the database where a CHECK is cheap. Nothing here holds psychotherapy notes;
tokens are stored as SHA-256 digests, except the one a partner issued to us, which we
must present to it (kept out of every page, log and export)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referwell.db.base import Base, one_of, utcnow
from referwell.domain.referrals.status import BUSINESS_STATUSES, STATUSES

DIRECTIONS = ("outgoing", "incoming")
URGENCIES = ("routine", "soon", "urgent")
SIDES = ("sender", "receiver")


class Partner(Base):
    """Another referwell practice this practice exchanges referrals with."""

    __tablename__ = "partners"
    __table_args__ = (Index(None, "practice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(500))
    # The directory entries it answers for, by their external ids (as the directory names them).
    entry_external_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The token the partner issued to us, presented on every request to it (secret).
    outbound_token: Mapped[str] = mapped_column(String(200))
    # SHA-256 (hex) of the token we issued to the partner; unique so a request finds its partner.
    inbound_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))  # audit name of who added it
    revoked_at: Mapped[datetime | None]


class Referral(Base):
    """One referral of one client, outgoing (we send) or incoming (a partner sent it to us).

    `version` counts every change (the ORM's version counter): a change made against an
    older version is a conflict, never a lost update.
    """

    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
        CheckConstraint(one_of("urgency", URGENCIES), name="urgency"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint(one_of("business_status", BUSINESS_STATUSES), name="business_status"),
        Index(None, "practice_id", "status"),
        Index(None, "client_id"),
        Index(None, "clinician_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8), default="outgoing")
    # None only for an incoming referral not yet accepted (no client record yet).
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # Outgoing: the referring clinician. Incoming: the clinician it is assigned to (or None).
    clinician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The referral need's service code (vocabulary) it answers, or None (a client's request).
    need_service: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(8), default="routine")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    business_status: Mapped[str] = mapped_column(String(32), default="drafted")
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Opened from a `refer` recommendation: the pretermination checklist must be complete.
    pretermination: Mapped[bool] = mapped_column(default=False)
    # What the clinician recorded of the checklist (domain.referrals.checklist.ChecklistRecord).
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    transfer_summary: Mapped[str | None] = mapped_column(Text)
    # The `reason.*` cautions the assessment raised, and why the clinician went on anyway.
    cautions: Mapped[list[str]] = mapped_column(JSON, default=list)
    override_reason: Mapped[str | None] = mapped_column(Text)
    # The receiving (outgoing) or sending (incoming) partner practice, when it uses referwell.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    # The referral's id at the other end (its Task id there), once known.
    remote_id: Mapped[str | None] = mapped_column(String(200))
    appointment_on: Mapped[date | None] = mapped_column(Date)
    sent_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Incoming only: what the sender shared (only what the consent covers), as received.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))  # audit name of who opened it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    options: Mapped[list[ReferralOption]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralOption.id"
    )
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralEvent.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own form

    @property
    def chosen(self) -> list[ReferralOption]:
        return [o for o in self.options if o.chosen]


class ReferralOption(Base):
    """A directory entry offered for a referral; the chosen ones are its recipients."""

    __tablename__ = "referral_options"
    __table_args__ = (Index(None, "referral_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_entries.id", ondelete="SET NULL")
    )
    external_id: Mapped[str] = mapped_column(String(200))
    # Snapshots as the entry stood when offered (the directory may change or go).
    name: Mapped[str] = mapped_column(String(500))
    financial_arrangement: Mapped[str | None] = mapped_column(String(32))
    chosen: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="options")


class ReferralEvent(Base):
    """Every transition of a referral: from, to, business status, who and when."""

    __tablename__ = "referral_events"
    __table_args__ = (
        CheckConstraint(one_of("side", SIDES), name="side"),
        Index(None, "referral_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    business_status: Mapped[str] = mapped_column(String(32))
    # The side whose change this is (the receiver's, even when the sender records it).
    side: Mapped[str] = mapped_column(String(8))
    actor_kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))  # as the audit log names the actor
    # Who at the receiver reported the change, when the sender records it on their behalf.
    reported_by: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)  # the reason of a decline, or a note
    appointment_on: Mapped[date | None] = mapped_column(Date)

    referral: Mapped[Referral] = relationship(back_populates="events")


class ReleaseConsent(Base):
    """A client's consent to release information: to whom, which scopes, until when."""

    __tablename__ = "consents"
    __table_args__ = (Index(None, "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_entries.id", ondelete="SET NULL")
    )
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    recipient_name: Mapped[str] = mapped_column(String(500))  # snapshot, for the record
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    granted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))  # the clinician recording it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class StatusLink(Base):
    """A one-time status link for a receiver without referwell: only its digest is kept."""

    __tablename__ = "referral_status_links"
    __table_args__ = (Index(None, "referral_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    uses: Mapped[int] = mapped_column(SmallInteger, default=0)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


REFERRAL_MODELS = (Partner, Referral, ReferralOption, ReferralEvent, ReleaseConsent, StatusLink)
