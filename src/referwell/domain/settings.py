"""The rules' settings, with the defaults of decision-rules.md, and their checking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from referwell.domain.errors import FieldError, InvalidInput, nearest, quoted_choice
from referwell.domain.measures.base import describe

# Moves whenever what an assessment says changes: the rules, or the words they are shown in.
RULES_VERSION = "referwell.rules/2"


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """Thresholds a practice may change; the assessment reports the values used."""

    suicide_event_window_days: int = 30
    suicide_downgrade_after_days: int = 7
    threat_window_days: int = 30
    not_on_track_after_sessions: int = 8
    attendance_window: int = 10
    attendance_missed_threshold: int = 3
    attendance_late_threshold: int = 3

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str = "") -> RuleSettings:
        """Defaults overridden by `values`; unknown keys and wrong types are refused."""
        errors: list[FieldError] = []
        known = {f.name for f in fields(cls)}
        changes: dict[str, int] = {}
        for key, value in values.items():
            path = f"{where}.{key}" if where else key
            if key not in known:
                errors.append(
                    FieldError(
                        path,
                        f"unknown setting; did you mean {quoted_choice(nearest(key, sorted(known)))}?",
                    )
                )
            elif type(value) is not int:
                errors.append(FieldError(path, f"expected a whole number; got {describe(value)}"))
            elif value < SETTING_MINIMUM[key] or value > 10_000:
                errors.append(
                    FieldError(
                        path,
                        f"expected a whole number from {SETTING_MINIMUM[key]} to 10000; got {value}",
                    )
                )
            else:
                changes[key] = value
        if errors:
            raise InvalidInput(errors, what="settings")
        return replace(cls(), **changes)


SETTING_MINIMUM: dict[str, int] = {
    "suicide_event_window_days": 0,
    "suicide_downgrade_after_days": 0,
    "threat_window_days": 0,
    "not_on_track_after_sessions": 1,
    "attendance_window": 1,
    "attendance_missed_threshold": 1,
    "attendance_late_threshold": 1,
}

SETTING_DOCS: dict[str, str] = {
    "suicide_event_window_days": "a suicidal statement or self-harm within this many days triggers the suicide-risk finding",
    "suicide_downgrade_after_days": "the suicide-risk finding turns from acting now to consulting first once a risk assessment and a safety plan followed the triggers and the newest dated trigger is older than this many days",
    "threat_window_days": "a threat to others within this many days is urgent",
    "not_on_track_after_sessions": "attended sessions (late counts) before a client at caseness without reliable improvement is not on track",
    "attendance_window": "how many of the most recent scheduled sessions the attendance rule reads",
    "attendance_missed_threshold": "no-shows plus late cancellations in the window that raise the attendance finding",
    "attendance_late_threshold": "late arrivals in the window that raise the attendance finding",
}
