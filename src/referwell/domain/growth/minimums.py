"""The default minimum of evidence per competency code, with where each figure comes from.

A claimed competency counts for the engine once a supervisor has verified it, or its evidence
meets the practice's minimum for the code (`evidence.standing`). These are the minimums a
practice starts with; its admin may change any of them (`CompetencePolicy.overrides`).

Each row says whether its figures follow a published requirement (`convention=False`, the
source named) or are a convention of referwell's, set near what a training route usually
takes (`convention=True`): read them as a starting point for the practice to set, not as
a standard. A row without a minimum (`None`) is a profession or a programme, not something
a psychotherapist trains into by hours: only a supervisor's verification (or a current
certification) makes it count. Requirements change; check the body's current rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from referwell.domain import vocabulary as v


@dataclass(frozen=True, slots=True)
class Minimum:
    """Hours of training and of supervised practice (or consultation) that make a claim count."""

    training_hours: float
    supervised_hours: float

    @property
    def none_needed(self) -> bool:
        """Nothing beyond the licence: the claim counts as soon as it is made."""
        return self.training_hours <= 0 and self.supervised_hours <= 0


@dataclass(frozen=True, slots=True)
class DefaultMinimum:
    """A code's default minimum (None: verification only), its source and whether the
    figures are a convention rather than a published requirement."""

    minimum: Minimum | None
    source: str
    convention: bool


_LICENCE: Final = DefaultMinimum(
    Minimum(0, 0),
    "within the scope of a licensed generalist: graduate programmes accredited by CACREP, "
    "CSWE or the APA teach it",
    True,
)
_PROFESSION: Final = DefaultMinimum(
    None,
    "a profession or a programme of its own, not a psychotherapist's training route: "
    "verification only",
    False,
)


def _row(training: float, supervised: float, source: str, *, convention: bool) -> DefaultMinimum:
    return DefaultMinimum(Minimum(training, supervised), source, convention)


_TABLE: Final[dict[str, DefaultMinimum]] = {
    # Modalities.
    "cbt": _row(0, 0, "taught in accredited graduate programmes; the Academy of Cognitive & "
                "Behavioral Therapies' certification asks more (a practice may raise it)",
                convention=True),
    "dbt": _row(40, 40, "DBT-Linehan Board of Certification: at least 40 hours of didactic DBT "
                "training and a year on a DBT consultation team (the year counted here as 40 "
                "team hours)", convention=False),
    "mbt": _row(18, 20, "Anna Freud Centre MBT basic training (3 days); the supervised hours are "
                "a convention", convention=True),
    "tfp": _row(20, 20, "convention: TFP training programmes vary", convention=True),
    "schema_therapy": _row(40, 20, "International Society of Schema Therapy standard "
                           "certification as commonly described: 40 hours of training, 20 of "
                           "individual supervision", convention=False),
    "act": _row(16, 0, "convention: the ACBS certifies no ACT therapists; a 2-day workshop",
                convention=True),
    "cpt": _row(12, 20, "CPT Provider Roster: a 2-day workshop and about 6 months of case "
                "consultation (counted here as 20 hours)", convention=False),
    "pe": _row(32, 16, "a 4-day PE workshop (Center for the Treatment and Study of Anxiety); "
               "the supervised hours are a convention", convention=True),
    "emdr": _row(40, 10, "EMDRIA-approved EMDR basic training: 20 hours of teaching and 20 of "
                 "supervised practicum (training), 10 hours of consultation", convention=False),
    "trauma_focused": _row(25, 12, "TF-CBT National Therapist Certification: the TF-CBTWeb course "
                           "and a 2-day live training (training), 12 consultation calls",
                           convention=False),
    "erp": _row(20, 10, "the IOCDF's Behavior Therapy Training Institute (3 days); the "
                "supervised hours are a convention", convention=True),
    "ipt": _row(16, 10, "convention: a 2-day IPT training and supervised cases", convention=True),
    "psychodynamic": _LICENCE,
    "person_centered": _LICENCE,
    "mi": _row(16, 0, "the Motivational Interviewing Network of Trainers' usual 2-day "
               "introductory workshop", convention=True),
    "family_based_treatment": _row(14, 20, "a 2-day FBT workshop (Training Institute for Child "
                                   "and Adolescent Eating Disorders); the supervised hours are a "
                                   "convention", convention=True),
    "gottman": _row(36, 0, "the Gottman Institute's Level 1 and Level 2 trainings",
                    convention=True),
    "eft": _row(28, 8, "ICEEFT: the 4-day EFT externship; 8 hours of supervision as commonly "
                "asked towards certification", convention=True),
    # Specialty areas.
    "psychosis": _row(30, 20, "convention: CBT for psychosis training and supervised cases",
                      convention=True),
    "bipolar": _row(15, 10, "convention", convention=True),
    "dissociative": _row(30, 20, "convention, near the ISSTD's Professional Training Program",
                         convention=True),
    "eating_disorders": _row(30, 20, "convention; the iaedp's CEDS credential asks far more "
                             "(2,500 hours of supervised experience)", convention=True),
    "addiction": _row(40, 40, "convention; NAADAC's NCAC I asks far more (270 hours of "
                      "education)", convention=True),
    "neuropsychology": DefaultMinimum(
        None,
        "a specialty of its own (the Houston Conference guidelines: a two-year postdoctoral "
        "residency): verification only",
        False,
    ),
    "suicide_prevention": _row(6, 0, "a 6-hour suicide-risk workshop (AMSR, CAMS); Washington "
                               "State asks 6 hours of counsellors (RCW 43.70.442)",
                               convention=False),
    # Populations and formats.
    "children": _row(20, 20, "convention", convention=True),
    "adolescents": _row(20, 20, "convention", convention=True),
    "adults": _LICENCE,
    "older_adults": _LICENCE,
    "couples": _row(24, 20, "convention", convention=True),
    "family": _row(20, 20, "convention", convention=True),
    # Care settings and professions.
    "psychotherapy": _LICENCE,
    "psychiatry": _PROFESSION,
    "primary_care": _PROFESSION,
    "coordinated_specialty_care": _PROFESSION,
    "crisis": _PROFESSION,
    "intensive_outpatient": _PROFESSION,
    "residential": _PROFESSION,
    # The general conditions describe and never gate.
    **dict.fromkeys(v.GENERAL_CONDITIONS, _LICENCE),
}  # fmt: skip

DEFAULT_MINIMUMS: Final[Mapping[str, DefaultMinimum]] = MappingProxyType(_TABLE)
# Limits on a minimum a practice sets (hours).
MAX_MINIMUM_HOURS: Final = 5000.0


def default_minimum(code: str) -> Minimum | None:
    """The default minimum of a competency code (None: verification only)."""
    found = DEFAULT_MINIMUMS.get(code)
    return found.minimum if found is not None else None


def minimums_markdown() -> str:
    """The defaults as a Markdown table, for docs/growth.md (a test keeps it fresh)."""
    from referwell.domain.labels import label

    lines = [
        "| competency | training hours | supervised hours | source | convention |",
        "|---|---|---|---|---|",
    ]
    for code, row in DEFAULT_MINIMUMS.items():
        if row is _LICENCE and code in v.GENERAL_CONDITIONS:
            continue
        hours = (
            ("verification only", "")
            if row.minimum is None
            else (_hours(row.minimum.training_hours), _hours(row.minimum.supervised_hours))
        )
        lines.append(
            f"| `{code}` ({label('competency', code)}) | {hours[0]} | {hours[1]} | "
            f"{row.source} | {'yes' if row.convention else 'no'} |"
        )
    general = ", ".join(f"`{code}`" for code in v.GENERAL_CONDITIONS)
    lines.append(f"| {general} | 0 | 0 | {_LICENCE.source} | yes |")
    return "\n".join(lines)


def _hours(value: float) -> str:
    return f"{value:g}"
