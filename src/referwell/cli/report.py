"""The terminal report of an assessment: recommendation and headline first, then the why."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from referwell.domain.phrases import day_words

STYLE = {
    "urgent_safety": "bold white on red",
    "refer": "bold red",
    "refer_adjunct": "bold yellow",
    "consult_first": "bold yellow",
    "plan_termination": "bold cyan",
    "continue": "bold green",
}
SEVERITY = {"critical": "bold red", "warning": "yellow", "info": "cyan"}

if TYPE_CHECKING:
    from referwell.domain.assessment import Assessment


def _citations(items: list[dict[str, str]]) -> str:
    """Sections grouped by source: `ACA Code of Ethics 2014 A.11.a, C.2.a; APA Ethics Code 2.01(a)`."""
    grouped: dict[str, list[str]] = {}
    for c in items:
        grouped.setdefault(c["source"], []).append(c["section"])
    return "; ".join(f"{source} {', '.join(sections)}" for source, sections in grouped.items())


def _items(mark: str, items: list[str]) -> Table:
    """`  • item` lines whose wrapped lines stay indented under the item's text, not the mark."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for item in items:
        grid.add_row(f"  {mark}", Text(item))
    return grid


def render(assessment: Assessment, console: Console, name: str = "") -> None:
    """The report of one assessment, in words (`Assessment.display`): a person reads it."""
    report(
        assessment.display(),
        console,
        case_id=assessment.case_id,
        as_of=assessment.as_of,
        name=name,
    )


def report(
    shown: Mapping[str, Any], console: Console, *, case_id: str, as_of: date, name: str = ""
) -> None:
    """Print `shown` (an assessment's display document): headline first, then the why."""
    rec = shown["recommendation"]
    title = Text()
    title.append(f" {shown['recommendation_label']} ", style=STYLE.get(rec, "bold"))
    title.append(f"  case {case_id}  as of {day_words(as_of)}")
    if name:
        title.append(f"  ({name})", style="dim")
    console.print(Panel(Text(shown["headline"]), title=title, title_align="left"))
    for finding in shown["findings"]:
        body: list[Text | Table] = [Text(finding["summary"])]
        if finding["evidence"]:
            body.append(Text("Evidence", style="bold"))
            body.append(_items("•", finding["evidence"]))
        if finding["actions"]:
            body.append(Text("Actions", style="bold"))
            body.append(_items("→", finding["actions"]))
        body.append(Text(f"Cites: {_citations(finding['citations'])}", style="dim"))
        head = Text()
        head.append(finding["severity_label"], style=SEVERITY.get(finding["severity"], ""))
        head.append(f"  {finding['title']} → {finding['recommendation_label']}")
        console.print(Panel(Group(*body), title=head, title_align="left", border_style="dim"))
    for caution in shown["cautions"]:
        body = [Text(caution["summary"])]
        if caution.get("evidence"):
            body.append(_items("•", caution["evidence"]))
        if caution["actions"]:
            body.append(_items("→", caution["actions"]))
        body.append(Text(f"Cites: {_citations(caution['citations'])}", style="dim"))
        console.print(
            Panel(
                Group(*body),
                title=Text(f"Caution  {caution['title']}", style="bold magenta"),
                title_align="left",
                border_style="magenta",
            )
        )
    if shown["needs"]:
        table = Table(title="Referral needs", title_justify="left", show_edge=False)
        for column in ("Service", "Urgency", "Kind", "Because"):
            table.add_column(column)
        for need in shown["needs"]:
            table.add_row(
                need["service_label"],
                need["urgency_label"],
                "alongside therapy" if need["adjunct"] else "transfer of care",
                need["because_label"],
            )
        console.print(table)
    if shown["measures"]:
        table = Table(title="Questionnaires", title_justify="left", show_edge=False)
        for column in (
            "Questionnaire",
            "First",
            "Latest",
            "Change",
            "Severity",
            "Caseness",
            "Item 9",
        ):
            table.add_column(column)
        for m in shown["measures"]:
            table.add_row(
                m["instrument"],
                str(m["first"]),
                str(m["latest"]),
                "" if m["change"] is None else f"{m['change']:+d}",
                m["severity_label"] or "—",
                "yes" if m["caseness"] else "no",
                "" if m.get("item9") is None else str(m["item9"]),
            )
        console.print(table)
    console.print()
