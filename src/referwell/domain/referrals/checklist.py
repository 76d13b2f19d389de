"""The pretermination checklist of a `refer` recommendation: what ending care well asks
before the referral is sent (ACA A.11.c, A.12; APA 10.10(c); NASW 1.17(b))."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from referwell.domain.errors import FieldError, InvalidInput

# The items, in the order shown. `ending_discussed`, `transfer_summary` and `follow_up_on`
# are recorded by the clinician; `options_offered` and `consent` follow from the referral.
ITEMS: Final = (
    "ending_discussed",
    "options_offered",
    "consent",
    "transfer_summary",
    "follow_up_on",
)
LABELS: Final = {
    "ending_discussed": "Ending discussed with the client",
    "options_offered": "At least two options offered, where the directory has them",
    "consent": "Consent to release information to the receiver",
    "transfer_summary": "Transfer summary written",
    "follow_up_on": "Follow-up date set",
}
MIN_OPTIONS: Final = 2


@dataclass(frozen=True, slots=True)
class ChecklistRecord:
    """What the clinician recorded (stored as JSON on the referral)."""

    ending_discussed: bool = False
    follow_up_on: date | None = None
    # How many matching options the directory had when the referral was opened (None: not
    # known, and two are asked for).
    options_available: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "ending_discussed": self.ending_discussed,
            "follow_up_on": self.follow_up_on.isoformat() if self.follow_up_on else None,
            "options_available": self.options_available,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> ChecklistRecord:
        data = data or {}
        on = data.get("follow_up_on")
        return cls(
            ending_discussed=bool(data.get("ending_discussed", False)),
            follow_up_on=date.fromisoformat(on) if on else None,
            options_available=data.get("options_available"),
        )


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    code: str
    label: str
    done: bool
    why: str  # what is missing, in words ("" when done)


def checklist_state(
    record: ChecklistRecord,
    *,
    options_offered: int,
    options_available: int,
    consent_valid: bool,
    transfer_summary: str | None,
) -> tuple[ChecklistItem, ...]:
    """Each item, done or not, with what is missing. Options: at least two, or every one the
    directory has when it has fewer (`options_available`)."""
    need = min(MIN_OPTIONS, max(options_available, options_offered, 1))
    summary = bool(transfer_summary and transfer_summary.strip())
    state = {
        "ending_discussed": (record.ending_discussed, "talk the ending through with the client"),
        "options_offered": (
            options_offered >= need,
            f"offer at least {need} option{'s' if need > 1 else ''} "
            f"({options_offered} offered so far)",
        ),
        "consent": (consent_valid, "record the client's consent covering the chosen receiver"),
        "transfer_summary": (summary, "write the transfer summary"),
        "follow_up_on": (record.follow_up_on is not None, "set a follow-up date"),
    }
    return tuple(
        ChecklistItem(code, LABELS[code], done, "" if done else why)
        for code, (done, why) in ((c, state[c]) for c in ITEMS)
    )


def require_complete(items: tuple[ChecklistItem, ...]) -> None:
    """`InvalidInput` naming each open item (`checklist.<item>`); nothing when all are done."""
    errors = [FieldError(f"checklist.{i.code}", i.why) for i in items if not i.done]
    if errors:
        raise InvalidInput(errors, what="referral")
