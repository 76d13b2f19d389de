"""Rules are data with behaviour: an id, the kinds they yield, their citations and settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from referwell.domain.citations import REQUIRED, Citation
from referwell.domain.findings import Caution, Finding, Need
from referwell.domain.phrases import Phrase, as_phrase
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary

Result = Finding | Caution
Evaluate = Callable[[CaseSummary, RuleSettings], Sequence[Result]]
# Cross-cutting rules read the other rules' findings and the recommendation they make.
EvaluateAfter = Callable[[CaseSummary, Sequence[Finding], str], Sequence[Caution]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str
    title: str
    description: str
    finding_kinds: tuple[str, ...]
    caution_kinds: tuple[str, ...]
    settings: tuple[str, ...]
    evaluate: Evaluate | None = None
    evaluate_after: EvaluateAfter | None = None

    def citations(self) -> dict[str, tuple[Citation, ...]]:
        """The citations each kind this rule yields carries (at least the required ones)."""
        out = {k: REQUIRED[k] for k in self.finding_kinds}
        out.update({f"caution:{k}": REQUIRED[f"caution:{k}"] for k in self.caution_kinds})
        return out


RULES: list[Rule] = []
F = TypeVar("F")


def rule(
    id: str,
    *,
    family: str,
    title: str,
    description: str,
    finding_kinds: tuple[str, ...] = (),
    caution_kinds: tuple[str, ...] = (),
    settings: tuple[str, ...] = (),
    after: bool = False,
) -> Callable[[F], F]:
    """Declare a rule; the order of declaration is the order of evaluation."""

    def register(func: F) -> F:
        RULES.append(
            Rule(
                id=id,
                family=family,
                title=title,
                description=description,
                finding_kinds=finding_kinds,
                caution_kinds=caution_kinds,
                settings=settings,
                evaluate=None if after else func,  # type: ignore[arg-type]
                evaluate_after=func if after else None,  # type: ignore[arg-type]
            )
        )
        return func

    return register


def severity_for(recommendation: str) -> str:
    """critical for urgent_safety, info for continue and plan_termination, warning otherwise."""
    if recommendation == "urgent_safety":
        return "critical"
    if recommendation in ("continue", "plan_termination"):
        return "info"
    return "warning"


Said = Phrase | str  # a plain string is text without codes, the same in words


def finding(
    kind: str,
    recommendation: str,
    summary: Said,
    evidence: Sequence[Said],
    actions: Sequence[Said],
    *,
    needs: Sequence[Need] = (),
    severity: str | None = None,
    trigger: date | None = None,
) -> Finding:
    """A finding with the citations its kind requires and the default severity."""
    return Finding(
        kind=kind,
        recommendation=recommendation,
        severity=severity or severity_for(recommendation),
        summary=as_phrase(summary),
        evidence=tuple(as_phrase(e) for e in evidence),
        actions=tuple(as_phrase(a) for a in actions),
        citations=REQUIRED[kind],
        needs=tuple(needs),
        trigger=trigger,
    )


def caution(
    kind: str, summary: Said, actions: Sequence[Said], evidence: Sequence[Said] = ()
) -> Caution:
    return Caution(
        kind,
        as_phrase(summary),
        tuple(as_phrase(a) for a in actions),
        REQUIRED[f"caution:{kind}"],
        tuple(as_phrase(e) for e in evidence),
    )
