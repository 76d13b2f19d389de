"""Competence rules: specialized conditions, populations and formats, training, adjunct care."""

from __future__ import annotations

from referwell.domain.findings import Need
from referwell.domain.rules.base import Result, finding, rule
from referwell.domain.rules.needs import COMPETENCE_TABLE, NEUROCOGNITIVE_ADJUNCTS, population_needs
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary

_IN_TRAINING_ACTIONS = (
    "Practise in this area only under active supervision, and document it.",
    "Tell the client that you are building competence in this area under supervision (informed consent).",
    "Keep training; refer if the supervisor judges the case beyond what supervised practice can safely give.",
)


def _in_training(area: str, codes: list[str], evidence: list[str]) -> Result:
    return finding(
        "competence.in_training",
        "continue",
        f"{area} is an area this clinician is training in: continue under supervision.",
        [*evidence, *(f"clinician.in_training: {c}" for c in codes)],
        _IN_TRAINING_ACTIONS,
    )


@rule(
    "competence.specialized_condition",
    family="competence",
    title="Specialized condition outside competence",
    description=(
        "For each specialized concern, the clinician is competent when any code of its row of the "
        "competence table is a competency. Not competent and not in training: refer with the row's "
        "need. Not competent but a code of the row in training: competence.in_training, continue. "
        "neurocognitive never yields a competence finding."
    ),
    finding_kinds=("competence.specialized_condition", "competence.in_training"),
)
def specialized_condition(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    out: list[Result] = []
    for concern in s.concerns:
        row = COMPETENCE_TABLE.get(concern)
        if row is None or any(c in s.competencies for c in row.competent_with):
            continue
        evidence = [
            f"concerns: {concern}",
            f"clinician.competencies: none of {', '.join(row.competent_with)}",
        ]
        training = [c for c in row.competent_with if c in s.in_training]
        if training:
            out.append(_in_training(concern, training, [f"concerns: {concern}"]))
            continue
        needs = ", ".join(row.need_when_not_competent)
        out.append(
            finding(
                "competence.specialized_condition",
                "refer",
                f"{concern} is outside this clinician's competence: refer to {needs}.",
                evidence,
                (
                    f"Refer the client to a professional who offers {needs}.",
                    "Hold pretermination counselling and offer at least two options, with consent to share information.",
                    "Until the transfer is complete, keep the client safe and supported; do not start treatment of this condition.",
                ),
                needs=[Need(service, concern) for service in row.need_when_not_competent],
            )
        )
    return out


@rule(
    "competence.population",
    family="competence",
    title="Population or format outside competence",
    description=(
        "Under 13 needs children, 13-17 adolescents, a couple format couples, a family format "
        "family. Missing from the competencies: refer with that code as the need; in training: "
        "competence.in_training, continue."
    ),
    finding_kinds=("competence.population", "competence.in_training"),
)
def population(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    out: list[Result] = []
    for code, why in population_needs(s):
        if code in s.competencies:
            continue
        if code in s.in_training:
            out.append(_in_training(code, [code], [why]))
            continue
        out.append(
            finding(
                "competence.population",
                "refer",
                f"This client needs a clinician competent with {code}, which this clinician is not.",
                [why, f"clinician.competencies: no {code}"],
                (
                    f"Refer to a professional who works with {code}.",
                    "Hold pretermination counselling and offer at least two options, with consent to share information.",
                ),
                needs=[Need(code, "competence.population")],
            )
        )
    return out


@rule(
    "medical.adjunct_care",
    family="competence",
    title="Adjunct care a specialized concern needs",
    description=(
        "Whatever the clinician's competence, each adjunct need of a concern's row missing from "
        "client.current_care yields refer_adjunct with the need marked adjunct (one finding per "
        "concern). neurocognitive needs neuropsychology and primary_care."
    ),
    finding_kinds=("medical.adjunct_care",),
)
def adjunct_care(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    out: list[Result] = []
    for concern in s.concerns:
        if concern == "neurocognitive":
            adjuncts: tuple[str, ...] = NEUROCOGNITIVE_ADJUNCTS
        else:
            row = COMPETENCE_TABLE.get(concern)
            if row is None:
                continue
            adjuncts = row.adjunct_unless_in_care
        missing = [a for a in adjuncts if a not in s.current_care]
        if not missing:
            continue
        listed = ", ".join(missing)
        in_care = ", ".join(sorted(s.current_care)) or "none"
        out.append(
            finding(
                "medical.adjunct_care",
                "refer_adjunct",
                f"{concern} calls for {listed} alongside therapy.",
                [f"concerns: {concern}", f"client.current_care: {in_care}"],
                (
                    f"Arrange a concurrent referral for {listed}; therapy goes on.",
                    "Ask the client's consent to share information and coordinate care with the other provider.",
                ),
                needs=[Need(a, concern, adjunct=True) for a in missing],
            )
        )
    return out
