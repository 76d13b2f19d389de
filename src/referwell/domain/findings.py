"""What the rules yield: findings, cautions and referral needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from referwell.domain.citations import Citation
from referwell.domain.phrases import Phrase
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
    """What one rule found: its recommendation, why (evidence) and what to do (actions).

    Summary, evidence and actions are phrases: the JSON carries their text, pages and
    the CLI's report their words (`domain.phrases`).
    """

    kind: str
    recommendation: str
    severity: str
    summary: Phrase
    evidence: tuple[Phrase, ...]
    actions: tuple[Phrase, ...]
    citations: tuple[Citation, ...]
    needs: tuple[Need, ...] = field(default=())
    # The newest dated trigger behind the finding (None when undated): orders a worklist.
    trigger: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "recommendation": self.recommendation,
            "severity": self.severity,
            "summary": str(self.summary),
            "evidence": [str(e) for e in self.evidence],
            "actions": [str(a) for a in self.actions],
            "citations": [c.as_dict() for c in self.citations],
        }


@dataclass(frozen=True, slots=True)
class Caution:
    """A reason or an arrangement that is not a ground for referral, or a missing step."""

    kind: str
    summary: Phrase
    actions: tuple[Phrase, ...]
    citations: tuple[Citation, ...]
    evidence: tuple[Phrase, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "summary": str(self.summary)}
        if self.evidence:
            out["evidence"] = [str(e) for e in self.evidence]
        out["actions"] = [str(a) for a in self.actions]
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
