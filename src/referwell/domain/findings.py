"""What the rules yield: findings, cautions and referral needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from referwell.domain.citations import Citation
from referwell.domain.vocabulary import URGENCIES


@dataclass(frozen=True, slots=True)
class Need:
    """A service the client needs; `because` is the concern code, else the finding kind."""

    service: str
    because: str
    urgency: str = "routine"
    adjunct: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "urgency": self.urgency,
            "because": self.because,
            "adjunct": self.adjunct,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    recommendation: str
    severity: str
    summary: str
    evidence: tuple[str, ...]
    actions: tuple[str, ...]
    citations: tuple[Citation, ...]
    needs: tuple[Need, ...] = field(default=())
    # The newest dated trigger behind the finding (None when undated): orders a worklist.
    trigger: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "recommendation": self.recommendation,
            "severity": self.severity,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "actions": list(self.actions),
            "citations": [c.as_dict() for c in self.citations],
        }


@dataclass(frozen=True, slots=True)
class Caution:
    kind: str
    summary: str
    actions: tuple[str, ...]
    citations: tuple[Citation, ...]
    evidence: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "summary": self.summary}
        if self.evidence:
            out["evidence"] = list(self.evidence)
        out["actions"] = list(self.actions)
        out["citations"] = [c.as_dict() for c in self.citations]
        return out


def merge_needs(needs: list[Need]) -> list[Need]:
    """One need per service: the most urgent urgency wins, a transfer beats an adjunct,
    `because` is the first one's; order of first appearance."""
    merged: dict[str, Need] = {}
    for need in needs:
        known = merged.get(need.service)
        if known is None:
            merged[need.service] = need
            continue
        urgency = min(known.urgency, need.urgency, key=URGENCIES.index)
        merged[need.service] = Need(
            known.service, known.because, urgency, known.adjunct and need.adjunct
        )
    return list(merged.values())
