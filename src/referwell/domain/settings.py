"""The rules' settings, with the defaults of decision-rules.md, their floors and their checking.

A practice may change a setting from its default, with a written reason; an
assessment made under changed settings says which differ, set by whom, when and
why (`settings_changed`). The windows behind the safety findings have floors a
practice cannot go below (`SAFETY_FLOORS`): no setting can switch safety off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final

from referwell.domain.errors import (
    OUT_OF_RANGE,
    WRONG_TYPE,
    FieldError,
    InvalidInput,
    nearest,
    quoted_choice,
)
from referwell.domain.measures.base import describe

# Moves whenever what an assessment says changes: the rules, or the words they are shown in.
RULES_VERSION = "referwell.rules/3"
SETTING_MAXIMUM: Final = 10_000


@dataclass(frozen=True, slots=True)
class SettingChange:
    """A setting that differs from its default: its value, and who set it, when and why."""

    name: str
    value: int
    default: int
    set_by: str
    set_at: str  # an ISO date or date and time
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "default": self.default,
            "set_by": self.set_by,
            "set_at": self.set_at,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """Thresholds a practice may change; the assessment reports the values used and, for
    each that differs from its default, who set it, when and why (`changed`)."""

    suicide_event_window_days: int = 30
    suicide_downgrade_after_days: int = 7
    threat_window_days: int = 30
    not_on_track_after_sessions: int = 8
    attendance_window: int = 10
    attendance_missed_threshold: int = 3
    attendance_late_threshold: int = 3
    # One entry for each setting above that differs from its default, in this order.
    changed: tuple[SettingChange, ...] = field(default=())

    def as_dict(self) -> dict[str, int]:
        """Every setting's value (the assessment's `settings`)."""
        return {name: getattr(self, name) for name in SETTING_NAMES}

    def differing(self) -> list[str]:
        """The settings whose value is not the default, in the order of the settings."""
        defaults = DEFAULTS.as_dict()
        return [name for name, value in self.as_dict().items() if value != defaults[name]]

    def key(self) -> dict[str, Any]:
        """What an assessment made under these settings depends on: the values and who set
        the changed ones, when and why (a stored assessment is current only under the same)."""
        return settings_key(self.as_dict(), [change.as_dict() for change in self.changed])

    def with_changes(self, known: Iterable[SettingChange]) -> RuleSettings:
        """These settings with `changed` made from `known` (who set each, when and why): one
        entry for each setting that differs from its default. A differing setting with no
        record is said to be unrecorded rather than left out."""
        by_name = {change.name: change for change in known}
        defaults = DEFAULTS.as_dict()
        changes = []
        for name in self.differing():
            value = getattr(self, name)
            found = by_name.get(name)
            changes.append(
                SettingChange(
                    name=name,
                    value=value,
                    default=defaults[name],
                    set_by=found.set_by if found else "",
                    set_at=found.set_at if found else "",
                    reason=found.reason if found else "(no reason was recorded)",
                )
            )
        return replace(self, changed=tuple(changes))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str = "") -> RuleSettings:
        """Defaults overridden by `values`; unknown keys, wrong types and values outside a
        setting's range (below its floor, for the safety windows) are refused."""
        errors: list[FieldError] = []
        changes: dict[str, int] = {}
        for key, value in values.items():
            path = f"{where}.{key}" if where else key
            if key not in SETTING_NAMES:
                errors.append(
                    FieldError(
                        path,
                        "unknown setting; did you mean "
                        f"{quoted_choice(nearest(key, sorted(SETTING_NAMES)))}?",
                    )
                )
            elif type(value) is not int:
                errors.append(
                    FieldError(path, f"expected a whole number; got {describe(value)}", WRONG_TYPE)
                )
            elif key in SAFETY_FLOORS and value < SETTING_MINIMUM[key]:
                errors.append(
                    FieldError(
                        path,
                        f"{value} is below the safety floor of {SETTING_MINIMUM[key]}: "
                        f"{SAFETY_FLOORS[key]}; give {SETTING_MINIMUM[key]} or more",
                        OUT_OF_RANGE,
                        {"low": SETTING_MINIMUM[key], "high": SETTING_MAXIMUM},
                    )
                )
            elif value < SETTING_MINIMUM[key] or value > SETTING_MAXIMUM:
                errors.append(
                    FieldError(
                        path,
                        f"expected a whole number from {SETTING_MINIMUM[key]} to "
                        f"{SETTING_MAXIMUM}; got {value}",
                        OUT_OF_RANGE,
                        {"low": SETTING_MINIMUM[key], "high": SETTING_MAXIMUM},
                    )
                )
            else:
                changes[key] = value
        if errors:
            raise InvalidInput(errors, what="settings")
        return replace(cls(), **changes)  # type: ignore[arg-type]  # every key is an int setting


SETTING_NAMES: Final = tuple(f.name for f in fields(RuleSettings) if f.name != "changed")
DEFAULTS: Final = RuleSettings()


def settings_key(values: Mapping[str, Any], changed: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The settings an assessment was made under, as compared when deciding whether a stored
    one is current: the values, and (when any differs from its default) the record of each
    change under `settings_changed`."""
    records = [dict(change) for change in changed]
    return dict(values) | ({"settings_changed": records} if records else {})


# The windows behind the safety findings cannot be shortened below these, whatever a
# practice or a settings file says (docs/decision-rules.md, Settings, gives the reasons).
SAFETY_FLOORS: Final[Mapping[str, str]] = {
    "suicide_event_window_days": (
        "a suicidal statement or self-harm in the last two weeks always counts, the span "
        "a PHQ-9 itself asks about"
    ),
    "suicide_downgrade_after_days": (
        "suicide risk stays urgent for at least a week after its newest sign, however "
        "quickly a risk assessment and a safety plan followed"
    ),
    "threat_window_days": (
        "a threat to harm others in the last two weeks always counts as urgent: a duty to "
        "protect may already apply"
    ),
}

SETTING_MINIMUM: dict[str, int] = {
    "suicide_event_window_days": 14,
    "suicide_downgrade_after_days": 7,
    "threat_window_days": 14,
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
