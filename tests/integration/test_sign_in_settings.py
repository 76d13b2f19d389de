"""The settings of sessions, sign-in throttling and the API's rate limit (no database needed)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from referwell.config import SECURITY_NUMBERS, AppConfig, ConfigError, load_config


def env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"REFERWELL_DATA_DIR": str(tmp_path), "REFERWELL_SECRET_KEY": "k" * 40, **more}


def test_the_defaults_are_the_documented_ones(tmp_path: Path) -> None:
    config = load_config(env(tmp_path))
    assert config.session_idle_minutes == 15
    assert config.sign_in_failures_per_account == 10
    assert config.sign_in_failures_per_address == 50
    assert config.sign_in_lockout_minutes == 15
    assert config.api_requests_per_minute == 120
    defaults = {field.name: field.default for field in fields(AppConfig)}
    assert {key: defaults[key] for key in SECURITY_NUMBERS} == {
        key: default for key, (default, _) in SECURITY_NUMBERS.items()
    }


def test_they_come_from_the_environment_or_a_toml_file(tmp_path: Path) -> None:
    settings = tmp_path / "referwell.toml"
    settings.write_text("[referwell]\nsession_idle_minutes = 5\napi_requests_per_minute = 600\n")
    config = load_config(
        env(
            tmp_path,
            REFERWELL_CONFIG=str(settings),
            REFERWELL_SIGN_IN_LOCKOUT_MINUTES="30",
            REFERWELL_API_REQUESTS_PER_MINUTE="60",
        )
    )
    assert config.session_idle_minutes == 5
    assert config.sign_in_lockout_minutes == 30
    assert config.api_requests_per_minute == 60  # the environment wins


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "REFERWELL_SESSION_IDLE_MINUTES",
            "0",
            "session_idle_minutes must be from 1 to 480; got 0",
        ),
        ("REFERWELL_SIGN_IN_FAILURES_PER_ACCOUNT", "2", "from 3 to 100; got 2"),
        ("REFERWELL_SIGN_IN_FAILURES_PER_ADDRESS", "lots", "a whole number from 10 to 10000"),
        ("REFERWELL_API_REQUESTS_PER_MINUTE", "-1", "from 1 to 100000"),
    ],
)
def test_a_value_out_of_range_is_refused_naming_the_setting(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as refused:
        load_config(env(tmp_path, **{variable: value}))
    assert refused.value.key == variable.removeprefix("REFERWELL_").lower()
