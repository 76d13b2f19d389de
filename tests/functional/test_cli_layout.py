"""The terminal output reads at 80 columns: the report's evidence and actions keep their
indent when they wrap, and the screen's worklist keeps each client's line whole."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console

from referwell.cli.report import report as print_report
from referwell.cli.screen import WorklistTable
from referwell.domain.assessment import assess_case, recommendation_label
from referwell.domain.caseformat import parse_case
from referwell.domain.labels import label, sentence
from referwell.domain.phrases import day_words
from referwell.domain.vocabulary import FINDING_KINDS
from referwell.services.screening.rows import WorklistRow
from shipped_examples import EXAMPLES

WIDTH = 80
REFERWELL = str(Path(sys.executable).with_name("referwell"))


def _run(*arguments: str) -> str:
    env = {**os.environ, "COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run(
        [REFERWELL, *arguments], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rendered(renderable_or_display: Any, *, report: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=WIDTH, color_system=None, highlight=False)
    if report:
        print_report(renderable_or_display, console, case_id="ex02", as_of=date(2026, 11, 20))
    else:
        console.print(renderable_or_display)
    return buffer.getvalue()


def _display(name: str) -> dict[str, Any]:
    """An example's assessment in words, as the report prints it."""
    case = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return assess_case(parse_case(case, today=date(2026, 11, 20))).display()


def _panel_text(line: str) -> str:
    """A panel's line without its borders."""
    return line.strip().strip("│").rstrip()


def _assert_hanging(lines: list[str], mark: str, item: str) -> None:
    """`item` is printed after `  mark ` and every wrapped line of it is indented under its text."""
    whole = " ".join(item.split())
    for start, line in enumerate(lines):
        inner = _panel_text(line)
        if not inner.startswith(f"   {mark} ") or not whole.startswith(inner[5:].strip()):
            continue
        text, following = inner[5:].strip(), start + 1
        while len(text) < len(whole) and following < len(lines):
            inner = _panel_text(lines[following])
            if not whole.startswith(f"{text} {inner.strip()}"):
                break
            indent = len(inner) - len(inner.lstrip())
            assert indent == 5, f"a wrapped line is not indented under its text: {inner!r}"
            text, following = f"{text} {inner.strip()}", following + 1
        if text == whole:
            return
    raise AssertionError(f"{mark} {item!r} is not printed whole")


def _assessment_with_long_lines() -> dict[str, Any]:
    assessment = _display("ex02-values-conflict.json")
    long = (
        "Your reason for considering referral: personal values, and a very long stretch of evidence "
        "that must wrap several times at eighty columns so that its continuation lines show "
        "where they start, which is under the text and never at the panel's left edge"
    )
    assessment["findings"][0]["evidence"].append(long)
    assessment["findings"][0]["actions"].append("Act: " + long)
    assessment["cautions"][0]["evidence"].append(long)
    return assessment


def test_report_items_keep_their_indent_when_they_wrap() -> None:
    assessment = _assessment_with_long_lines()
    lines = _rendered(assessment, report=True).splitlines()

    assert all(len(line) <= WIDTH for line in lines)
    for entry in (*assessment["findings"], *assessment["cautions"]):
        for item in entry.get("evidence", []):
            _assert_hanging(lines, "•", item)
        for item in entry["actions"]:
            _assert_hanging(lines, "→", item)


def test_the_assess_command_wraps_items_under_their_text_at_80_columns() -> None:
    path = str(EXAMPLES / "ex02-values-conflict.json")
    assessment = _display("ex02-values-conflict.json")
    lines = _run("assess", path).splitlines()

    assert all(len(line) <= WIDTH for line in lines)
    for entry in (*assessment["findings"], *assessment["cautions"]):
        for item in entry.get("evidence", []):
            _assert_hanging(lines, "•", item)
        for item in entry["actions"]:
            _assert_hanging(lines, "→", item)


def _client_lines(text: str, rows: list[dict[str, str]]) -> None:
    """Every client's rank, client, recommendation and trigger stand whole on one line."""
    lines = text.splitlines()
    assert all(len(line) <= WIDTH for line in lines)
    for row in rows:
        found = [
            i for i, line in enumerate(lines) if line.split()[:2] == [row["rank"], row["client"]]
        ]
        assert len(found) == 1, f"client {row['client']} is not whole on one line:\n{text}"
        # Recommendation and trigger on the client's line, or (for a long name) the next one.
        line = lines[found[0]] if len(lines[found[0]].split()) > 2 else lines[found[0] + 1]
        assert f" {row['recommendation']} " in f"{line} ", text
        assert row["latest_trigger"] in line, text


def test_screen_table_reads_at_80_columns() -> None:
    arguments = ["screen", "--cases", str(EXAMPLES), "--as-of", "2026-11-20"]
    rows = list(csv.DictReader(io.StringIO(_run(*arguments, "--format", "csv"))))
    text = _run(*arguments)

    assert rows
    assert text.startswith(f"Worklist: {len(rows)} clients")
    shown = [
        row
        | {
            "recommendation": recommendation_label(row["recommendation"]),
            "latest_trigger": day_words(date.fromisoformat(row["latest_trigger"]))
            if row["latest_trigger"]
            else "",
        }
        for row in rows
    ]
    _client_lines(text, shown)
    flat = " ".join(text.split())
    for row in rows:  # the findings and cautions follow, whole and in words
        for kind in row["finding_kinds"].split():
            assert sentence(label("finding_kind", kind)) in flat
        for kind in row["caution_kinds"].split():
            assert sentence(label("caution_kind", kind)) in flat


def _row(rank: int, client: str, findings: int, **fields: Any) -> WorklistRow:
    defaults: dict[str, Any] = {
        "case_id": f"case-{rank}",
        "clinician": "s1-clin00001",
        "recommendation": "plan_termination",
        "latest_trigger": date(2026, 11, 8),
        "headline": "",
        "finding_kinds": FINDING_KINDS[:findings],
        "caution_kinds": ("reason.personal_values", "alternatives_not_tried"),
        "services": (),
        "sort_id": (rank, ""),
    }
    return WorklistRow(client=client, **{**defaults, **fields})


def test_worklist_of_long_names_and_many_findings_reads_at_80_columns() -> None:
    rows = [
        _row(1, "a-case-file-with-a-long-name-from-the-practice-archive.json", 6),
        _row(2, "12", 1, recommendation="urgent_safety"),
        _row(3, "4711", 0, latest_trigger=None),
    ]
    text = _rendered(WorklistTable(rows))

    expected = [
        {
            "rank": str(rank),
            "client": row.client,
            "recommendation": recommendation_label(row.recommendation),
            "latest_trigger": day_words(row.latest_trigger) if row.latest_trigger else "",
        }
        for rank, row in enumerate(rows, start=1)
    ]
    _client_lines(text, expected)
    flat = " ".join(text.split())
    assert "; ".join(sentence(label("finding_kind", k)) for k in rows[0].finding_kinds) in flat
    assert "case case-2 · clinician s1-clin00001" in flat


def test_worklist_limit_shows_the_first_clients_of_the_total() -> None:
    rows = [_row(n, str(n), 1) for n in range(1, 6)]
    text = _rendered(WorklistTable(rows, limit=2))
    assert text.startswith("Worklist: 5 clients")
    assert [line.split()[0] for line in text.splitlines() if line[:1].isdigit()] == ["1", "2"]
