"""Rule settings: floors under the safety windows, and every change from a default on record."""

from __future__ import annotations

import pytest

from referwell import assess
from referwell.domain.errors import InvalidInput
from referwell.domain.settings import (
    DEFAULTS,
    SAFETY_FLOORS,
    SETTING_MINIMUM,
    RuleSettings,
    SettingChange,
)

from ..builders import make_case

FLOORS = {
    "suicide_event_window_days": 14,
    "suicide_downgrade_after_days": 7,
    "threat_window_days": 14,
}


def test_the_safety_windows_have_their_documented_floors() -> None:
    assert {name: SETTING_MINIMUM[name] for name in SAFETY_FLOORS} == FLOORS
    for name, floor in FLOORS.items():
        assert getattr(DEFAULTS, name) >= floor, name


@pytest.mark.parametrize("name", sorted(FLOORS))
@pytest.mark.parametrize("below", [0, 1, -1])
def test_a_value_below_a_floor_is_refused_saying_why(name: str, below: int) -> None:
    value = FLOORS[name] - 1 if below == 1 else below
    with pytest.raises(InvalidInput) as refused:
        RuleSettings.from_mapping({name: value})
    [error] = refused.value.errors
    assert error.path == name
    assert f"{value} is below the safety floor of {FLOORS[name]}" in error.message
    assert SAFETY_FLOORS[name] in error.message
    assert f"give {FLOORS[name]} or more" in error.message


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_a_value_at_its_floor_is_accepted(name: str) -> None:
    assert getattr(RuleSettings.from_mapping({name: FLOORS[name]}), name) == FLOORS[name]


def test_the_other_settings_keep_their_range_and_message() -> None:
    with pytest.raises(InvalidInput) as refused:
        RuleSettings.from_mapping({"attendance_window": 0})
    assert refused.value.errors[0].message == "expected a whole number from 1 to 10000; got 0"


def test_an_assessment_under_the_defaults_says_nothing_changed() -> None:
    assessment = assess(make_case())
    assert assessment["settings_changed"] == []
    assert list(assessment)[-2:] == ["settings", "settings_changed"]


def test_an_assessment_under_changed_settings_names_who_when_and_why() -> None:
    settings = RuleSettings.from_mapping({"attendance_window": 12, "threat_window_days": 21})
    settings = settings.with_changes(
        [
            SettingChange(
                "attendance_window", 12, 10, "alex", "2026-11-02T10:00:00+00:00", "weekly"
            ),
            SettingChange("suicide_event_window_days", 45, 30, "alex", "2026-01-01", "stale"),
        ]
    )
    assessment = assess(make_case(), settings=settings)
    assert assessment["settings"]["attendance_window"] == 12
    assert assessment["settings_changed"] == [
        {
            "name": "threat_window_days",
            "value": 21,
            "default": 30,
            "set_by": "",
            "set_at": "",
            "reason": "(no reason was recorded)",
        },
        {
            "name": "attendance_window",
            "value": 12,
            "default": 10,
            "set_by": "alex",
            "set_at": "2026-11-02T10:00:00+00:00",
            "reason": "weekly",
        },
    ]


def test_the_settings_an_assessment_depends_on_include_who_changed_them() -> None:
    plain = RuleSettings.from_mapping({"attendance_window": 12})
    one = plain.with_changes([SettingChange("attendance_window", 12, 10, "a", "2026-11-01", "x")])
    other = plain.with_changes([SettingChange("attendance_window", 12, 10, "b", "2026-11-02", "y")])
    assert one.as_dict() == other.as_dict()
    assert one.key() != other.key()
    assert RuleSettings().key() == RuleSettings().as_dict()
