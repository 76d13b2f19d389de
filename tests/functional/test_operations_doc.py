"""Every configuration setting is documented in docs/operations.md."""

from __future__ import annotations

from pathlib import Path

from referwell.config import ENV_VARS

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_and_its_variable_is_documented():
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for key, variable in ENV_VARS.items():
        assert f"`{key}`" in text, f"{key} is not documented in docs/operations.md"
        assert f"`{variable}`" in text, f"{variable} is not documented in docs/operations.md"
