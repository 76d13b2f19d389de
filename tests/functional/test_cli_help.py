"""`--help` of every command and group reads cleanly at 80 columns: whole paragraphs, plain
metavars (`FILE`, `URL`, `CASE...`) and no Typer type labels (`<bool>`, `<list[Path]>`)."""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from referwell.cli.main import app

runner = CliRunner()
WIDTH = 80
TYPE_LABELS = ("<bool>", "<list[", "<str>", "<int>", "<float>", "<path>", "<file>", "<dir>")
BRACED_NAME = re.compile(r"\{[\w.-]+\}")  # `{cases}`: Typer's label of a required argument


def _tree() -> Iterator[tuple[list[str], Any]]:
    def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


COMMANDS = list(_tree())


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _help(path: list[str]) -> str:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDTH), "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def _description(lines: list[str]) -> list[str]:
    """The lines between the usage line and the first panel: the command's own help."""
    start = next(i for i, line in enumerate(lines) if "Usage:" in line) + 1
    end = next((i for i, line in enumerate(lines) if line.startswith("╭")), len(lines))
    return lines[start:end]


def test_the_tree_has_every_command() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"assess", "screen", "demo", "db upgrade", "measures rci", "synth caseload"} <= names
    assert len(COMMANDS) >= 17


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(p) or "referwell" for p, _ in COMMANDS]
)
def test_help_reads_cleanly_at_80_columns(path: list[str], command: Any) -> None:
    text = _help(path)
    lines = text.splitlines()

    assert all(len(line) <= WIDTH for line in lines), "a line is wider than the terminal"
    for label in TYPE_LABELS:
        assert label not in text, f"Typer's type label {label} is shown"
    assert not BRACED_NAME.search(text), f"an argument is shown as {BRACED_NAME.search(text)}"
    usage = next(line for line in lines if "Usage:" in line)
    assert "{" not in usage

    # Every paragraph of the help appears whole, as the code has it...
    help_text = inspect.cleandoc(command.help or "")
    for paragraph in help_text.split("\n\n"):
        assert _normalised(paragraph) in _normalised(text), paragraph

    # ...and wraps only where the next word would not fit (no hand-made break left).
    description = _description(lines)
    for line, following in itertools.pairwise(description):
        if not line.strip() or not following.strip():
            continue
        next_word = following.split()[0]
        assert len(line.strip()) + 1 + len(next_word) > WIDTH - 2, (
            f"the line {line.strip()!r} ends before {next_word!r} would have filled it"
        )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["assess"], ["CASE...", "FILE", "FORMAT"]),
        (["import"], ["CASE...", "USERNAME", "URL"]),
        (["screen"], ["PATH", "URL", "DATE", "N"]),
        (["export"], ["CLIENT", "FILE", "DATE"]),
    ],
)
def test_options_show_plain_metavars(path: list[str], expected: list[str]) -> None:
    text = _help(path)
    for metavar in expected:
        assert re.search(rf"(?<![\w-]){re.escape(metavar)}(?![\w-])", text), metavar


def test_flags_show_no_metavar() -> None:
    text = _help(["export"])
    line = next(line for line in text.splitlines() if line.startswith("│ --with-outcomes"))
    assert re.search(r"--with-outcomes\s+Write", line), line
    help_line = next(line for line in text.splitlines() if line.startswith("│ --help"))
    assert re.search(r"--help\s+Show this message", help_line), help_line
