"""The built-in lists synthetic practices draw on: invented names, clinician profiles, coverage.

Names are invented (built from syllables, never a real person's); payers,
counterparties and directory ids are invented too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from referwell.domain import vocabulary as v

# Invented names: built from syllables, checked against no one; never a real person's.
FIRST_NAMES: Final = (
    "Avelin", "Brisk", "Corwena", "Dalvio", "Elsmere", "Faelan", "Gorrin", "Halvie", "Isovar",
    "Jessamor", "Kestrin", "Lunetta", "Morvain", "Nerisse", "Orlan", "Pellidor", "Quenna",
    "Rovanne", "Sabrel", "Tamsil", "Ulvana", "Verrin", "Wistal", "Xandria", "Yorrel", "Zephine",
    "Aldwyn", "Brevia", "Caspel", "Doriane", "Emberly", "Fenwick", "Galena", "Hollis",
    "Ilvara", "Jorvik", "Kalista", "Lorcan", "Maelis", "Nyssa",
)  # fmt: skip
LAST_NAMES: Final = (
    "Quillfeather", "Marrowby", "Ashgrove", "Thistlewood", "Brambleton", "Cindervale",
    "Dunmarsh", "Emberholt", "Fernwhistle", "Glimmerstone", "Hollowell", "Ivybridge",
    "Juniperfield", "Kettlewell", "Larkspur", "Mossbottom", "Nettlefold", "Oakhurst",
    "Pebbleworth", "Quarrington", "Rushmere", "Sorrelwick", "Tumbledown", "Underhay",
    "Vantbury", "Wickerly", "Yarrowdale", "Zinnford", "Applewhite", "Briarcliffe",
)  # fmt: skip
AREA_CODES: Final = ("303", "720", "719", "970", "505", "801", "602", "312")
PAYERS: Final = (
    "payer-harborline", "payer-summitcare", "payer-bluefen", "payer-northwell-mutual",
    "payer-prairie", "payer-medway", "payer-selfpay",
)  # fmt: skip
COUNTERPARTIES: Final = (
    "dir-1042", "dir-2317", "dir-3380", "Harrowgate Counselling Group", "Lanternfield Clinic",
    "Brightwater Recovery Center", "Mossgate Psychiatry Associates",
)  # fmt: skip
SYMPTOMS: Final = (
    "fatigue", "headaches", "stomach pain", "chest tightness", "dizziness", "back pain",
    "palpitations", "loud snoring and daytime sleepiness", "weight loss", "numbness in the hands",
)  # fmt: skip
GOALS: Final = (
    "sleep through the night", "return to work", "fewer panic attacks", "reconnect with friends",
    "argue less at home", "manage cravings", "feel able to leave the house", "grieve and go on",
    "set limits with family", "keep a regular routine", "eat regular meals", "go back to school",
)  # fmt: skip

# Specialty competencies and the condition each makes a clinician competent for.
CONDITION_OF_COMPETENCE: Final = {
    "dbt": "borderline_personality", "mbt": "borderline_personality",
    "tfp": "borderline_personality", "schema_therapy": "borderline_personality",
    "trauma_focused": "trauma_ptsd", "cpt": "trauma_ptsd", "pe": "trauma_ptsd",
    "emdr": "trauma_ptsd", "erp": "ocd", "addiction": "substance_use",
    "eating_disorders": "eating_disorder", "family_based_treatment": "eating_disorder",
    "psychosis": "psychosis", "bipolar": "bipolar", "dissociative": "dissociative",
    "neuropsychology": "neurocognitive",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClinicianProfile:
    """A kind of clinician a practice employs: what they are competent in, what they may learn."""

    name: str
    competencies: tuple[str, ...]
    may_train_in: tuple[str, ...]
    weight: int


PROFILES: Final = (
    ClinicianProfile(
        "CBT generalist",
        ("cbt", "act", "mi", "adults", "older_adults", "depression", "anxiety", "panic",
         "social_anxiety", "insomnia", "stress", "grief"),
        ("emdr", "dbt", "erp", "adolescents"),
        30,
    ),
    ClinicianProfile(
        "DBT and trauma",
        ("dbt", "cbt", "cpt", "pe", "trauma_focused", "suicide_prevention", "adults",
         "adolescents"),
        ("emdr", "addiction"),
        12,
    ),
    ClinicianProfile(
        "Child and family",
        ("cbt", "family_based_treatment", "children", "adolescents", "family", "anxiety",
         "depression"),
        ("couples", "trauma_focused"),
        12,
    ),
    ClinicianProfile("Couples", ("gottman", "eft", "couples", "adults", "relationship"), ("family",), 8),
    ClinicianProfile("Addiction", ("mi", "cbt", "addiction", "adults"), ("dbt", "trauma_focused"), 8),
    ClinicianProfile(
        "Eating disorders",
        ("cbt", "eating_disorders", "family_based_treatment", "adolescents", "adults"),
        ("dbt",),
        6,
    ),
    ClinicianProfile(
        "Serious mental illness", ("cbt", "psychosis", "bipolar", "adults"), ("dissociative",), 6
    ),
    ClinicianProfile(
        "OCD and anxiety",
        ("erp", "cbt", "act", "adults", "adolescents", "anxiety", "panic", "phobia"),
        ("children",),
        6,
    ),
    ClinicianProfile(
        "Psychodynamic",
        ("psychodynamic", "tfp", "mbt", "adults", "dissociative"),
        ("schema_therapy",),
        6,
    ),
    ClinicianProfile(
        "Older adults",
        ("ipt", "cbt", "older_adults", "adults", "grief", "life_transition", "neuropsychology"),
        ("mi",),
        6,
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SyntheticClinician:
    """A clinician of a synthetic practice, as the case's `clinician` part shows them."""

    key: str
    display_name: str
    competencies: tuple[str, ...]
    in_training: tuple[str, ...]


# What the coverage schedule forces onto one client each (see the module docstring).
COVERAGE: Final = (
    *(f"event:{kind}" for kind in v.EVENT_KINDS),
    *(f"factor:{factor}" for factor in v.CLINICIAN_FACTORS),
    *(f"reason:{reason}" for reason in v.REASONS),
    *(f"concern:{condition}" for condition in v.SPECIALIZED_CONDITIONS),
    "concern:suicidality",
    "population:children", "population:adolescents", "population:older_adults",
    "format:couple", "format:family",
    *(f"finance:{kind}" for kind in v.FINANCIAL_KINDS),
    "item9", "symptom", "goals", "engagement:low", "engagement:refuses_discussion",
    "wants_to_end",
)  # fmt: skip


def coverage_plan(count: int) -> dict[int, list[str]]:
    """Which features the coverage schedule forces onto which client positions."""
    plan: dict[int, list[str]] = {}
    features = len(COVERAGE)
    for index, feature in enumerate(COVERAGE):
        position = index * count // features if count >= features else index
        if position < count:
            plan.setdefault(position, []).append(feature)
    return plan


def make_clinicians(count: int, rng: random.Random, prefix: str) -> list[SyntheticClinician]:
    """`count` clinicians with profiles in their realistic shares; about one in five in training."""
    weights = [profile.weight for profile in PROFILES]
    clinicians = []
    for number in range(1, count + 1):
        # The first ones go through every profile, so a small practice still has variety.
        profile = (
            PROFILES[number - 1] if number <= len(PROFILES) else rng.choices(PROFILES, weights)[0]
        )
        training: tuple[str, ...] = ()
        if rng.random() < 0.2 or number == 1:
            training = (rng.choice(profile.may_train_in),)
        clinicians.append(
            SyntheticClinician(
                key=f"{prefix}-clin{number:05d}",
                display_name=invented_name(rng),
                competencies=profile.competencies,
                in_training=training,
            )
        )
    return clinicians


def invented_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def invented_name_for(key: str) -> str:
    """An invented name that always goes with `key` (a case id): same key, same name."""
    return invented_name(random.Random(f"name-{key}"))  # noqa: S311 - seeded synthetic data, not secrets
