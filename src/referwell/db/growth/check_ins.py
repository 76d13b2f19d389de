"""The clinician's own ProQOL 5 check-ins (issue 12): theirs alone unless they share them.

A row holds the 30 answers and the three sums, whether the clinician shares the scores
with their supervisor (the supervisor always sees that a check-in happened, never the
scores unless shared), and what the clinician answered to the offer a high burnout or
secondary traumatic stress score makes (noting burnout on their open cases).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, false
from sqlalchemy.orm import Mapped, mapped_column

from referwell.db.base import Base, one_of, utcnow

BURNOUT_OFFER_ANSWERS = ("accepted", "declined")


class ProqolCheckIn(Base):
    """One ProQOL 5 check-in of a clinician."""

    __tablename__ = "proqol_check_ins"
    __table_args__ = (
        CheckConstraint(one_of("burnout_offer", BURNOUT_OFFER_ANSWERS), name="burnout_offer"),
        Index(None, "user_id", "taken_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    taken_on: Mapped[date] = mapped_column(Date)
    # The 30 answers, 1 to 5, in item order.
    answers: Mapped[list[int]] = mapped_column(JSON)
    compassion_satisfaction: Mapped[int] = mapped_column(SmallInteger)
    burnout: Mapped[int] = mapped_column(SmallInteger)
    secondary_traumatic_stress: Mapped[int] = mapped_column(SmallInteger)
    # The supervisor sees the scores only while this is true; the dates they always see.
    shared_with_supervisor: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What the clinician answered to the offer of a high score (None: nothing offered, or
    # not answered yet).
    burnout_offer: Mapped[str | None] = mapped_column(String(16))
    burnout_offer_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
