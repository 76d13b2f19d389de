"""A screened client as a worklist row, the worklist's order, and its CSV (CLI and web alike)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from referwell.domain.assessment import Assessment
from referwell.domain.vocabulary import RECOMMENDATION_RANK


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

    @classmethod
    def of(
        cls, assessment: Assessment, client: str, clinician: str, sort_id: tuple[int, str]
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
        }


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
    "finding_kinds", "caution_kinds", "services", "headline",
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
            ]
        )
    return buffer.getvalue()
