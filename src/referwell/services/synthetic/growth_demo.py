"""The demo practice's own growth: some months of ProQOL check-ins and three weeks of ethics
practice, so that the trend and the retention chart have something to show.

Casey has checked in monthly for five months, burnout creeping up (never this month: the
demo leaves this month's check-in to do); Dana three months, the latest shared with Morgan;
Robin not at all. Casey has practised cards most days of the last three weeks, answering
most of them well, so that some are due on the demo day. Every date counts back from the
demo day; all of it is synthetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from sqlalchemy.orm import Session

from referwell.db.growth.cards import CardReview, CardState
from referwell.db.growth.check_ins import ProqolCheckIn
from referwell.domain.growth.cards import introduction_order
from referwell.domain.growth.proqol import (
    BURNOUT,
    COMPASSION_SATISFACTION,
    NUMBER_OF_ITEMS,
    REVERSED_ITEMS,
    SECONDARY_TRAUMATIC_STRESS,
    SUBSCALE_ITEMS,
    score_proqol,
)
from referwell.services.growth.check_ins import months_back
from referwell.services.growth.scheduling import AGAIN, EASY, GOOD, HARD, schedule

# Per clinician: (months back, compassion satisfaction, burnout, secondary traumatic stress,
# shared with the supervisor).
CHECK_INS: Final[Mapping[str, tuple[tuple[int, int, int, int, bool], ...]]] = {
    "casey": (
        (5, 38, 24, 20, False),
        (4, 36, 26, 22, False),
        (3, 35, 28, 25, False),
        (2, 33, 31, 27, False),
        (1, 31, 34, 30, False),
    ),
    "dana": (
        (3, 40, 21, 18, False),
        (2, 41, 22, 19, False),
        (1, 42, 20, 18, True),
    ),
}
PRACTICE_DAYS: Final = 21
NEW_PER_DAY: Final = 3
# How the demo clinician rates their answers, in turn: mostly good, now and then not.
RATING_CYCLE: Final = (GOOD, GOOD, EASY, GOOD, HARD, GOOD, AGAIN, GOOD, GOOD, EASY, GOOD)


def answers_for(sums: Mapping[str, int]) -> list[int]:
    """Thirty answers whose subscale sums are `sums` (each 10 to 50), reversed items
    answered the other way round."""
    answers = [0] * NUMBER_OF_ITEMS
    for code, items in SUBSCALE_ITEMS.items():
        base, extra = divmod(sums[code], len(items))
        for position, number in enumerate(items):
            value = base + (1 if position < extra else 0)
            answers[number - 1] = 6 - value if number in REVERSED_ITEMS else value
    return answers


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def seed_check_ins(session: Session, user_ids: Mapping[str, int], today: date) -> int:
    """The demo's check-ins; the number written."""
    written = 0
    for username, rows in CHECK_INS.items():
        for months, cs, bo, sts, shared in rows:
            day = months_back(today, months).replace(day=min(today.day, 28))
            answers = answers_for(
                {COMPASSION_SATISFACTION: cs, BURNOUT: bo, SECONDARY_TRAUMATIC_STRESS: sts}
            )
            scores = score_proqol(answers)
            session.add(
                ProqolCheckIn(
                    user_id=user_ids[username],
                    taken_on=day,
                    answers=answers,
                    compassion_satisfaction=scores.compassion_satisfaction.score,
                    burnout=scores.burnout.score,
                    secondary_traumatic_stress=scores.secondary_traumatic_stress.score,
                    shared_with_supervisor=shared,
                    created_at=_at(day, 17),
                )
            )
            written += 1
    return written


def seed_practice(session: Session, user_id: int, today: date) -> int:
    """Three weeks of one clinician's ethics practice up to yesterday; the answers written."""
    states: dict[str, CardState] = {}
    order = introduction_order()
    introduced = 0
    turn = 0
    for days_back in range(PRACTICE_DAYS, 0, -1):
        now = _at(today - timedelta(days=days_back), 8)
        if days_back % 7 == 3:  # a day off each week
            continue
        due = sorted((s for s in states.values() if s.due <= now), key=lambda s: s.due)
        fresh = [
            CardState(card_id=card_id) for card_id in order[introduced : introduced + NEW_PER_DAY]
        ]
        introduced += len(fresh)
        for state in [*due, *fresh]:
            rating = RATING_CYCLE[turn % len(RATING_CYCLE)]
            turn += 1
            scheduled = schedule(state.fsrs if state.card_id in states else None, rating, now)
            if state.card_id not in states:
                state.user_id = user_id
                state.first_reviewed_at = now
                state.reviews = 0
                state.lapses = 0
                states[state.card_id] = state
                session.add(state)
            state.fsrs = scheduled.fsrs
            state.due = scheduled.due
            state.reviews += 1
            state.lapses += int(scheduled.lapsed)
            session.add(
                CardReview(
                    user_id=user_id,
                    card_id=state.card_id,
                    rating=rating,
                    correct=None,
                    state_before=scheduled.state_before,
                    retrievability=scheduled.retrievability,
                    reviewed_at=now,
                )
            )
            now += timedelta(minutes=1)
    return turn


def seed_growth_demo(session: Session, user_ids: Mapping[str, int], today: date) -> None:
    """The demo's check-ins and Casey's practice, in the caller's transaction."""
    seed_check_ins(session, user_ids, today)
    seed_practice(session, user_ids["casey"], today)
