"""The engine: a case's summary through every rule into one assessment (`referwell.assessment/1`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from referwell.domain.case import Case
from referwell.domain.findings import Caution, Finding, Need, merge_needs
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.rules import RULES
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary, summarize
from referwell.domain.vocabulary import RECOMMENDATION_RANK

ASSESSMENT_FORMAT: Final = "referwell.assessment/1"
DEFAULT_SETTINGS: Final = RuleSettings()

LEAD: Final = {
    "urgent_safety": "Act on risk now",
    "refer": "Refer",
    "refer_adjunct": "Add a concurrent referral",
    "consult_first": "Consult first",
    "plan_termination": "Plan the ending",
    "continue": "Continue",
}


@dataclass(frozen=True, slots=True)
class Assessment:
    case_id: str
    as_of: date
    recommendation: str
    headline: str
    findings: tuple[Finding, ...]
    cautions: tuple[Caution, ...]
    referral_needs: tuple[Need, ...]
    measures: tuple[dict[str, Any], ...]
    settings: RuleSettings

    @property
    def latest_trigger(self) -> date | None:
        """The newest dated trigger among the findings that make the recommendation."""
        dates = [
            f.trigger
            for f in self.findings
            if f.recommendation == self.recommendation and f.trigger is not None
        ]
        return max(dates) if dates else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": ASSESSMENT_FORMAT,
            "case_id": self.case_id,
            "as_of": self.as_of.isoformat(),
            "recommendation": self.recommendation,
            "headline": self.headline,
            "findings": [f.as_dict() for f in self.findings],
            "cautions": [c.as_dict() for c in self.cautions],
            "referral_needs": [n.as_dict() for n in self.referral_needs],
            "measures": [dict(m) for m in self.measures],
            "settings": self.settings.as_dict(),
        }


def measures_summary(summary: CaseSummary) -> list[dict[str, Any]]:
    """One entry per instrument the case has: first, latest, change, band, caseness, flags."""
    out = []
    for code, inst in summary.instruments.items():
        instrument = INSTRUMENTS[code]
        first, latest = inst.first.total, inst.latest.total
        several = inst.count >= 2
        entry: dict[str, Any] = {
            "instrument": code,
            "first": first,
            "latest": latest,
            "change": latest - first if several else None,
            "severity": instrument.severity(latest),
            "caseness": instrument.is_case(latest),
        }
        if code == "PHQ-9":
            entry["item9"] = inst.latest.item9
        entry["reliable_improvement"] = (
            instrument.reliable_improvement(first, latest) if several else None
        )
        entry["reliable_deterioration"] = (
            instrument.reliable_deterioration(first, latest) if several else None
        )
        out.append(entry)
    return out


def assess_summary(summary: CaseSummary, settings: RuleSettings = DEFAULT_SETTINGS) -> Assessment:
    """Run every rule over one summary (the path the bulk screen takes too)."""
    findings: list[Finding] = []
    cautions: list[Caution] = []
    after = []
    for declared in RULES:
        if declared.evaluate is None:
            after.append(declared)
            continue
        for result in declared.evaluate(summary, settings):
            if isinstance(result, Finding):
                findings.append(result)
            else:
                cautions.append(result)
    findings.sort(
        key=lambda f: RECOMMENDATION_RANK[f.recommendation]
    )  # stable: rule order within a rank
    recommendation = findings[0].recommendation if findings else "continue"
    for declared in after:
        assert declared.evaluate_after is not None  # noqa: S101 - narrowed for mypy
        cautions.extend(declared.evaluate_after(summary, findings, recommendation))
    needs = merge_needs([n for f in findings for n in f.needs])
    return Assessment(
        case_id=summary.case_id,
        as_of=summary.as_of,
        recommendation=recommendation,
        headline=headline(findings, recommendation),
        findings=tuple(findings),
        cautions=tuple(cautions),
        referral_needs=tuple(needs),
        measures=tuple(measures_summary(summary)),
        settings=settings,
    )


def assess_case(case: Case, settings: RuleSettings = DEFAULT_SETTINGS) -> Assessment:
    """Assess one validated case."""
    return assess_summary(summarize(case, settings), settings)


def headline(findings: list[Finding], recommendation: str) -> str:
    if not findings:
        return "Continue: nothing in the case calls for a change."
    top = findings[0]
    others = len(findings) - 1
    more = f" ({others} more finding{'s' if others != 1 else ''} below.)" if others else ""
    return f"{top.summary}{more}"
