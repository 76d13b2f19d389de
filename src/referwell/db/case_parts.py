"""The parts of a client's case, one table each, as the case format lists them.

Lists of codes (concerns, clinician factors, reasons, steps, current care) hold
a code once per client among the entries not in error. Dated parts (measures,
sessions, events) are indexed on (client_id, date), the order the engine reads
them in.

Nothing is deleted from a record. An entry found wrong is marked *entered in
error* (`in_error_at`, `in_error_by`, `in_error_reason`): it stays, shown struck
through, and leaves the case, so the assessment, the screen and the exports no
longer see it.
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
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referwell.db.base import Base, one_of, utcnow

if TYPE_CHECKING:
    from referwell.db.models import Client

ATTENDANCE = ("attended", "late", "no_show", "late_cancel", "cancelled")
GOAL_STATUSES = ("met", "progressing", "not_started", "dropped")

_CLIENT_FK = "clients.id"
_NOT_IN_ERROR = "in_error_at IS NULL"


class Correctable:
    """An entry that can be marked entered in error: by whom, when and why. A marked entry
    stays in the record and leaves the case."""

    in_error_at: Mapped[dt.datetime | None]
    in_error_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    in_error_reason: Mapped[str | None] = mapped_column(Text)


def once_per_client(table: str, column: str) -> Index:
    """A code held once per client among the entries not in error (one marked in error may
    be entered again)."""
    return Index(
        f"uq_{table}_client_id_{column}",
        "client_id",
        column,
        unique=True,
        sqlite_where=text(_NOT_IN_ERROR),
        postgresql_where=text(_NOT_IN_ERROR),
    )


class Concern(Correctable, Base):
    """A condition identified or strongly suspected (`concerns`)."""

    __tablename__ = "client_concerns"
    __table_args__ = (once_per_client("client_concerns", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))

    client: Mapped[Client] = relationship(back_populates="concerns")


class PhysicalSymptom(Correctable, Base):
    """A somatic complaint and whether a physician has looked at it (`physical_symptoms`)."""

    __tablename__ = "client_physical_symptoms"
    __table_args__ = (Index(None, "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    symptom: Mapped[str] = mapped_column(Text)
    medically_evaluated: Mapped[bool]

    client: Mapped[Client] = relationship(back_populates="physical_symptoms")


class Measure(Correctable, Base):
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


class TherapySession(Correctable, Base):
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


class Event(Correctable, Base):
    """Something that happened (`events`): its kind, its day, whether it was discussed."""

    __tablename__ = "client_events"
    __table_args__ = (Index(None, "client_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(64))
    discussed: Mapped[bool] = mapped_column(default=False, server_default=false())

    client: Mapped[Client] = relationship(back_populates="events")


class ClinicianFactor(Correctable, Base):
    """What the clinician notices in themselves about this client (`clinician_factors`)."""

    __tablename__ = "client_clinician_factors"
    __table_args__ = (once_per_client("client_clinician_factors", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))

    client: Mapped[Client] = relationship(back_populates="clinician_factors")


class ReferralReason(Correctable, Base):
    """Why the clinician is thinking about referring (`considering_referral_because`)."""

    __tablename__ = "client_referral_reasons"
    __table_args__ = (once_per_client("client_referral_reasons", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))

    client: Mapped[Client] = relationship(back_populates="referral_reasons")


class StepTaken(Correctable, Base):
    """A step already tried (`steps_taken`), once per step, with its latest date if known."""

    __tablename__ = "client_steps"
    __table_args__ = (once_per_client("client_steps", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(64))
    date: Mapped[dt.date | None] = mapped_column(Date)

    client: Mapped[Client] = relationship(back_populates="steps_taken")


class Goal(Correctable, Base):
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
    status_changes: Mapped[list[GoalStatusChange]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="GoalStatusChange.id"
    )


class GoalStatusChange(Base):
    """A goal's status from a day on (progressing, met, dropped …): who set it, and when."""

    __tablename__ = "client_goal_status_changes"
    __table_args__ = (
        CheckConstraint(one_of("status", GOAL_STATUSES), name="status"),
        Index(None, "goal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("client_goals.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    on: Mapped[dt.date] = mapped_column(Date)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="status_changes")


class FinancialArrangement(Correctable, Base):
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


class CurrentCare(Correctable, Base):
    """A service the client already receives elsewhere (`client.current_care`)."""

    __tablename__ = "client_current_care"
    __table_args__ = (once_per_client("client_current_care", "service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey(_CLIENT_FK, ondelete="CASCADE"))
    service: Mapped[str] = mapped_column(String(64))

    client: Mapped[Client] = relationship(back_populates="current_care")


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
    CurrentCare,
)
