"""A screened client as a worklist row, the worklist's order, and its CSV (CLI and web alike);
a screen's result: the rows listed and the clients left off as out of scope."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from referwell.domain.assessment import Assessment
from referwell.domain.vocabulary import RECOMMENDATION_RANK

URGENT = "urgent_safety"  # never left off a worklist, whatever its scope


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One screened client: what the engine said and why, without clinical free text."""

    client: str  # the database id, or the case file's name
    case_id: str
    clinician: str
    recommendation: str
    latest_trigger: date | None
    headline: str
    finding_kinds: tuple[str, ...]
    caution_kinds: tuple[str, ...]
    services: tuple[str, ...]
    sort_id: tuple[int, str]
    # False for a client with nothing recorded in the screen's window, listed because urgent.
    in_scope: bool = True

    @classmethod
    def of(
        cls,
        assessment: Assessment,
        client: str,
        clinician: str,
        sort_id: tuple[int, str],
        *,
        in_scope: bool = True,
    ) -> WorklistRow:
        return cls(
            client=client,
            case_id=assessment.case_id,
            clinician=clinician,
            recommendation=assessment.recommendation,
            latest_trigger=assessment.latest_trigger,
            headline=assessment.headline,
            finding_kinds=tuple(f.kind for f in assessment.findings),
            caution_kinds=tuple(c.kind for c in assessment.cautions),
            services=tuple(n.service for n in assessment.referral_needs),
            sort_id=sort_id,
            in_scope=in_scope,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "case_id": self.case_id,
            "clinician": self.clinician,
            "recommendation": self.recommendation,
            "latest_trigger": self.latest_trigger.isoformat() if self.latest_trigger else None,
            "headline": self.headline,
            "finding_kinds": list(self.finding_kinds),
            "caution_kinds": list(self.caution_kinds),
            "services": list(self.services),
            "in_scope": self.in_scope,
        }


@dataclass(frozen=True, slots=True)
class NotListed:
    """A client screened and left off the worklist: nothing recorded in the window and not
    urgent. Who, never what: the client (database id, or case file name) and the case id."""

    client: str
    case_id: str
    sort_id: tuple[int, str]

    def as_dict(self) -> dict[str, str]:
        return {"client": self.client, "case_id": self.case_id}


@dataclass(frozen=True, slots=True)
class Screened:
    """What a screen found: the rows listed, most pressing first (an urgent client always,
    in scope or not), and the clients out of scope that were left off, by client."""

    rows: list[WorklistRow]
    not_listed: list[NotListed]
    recent_days: int

    @property
    def listed_out_of_scope(self) -> list[WorklistRow]:
        """The rows listed although nothing was recorded in the window: urgent ones."""
        return [row for row in self.rows if not row.in_scope]

    @property
    def out_of_scope(self) -> int:
        """How many clients had nothing recorded in the window, listed or not."""
        return len(self.not_listed) + len(self.listed_out_of_scope)


def split_by_scope(
    rows: Iterable[WorklistRow],
) -> tuple[list[WorklistRow], list[NotListed]]:
    """The rows to list (in scope, or urgent) and the clients left off (out of scope and
    not urgent): an urgent client is never left out."""
    listed: list[WorklistRow] = []
    left: list[NotListed] = []
    for row in rows:
        if row.in_scope or row.recommendation == URGENT:
            listed.append(row)
        else:
            left.append(NotListed(row.client, row.case_id, row.sort_id))
    return listed, left


def screened(
    rows: Iterable[WorklistRow], not_listed: Iterable[NotListed], recent_days: int
) -> Screened:
    """The result in its order: rows by `worklist_key`, the clients left off by client."""
    return Screened(order_worklist(rows), sorted(not_listed, key=lambda n: n.sort_id), recent_days)


def worklist_key(row: WorklistRow) -> tuple[int, int, int, tuple[int, str]]:
    """Most pressing first; within one, newest dated trigger first, undated after dated,
    then by client id."""
    trigger = row.latest_trigger
    return (
        RECOMMENDATION_RANK[row.recommendation],
        0 if trigger is not None else 1,
        -trigger.toordinal() if trigger is not None else 0,
        row.sort_id,
    )


def order_worklist(rows: Iterable[WorklistRow]) -> list[WorklistRow]:
    return sorted(rows, key=worklist_key)


CSV_COLUMNS = (
    "rank", "client", "case_id", "clinician", "recommendation", "latest_trigger",
    "finding_kinds", "caution_kinds", "services", "headline", "in_scope",
)  # fmt: skip


def worklist_csv(rows: Sequence[WorklistRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rank, row in enumerate(rows, start=1):
        d = row.as_dict()
        writer.writerow(
            [
                rank,
                d["client"],
                d["case_id"],
                d["clinician"],
                d["recommendation"],
                d["latest_trigger"] or "",
                " ".join(d["finding_kinds"]),
                " ".join(d["caution_kinds"]),
                " ".join(d["services"]),
                d["headline"],
                "true" if d["in_scope"] else "false",
            ]
        )
    return buffer.getvalue()
