"""FSRS scheduling of the ethics practice cards: a card's state in, an answer's rating, the
state out, with when the card is next due.

FSRS (the `fsrs` package) models how well each card is remembered (its stability and
difficulty) and sets the next review for the chance of recalling it to be
`DESIRED_RETENTION`: a card answered well comes back after days, then weeks; one
forgotten comes back within minutes and is learnt again. Fuzzing (a random day or two
added to long intervals) is off, so the same answers always give the same schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Final, cast

from fsrs import Card, Rating, Scheduler, State
from fsrs.card import CardDict

DESIRED_RETENTION: Final = 0.9
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATINGS: Final[Mapping[int, str]] = {AGAIN: "again", HARD: "hard", GOOD: "good", EASY: "easy"}
# `state_before` of a card never answered; FSRS's own states are 1 learning, 2 review,
# 3 relearning.
NEW: Final = 0
LEARNING, REVIEW, RELEARNING = State.Learning.value, State.Review.value, State.Relearning.value
# FSRS wants a number for each card; referwell keys cards by the bank's ids instead.
_CARD_NUMBER: Final = 1


@cache
def scheduler() -> Scheduler:
    """The one scheduler: FSRS's default weights, 90 % retention, no fuzz."""
    return Scheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=False)


@dataclass(frozen=True, slots=True)
class Scheduled:
    """What one answer did to a card."""

    fsrs: dict[str, Any]
    due: datetime
    state: int
    state_before: int
    # FSRS's estimate, just before the answer, that the card would be recalled; None for a
    # card never answered.
    retrievability: float | None
    # A card that had been learnt (in review) and was forgotten.
    lapsed: bool


def schedule(previous: Mapping[str, Any] | None, rating: int, at: datetime) -> Scheduled:
    """Apply one answer, rated 1 (again) to 4 (easy), given at `at` (timezone-aware), to a
    card in state `previous` (FSRS's dict; None for a card never answered)."""
    if rating not in RATINGS:
        raise ValueError(f"a rating is 1 to 4; got {rating!r}")
    if at.tzinfo is None:
        raise ValueError("give a timezone-aware time")
    if previous is None:
        card = Card(card_id=_CARD_NUMBER, due=at)
        state_before, retrievability = NEW, None
    else:
        card = Card.from_dict(cast(CardDict, dict(previous)))
        state_before = card.state.value
        retrievability = scheduler().get_card_retrievability(card, at)
    answered, _log = scheduler().review_card(card, Rating(rating), at)
    return Scheduled(
        fsrs=dict(answered.to_dict()),
        due=answered.due,
        state=answered.state.value,
        state_before=state_before,
        retrievability=retrievability,
        lapsed=state_before == REVIEW and rating == AGAIN,
    )
