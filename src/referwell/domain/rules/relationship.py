"""Rules about the therapeutic relationship: romantic advances and boundary crossings."""

from __future__ import annotations

from referwell.domain.phrases import Code, Day, Phrase, Words, phrase
from referwell.domain.rules.base import Result, finding, rule
from referwell.domain.rules.needs import TRANSFER_ACTIONS, step_evidence, transfer_needs
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary


@rule(
    "relationship.romantic_advances",
    family="relationship",
    title="Romantic advances",
    description=(
        "Advances persist with two or more romantic_advance events and either a discussed advance "
        "followed (date order, ties in file order) by another, or boundary_discussion in "
        "steps_taken. Persisting: consult_first, and refer (transfer needs) once supervision is in "
        "steps_taken. Any other advance: continue, severity info."
    ),
    finding_kinds=("relationship.romantic_advances",),
)
def romantic_advances(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    advances = s.romantic_advances
    if not advances:
        return []
    evidence: list[Phrase] = [
        phrase(
            "events: {} on {}{}",
            Code("event_kind", "romantic_advance"),
            Day(e.date),
            Words(" (discussed)", ", discussed with the client")
            if e.discussed
            else Words(" (not discussed)", ", not yet discussed with the client"),
            words="{} on {}{}",
        )
        for e in advances
    ]
    newest = max(e.date for e in advances)
    discussed_then_again = any(e.discussed for e in advances[:-1])
    persist = len(advances) >= 2 and (discussed_then_again or "boundary_discussion" in s.steps)
    if not persist:
        return [
            finding(
                "relationship.romantic_advances",
                "continue",
                "The client has made a romantic advance: address it in session and set the boundary.",
                evidence,
                (
                    "Address the advance in session as part of the work (transference), kindly and clearly.",
                    "State the professional boundary: no romantic or sexual relationship with a client.",
                    "Document the advance and your response.",
                ),
                trigger=newest,
            )
        ]
    evidence += step_evidence(s, "boundary_discussion", "supervision")
    if "supervision" in s.steps:
        return [
            finding(
                "relationship.romantic_advances",
                "refer",
                "Romantic advances persist after the boundary was discussed and supervision was sought: transfer care.",
                evidence,
                (
                    *TRANSFER_ACTIONS,
                    "Document the advances, the boundary discussions and the supervision.",
                ),
                needs=transfer_needs(s, "relationship.romantic_advances"),
                trigger=newest,
            )
        ]
    return [
        finding(
            "relationship.romantic_advances",
            "consult_first",
            "Romantic advances persist after the boundary was discussed: take the case to supervision.",
            evidence,
            (
                "Take the case to supervision now.",
                "Restate the boundary with the client and document it.",
                "If the advances continue after supervision, plan a transfer with pretermination counselling.",
            ),
            trigger=newest,
        )
    ]


@rule(
    "relationship.boundary_crossing",
    family="relationship",
    title="Boundary crossing",
    description="Any boundary_crossing event (gifts of value, contact outside sessions, a dual relationship): consult_first.",
    finding_kinds=("relationship.boundary_crossing",),
)
def boundary_crossing(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    if not s.boundary_crossings:
        return []
    return [
        finding(
            "relationship.boundary_crossing",
            "consult_first",
            "A boundary was crossed: weigh it, document it and consult.",
            [
                phrase(
                    "events: {} on {}{}",
                    Code("event_kind", "boundary_crossing"),
                    Day(e.date),
                    Words(" (discussed)", ", discussed with the client") if e.discussed else "",
                    words="{} on {}{}",
                )
                for e in s.boundary_crossings
            ],
            (
                "Weigh the risk of harm and any benefit to the client of this boundary extension.",
                "Document the crossing, your reasoning and the client's consent to any role change.",
                "Consult a supervisor or colleague.",
            ),
            trigger=max(e.date for e in s.boundary_crossings),
        )
    ]
