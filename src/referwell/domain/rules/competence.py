"""Competence rules: specialized conditions, populations and formats, training, adjunct care."""

from __future__ import annotations

from referwell.domain.findings import Need
from referwell.domain.phrases import Code, Codes, Phrase, phrase
from referwell.domain.rules.base import Result, finding, rule
from referwell.domain.rules.needs import COMPETENCE_TABLE, NEUROCOGNITIVE_ADJUNCTS, population_needs
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary

_IN_TRAINING_ACTIONS = (
    "Practise in this area only under active supervision, and document it.",
    "Tell the client that you are building competence in this area under supervision (informed consent).",
    "Keep training; refer if the supervisor judges the case beyond what supervised practice can safely give.",
)


def _in_training(area: Code, codes: list[str], evidence: list[Phrase]) -> Result:
    return finding(
        "competence.in_training",
        "continue",
        phrase("{} is an area this clinician is training in: continue under supervision.", area),
        [
            *evidence,
            *(
                phrase("clinician.in_training: {}", Code("service", c), words="in training: {}")
                for c in codes
            ),
        ],
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
        condition = Code("condition", concern)
        noted = phrase("concerns: {}", condition, words="concern: {}")
        evidence = [
            noted,
            phrase(
                "clinician.competencies: none of {}",
                Codes("service", row.competent_with, conjunction="or"),
                words="the clinician's competencies include none of {}",
            ),
        ]
        training = [c for c in row.competent_with if c in s.in_training]
        if training:
            out.append(_in_training(condition, training, [noted]))
            continue
        needs = Codes("service", row.need_when_not_competent)
        out.append(
            finding(
                "competence.specialized_condition",
                "refer",
                phrase("{} is outside this clinician's competence: refer to {}.", condition, needs),
                evidence,
                (
                    phrase("Refer the client to a professional who offers {}.", needs),
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
        population = Code("service", code)
        if code in s.in_training:
            out.append(_in_training(population, [code], [why]))
            continue
        out.append(
            finding(
                "competence.population",
                "refer",
                phrase(
                    "This client needs a clinician competent with {}, which this clinician is not.",
                    population,
                    words="This client needs a clinician who works with {}, which this "
                    "clinician does not.",
                ),
                [
                    why,
                    phrase(
                        "clinician.competencies: no {}",
                        population,
                        words="the clinician's competencies do not include {}",
                    ),
                ],
                (
                    phrase("Refer to a professional who works with {}.", population),
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
        listed = Codes("service", tuple(missing))
        in_care = (
            phrase(
                "client.current_care: {}",
                Codes("service", tuple(sorted(s.current_care))),
                words="care the client already receives: {}",
            )
            if s.current_care
            else phrase("client.current_care: none", words="care the client already receives: none")
        )
        condition = Code("condition", concern)
        out.append(
            finding(
                "medical.adjunct_care",
                "refer_adjunct",
                phrase("{} calls for {} alongside therapy.", condition, listed),
                [phrase("concerns: {}", condition, words="concern: {}"), in_care],
                (
                    phrase("Arrange a concurrent referral for {}; therapy goes on.", listed),
                    "Ask the client's consent to share information and coordinate care with the other provider.",
                ),
                needs=[Need(a, concern, adjunct=True) for a in missing],
            )
        )
    return out
