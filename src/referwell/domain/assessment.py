"""The engine: a case's summary through every rule into one assessment (`referwell.assessment/1`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from referwell.domain.case import Case
from referwell.domain.findings import Caution, Finding, Need, merge_needs
from referwell.domain.labels import label, sentence
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.phrases import day_words
from referwell.domain.rules import RULES
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary, summarize
from referwell.domain.vocabulary import CONDITIONS, RECOMMENDATION_RANK

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
            "settings_changed": [change.as_dict() for change in self.settings.changed],
        }

    def display(self) -> dict[str, Any]:
        """The assessment as people read it (pages, the CLI's report), every code said by its
        label: rendered from the findings' phrases, never from the JSON's text. Codes stay
        where a program or a stylesheet reads them (`recommendation`, `kind`, `severity`)."""
        top = self.findings[0] if self.findings else None
        return {
            "recommendation": self.recommendation,
            "recommendation_label": recommendation_label(self.recommendation),
            "lead": LEAD[self.recommendation],
            "headline": top.summary.words() if top else NOTHING_TO_CHANGE,
            "more_findings": max(0, len(self.findings) - 1),
            # The engine's order within one recommendation (newest dated trigger first).
            "latest_trigger": self.latest_trigger.isoformat() if self.latest_trigger else None,
            "findings": [
                {
                    "kind": f.kind,
                    "title": sentence(label("finding_kind", f.kind)),
                    "recommendation": f.recommendation,
                    "recommendation_label": recommendation_label(f.recommendation),
                    "severity": f.severity,
                    "severity_label": sentence(label("severity", f.severity)),
                    "summary": f.summary.words(),
                    "evidence": [e.words() for e in f.evidence],
                    "actions": [a.words() for a in f.actions],
                    "citations": [c.as_dict() for c in f.citations],
                }
                for f in self.findings
            ],
            "cautions": [
                {
                    "kind": c.kind,
                    "title": sentence(label("caution_kind", c.kind)),
                    "summary": c.summary.words(),
                    "evidence": [e.words() for e in c.evidence],
                    "actions": [a.words() for a in c.actions],
                    "citations": [cited.as_dict() for cited in c.citations],
                }
                for c in self.cautions
            ],
            "needs": [
                {
                    "service": n.service,
                    "service_label": sentence(label("service", n.service)),
                    "urgency": n.urgency,
                    "urgency_label": label("urgency", n.urgency),
                    "adjunct": n.adjunct,
                    "because_label": because_label(n.because),
                }
                for n in self.referral_needs
            ],
            "measures": [
                dict(m)
                | {"severity_label": label("band", m["severity"]) if m["severity"] else None}
                for m in self.measures
            ],
            "settings_changed": [
                {
                    "name": change.name,
                    "label": sentence(label("setting", change.name)),
                    "value": change.value,
                    "default": change.default,
                    "set_by": change.set_by,
                    "set_on": day_words(date.fromisoformat(change.set_at[:10]))
                    if change.set_at
                    else "",
                    "reason": change.reason,
                }
                for change in self.settings.changed
            ],
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


NOTHING_TO_CHANGE: Final = "Continue: nothing in the case calls for a change."


def recommendation_label(recommendation: str) -> str:
    """A recommendation as a badge says it: `Refer`, `Urgent: safety`."""
    return sentence(label("recommendation", recommendation))


def because_label(because: str) -> str:
    """What caused a need, in words: a concern (`borderline personality disorder`) or a
    finding's kind (`suicide risk`)."""
    group = "condition" if because in CONDITIONS else "finding_kind"
    return label(group, because)


def headline(findings: list[Finding], recommendation: str) -> str:
    if not findings:
        return NOTHING_TO_CHANGE
    top = findings[0]
    others = len(findings) - 1
    more = f" ({others} more finding{'s' if others != 1 else ''} below.)" if others else ""
    return f"{top.summary}{more}"
