"""Use cases: a clinician's ethics practice with the card bank, scheduled by FSRS.

Each person practises their own cards: which card is next, how many are due, an answer
and what it does to the schedule, and how much they retain. A card never answered is
new; a person meets at most `NEW_CARDS_PER_DAY` new cards a day (counted in UTC days), in
the bank's order of introduction (one card of each topic in turn). Due cards come first,
the longest overdue first; when nothing is due, a card being learnt that falls due within
`LEARN_AHEAD` is shown rather than nothing.

A multiple-choice answer that is wrong is always rated "again", whatever the rating
sent; a right one, or a recall card, takes the person's own rating (again, hard, good,
easy). Retention is the share of answers to cards seen before that were recalled
(rated anything but "again").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.growth.cards import CardReview, CardState
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import MISSING, OUT_OF_RANGE, FieldError, InvalidInput
from referwell.domain.growth.cards import (
    MULTIPLE_CHOICE,
    Card,
    card_named,
    introduction_order,
    load_bank,
)
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.growth.scheduling import AGAIN, LEARNING, NEW, RATINGS, RELEARNING, schedule
from referwell.services.permissions import (
    CLINICAL_ROLES,
    Actor,
    Permission,
    Person,
    Role,
    require_permission,
)

NEW_CARDS_PER_DAY: Final = 10
LEARN_AHEAD: Final = timedelta(minutes=20)
RETENTION_DAYS: Final = 30
RETENTION_WEEKS: Final = 8


@dataclass(frozen=True, slots=True)
class CardsOverview:
    """Where a person's practice stands at a moment."""

    bank_size: int
    seen: int
    due_reviews: int  # cards answered before and due now
    new_left_today: int  # new cards still to meet today
    reviewed_today: int
    next_due: datetime | None  # the next card answered before that falls due, if none is now
    retention: float | None  # over the last RETENTION_DAYS days; None without answers
    retention_answers: int

    @property
    def due(self) -> int:
        """The number due now: cards due again, and the new cards left for today."""
        return self.due_reviews + self.new_left_today


@dataclass(frozen=True, slots=True)
class WeekRetention:
    """One week's answers to cards seen before, and how many were recalled."""

    week_start: date
    answers: int
    recalled: int

    @property
    def share(self) -> float | None:
        return self.recalled / self.answers if self.answers else None


@dataclass(frozen=True, slots=True)
class NextCard:
    card: Card
    new: bool  # never answered before


@dataclass(frozen=True, slots=True)
class Reviewed:
    """One answer, as recorded."""

    card: Card
    rating: int
    correct: bool | None  # a multiple-choice answer: whether it was right
    due: datetime

    @property
    def rating_name(self) -> str:
        return RATINGS[self.rating]


def _start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)


def _new_met_today(session: Session, user_id: int, now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(CardState)
            .where(
                CardState.user_id == user_id,
                CardState.first_reviewed_at >= _start_of_day(now),
            )
        )
        or 0
    )


def _seen_ids(session: Session, user_id: int) -> set[str]:
    return set(session.scalars(select(CardState.card_id).where(CardState.user_id == user_id)))


def _new_left(session: Session, user_id: int, now: datetime, seen: set[str]) -> int:
    unseen = sum(1 for card_id in introduction_order() if card_id not in seen)
    return max(0, min(NEW_CARDS_PER_DAY - _new_met_today(session, user_id, now), unseen))


def learner(session: Session, actor: Actor | None, username: str | None = None) -> int:
    """Whose cards: a person's own (signed in); for the operator at the command line, the
    clinician or supervisor named by `username`. The user's id."""
    if isinstance(actor, Person) or actor is None:
        person = require_permission(actor, Permission.CLINICAL)
        assert isinstance(person, Person)  # noqa: S101 - only people hold `clinical`
        return person.user_id
    require_permission(actor, Permission.OPERATE)
    from referwell.db.models import User

    user = session.scalar(select(User).where(User.username == (username or "")))
    if user is None or Role(user.role) not in CLINICAL_ROLES:
        raise NotFound("clinician", username or "")
    return user.id


def cards_due(uow: UnitOfWork, actor: Actor | None, now: datetime) -> int:
    """How many of the person's own cards are due now (the number on the profile)."""
    with uow:
        return due_count(uow.session, learner(uow.session, actor), now)


def due_count(session: Session, user_id: int, now: datetime) -> int:
    """How many cards are due for a user now (reviews due and new cards left for today)."""
    reviews = session.scalar(
        select(func.count())
        .select_from(CardState)
        .where(CardState.user_id == user_id, CardState.due <= now)
    )
    return int(reviews or 0) + _new_left(session, user_id, now, _seen_ids(session, user_id))


def overview(
    uow: UnitOfWork, actor: Actor | None, now: datetime, *, username: str | None = None
) -> CardsOverview:
    """The person's own practice at `now` (the operator's: `username`'s)."""
    with uow:
        session = uow.session
        user_id = learner(session, actor, username)
        seen = _seen_ids(session, user_id)
        due_reviews = int(
            session.scalar(
                select(func.count())
                .select_from(CardState)
                .where(CardState.user_id == user_id, CardState.due <= now)
            )
            or 0
        )
        next_due = session.scalar(
            select(func.min(CardState.due)).where(CardState.user_id == user_id, CardState.due > now)
        )
        reviewed_today = int(
            session.scalar(
                select(func.count())
                .select_from(CardReview)
                .where(CardReview.user_id == user_id, CardReview.reviewed_at >= _start_of_day(now))
            )
            or 0
        )
        since = now - timedelta(days=RETENTION_DAYS)
        answers, recalled = _retention_counts(session, user_id, since, now)
        return CardsOverview(
            bank_size=len(load_bank()),
            seen=len(seen),
            due_reviews=due_reviews,
            new_left_today=_new_left(session, user_id, now, seen),
            reviewed_today=reviewed_today,
            next_due=next_due if due_reviews == 0 else None,
            retention=recalled / answers if answers else None,
            retention_answers=answers,
        )


def _retention_counts(
    session: Session, user_id: int, since: datetime, until: datetime
) -> tuple[int, int]:
    row = session.execute(
        select(
            func.count(),
            func.count().filter(CardReview.rating != AGAIN),
        ).where(
            CardReview.user_id == user_id,
            CardReview.state_before != NEW,
            CardReview.reviewed_at >= since,
            CardReview.reviewed_at <= until,
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def retention_by_week(
    uow: UnitOfWork, actor: Actor | None, now: datetime, weeks: int = RETENTION_WEEKS
) -> list[WeekRetention]:
    """The last `weeks` weeks (Monday to Sunday, UTC), oldest first, this week last."""
    today = now.astimezone(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    with uow:
        user_id = learner(uow.session, actor)
        rows = uow.session.execute(
            select(CardReview.reviewed_at, CardReview.rating).where(
                CardReview.user_id == user_id,
                CardReview.state_before != NEW,
                CardReview.reviewed_at >= datetime.combine(first, time(0), tzinfo=UTC),
                CardReview.reviewed_at <= now,
            )
        ).all()
    answers = [0] * weeks
    recalled = [0] * weeks
    for reviewed_at, rating in rows:
        week = (reviewed_at.astimezone(UTC).date() - first).days // 7
        if 0 <= week < weeks:
            answers[week] += 1
            recalled[week] += rating != AGAIN
    return [
        WeekRetention(first + timedelta(weeks=i), answers[i], recalled[i]) for i in range(weeks)
    ]


def next_card(
    uow: UnitOfWork, actor: Actor | None, now: datetime, *, username: str | None = None
) -> NextCard | None:
    """The card to practise now, or None when nothing is due (see the module's docstring)."""
    with uow:
        return _next_card(uow.session, learner(uow.session, actor, username), now)


def _next_card(session: Session, user_id: int, now: datetime) -> NextCard | None:
    due = session.scalars(
        select(CardState.card_id)
        .where(CardState.user_id == user_id, CardState.due <= now)
        .order_by(CardState.due, CardState.id)
    ).all()
    for card_id in due:
        card = card_named(card_id)
        if card is not None:  # a card since dropped from the bank is skipped
            return NextCard(card, new=False)
    seen = _seen_ids(session, user_id)
    if _new_left(session, user_id, now, seen) > 0:
        for card_id in introduction_order():
            if card_id not in seen:
                card = card_named(card_id)
                assert card is not None  # noqa: S101 - the order is the bank's own ids
                return NextCard(card, new=True)
    learning = session.scalars(
        select(CardState)
        .where(CardState.user_id == user_id, CardState.due <= now + LEARN_AHEAD)
        .order_by(CardState.due, CardState.id)
    ).all()
    for state in learning:
        card = card_named(state.card_id)
        if card is not None and state.fsrs.get("state") in (LEARNING, RELEARNING):
            return NextCard(card, new=False)
    return None


def card_for_answer(card_id: str) -> Card:
    """The card a form names; InvalidInput (field `card_id`) when the bank has no such card."""
    card = card_named(card_id.strip())
    if card is None:
        raise InvalidInput(
            [FieldError("card_id", "no such card: start again from the practice page", MISSING)],
            what="card",
        )
    return card


def parse_choice(card: Card, choice: str | int | None) -> int | None:
    """A multiple-choice answer's position (from 0), checked; None for a recall card.
    InvalidInput (field `choice`) when a multiple-choice card has no valid answer."""
    if card.kind != MULTIPLE_CHOICE:
        return None
    text = str(choice).strip() if choice is not None else ""
    if not text:
        raise InvalidInput([FieldError("choice", "choose an answer", MISSING)], what="card")
    if not text.isdigit() or not 0 <= int(text) < len(card.choices):
        raise InvalidInput(
            [
                FieldError(
                    "choice",
                    f"choose one of the {len(card.choices)} answers",
                    OUT_OF_RANGE,
                    {"low": 1, "high": len(card.choices)},
                )
            ],
            what="card",
        )
    return int(text)


def parse_rating(rating: str | int | None) -> int:
    """A rating 1 to 4, by number or by name (again, hard, good, easy)."""
    text = str(rating).strip().lower() if rating is not None else ""
    names = {name: number for number, name in RATINGS.items()}
    if text in names:
        return names[text]
    if text.isdigit() and int(text) in RATINGS:
        return int(text)
    raise InvalidInput(
        [FieldError("rating", "say how well you knew it: again, hard, good or easy", MISSING)],
        what="card",
    )


def review_card(
    uow: UnitOfWork,
    actor: Actor | None,
    card_id: str,
    *,
    rating: str | int | None,
    now: datetime,
    choice: str | int | None = None,
    username: str | None = None,
) -> Reviewed:
    """Record one answer to one of the person's own cards (the operator's: `username`'s)
    and schedule it; committed."""
    card = card_for_answer(card_id)
    chosen = parse_choice(card, choice)
    given = parse_rating(rating)
    correct = None if chosen is None else card.is_right(chosen)
    final = AGAIN if correct is False else given
    with uow:
        session = uow.session
        user_id = learner(session, actor, username)
        assert actor is not None  # noqa: S101 - learner() refuses no actor
        state = session.scalar(
            select(CardState).where(CardState.user_id == user_id, CardState.card_id == card.id)
        )
        scheduled = schedule(state.fsrs if state is not None else None, final, now)
        if state is None:
            state = CardState(
                user_id=user_id,
                card_id=card.id,
                fsrs=scheduled.fsrs,
                due=scheduled.due,
                first_reviewed_at=now,
                reviews=0,
                lapses=0,
            )
            session.add(state)
        state.fsrs = scheduled.fsrs
        state.due = scheduled.due
        state.reviews += 1
        state.lapses += int(scheduled.lapsed)
        review = CardReview(
            user_id=user_id,
            card_id=card.id,
            rating=final,
            correct=correct,
            state_before=scheduled.state_before,
            retrievability=scheduled.retrievability,
            reviewed_at=now,
        )
        session.add(review)
        session.flush()
        audit_write(
            session, actor, AuditAction.CARD_REVIEW, target_type="card_review",
            target_ids=[review.id],
        )  # fmt: skip
        uow.commit()
    return Reviewed(card=card, rating=final, correct=correct, due=scheduled.due)


def topics_practised(cards: Sequence[Card]) -> dict[str, int]:
    """How many of these cards each topic has (the page's list of topics)."""
    counts: dict[str, int] = {}
    for card in cards:
        counts[card.topic_name] = counts.get(card.topic_name, 0) + 1
    return counts
