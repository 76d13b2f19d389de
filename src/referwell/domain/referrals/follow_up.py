"""When a referral needs a nudge: sent and not acknowledged after N days, accepted with no
appointment after M days, a no-show, or the clinician's own follow-up date reached.

N and M are settings (`referral_unacknowledged_days`, default 5; `referral_unscheduled_days`,
default 14): a week of working days for an answer, two weeks for an appointment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from referwell.domain.referrals.status import is_closed

DEFAULT_UNACKNOWLEDGED_DAYS: Final = 5
DEFAULT_UNSCHEDULED_DAYS: Final = 14

# Why a referral is due, in the order of urgency.
NOT_ACKNOWLEDGED: Final = "not_acknowledged"
NO_APPOINTMENT: Final = "no_appointment"
NO_SHOW: Final = "no_show"
FOLLOW_UP_DATE: Final = "follow_up_date"
REASONS: Final = {
    NO_SHOW: "the client did not come to the first appointment",
    NOT_ACKNOWLEDGED: "sent and not acknowledged",
    NO_APPOINTMENT: "accepted with no appointment",
    FOLLOW_UP_DATE: "the follow-up date has come",
}


@dataclass(frozen=True, slots=True)
class FollowUpSettings:
    """N and M: days after sending with no acknowledgement, days after accepting with no
    appointment, before a referral is due for follow-up."""

    unacknowledged_days: int = DEFAULT_UNACKNOWLEDGED_DAYS
    unscheduled_days: int = DEFAULT_UNSCHEDULED_DAYS

    def __post_init__(self) -> None:
        if self.unacknowledged_days < 1 or self.unscheduled_days < 1:
            raise ValueError("follow-up days are at least 1")


@dataclass(frozen=True, slots=True)
class FollowUpFacts:
    """What follow-up reads of a referral."""

    status: str
    business_status: str
    sent_at: datetime | None  # when it became `requested`
    accepted_at: datetime | None  # when it became `accepted` without a date
    appointment_on: date | None
    follow_up_on: date | None


def due_reasons(facts: FollowUpFacts, today: date, settings: FollowUpSettings) -> tuple[str, ...]:
    """Why the referral needs a nudge on `today` (empty: it does not). Closed ones never do."""
    if is_closed(facts.status) or facts.status == "draft":
        return ()
    reasons = []
    if facts.status == "accepted" and facts.business_status == NO_SHOW:
        reasons.append(NO_SHOW)
    if (
        facts.status == "requested"
        and facts.sent_at is not None
        and (today - facts.sent_at.date()).days >= settings.unacknowledged_days
    ):
        reasons.append(NOT_ACKNOWLEDGED)
    if (
        facts.status == "accepted"
        and facts.appointment_on is None
        and facts.business_status == "accepted"
        and facts.accepted_at is not None
        and (today - facts.accepted_at.date()).days >= settings.unscheduled_days
    ):
        reasons.append(NO_APPOINTMENT)
    if facts.follow_up_on is not None and facts.follow_up_on <= today:
        reasons.append(FOLLOW_UP_DATE)
    return tuple(reasons)
