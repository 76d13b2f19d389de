"""Who the client needs: the competence table and the transfer needs every referral carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from referwell.domain.findings import Need
from referwell.domain.phrases import Code, Day, Phrase, phrase
from referwell.domain.summary import CaseSummary


@dataclass(frozen=True, slots=True)
class ConditionRow:
    """One row of the decision rules' competence table."""

    competent_with: tuple[str, ...]
    need_when_not_competent: tuple[str, ...]
    adjunct_unless_in_care: tuple[str, ...]


COMPETENCE_TABLE: Final[dict[str, ConditionRow]] = {
    "borderline_personality": ConditionRow(("dbt", "mbt", "tfp", "schema_therapy"), ("dbt",), ()),
    "psychosis": ConditionRow(
        ("psychosis",), ("coordinated_specialty_care", "psychiatry"), ("psychiatry",)
    ),
    "bipolar": ConditionRow(("bipolar",), ("psychiatry",), ("psychiatry",)),
    "dissociative": ConditionRow(("dissociative",), ("dissociative",), ()),
    "eating_disorder": ConditionRow(
        ("eating_disorders", "family_based_treatment"), ("eating_disorders",), ("primary_care",)
    ),
    "substance_use": ConditionRow(("addiction",), ("addiction",), ()),
    "trauma_ptsd": ConditionRow(("trauma_focused", "cpt", "pe", "emdr"), ("trauma_focused",), ()),
    "ocd": ConditionRow(("erp",), ("erp",), ()),
}
# Not a psychotherapy competence: only adjunct needs, never a competence finding.
NEUROCOGNITIVE_ADJUNCTS: Final = ("neuropsychology", "primary_care")


def population_needs(s: CaseSummary) -> list[tuple[str, Phrase]]:
    """(population code, evidence) the client's age and format of care call for."""
    out = []
    if s.age < 13:
        out.append(
            (
                "children",
                phrase("client.age: {} (under 13)", s.age, words="the client is {}: under 13"),
            )
        )
    elif s.age < 18:
        out.append(
            (
                "adolescents",
                phrase("client.age: {} (13-17)", s.age, words="the client is {}: 13 to 17"),
            )
        )
    for code, population in (("couple", "couples"), ("family", "family")):
        if s.format_of_care == code:
            out.append(
                (
                    population,
                    phrase(
                        "format_of_care: {}",
                        Code("format_of_care", code),
                        words="format of care: {}",
                    ),
                )
            )
    return out


def transfer_needs(s: CaseSummary, kind: str) -> list[Need]:
    """psychotherapy, the specialized concerns' needs and the population need: what the
    next clinician must offer, whatever this clinician's own competence."""
    needs = [Need("psychotherapy", kind)]
    for concern in s.concerns:
        row = COMPETENCE_TABLE.get(concern)
        if row is not None:
            needs.extend(Need(service, concern) for service in row.need_when_not_competent)
    needs.extend(Need(code, kind) for code, _ in population_needs(s))
    return needs


def step_evidence(s: CaseSummary, *steps: str) -> list[Phrase]:
    """Evidence lines for those of `steps` the case lists, in the order asked."""
    out = []
    for step in (step for step in steps if step in s.steps):
        when = s.steps[step]
        if when is None:
            out.append(phrase("steps_taken: {}", Code("step", step), words="step taken: {}"))
        else:
            out.append(
                phrase(
                    "steps_taken: {} ({})",
                    Code("step", step),
                    Day(when),
                    words="step taken: {} ({})",
                )
            )
    return out


TRANSFER_ACTIONS: Final = (
    "Hold pretermination counselling: explain the reasons for the transfer and hear the client's view.",
    "Offer at least two referral options that provide the needed services, with the client's consent to share information.",
    "Write a transfer summary and follow up until the client's first appointment is confirmed.",
)
