"""The tables of the clinician's own growth (issue 12, migration 0013).

Evidence is kept per clinician and competency code, not per claim, so that it stays when
a claim is unticked and ticked again. Nothing is deleted: a training, a certification or
supervised hours entered wrongly are marked entered in error (with who and why), a
verification or an attestation is withdrawn; the reading of what counts
(`counting`) leaves both out. A supervision or consultation record keeps its note here,
beside the client's dated step, and never in the case: no export carries it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from referwell.db.base import Base, one_of, utcnow

VERIFICATION_KINDS: Final = ("verified", "attested")
COUNTS_WHEN: Final = ("verified_or_evidence", "verified_only")
RECORD_STEPS: Final = ("supervision", "consultation")


class _Correctable:
    """An entry that may be marked entered in error: it stays, and nothing reads it."""

    in_error_at: Mapped[datetime | None]
    in_error_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    in_error_reason: Mapped[str | None] = mapped_column(Text)


class TrainingRecord(_Correctable, Base):
    """A course the clinician took: a continuing-education entry, and evidence for a
    competency when it names one (`code`)."""

    __tablename__ = "growth_trainings"
    __table_args__ = (Index(None, "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float)
    day: Mapped[date] = mapped_column(Date)
    # A continuing-education category (`domain.growth.ce.CE_CATEGORIES`).
    category: Mapped[str] = mapped_column(String(32))
    code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateFile(Base):
    """The certificate of a training, as the clinician uploaded it (PDF, PNG or JPEG)."""

    __tablename__ = "growth_certificate_files"

    training_id: Mapped[int] = mapped_column(
        ForeignKey("growth_trainings.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certification(_Correctable, Base):
    """A certification (issuer, number, expiry); it counts for its code through its expiry."""

    __tablename__ = "growth_certifications"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupervisedHours(_Correctable, Base):
    """Hours of supervised practice (or consultation) in a competency, and with whom."""

    __tablename__ = "growth_supervised_hours"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    with_whom: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float)
    # The day of the last of these hours.
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Verification(Base):
    """A supervisor's verification of a clinician's competency (`verified`, by a user), or
    the operator's attestation of one that arrived with imported cases (`attested`, by an
    operating-system login). Withdrawing keeps the row."""

    __tablename__ = "growth_verifications"
    __table_args__ = (
        CheckConstraint(one_of("kind", VERIFICATION_KINDS), name="kind"),
        Index(None, "user_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who, as shown: the supervisor's name when verified; the operator's login when attested.
    by_name: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))


class CompetencePolicyRow(Base):
    """A practice's rule of what counts (`counts_when`) and its minimums per code where they
    differ from the defaults ({code: {"training_hours": …, "supervised_hours": …}})."""

    __tablename__ = "competence_policies"
    __table_args__ = (CheckConstraint(one_of("counts_when", COUNTS_WHEN), name="counts_when"),)

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    counts_when: Mapped[str] = mapped_column(String(32))
    minimums: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")


class Licence(Base):
    """The clinician's licence: the continuing-education hours are totalled per period up to
    its renewal day."""

    __tablename__ = "growth_licences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(100))
    renews_on: Mapped[date] = mapped_column(Date)
    period_months: Mapped[int] = mapped_column(SmallInteger)
    required_hours: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupervisionRecord(Base):
    """Supervision or consultation recorded from a finding: the client's dated step is in the
    case (`steps_taken`); who it was with, the note and the finding answered are here, out of
    every export."""

    __tablename__ = "supervision_records"
    __table_args__ = (
        CheckConstraint(one_of("step", RECORD_STEPS), name="step"),
        Index(None, "client_id", "day"),
        Index(None, "clinician_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # Who recorded it: the client's clinician at the time.
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    step: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    with_whom: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    # The finding or caution kind it was recorded from.
    answers: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Rows whose change can change which of a clinician's claims count: a flush that writes one
# makes every case of the clinician's clients stale (`db.versioning`).
COMPETENCE_EVIDENCE_MODELS: Final = (TrainingRecord, Certification, SupervisedHours, Verification)
