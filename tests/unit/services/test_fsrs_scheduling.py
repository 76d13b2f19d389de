"""FSRS scheduling of the ethics practice cards (services/growth/scheduling.py), alone: what one
answer does to a card, and a simulated month of answers to the whole bank."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from referwell.domain.growth.cards import load_bank
from referwell.services.growth.scheduling import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    Scheduled,
    schedule,
)

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday morning


def test_a_new_card_answered_good_comes_back_within_the_hour_then_after_days() -> None:
    first = schedule(None, GOOD, START)
    assert first.state_before == NEW
    assert first.retrievability is None
    assert first.state == LEARNING
    assert timedelta(0) < first.due - START <= timedelta(minutes=10)
    second = schedule(first.fsrs, GOOD, first.due)
    assert second.state == REVIEW
    assert second.due - first.due >= timedelta(days=1)


def test_the_same_answers_always_give_the_same_schedule() -> None:
    def run() -> list[datetime]:
        state: dict[str, Any] | None = None
        at = START
        dues = []
        for rating in (GOOD, GOOD, HARD, GOOD, EASY, AGAIN, GOOD, GOOD):
            done = schedule(state, rating, at)
            state, at = done.fsrs, done.due
            dues.append(done.due)
        return dues

    assert run() == run()


def _learnt(rating: int = GOOD) -> Scheduled:
    """A card through its learning steps and into review."""
    done = schedule(None, GOOD, START)
    return schedule(done.fsrs, rating, done.due)


def test_harder_answers_bring_a_card_back_sooner() -> None:
    card = _learnt()
    at = card.due
    intervals = {rating: schedule(card.fsrs, rating, at).due - at for rating in (HARD, GOOD, EASY)}
    assert intervals[HARD] < intervals[GOOD] < intervals[EASY]
    forgotten = schedule(card.fsrs, AGAIN, at)
    assert forgotten.due - at <= timedelta(minutes=10)
    assert forgotten.state == RELEARNING
    assert forgotten.lapsed


def test_intervals_grow_while_a_card_is_remembered() -> None:
    card = _learnt()
    previous = card.due - START
    at = card.due
    for _ in range(4):
        card = schedule(card.fsrs, GOOD, at)
        assert card.due - at > previous
        assert card.retrievability is not None
        assert 0.8 < card.retrievability <= 1.0  # answered when due: about 90 % recall
        previous, at = card.due - at, card.due


@pytest.mark.parametrize("bad", [0, 5, -1])
def test_a_rating_is_one_to_four(bad: int) -> None:
    with pytest.raises(ValueError, match="1 to 4"):
        schedule(None, bad, START)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        schedule(None, GOOD, START.replace(tzinfo=None))


def test_a_simulated_month_of_the_whole_bank() -> None:
    """Ten new cards a morning, every due card answered (every seventh forgotten), for 30 days:
    each answer moves the card into the future, a forgotten card comes back the same day,
    the daily load settles, and well-known cards end up weeks apart."""
    bank = [card.id for card in load_bank()]
    states: dict[str, dict[str, Any]] = {}
    due: dict[str, datetime] = {}
    answers_per_day: list[int] = []
    turn = 0
    for day in range(30):
        now = START + timedelta(days=day)
        fresh = [card_id for card_id in bank if card_id not in states][:10]
        answered = 0
        queue = sorted((c for c in due if due[c] <= now), key=lambda c: due[c]) + fresh
        while queue:
            card_id = queue.pop(0)
            turn += 1
            rating = AGAIN if turn % 7 == 0 else GOOD
            done = schedule(states.get(card_id), rating, now)
            assert done.due > now
            if rating == AGAIN:
                assert done.due - now <= timedelta(minutes=10)
            states[card_id], due[card_id] = done.fsrs, done.due
            answered += 1
            now += timedelta(minutes=1)
            # Cards in their learning steps come back within the session.
            queue += [c for c in due if due[c] <= now and c not in queue and c != card_id]
        answers_per_day.append(answered)
    assert len(states) == len(bank)  # every card met: 10 a day for 10 days
    assert all(due[card_id] > START + timedelta(days=29) for card_id in bank)
    # The first days carry the new cards; once all are met the load falls.
    assert max(answers_per_day[:10]) > max(answers_per_day[20:])
    assert sum(answers_per_day[25:]) < sum(answers_per_day[:5])
    intervals = [
        due[c] - datetime.fromisoformat(states[c]["last_review"])
        for c in bank
        if states[c]["state"] == REVIEW
    ]
    assert max(intervals) >= timedelta(days=14)
