"""Consent to release information: who may receive what (scope codes), from when until when,
and whether it was revoked. Psychotherapy notes are never a scope: anything but the four
codes below is refused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from referwell.domain.errors import UNKNOWN_CODE, FieldError, InvalidInput, quoted_choice

# identity_contact: name, date of birth, contact; referral_reason: the reason in plain words;
# questionnaire_summaries: questionnaire totals and their meaning; transfer_summary: the
# clinician's summary for the receiver. Never psychotherapy notes.
SCOPES: Final = (
    "identity_contact",
    "referral_reason",
    "questionnaire_summaries",
    "transfer_summary",
)
# What a referral cannot be sent without: who the client is and why they are referred.
REQUIRED_TO_SEND: Final = ("identity_contact", "referral_reason")


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who receives: a directory entry (by its id), a partner practice, or both."""

    entry_id: int | None = None
    partner_id: int | None = None

    def __post_init__(self) -> None:
        if self.entry_id is None and self.partner_id is None:
            raise ValueError("a recipient names a directory entry or a partner")

    def matches(self, other: Recipient) -> bool:
        """Whether a consent naming this recipient names `other` too (same entry or partner)."""
        return (self.entry_id is not None and self.entry_id == other.entry_id) or (
            self.partner_id is not None and self.partner_id == other.partner_id
        )


@dataclass(frozen=True, slots=True)
class Consent:
    """One consent: the client agrees that `recipient` receives `scopes` from `valid_from`
    through `valid_until` (inclusive), unless revoked."""

    recipient: Recipient
    scopes: frozenset[str]
    valid_from: date
    valid_until: date
    revoked_at: datetime | None = None

    def valid_on(self, on: date) -> bool:
        """In force on `on`: within its dates and not revoked on or before that day."""
        if self.revoked_at is not None and self.revoked_at.date() <= on:
            return False
        return self.valid_from <= on <= self.valid_until

    def covers(self, recipient: Recipient, scope: str, on: date) -> bool:
        """Whether this consent lets `recipient` receive `scope` on `on`."""
        return self.valid_on(on) and scope in self.scopes and self.recipient.matches(recipient)

    def state(self, on: date) -> str:
        """`revoked`, `expired`, `not_yet_valid` or `valid` on `on`."""
        if self.revoked_at is not None and self.revoked_at.date() <= on:
            return "revoked"
        if on > self.valid_until:
            return "expired"
        if on < self.valid_from:
            return "not_yet_valid"
        return "valid"


def check_scopes(scopes: Iterable[str], path: str = "scopes") -> frozenset[str]:
    """The scopes, if each is one of `SCOPES` and there is at least one; else `InvalidInput`."""
    listed = list(scopes)
    errors = [
        FieldError(
            f"{path}[{i}]",
            f'"{s}" is not a scope of consent; use {quoted_choice(SCOPES)} '
            "(psychotherapy notes are never released)",
            UNKNOWN_CODE,
        )
        for i, s in enumerate(listed)
        if s not in SCOPES
    ]
    if not listed:
        errors.append(FieldError(path, f"name at least one scope: {quoted_choice(SCOPES)}"))
    if errors:
        raise InvalidInput(errors, what="consent")
    return frozenset(listed)


def check_dates(valid_from: date, valid_until: date, today: date) -> None:
    """`valid_until` on or after `valid_from` and not already past; else `InvalidInput`."""
    errors = []
    if valid_until < valid_from:
        errors.append(
            FieldError("valid_until", f"must be on or after valid_from ({valid_from.isoformat()})")
        )
    elif valid_until < today:
        errors.append(
            FieldError("valid_until", f"is already past; give a date from {today.isoformat()} on")
        )
    if errors:
        raise InvalidInput(errors, what="consent")


def covering(
    consents: Iterable[Consent], recipient: Recipient, scope: str, on: date
) -> Consent | None:
    """The first consent covering `scope` for `recipient` on `on`, or None."""
    return next((c for c in consents if c.covers(recipient, scope, on)), None)


def scopes_covered(consents: Iterable[Consent], recipient: Recipient, on: date) -> frozenset[str]:
    """Every scope some consent lets `recipient` receive on `on`: all the letter, the bundle
    and the status link may show."""
    found: set[str] = set()
    for c in consents:
        if c.valid_on(on) and c.recipient.matches(recipient):
            found |= c.scopes
    return frozenset(found)


def missing_to_send(consents: Iterable[Consent], recipient: Recipient, on: date) -> tuple[str, ...]:
    """The scopes of `REQUIRED_TO_SEND` no valid consent covers for `recipient` on `on`."""
    have = scopes_covered(consents, recipient, on)
    return tuple(s for s in REQUIRED_TO_SEND if s not in have)
