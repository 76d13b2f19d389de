"""The parts of a client's case, one table each, as the case format lists them.

Lists of codes (concerns, clinician factors, reasons, steps) hold a code once
per client. Dated parts (measures, sessions, events) are indexed on
(client_id, date), the order the engine reads them in.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referwell.db.base import Base, one_of

if TYPE_CHECKING:
    from referwell.db.models import Client

ATTENDANCE = ("attended", "late", "no_show", "late_cancel", "cancelled")
GOAL_STATUSES = ("met", "progressing", "not_started", "dropped")

_CLIENT_FK = "clients.id"


class Concern(Base):
    """A condition identified or strongly suspected (`concerns`)."""

    __tablename__ = "client_concerns"
    __table_args__ = (UniqueConstraint("client_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))

    client: Mapped[Client] = relationship(back_populates="concerns")


class PhysicalSymptom(Base):
    """A somatic complaint and whether a physician has looked at it (`physical_symptoms`)."""

    __tablename__ = "client_physical_symptoms"
    __table_args__ = (Index(None, "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    symptom: Mapped[str] = mapped_column(Text)
    medically_evaluated: Mapped[bool]

    client: Mapped[Client] = relationship(back_populates="physical_symptoms")


class Measure(Base):
    """One questionnaire on one day (`measures`).

    `items` holds the item answers when they were given (None when only a total
    was); `total` is always set, the sum of the items when there are items.
    """

    __tablename__ = "client_measures"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total"),
        Index(None, "client_id", "date"),
        # First and latest score per instrument, by index alone (bulk screening).
        Index(None, "client_id", "instrument", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(16))
    date: Mapped[dt.date] = mapped_column(Date)
    items: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    total: Mapped[int] = mapped_column(SmallInteger)

    client: Mapped[Client] = relationship(back_populates="measures")


class TherapySession(Base):
    """A scheduled session and what became of it (`sessions`)."""

    __tablename__ = "client_sessions"
    __table_args__ = (
        CheckConstraint(one_of("attendance", ATTENDANCE), name="attendance"),
        Index(None, "client_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    attendance: Mapped[str] = mapped_column(String(16))

    client: Mapped[Client] = relationship(back_populates="sessions")


class Event(Base):
    """Something that happened (`events`): its kind, its day, whether it was discussed."""

    __tablename__ = "client_events"
    __table_args__ = (Index(None, "client_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(64))
    discussed: Mapped[bool] = mapped_column(default=False, server_default=false())

    client: Mapped[Client] = relationship(back_populates="events")


class ClinicianFactor(Base):
    """What the clinician notices in themselves about this client (`clinician_factors`)."""

    __tablename__ = "client_clinician_factors"
    __table_args__ = (UniqueConstraint("client_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))

    client: Mapped[Client] = relationship(back_populates="clinician_factors")


class ReferralReason(Base):
    """Why the clinician is thinking about referring (`considering_referral_because`)."""

    __tablename__ = "client_referral_reasons"
    __table_args__ = (UniqueConstraint("client_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))

    client: Mapped[Client] = relationship(back_populates="referral_reasons")


class StepTaken(Base):
    """A step already tried (`steps_taken`), once per step, with its latest date if known."""

    __tablename__ = "client_steps"
    __table_args__ = (UniqueConstraint("client_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(64))
    date: Mapped[dt.date | None] = mapped_column(Date)

    client: Mapped[Client] = relationship(back_populates="steps_taken")


class Goal(Base):
    """A treatment goal and how far it is (`goals`)."""

    __tablename__ = "client_goals"
    __table_args__ = (
        CheckConstraint(one_of("status", GOAL_STATUSES), name="status"),
        Index(None, "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))

    client: Mapped[Client] = relationship(back_populates="goals")


class FinancialArrangement(Base):
    """An arrangement with a receiving professional or program (`financial_arrangements`).

    `counterparty` is the case format's `with`: a directory id, or a name.
    """

    __tablename__ = "client_financial_arrangements"
    __table_args__ = (Index(None, "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    counterparty: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))

    client: Mapped[Client] = relationship(back_populates="financial_arrangements")


# Every part of a case, in the order of the case format.
CASE_PART_MODELS: tuple[type[Base], ...] = (
    Concern,
    PhysicalSymptom,
    Measure,
    TherapySession,
    Event,
    ClinicianFactor,
    ReferralReason,
    StepTaken,
    Goal,
    FinancialArrangement,
)
