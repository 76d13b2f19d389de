"""The example cases the package ships (`referwell/examples/`), read through the package.

Every test that needs an example case reads it from here, so the suite runs in a
repository with nothing beside it (`.ci/run` proves that).
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

# The installed package's folder: a plain directory for an editable or a wheel install.
EXAMPLES = Path(str(files("referwell") / "examples"))


def example_paths() -> list[Path]:
    """Each example case file, sorted by name, without the `*.expected.json` beside it."""
    return sorted(
        path for path in EXAMPLES.glob("ex*.json") if not path.name.endswith(".expected.json")
    )


def example_cases() -> list[tuple[str, dict[str, Any]]]:
    """(file stem, decoded case) for each example case, sorted by name."""
    return [(path.stem, json.loads(path.read_text(encoding="utf-8"))) for path in example_paths()]
