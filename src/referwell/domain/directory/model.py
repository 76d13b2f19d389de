"""A directory entry: an individual practitioner, or a program (a service of an organization).

What an entry offers is codes of the vocabulary (modalities, specialty areas,
populations, care settings). Every fact may be unknown (None, or an empty set
where a set means "what it takes"); matching says what it could not check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from referwell.domain import vocabulary as v

ENTRY_KINDS: Final = ("practitioner", "program")

# The ages each population code serves (`vocabulary.md`, Matching): children under 13,
# adolescents 13-17, adults 18-64, older adults 65 and over. An entry serving adults with
# no upper age limit also serves older adults, so `adults` alone reaches up without end.
POPULATION_AGES: Final[dict[str, tuple[int, int | None]]] = {
    "children": (0, 12),
    "adolescents": (13, 17),
    "adults": (18, None),
    "older_adults": (65, None),
}
# The populations a query states by the client's age, not as a service an entry offers.
AGE_POPULATIONS: Final = frozenset(POPULATION_AGES)


@dataclass(frozen=True, slots=True)
class Location:
    """Where an entry sees clients in person: a postal code, its state, coordinates; and, as
    its source gave them, the place's id, name, street address and city (matching reads
    none of these four; referrals and exports do)."""

    postal_code: str | None = None
    state: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_id: str | None = None
    name: str | None = None
    address: str | None = None
    city: str | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class Entry:
    """One directory entry, as matching reads it."""

    entry_id: str
    kind: str  # practitioner | program
    name: str
    organization_id: str | None = None
    organization_name: str | None = None
    services: frozenset[str] = frozenset()
    age_min: int | None = None
    age_max: int | None = None
    languages: frozenset[str] = frozenset()  # ISO 639-1, lower case; empty: not stated
    insurance: frozenset[str] = frozenset()  # payer codes, lower case; empty: not stated
    sliding_scale: bool | None = None
    fees: str | None = None
    credentials: tuple[str, ...] = ()
    locations: tuple[Location, ...] = ()
    telehealth: bool | None = None
    telehealth_states: frozenset[str] | None = None  # None: not stated
    accepting_new_clients: bool | None = None
    waitlist_weeks: int | None = None
    financial_arrangement: str | None = None  # a financial kind; None: not stated
    gender: str | None = None  # a practitioner's, as `clinician_gender` codes
    faiths: frozenset[str] = frozenset()
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def organization_key(self) -> str:
        """The organization for the two-organization rule: a practitioner with none is
        its own."""
        return self.organization_id or f"entry:{self.entry_id}"

    def age_ranges(self) -> tuple[tuple[int, int | None], ...]:
        """The ages served: the stated range, else the population codes' ranges; empty
        when neither says (unknown)."""
        if self.age_min is not None or self.age_max is not None:
            return ((self.age_min or 0, self.age_max),)
        return tuple(
            POPULATION_AGES[code]
            for code in v.POPULATIONS
            if code in self.services and code in POPULATION_AGES
        )

    def serves_age(self, age: int) -> bool | None:
        """Whether the entry serves a client of this age; None when it does not say."""
        ranges = self.age_ranges()
        if not ranges:
            return None
        return any(low <= age and (high is None or age <= high) for low, high in ranges)

    def offers(self, code: str) -> bool:
        """Whether the entry offers `code`: `psychotherapy` is offered by an entry offering
        it or any modality."""
        if code in self.services:
            return True
        return code == "psychotherapy" and not self.services.isdisjoint(v.MODALITIES)

    @property
    def prohibited_arrangement(self) -> bool:
        """A financial arrangement with the referring practice other than none or nominal
        thanks (an unknown one counts as none)."""
        return self.financial_arrangement in v.PROHIBITED_FINANCIAL_KINDS


def codes(values: Iterable[str]) -> frozenset[str]:
    """Codes as matching compares them: trimmed, lower case, empty ones dropped."""
    return frozenset(value.strip().lower() for value in values if value and value.strip())
