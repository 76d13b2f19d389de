"""Ethics practice through its use cases, on SQLite and PostgreSQL: a simulated month of one
clinician's reviews, the daily limit of new cards, a wrong answer, retention, and whose
cards are whose."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.growth.cards import CardReview, CardState
from referwell.db.models import AuditEntry, User
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import InvalidInput
from referwell.domain.growth.cards import load_bank
from referwell.services.errors import Forbidden, NotFound
from referwell.services.growth import ethics_cards as service
from referwell.services.growth.scheduling import AGAIN, NEW
from referwell.services.permissions import Operator, Person

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _answer(
    uow: UnitOfWork, person: Person, found: service.NextCard, now: datetime, turn: int
) -> service.Reviewed:
    """Answer a card: right, but wrong every sixth time."""
    card = found.card
    forget = turn % 6 == 0
    choice = None
    if card.answer_index is not None:
        choice = (card.answer_index + (1 if forget else 0)) % len(card.choices)
    return service.review_card(
        uow, person, card.id, rating="again" if forget else "good", now=now, choice=choice
    )


# The month through the database meets the first 25 cards of the bank (the whole bank's month
# is tests/unit/services/test_fsrs_scheduling.py's, without a database): enough for three days
# of new cards and four weeks of reviews, at a fifth of the answers.
MONTH_CARDS = 25


def test_a_simulated_month_of_practice(
    uow: UnitOfWork,
    session: Session,
    make_clinician: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = service.introduction_order()[:MONTH_CARDS]
    monkeypatch.setattr(service, "introduction_order", lambda: order)
    person = Person.from_user(make_clinician())
    turn = 0
    per_day: list[int] = []
    for day in range(30):
        now = START + timedelta(days=day)
        before = service.overview(uow, person, now)
        if day < 2:
            assert before.new_left_today == service.NEW_CARDS_PER_DAY
        answered = 0
        while (found := service.next_card(uow, person, now)) is not None:
            turn += 1
            reviewed = _answer(uow, person, found, now, turn)
            assert reviewed.due > now
            answered += 1
            now += timedelta(minutes=2)
            assert answered < 200  # the session ends
        per_day.append(answered)
        after = service.overview(uow, person, now)
        assert after.due == 0
        assert after.new_left_today == 0
    bank = MONTH_CARDS
    states = session.scalars(select(CardState).where(CardState.user_id == person.user_id)).all()
    assert len(states) == bank  # met every card, ten a day
    introduced = Counter(
        (s.first_reviewed_at.astimezone(UTC).date() - START.date()).days for s in states
    )
    assert max(introduced.values()) == service.NEW_CARDS_PER_DAY
    assert sorted(introduced) == [0, 1, 2]
    reviews = session.scalars(select(CardReview).where(CardReview.user_id == person.user_id)).all()
    assert len(reviews) == turn == sum(per_day) == sum(s.reviews for s in states)
    assert max(per_day[:3]) > max(per_day[20:])
    # Retention over the last 30 days: recalled answers among cards met before.
    seen_before = [
        r for r in reviews if r.state_before != NEW and r.reviewed_at >= now - timedelta(days=30)
    ]
    expected = sum(r.rating != AGAIN for r in seen_before) / len(seen_before)
    got = service.overview(uow, person, now).retention
    assert got == pytest.approx(expected)
    weeks = service.retention_by_week(uow, person, now)
    assert len(weeks) == service.RETENTION_WEEKS
    assert sum(w.answers for w in weeks) <= len(reviews)
    assert all(w.share is None or 0 <= w.share <= 1 for w in weeks)
    # Every card answered well enough ends the month days or weeks away.
    assert max(s.due for s in states) - now > timedelta(days=14)


def test_a_wrong_choice_is_rated_again_whatever_was_sent(
    uow: UnitOfWork, session: Session, make_clinician: Callable[..., User]
) -> None:
    person = Person.from_user(make_clinician())
    card = next(c for c in load_bank() if c.answer_index is not None)
    wrong = (card.answer_index + 1) % len(card.choices)
    reviewed = service.review_card(uow, person, card.id, rating="easy", now=START, choice=wrong)
    assert reviewed.correct is False
    assert reviewed.rating == AGAIN
    row = session.scalars(select(CardReview)).one()
    assert (row.rating, row.correct, row.state_before) == (AGAIN, False, NEW)
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.CARD_REVIEW.value)
    ).all()
    assert [e.target_ids for e in entries] == [[row.id]]
    assert entries[0].actor == str(person.user_id)


BAD_ANSWERS = {
    "an unknown card": ("no-such-card", None, "good", "card_id"),
    "no choice": ("competence-01", None, "good", "choice"),
    "a choice out of range": ("competence-01", "9", "good", "choice"),
    "an unknown rating": ("competence-01", "0", "brilliant", "rating"),
    "no rating": ("competence-02", None, "", "rating"),
}


@pytest.mark.parametrize("bad", list(BAD_ANSWERS.values()), ids=list(BAD_ANSWERS))
def test_a_bad_answer_is_refused_naming_the_field(
    uow: UnitOfWork, make_clinician: Callable[..., User], bad: tuple[str, str | None, str, str]
) -> None:
    card_id, choice, rating, field = bad
    person = Person.from_user(make_clinician())
    with pytest.raises(InvalidInput) as refused:
        service.review_card(uow, person, card_id, rating=rating, now=START, choice=choice)
    assert refused.value.errors[0].path == field


def test_each_persons_cards_are_their_own(
    uow: UnitOfWork, session: Session, make_clinician: Callable[..., User]
) -> None:
    first = Person.from_user(make_clinician(username="first"))
    second_user = make_clinician(username="second")
    second = Person.from_user(second_user)
    service.review_card(uow, first, "values-02", rating="good", now=START)
    assert service.overview(uow, first, START).seen == 1
    assert service.overview(uow, second, START).seen == 0
    # The operator practises for a named clinician, and is audited as the operator.
    operator = Operator("ops")
    service.review_card(uow, operator, "values-02", rating="good", now=START, username="second")
    assert service.overview(uow, second, START).seen == 1
    actors = session.execute(
        select(AuditEntry.actor, AuditEntry.actor_kind).where(
            AuditEntry.action == AuditAction.CARD_REVIEW.value
        )
    ).all()
    assert (second_user.username, "os_user") not in actors
    assert ("ops", "os_user") in actors
    with pytest.raises(NotFound):
        service.next_card(uow, operator, START, username="nobody")


def test_an_admin_has_no_cards(uow: UnitOfWork, make_clinician: Callable[..., User]) -> None:
    admin = Person.from_user(make_clinician(username="boss", role="admin"))
    with pytest.raises(Forbidden):
        service.overview(uow, admin, START)


def test_nothing_due_learns_ahead_within_twenty_minutes(
    uow: UnitOfWork, session: Session, make_clinician: Callable[..., User]
) -> None:
    person = Person.from_user(make_clinician())
    now = START
    for _ in range(service.NEW_CARDS_PER_DAY):
        found = service.next_card(uow, person, now)
        assert found is not None
        assert found.new
        service.review_card(
            uow, person, found.card.id, rating="good", now=now, choice=found.card.answer_index
        )
    # All ten are in their learning steps, due in 10 minutes: shown now rather than nothing.
    assert service.overview(uow, person, now).due == 0
    ahead = service.next_card(uow, person, now)
    assert ahead is not None
    assert not ahead.new
    # Well past the learning steps, with nothing in them, nothing is shown.
    for _ in range(service.NEW_CARDS_PER_DAY):
        later = now + timedelta(minutes=11)
        found = service.next_card(uow, person, later)
        assert found is not None
        service.review_card(
            uow, person, found.card.id, rating="good", now=later, choice=found.card.answer_index
        )
    assert service.next_card(uow, person, now + timedelta(minutes=12)) is None
    assert session.scalar(select(func.count()).select_from(CardReview)) == 20
