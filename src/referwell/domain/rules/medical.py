"""Medical rule: physical symptoms no physician has evaluated."""

from __future__ import annotations

from referwell.domain.findings import Need
from referwell.domain.measures.phq15 import SOMATIC_EVIDENCE_FROM
from referwell.domain.phrases import Day, Names, Phrase, Quote, phrase
from referwell.domain.rules.base import Result, finding, rule
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary


@rule(
    "medical.unevaluated_symptoms",
    family="medical",
    title="Physical symptoms not medically evaluated",
    description=(
        "Any physical symptom with medically_evaluated false yields refer_adjunct with "
        "primary_care as an adjunct need (one finding listing every such symptom), even when the "
        "client has a physician. A medium or high latest PHQ-15 adds evidence; it never fires the "
        "rule by itself."
    ),
    finding_kinds=("medical.unevaluated_symptoms",),
)
def unevaluated_symptoms(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    if not s.unevaluated_symptoms:
        return []
    evidence: list[Phrase] = [
        phrase(
            "physical_symptoms: {} (medically_evaluated: false)",
            Quote(symptom),
            words="physical symptom {}, not evaluated by a physician",
        )
        for symptom in s.unevaluated_symptoms
    ]
    phq15 = s.instruments.get("PHQ-15")
    if phq15 is not None and phq15.latest.total >= SOMATIC_EVIDENCE_FROM:
        evidence.append(
            phrase(
                "measures: latest PHQ-15 {} on {} (medium or high somatic symptom burden)",
                phq15.latest.total,
                Day(phq15.latest.date),
                words="latest PHQ-15: {} on {} (medium or high somatic symptom burden)",
            )
        )
    symptoms = Names(s.unevaluated_symptoms, separator="; ")
    if "primary_care" in s.current_care:
        first_action = phrase(
            "Ask the client to raise these symptoms with their physician: {}.", symptoms
        )
    else:
        first_action = phrase(
            "Refer the client to primary care for a medical evaluation of: {}.", symptoms
        )
    return [
        finding(
            "medical.unevaluated_symptoms",
            "refer_adjunct",
            "Physical symptoms no physician has evaluated: a medical evaluation comes alongside therapy.",
            evidence,
            (
                first_action,
                "Physical illness (thyroid disease, anaemia, deficiencies, sleep apnoea, medication effects) can look like depression or anxiety; ask for the results.",
                "Continue therapy meanwhile, and coordinate with the physician with the client's consent.",
            ),
            needs=[Need("primary_care", "medical.unevaluated_symptoms", adjunct=True)],
        )
    ]
