"""Outcome reports over a course of treatment (measures.md): per instrument and combined."""

from __future__ import annotations

from typing import Any

from referwell.domain.case import Case
from referwell.domain.measures import INSTRUMENTS, PROGRESS_INSTRUMENTS
from referwell.domain.measures.outcomes import outcome
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import InstrumentSummary, summarize

OUTCOME_WORDS = {
    "no_outcome": "no outcome (fewer than 2 scores)",
    "reliable_deterioration": "reliable deterioration",
    "reliable_recovery": "reliable recovery",
    "recovery": "recovery",
    "reliable_improvement": "reliable improvement",
    "no_reliable_change": "no reliable change",
}


def outcome_report(instruments: dict[str, InstrumentSummary]) -> dict[str, Any]:
    """Every instrument the client has, and PHQ-9 with GAD-7 combined."""
    rows = []
    for code, inst in instruments.items():
        instrument = INSTRUMENTS[code]
        result = outcome([inst.course])
        has_rc = instrument.reliable_change is not None and inst.count >= 2
        rows.append(
            {
                "instrument": code,
                "scores": inst.count,
                "first": inst.first.total,
                "first_date": inst.first.date.isoformat(),
                "latest": inst.latest.total,
                "latest_date": inst.latest.date.isoformat(),
                "change": inst.change,
                "reliable_change_points": instrument.reliable_change,
                "caseness_cutoff": instrument.caseness_cutoff,
                "outcome": result.label,
                "reliable_improvement": result.reliable_improvement if has_rc else None,
                "reliable_deterioration": result.reliable_deterioration if has_rc else None,
                "recovery": result.recovery if inst.count >= 2 else None,
                "reliable_recovery": result.reliable_recovery if has_rc else None,
            }
        )
    combined_codes = [c for c in PROGRESS_INSTRUMENTS if c in instruments]
    combined = outcome(instruments[c].course for c in combined_codes)
    return {
        "instruments": rows,
        "combined": {
            "instruments": combined_codes,
            "with_outcome": list(combined.instruments),
            "outcome": combined.label,
            "reliable_improvement": combined.reliable_improvement,
            "reliable_deterioration": combined.reliable_deterioration,
            "recovery": combined.recovery,
            "reliable_recovery": combined.reliable_recovery,
        },
    }


def case_outcome_report(case: Case, settings: RuleSettings) -> dict[str, Any]:
    """The outcome report of one validated case, read from the summary the rules read."""
    return outcome_report(summarize(case, settings).instruments)
