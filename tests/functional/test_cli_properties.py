"""Properties of `referwell assess` through Typer's runner: every valid case drawn from the
format is assessed (exit 0, the library's assessment object), every invalid one is refused
with exit status 2 and its errors on stderr, one a line, each naming its path."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from referwell import assess
from referwell.cli.main import app

try:  # tests/ is the import root (rootdir-relative packages)
    from unit.strategies import cases, invalid_cases
except ImportError:  # pragma: no cover - when tests/ itself becomes a package
    from tests.unit.strategies import cases, invalid_cases  # type: ignore[no-redef]

runner = CliRunner()
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _with_as_of(case: dict[str, Any], today: date) -> dict[str, Any]:
    """The CLI reads a case without as_of as of the real today: pin it to the drawn day."""
    if "as_of" not in case:
        return {**case, "as_of": today.isoformat()}
    return case


def _invoke_on(case: dict[str, Any]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.json"
        path.write_text(json.dumps(case), encoding="utf-8")
        return runner.invoke(app, ["assess", "--format", "json", str(path)])


@PROPERTY
@given(cases())
def test_every_valid_case_is_assessed_with_exit_status_0(drawn: tuple[dict, date]) -> None:
    case, today = drawn
    case = _with_as_of(case, today)
    result = _invoke_on(case)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == assess(case)


@PROPERTY
@given(invalid_cases())
def test_every_invalid_case_is_refused_with_exit_status_2(
    drawn: tuple[dict[str, Any], date, str, str],
) -> None:
    case, today, path, how = drawn
    case = _with_as_of(case, today)  # a later date stays later than the pinned as_of
    result = _invoke_on(case)
    assert result.exit_code == 2, (how, path, result.output)
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert any(path + ": " in line for line in lines), (how, path, result.stderr)
