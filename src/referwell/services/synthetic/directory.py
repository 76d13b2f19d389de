"""Use cases: a synthetic national provider directory, and the demo practice's small one.

`synth_directory(providers, seed)` invents practitioners and programs over real US ZIP
code centres (the `zipcodes` package, offline): uniform over the ZIP codes of the 50
states and DC, since the package holds no population. Shares are set to look like a
US directory of mental-health care:

- about 1 in 8 entries is a program of an organization (intensive outpatient,
  residential, coordinated specialty care for psychosis, crisis services, primary care,
  psychiatry clinics, community mental health); a quarter of practitioners work in a
  group practice, the rest alone;
- practitioners by licence (counsellors, social workers, family therapists,
  psychologists, psychiatrists, psychiatric nurse practitioners, addiction counsellors),
  each with the modalities, populations and specialty areas their licence makes
  likely (CBT for half, DBT for 1 in 11, EMDR for 1 in 8 …);
- about two in three offer telehealth, licensed in their own state and, for one in five,
  in a few more (for one in twelve the states are not stated); a few see clients by
  telehealth only;
- insurance: one in ten does not say, a quarter take self-pay only, the rest one to
  five payers; English for almost all, Spanish for 1 in 7, a few other languages;
- a waitlist for one in four, intake unknown for one in five; 1 in 100 has a
  payment for referrals on record.

Same seed, same directory. `write_directory` saves entries as one import of the
directory, in batches. `demo_directory` is the demo practice's: a few dozen entries
around Denver, where the demo's clients live, offering every service the demo's needs ask.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Final

from referwell.db.uow import UnitOfWork
from referwell.domain import vocabulary as v
from referwell.domain.directory.model import Entry, Location
from referwell.services.permissions import Actor, Permission, require_permission
from referwell.services.synthetic.names import FIRST_NAMES, LAST_NAMES, PAYERS

SYNTHETIC_FORMAT: Final = "synthetic"
BATCH: Final = 20_000
US: Final = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
)

# (licence, share, credential) of practitioners.
LICENCES: Final = (
    ("counsellor", 30, "LPC"),
    ("social_worker", 28, "LCSW"),
    ("family_therapist", 12, "LMFT"),
    ("psychologist", 15, "PhD"),
    ("psychiatrist", 5, "MD"),
    ("nurse_practitioner", 6, "PMHNP"),
    ("addiction_counsellor", 4, "LCADC"),
)
# Share (in %) of therapists offering each modality.
MODALITY_SHARES: Final = {
    "cbt": 55, "act": 18, "dbt": 9, "emdr": 12, "psychodynamic": 15, "person_centered": 25,
    "mi": 12, "ipt": 6, "trauma_focused": 22, "cpt": 7, "pe": 3, "erp": 5, "mbt": 1.5,
    "tfp": 0.7, "schema_therapy": 2, "family_based_treatment": 2, "gottman": 5, "eft": 4,
}  # fmt: skip
POPULATION_SHARES: Final = {
    "adults": 90, "adolescents": 35, "children": 18, "older_adults": 25, "couples": 22,
    "family": 18,
}  # fmt: skip
SPECIALTY_SHARES: Final = {
    "addiction": 10, "eating_disorders": 5, "psychosis": 2, "bipolar": 6, "dissociative": 2,
    "suicide_prevention": 6,
}  # fmt: skip
LANGUAGE_SHARES: Final = {
    "es": 14, "zh": 1.5, "vi": 1, "ko": 1, "fr": 1.2, "ru": 1, "ar": 0.8, "pt": 0.8, "tl": 0.8,
    "hi": 0.6, "ht": 0.4, "asl": 0.4,
}  # fmt: skip
FAITHS: Final = ("christian", "catholic", "jewish", "muslim", "buddhist", "hindu")
PROGRAMS: Final = (
    # (kind of program, share, services, ages)
    ("Intensive Outpatient Program", 25, ("intensive_outpatient", "psychotherapy"), (13, None)),
    ("Residential Treatment", 10, ("residential", "psychotherapy", "psychiatry"), (18, None)),
    ("Early Psychosis Program", 5, ("coordinated_specialty_care", "psychosis", "psychiatry"),
     (15, 35)),
    ("Crisis Services", 10, ("crisis", "suicide_prevention"), (0, None)),
    ("Primary Care Clinic", 20, ("primary_care",), (0, None)),
    ("Psychiatry Clinic", 15, ("psychiatry", "bipolar"), (6, None)),
    ("Community Mental Health", 15, ("psychotherapy", "cbt", "psychiatry"), (0, None)),
)  # fmt: skip
PLACE_WORDS: Final = (
    "Cedar", "Riverside", "Summit", "Prairie", "Harbor", "Maple", "Granite", "Willow",
    "Aspen", "Lakeshore", "Canyon", "Meadow", "Pinecrest", "Northfield", "Stonebridge",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Centre:
    """A ZIP code's centre: where a synthetic entry sees clients."""

    postal_code: str
    state: str
    latitude: float
    longitude: float

    def location(self) -> Location:
        return Location(self.postal_code, self.state, self.latitude, self.longitude)


@cache
def zip_centres() -> tuple[Centre, ...]:
    """Every active ZIP code of the 50 states and DC with a centre, by code."""
    import zipcodes

    out = []
    for place in zipcodes.list_all():  # type: ignore[no-untyped-call]
        if not place.get("active") or place.get("state") not in US:
            continue
        try:
            latitude, longitude = float(place["lat"]), float(place["long"])
        except (KeyError, TypeError, ValueError):
            continue
        out.append(Centre(place["zip_code"], place["state"], latitude, longitude))
    return tuple(sorted(out, key=lambda c: c.postal_code))


def _share(rng: random.Random, percent: float) -> bool:
    return rng.random() * 100 < percent


def _pick(rng: random.Random, table: Iterable[tuple[str, float, str]]) -> tuple[str, str]:
    rows = list(table)
    name, _, credential = rng.choices(rows, weights=[row[1] for row in rows])[0]
    return name, credential


class _Maker:
    """One synthetic directory's entries, from one seed."""

    def __init__(self, seed: int, centres: tuple[Centre, ...]) -> None:
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - seeded synthetic data, not secrets
        self.centres = centres
        self.by_state: dict[str, list[Centre]] = {}
        for centre in centres:
            self.by_state.setdefault(centre.state, []).append(centre)
        self.states = sorted(self.by_state)
        self.organizations = 0
        # The group practice or organization being filled: (id, name, centre, places left).
        self.group: tuple[str, str, Centre, int] | None = None

    def entries(self, count: int) -> Iterator[Entry]:
        for number in range(count):
            if _share(self.rng, 12):
                yield self.program(number)
            else:
                yield self.practitioner(number)

    def _organization(self, kind: str) -> tuple[str, str, Centre]:
        if self.group is None or self.group[3] <= 0:
            self.organizations += 1
            centre = self.rng.choice(self.centres)
            name = f"{self.rng.choice(PLACE_WORDS)} {kind}"
            size = self.rng.randint(2, 12)
            self.group = (f"synth-{self.seed}-org-{self.organizations:06d}", name, centre, size)
        key, name, centre, left = self.group
        self.group = (key, name, centre, left - 1)
        return key, name, centre

    def _common(self, entry_id: str, telehealth_home: str | None) -> dict[str, object]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.10:
            insurance: frozenset[str] = frozenset()
        elif roll < 0.35:
            insurance = frozenset({"payer-selfpay"})
        else:
            taken = rng.sample(PAYERS[:-1], rng.randint(1, 5))
            insurance = frozenset(taken + (["payer-selfpay"] if _share(rng, 60) else []))
        languages = set() if _share(rng, 3) else {"en"}
        languages |= {code for code, share in LANGUAGE_SHARES.items() if _share(rng, share)}
        roll = rng.random()
        telehealth = None if roll < 0.10 else roll < 0.75
        states: frozenset[str] | None = None
        if telehealth and not _share(rng, 8) and telehealth_home:
            more = rng.sample(self.states, rng.randint(1, 4)) if _share(rng, 20) else []
            states = frozenset({telehealth_home, *more})
        roll = rng.random()
        accepting = None if roll < 0.20 else roll < 0.75
        weeks = rng.randint(1, 16) if accepting is False and _share(rng, 75) else None
        roll = rng.random()
        financial = (
            None
            if roll < 0.92
            else "none"
            if roll < 0.98
            else "nominal_thanks"
            if roll < 0.99
            else rng.choice(v.PROHIBITED_FINANCIAL_KINDS)
        )
        roll = rng.random()
        return {
            "entry_id": entry_id,
            "insurance": insurance,
            "languages": frozenset(languages),
            "sliding_scale": None if roll < 0.35 else roll < 0.65,
            "telehealth": telehealth,
            "telehealth_states": states,
            "accepting_new_clients": accepting,
            "waitlist_weeks": weeks,
            "financial_arrangement": financial,
            "fees": f"${rng.randrange(80, 160, 10)}-${rng.randrange(160, 260, 10)} a session",
        }

    def practitioner(self, number: int) -> Entry:
        rng = self.rng
        licence, credential = _pick(rng, LICENCES)
        organization = organization_name = None
        if _share(rng, 25):
            organization, organization_name, centre = self._organization("Counseling Group")
        else:
            centre = rng.choice(self.centres)
        locations = [centre.location()]
        if _share(rng, 8):
            locations.append(rng.choice(self.by_state[centre.state]).location())
        elif _share(rng, 2):
            locations = []
        services: set[str] = set()
        prescriber = licence in ("psychiatrist", "nurse_practitioner")
        if prescriber:
            services.add("psychiatry")
        if not prescriber or _share(rng, 30):
            if _share(rng, 60):
                services.add("psychotherapy")
            services |= {m for m, share in MODALITY_SHARES.items() if _share(rng, share)}
            if licence == "family_therapist":
                services |= {p for p in ("couples", "family", "gottman") if _share(rng, 60)}
        services |= {p for p, share in POPULATION_SHARES.items() if _share(rng, share)}
        services |= {s for s, share in SPECIALTY_SHARES.items() if _share(rng, share)}
        if licence == "addiction_counsellor":
            services |= {"addiction", "mi"}
        if licence == "psychologist" and _share(rng, 10):
            services.add("neuropsychology")
        age_min = age_max = None
        if _share(rng, 10):
            age_min, age_max = rng.choice(((5, 17), (12, 25), (18, None), (16, None), (60, None)))
        common = self._common(f"synth-{self.seed}-{number:07d}", centre.state)
        if not locations:
            common["telehealth"] = True
            common["telehealth_states"] = frozenset({centre.state})
        roll = rng.random()
        gender = (
            None
            if roll < 0.03
            else "nonbinary"
            if roll < 0.05
            else "male"
            if roll < 0.32
            else "female"
        )
        return Entry(
            kind="practitioner",
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, {credential}",
            organization_id=organization,
            organization_name=organization_name,
            services=frozenset(c for c in services if c in v.SERVICES),
            age_min=age_min,
            age_max=age_max,
            credentials=(credential,),
            locations=tuple(locations),
            gender=gender,
            faiths=frozenset({rng.choice(FAITHS)}) if _share(rng, 4) else frozenset(),
            **common,  # type: ignore[arg-type]
        )

    def program(self, number: int) -> Entry:
        rng = self.rng
        rows = [(name, share, "") for name, share, _, _ in PROGRAMS]
        kind, _ = _pick(rng, rows)
        _, _, services, ages = next(p for p in PROGRAMS if p[0] == kind)
        organization, organization_name, centre = self._organization("Behavioral Health")
        offered = set(services)
        if kind == "Intensive Outpatient Program":
            offered |= {s for s in ("dbt", "addiction", "eating_disorders") if _share(rng, 30)}
        if kind in ("Community Mental Health", "Primary Care Clinic"):
            offered |= {"children", "adults"}
        common = self._common(f"synth-{self.seed}-{number:07d}", centre.state)
        if kind == "Crisis Services":
            common["accepting_new_clients"] = True
            common["waitlist_weeks"] = None
        stated = _share(rng, 70)
        return Entry(
            kind="program",
            name=f"{organization_name} {kind}",
            organization_id=organization,
            organization_name=organization_name,
            services=frozenset(c for c in offered if c in v.SERVICES),
            age_min=ages[0] if stated else None,
            age_max=ages[1] if stated else None,
            locations=(centre.location(),),
            **common,  # type: ignore[arg-type]
        )


def synth_directory(providers: int, seed: int) -> Iterator[Entry]:
    """`providers` synthetic entries over the US ZIP codes' centres; same seed, same
    entries."""
    return _Maker(seed, zip_centres()).entries(providers)


@dataclass(frozen=True, slots=True)
class DirectoryWritten:
    """What `write_directory` wrote: its import's id and how many entries."""

    import_id: int
    entries: int


def write_directory(
    uow: UnitOfWork,
    entries: Iterable[Entry],
    *,
    actor: Actor,
    source: str,
    progress: Callable[[int], None] | None = None,
) -> DirectoryWritten:
    """Save entries (replacing those with the same ids) as one import of the directory,
    in batches; committed."""
    from referwell.db.directory.repository import save_entries, start_import

    require_permission(actor, Permission.OPERATE)
    written = 0
    with uow:
        record = start_import(uow.session, SYNTHETIC_FORMAT, source)
        batch: list[Entry] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) >= BATCH:
                written += save_entries(uow.session, batch, import_id=record.id)
                batch = []
                if progress is not None:
                    progress(written)
        if batch:
            written += save_entries(uow.session, batch, import_id=record.id)
        record.report = {"format": SYNTHETIC_FORMAT, "counts": {"entries": written}}
        import_id = record.id
        uow.commit()
    if progress is not None:
        progress(written)
    return DirectoryWritten(import_id, written)


# --- the demo practice's directory ---------------------------------------------------

# Denver-area ZIP codes the demo's clients and entries share.
DEMO_ZIPS: Final = (
    ("80202", 39.7491, -104.9946), ("80203", 39.7313, -104.9811), ("80205", 39.7590, -104.9660),
    ("80206", 39.7307, -104.9526), ("80209", 39.7076, -104.9686), ("80210", 39.6790, -104.9631),
    ("80211", 39.7670, -105.0199), ("80218", 39.7327, -104.9717), ("80220", 39.7312, -104.9127),
    ("80012", 39.6989, -104.8376), ("80033", 39.7740, -105.1167), ("80120", 39.5994, -105.0044),
)  # fmt: skip


def demo_directory() -> list[Entry]:
    """About a hundred entries around Denver: every service code is offered by three of
    them, of two or three organizations, one for adolescents and adults, one for children
    and adolescents, one for adults; a few keep a waitlist, leave their insurance unstated,
    or pay for referrals (never shown)."""
    rng = random.Random(2026)  # noqa: S311 - seeded synthetic data, not secrets
    places = [Location(code, "CO", lat, lon) for code, lat, lon in DEMO_ZIPS]
    out: list[Entry] = []
    wanted = [code for code in v.SERVICES if code not in ("children", "adults", "older_adults")]
    age_groups = (("adolescents", "adults"), ("children", "adolescents"), ("adults",))
    for number, code in enumerate(wanted * 3):
        with_org = number % 3 != 0
        place = places[number % len(places)]
        extra = {"psychotherapy"} if code in v.MODALITIES else set()
        ages = age_groups[number // len(wanted)]
        accepting: bool | None = True
        weeks = None
        if number % 7 == 3:
            accepting, weeks = False, 3 + number % 5
        elif number % 11 == 5:
            accepting = None
        insurance = frozenset(rng.sample(PAYERS, 3)) if number % 9 != 4 else frozenset()
        out.append(
            Entry(
                entry_id=f"demo-{number + 1:03d}",
                kind="program"
                if code in v.CARE_SETTINGS and code != "psychotherapy"
                else "practitioner",
                name=(
                    f"{PLACE_WORDS[number % len(PLACE_WORDS)]} {_demo_title(code)}"
                    if code in v.CARE_SETTINGS and code != "psychotherapy"
                    else f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number % len(LAST_NAMES)]}"
                ),
                organization_id=f"demo-org-{number % 5 + 1}" if with_org else None,
                organization_name=(
                    f"{PLACE_WORDS[number % 5]} Behavioral Health" if with_org else None
                ),
                services=frozenset({code, *extra, *ages}),
                languages=frozenset({"en", "es"} if number % 4 == 0 else {"en"}),
                insurance=insurance,
                sliding_scale=number % 2 == 0,
                locations=(place,),
                telehealth=number % 3 != 2,
                telehealth_states=frozenset({"CO"}),
                accepting_new_clients=accepting,
                waitlist_weeks=weeks,
                financial_arrangement="referral_fee" if number == 13 else None,
                gender=None if code in v.CARE_SETTINGS else ("female", "male")[number % 2],
            )
        )
    # Needs the demo's clients have together: one practitioner or program for all of them.
    together: tuple[tuple[str, set[str], tuple[int, int] | None], ...] = (
        ("Eating Disorders Program", {"eating_disorders", "family_based_treatment", "family",
         "psychotherapy", "children", "adolescents"}, None),
        ("Trauma Therapy Practice", {"trauma_focused", "emdr", "cpt", "psychotherapy",
         "adults"}, None),
        ("Early Psychosis Program", {"coordinated_specialty_care", "psychiatry", "psychosis"},
         (12, 35)),
        ("Child and Family Therapy", {"psychotherapy", "cbt", "family", "children",
         "adolescents"}, None),
    )  # fmt: skip
    for number, (name, services, span) in enumerate(together * 2, start=len(out)):
        out.append(
            Entry(
                entry_id=f"demo-{number + 1:03d}",
                kind="program",
                name=f"{PLACE_WORDS[number % len(PLACE_WORDS)]} {name}",
                organization_id=f"demo-org-{number % 5 + 1}",
                organization_name=f"{PLACE_WORDS[number % 5]} Behavioral Health",
                services=frozenset(services),
                age_min=span[0] if span else None,
                age_max=span[1] if span else None,
                languages=frozenset({"en", "es"}),
                insurance=frozenset(PAYERS[number % 3 :: 2]),
                sliding_scale=True,
                locations=(places[number % len(places)],),
                telehealth=True,
                telehealth_states=frozenset({"CO"}),
                accepting_new_clients=number % 2 == 0,
                waitlist_weeks=None if number % 2 == 0 else 2,
            )
        )
    return out


PROGRAM_TITLES: Final = {
    "psychiatry": "Psychiatry Clinic",
    "primary_care": "Primary Care Clinic",
    "crisis": "Crisis Services",
    "coordinated_specialty_care": "Early Psychosis Program",
    "intensive_outpatient": "Intensive Outpatient Program",
    "residential": "Residential Treatment",
}


def _demo_title(code: str) -> str:
    from referwell.domain.labels import label, sentence

    return PROGRAM_TITLES.get(code) or sentence(label("service", code)) + " Services"
