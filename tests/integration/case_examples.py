"""The shared example case files (../shared/spec/examples), read where the tests run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"


def example_cases() -> list[tuple[str, dict[str, Any]]]:
    """Each example case by file name, without the `*.expected.json` beside it."""
    paths = sorted(
        path for path in EXAMPLES_DIR.glob("*.json") if not path.name.endswith(".expected.json")
    )
    return [(path.stem, json.loads(path.read_text(encoding="utf-8"))) for path in paths]
