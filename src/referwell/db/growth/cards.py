"""Ethics practice cards as each user has learnt them (issue 12): each row is one user's.

- `card_states`: where each card stands for one user, as FSRS keeps it (its state as
  JSON, and when it is next due, as a column to query on); no row until the first answer;
- `card_reviews`: every answer given to a card, with the rating, whether a multiple-choice
  answer was right, and the card's state before (the retention chart reads these).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from referwell.db.base import Base, utcnow


class CardState(Base):
    """One card as one user has learnt it so far."""

    __tablename__ = "card_states"
    __table_args__ = (
        UniqueConstraint("user_id", "card_id"),
        Index(None, "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The card's id in the shipped bank (domain/growth/cards.json).
    card_id: Mapped[str] = mapped_column(String(64))
    # FSRS's own record of the card (state, step, stability, difficulty, due, last review).
    fsrs: Mapped[dict[str, Any]] = mapped_column(JSON)
    due: Mapped[datetime]
    first_reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviews: Mapped[int] = mapped_column(SmallInteger, default=0)
    lapses: Mapped[int] = mapped_column(SmallInteger, default=0)


class CardReview(Base):
    """One answer to one card: appended, never changed."""

    __tablename__ = "card_reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 4", name="rating"),
        Index(None, "user_id", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    card_id: Mapped[str] = mapped_column(String(64))
    # FSRS's rating: 1 again (forgotten), 2 hard, 3 good, 4 easy.
    rating: Mapped[int] = mapped_column(SmallInteger)
    # A multiple-choice answer: whether the choice was right; None for a recall card.
    correct: Mapped[bool | None] = mapped_column(Boolean)
    # FSRS's state of the card before this answer: 0 never seen, 1 learning, 2 review,
    # 3 relearning.
    state_before: Mapped[int] = mapped_column(SmallInteger)
    # FSRS's estimate, before the answer, that the card would be recalled (None when new).
    retrievability: Mapped[float | None] = mapped_column(Float)
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
