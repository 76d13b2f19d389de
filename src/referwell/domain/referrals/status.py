"""The referral's status machine: FHIR R4 `Task.status`, who may set each, and the business
status (`Task.businessStatus`) saying what happened.

`TRANSITIONS` is the table of the vocabulary's "Referral status" (docs/referrals.md is
generated from it). Any change not in it is refused by `check_transition`, with a message
naming the field, what is wrong and the legal next steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from referwell.domain.errors import FieldError, InvalidInput, quoted_choice

# FHIR R4 Task.status codes (FHIR's own spelling). `ready` is not used by referwell.
TASK_STATUSES: Final = (
    "draft", "requested", "received", "accepted", "rejected", "ready", "cancelled",
    "in-progress", "on-hold", "failed", "completed", "entered-in-error",
)  # fmt: skip
UNUSED_STATUSES: Final = ("ready",)
STATUSES: Final = tuple(s for s in TASK_STATUSES if s not in UNUSED_STATUSES)
# A referral in one of these is closed: no longer followed up, off the caseload.
CLOSED_STATUSES: Final = ("rejected", "cancelled", "failed", "completed", "entered-in-error")

BUSINESS_STATUSES: Final = (
    "drafted", "sent", "acknowledged", "accepted", "scheduled", "declined_by_receiver",
    "no_show", "rescheduled", "first_appointment_attended", "care_established",
    "waitlisted", "withdrawn", "declined_by_client", "no_contact", "entered_in_error",
)  # fmt: skip
# Business statuses that carry the appointment's date, and those that need a reason.
NEEDS_APPOINTMENT: Final = ("scheduled", "rescheduled")
NEEDS_REASON: Final = ("declined_by_receiver",)


class Side(StrEnum):
    """Which end of the referral acts: the practice that sends it, or the one receiving it."""

    SENDER = "sender"
    RECEIVER = "receiver"


class SetBy(StrEnum):
    """Who may make a transition (the table's "set by" column)."""

    SENDER = "sender"
    RECEIVER = "receiver"
    EITHER = "sender or receiver"
    ERROR_MAKER = "whoever made the error"


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the table: from any of `sources` (None: a new referral) to `target`."""

    sources: tuple[str | None, ...]
    target: str
    set_by: SetBy
    business: tuple[str, ...]
    note: str = ""

    def allows_side(self, side: Side, error_side: Side | None = None) -> bool:
        if self.set_by is SetBy.EITHER:
            return True
        if self.set_by is SetBy.ERROR_MAKER:
            return error_side is None or side is error_side
        return self.set_by.value == side.value


_OPEN_BEFORE_CARE = ("requested", "received", "accepted", "on-hold")

TRANSITIONS: Final[tuple[Transition, ...]] = (
    Transition((None,), "draft", SetBy.SENDER, ("drafted",)),
    Transition(("draft",), "requested", SetBy.SENDER, ("sent",), "consent and checks passed"),
    Transition(("requested",), "received", SetBy.RECEIVER, ("acknowledged",)),
    Transition(
        ("requested", "received"),
        "accepted",
        SetBy.RECEIVER,
        ("accepted", "scheduled"),
        "scheduled with the appointment date",
    ),
    Transition(
        ("requested", "received"),
        "rejected",
        SetBy.RECEIVER,
        ("declined_by_receiver",),
        "with a reason",
    ),
    Transition(
        ("accepted",),
        "accepted",
        SetBy.RECEIVER,
        ("scheduled", "no_show", "rescheduled"),
        "scheduled and rescheduled with the appointment date",
    ),
    Transition(("accepted",), "in-progress", SetBy.RECEIVER, ("first_appointment_attended",)),
    Transition(("in-progress",), "completed", SetBy.RECEIVER, ("care_established",)),
    Transition(("accepted", "in-progress"), "on-hold", SetBy.RECEIVER, ("waitlisted",)),
    Transition(
        ("on-hold",), "accepted", SetBy.RECEIVER, ("scheduled",), "with the appointment date"
    ),
    Transition(
        ("draft", *_OPEN_BEFORE_CARE),
        "cancelled",
        SetBy.SENDER,
        ("withdrawn", "declined_by_client"),
    ),
    Transition(_OPEN_BEFORE_CARE, "failed", SetBy.EITHER, ("no_contact", "declined_by_client")),
    Transition(
        tuple(s for s in STATUSES if s != "entered-in-error"),
        "entered-in-error",
        SetBy.ERROR_MAKER,
        ("entered_in_error",),
        "any status",
    ),
)


class TransitionRefused(InvalidInput):
    """A change of status the table does not allow, or one missing its data.

    `errors` name the field (`status`, `business_status`, `appointment_on`, `reason`,
    `actor`); `allowed` lists the legal next steps for this side as (status, business status).
    """

    def __init__(
        self, errors: Sequence[FieldError], allowed: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(errors, what="referral")
        self.allowed = tuple(allowed)


def transitions_from(status: str | None) -> tuple[Transition, ...]:
    """Every row of the table leaving `status` (None: a new referral)."""
    return tuple(t for t in TRANSITIONS if status in t.sources)


def next_steps(
    status: str | None, side: Side | None = None, error_side: Side | None = None
) -> tuple[tuple[str, str], ...]:
    """The legal (status, business status) pairs from `status`, for `side` (None: any side)."""
    return tuple(
        (t.target, b)
        for t in transitions_from(status)
        if side is None or t.allows_side(side, error_side)
        for b in t.business
    )


def is_closed(status: str) -> bool:
    return status in CLOSED_STATUSES


def _steps_words(steps: Sequence[tuple[str, str]]) -> str:
    if not steps:
        return "none: the referral is closed for this side"
    return ", ".join(f"{s} ({b})" for s, b in steps)


def check_transition(
    current: str | None,
    target: str,
    business_status: str,
    *,
    side: Side,
    appointment_on: date | None = None,
    reason: str | None = None,
    error_side: Side | None = None,
) -> Transition:
    """The table's row allowing `current` -> `target` with `business_status` for `side`;
    else `TransitionRefused` naming the field, what is wrong and the legal next steps.

    `error_side` is the side that set the current status (for `entered-in-error`: only
    whoever made the error may mark it). `scheduled`/`rescheduled` need `appointment_on`;
    `declined_by_receiver` needs a `reason`.
    """
    allowed = next_steps(current, side, error_side)
    legal = f"legal next steps for the {side.value}: {_steps_words(allowed)}"
    here = "a new referral" if current is None else f'"{current}"'
    if target not in STATUSES:
        why = (
            f'"{target}" is not used by referwell'
            if target in UNUSED_STATUSES
            else f'"{target}" is not a referral status; use {quoted_choice(STATUSES)}'
        )
        raise TransitionRefused([FieldError("status", f"{why}; {legal}")], allowed)
    if business_status not in BUSINESS_STATUSES:
        raise TransitionRefused(
            [
                FieldError(
                    "business_status",
                    f'"{business_status}" is not a business status; {legal}',
                )
            ],
            allowed,
        )
    rows = [t for t in transitions_from(current) if t.target == target]
    if not rows:
        raise TransitionRefused(
            [FieldError("status", f'{here} cannot change to "{target}"; {legal}')], allowed
        )
    rows_with_business = [t for t in rows if business_status in t.business]
    if not rows_with_business:
        expected = quoted_choice([b for t in rows for b in t.business])
        raise TransitionRefused(
            [
                FieldError(
                    "business_status",
                    f'{here} to "{target}" is recorded as {expected}, not '
                    f'"{business_status}"; {legal}',
                )
            ],
            allowed,
        )
    row = rows_with_business[0]
    if not row.allows_side(side, error_side):
        who = row.set_by.value
        if row.set_by is SetBy.ERROR_MAKER and error_side is not None:
            who = f"the {error_side.value}, who recorded the current status"
        raise TransitionRefused(
            [
                FieldError(
                    "actor",
                    f'the {side.value} may not change {here} to "{target}": only the '
                    f"{who} may; {legal}",
                )
            ],
            allowed,
        )
    errors = []
    if business_status in NEEDS_APPOINTMENT and appointment_on is None:
        errors.append(
            FieldError(
                "appointment_on",
                f'"{business_status}" needs the appointment date: give it as YYYY-MM-DD',
            )
        )
    if business_status in NEEDS_REASON and not (reason and reason.strip()):
        errors.append(
            FieldError("reason", f'"{business_status}" needs a reason in a few plain words')
        )
    if errors:
        raise TransitionRefused(errors, allowed)
    return row


@dataclass(frozen=True, slots=True)
class Step:
    """One transition to record: to `status` with `business_status`."""

    status: str
    business_status: str


def waitlist_steps(current: str) -> tuple[Step, Step]:
    """A receiver who can only offer a waitlist: accept, then put on hold (both recorded).

    From `requested` or `received`; else `TransitionRefused` (as `check_transition` words it).
    """
    if current not in ("requested", "received"):
        allowed = next_steps(current, Side.RECEIVER)
        raise TransitionRefused(
            [
                FieldError(
                    "status",
                    f'"{current}" cannot be waitlisted in one action (only "requested" or '
                    f'"received" can); legal next steps for the receiver: '
                    f"{_steps_words(allowed)}",
                )
            ],
            allowed,
        )
    return Step("accepted", "accepted"), Step("on-hold", "waitlisted")


def status_table_markdown() -> str:
    """The transition table as Markdown (docs/referrals.md, written by scripts/gen_docs.py)."""
    lines = ["| from | to | set by | business status |", "|---|---|---|---|"]
    for t in TRANSITIONS:
        sources = ", ".join("(new)" if s is None else f"`{s}`" for s in t.sources)
        if t.set_by is SetBy.ERROR_MAKER:
            sources = "any"
        business = " or ".join(f"`{b}`" for b in t.business)
        if t.note:
            business += f" ({t.note})"
        lines.append(f"| {sources} | `{t.target}` | {t.set_by.value} | {business} |")
    return "\n".join(lines)
