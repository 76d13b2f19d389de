"""Matching a referral need to directory entries: hard filters, then an integer score, then ties.

This module is the reference: it says, entry by entry, what passes and why. A fast
index (services/directory) may find the candidates another way, but must return
exactly what `match` returns over the same entries (a test holds it to that).

Hard filters, in this order (an entry failing one is counted under it in `excluded`,
among the entries that offer the service):

1. **service**: the entry offers every code of the query (`psychotherapy` is offered
   by any modality). Population codes of age (children, adolescents, adults,
   older_adults) are not asked of the entry as services: the client's age is.
2. **financial_conflict**: no financial arrangement with the referring practice other
   than `none` or `nominal_thanks`, whether recorded on the entry or in the case's
   `financial_arrangements[].with` (its id, or its organization's). Unknown: none.
3. **age**: the client's age within the entry's range (the stated range, else its
   population codes' ages). Unknown: passes, listed as uncertain.
4. **intake**: accepting new clients; or, when the clinician allows a waitlist and the
   need is not urgent, a waitlist. Unknown: passes, listed as uncertain.
5. **reach**: in person within `max_distance_km` of the client, or by telehealth when the
   client accepts it and the entry offers it and is licensed in the client's state
   (unknown licensed states never pass: licensure is the law).

The score (an integer, higher first) ranks what passes; `SCORE` lists its parts. At
equal score, options seen in person come before telehealth-only ones, nearer first,
then by entry id (as text). The first `k` are returned, from at least two organizations
where the eligible entries have them (a practitioner with no organization is its own).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from referwell.domain.directory.geo import distance_km
from referwell.domain.directory.languages import language_name
from referwell.domain.directory.model import AGE_POPULATIONS, Entry
from referwell.domain.labels import label

OPTIONS_FORMAT: Final = "referwell.options/1"
DEFAULT_MAX_DISTANCE_KM: Final = 40.0
DEFAULT_K: Final = 10
FILTERS: Final = ("financial_conflict", "age", "intake", "reach")

# The parts of the score, in points (docs/matching.md is generated from this table).
SCORE: Final[Mapping[str, tuple[int, str]]] = {
    "insurance": (30, "takes the client's insurance"),
    "sliding_scale": (
        10,
        "a sliding scale, when the client's insurance is not taken or the client has none, or the client asks for one",
    ),
    "language": (20, "speaks one of the client's languages"),
    "capacity": (
        15,
        "taking new clients now (a waitlist: 10 less a point a week, at least 0; unknown intake: 5)",
    ),
    "distance": (20, "in person: 20 less a point per 2 km (at least 0); by telehealth only: 5"),
    "clinician_gender": (10, "a practitioner of the gender the client asked for"),
    "faith": (5, "the faith the client asked for"),
    "in_person": (10, "seen in person, when the client asked for that"),
}


@dataclass(frozen=True, slots=True)
class Query:
    """One referral need as a question to the directory."""

    services: frozenset[str]
    age: int
    latitude: float | None = None
    longitude: float | None = None
    state: str | None = None
    insurance: frozenset[str] = frozenset()
    languages: tuple[str, ...] = ()
    telehealth_ok: bool = False
    include_waitlist: bool = False
    urgent: bool = False
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM
    k: int = DEFAULT_K
    # Entries (or organizations) the case holds a prohibited financial arrangement with.
    conflicted: frozenset[str] = frozenset()
    clinician_gender: str | None = None
    faith: str | None = None
    wants_sliding_scale: bool = False
    wants_in_person: bool = False

    @property
    def asked_services(self) -> frozenset[str]:
        """What an entry must offer: the services, less the populations stated by age."""
        return frozenset(code for code in self.services if code not in AGE_POPULATIONS)

    def as_dict(self) -> dict[str, Any]:
        return {
            "services": sorted(self.services),
            "age": self.age,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "state": self.state,
            "insurance": sorted(self.insurance),
            "languages": list(self.languages),
            "telehealth_ok": self.telehealth_ok,
            "include_waitlist": self.include_waitlist,
            "urgent": self.urgent,
            "max_distance_km": self.max_distance_km,
            "k": self.k,
        }


@dataclass(frozen=True, slots=True)
class Note:
    """Why an option fits, or what about it is uncertain: the criterion and its words."""

    criterion: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"criterion": self.criterion, "text": self.text}


@dataclass(frozen=True, slots=True)
class Option:
    """An entry that passes every hard filter, with its score and why."""

    entry: Entry
    distance_km: float | None  # None when offered by telehealth only
    telehealth: bool
    score: int
    fits: tuple[Note, ...]
    uncertain: tuple[Note, ...]

    @property
    def in_person(self) -> bool:
        return self.distance_km is not None

    def sort_key(self) -> tuple[int, int, float, str]:
        return (
            -self.score,
            0 if self.in_person else 1,
            self.distance_km if self.distance_km is not None else math.inf,
            self.entry.entry_id,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry.entry_id,
            "name": self.entry.name,
            "organization_id": self.entry.organization_id,
            "distance_km": self.distance_km,
            "telehealth": self.telehealth,
            "score": self.score,
            "fits": [note.as_dict() for note in self.fits],
            "uncertain": [note.as_dict() for note in self.uncertain],
        }


@dataclass(frozen=True, slots=True)
class Options:
    """What a query found: the options, best first, and how many entries offering the
    service each hard filter left out."""

    query: Query
    options: tuple[Option, ...]
    excluded: Mapping[str, int] = field(default_factory=dict)
    eligible: int = 0  # entries passing every hard filter

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": OPTIONS_FORMAT,
            "query": self.query.as_dict(),
            "options": [option.as_dict() for option in self.options],
            "excluded": {name: self.excluded.get(name, 0) for name in FILTERS},
        }


# --- one entry against one query ----------------------------------------------------


def reach(entry: Entry, query: Query) -> tuple[float | None, bool]:
    """(the nearest in-person distance within reach, or None; whether telehealth serves)."""
    nearest = None
    if query.latitude is not None and query.longitude is not None:
        for place in entry.locations:
            if place.latitude is None or place.longitude is None:
                continue
            km = distance_km(query.latitude, query.longitude, place.latitude, place.longitude)
            if km <= query.max_distance_km and (nearest is None or km < nearest):
                nearest = km
    telehealth = bool(
        query.telehealth_ok
        and entry.telehealth
        and query.state is not None
        and entry.telehealth_states is not None
        and query.state.upper() in entry.telehealth_states
    )
    return nearest, telehealth


def failed_filter(entry: Entry, query: Query) -> str | None:
    """The first hard filter the entry fails ("service" when it does not offer the
    service), or None when it passes them all."""
    if not all(entry.offers(code) for code in query.asked_services):
        return "service"
    if entry.prohibited_arrangement or not query.conflicted.isdisjoint(
        {entry.entry_id, entry.organization_id or ""}
    ):
        return "financial_conflict"
    if entry.serves_age(query.age) is False:
        return "age"
    if entry.accepting_new_clients is False and not waitlisted(entry, query):
        return "intake"
    nearest, telehealth = reach(entry, query)
    if nearest is None and not telehealth:
        return "reach"
    return None


def waitlisted(entry: Entry, query: Query) -> bool:
    """A waitlist the query may take: allowed, not urgent, and the entry keeps one."""
    return query.include_waitlist and not query.urgent and entry.waitlist_weeks is not None


@dataclass
class _Scored:
    """What the parts of the score add up to while an option is evaluated."""

    score: int = 0
    fits: list[Note] = field(default_factory=list)
    uncertain: list[Note] = field(default_factory=list)

    def fit(self, criterion: str, text: str, points: int = 0) -> None:
        self.score += points
        self.fits.append(Note(criterion, text))

    def unsure(self, criterion: str, text: str, points: int = 0) -> None:
        self.score += points
        self.uncertain.append(Note(criterion, text))


def evaluate(entry: Entry, query: Query) -> Option | None:
    """The entry as an option for the query, or None when a hard filter fails."""
    if failed_filter(entry, query) is not None:
        return None
    nearest, telehealth = reach(entry, query)
    scored = _Scored()
    offered = ", ".join(label("service", code) for code in sorted(query.asked_services))
    scored.fit("service", f"offers {offered}" if offered else "offers a service")
    scored.fit("financial_conflict", "no payment for referrals on record")
    if entry.serves_age(query.age) is None:
        scored.unsure("age", "the ages served are not stated")
    else:
        scored.fit("age", f"serves clients aged {query.age}")
    _intake(entry, scored)
    _reach(query, nearest, telehealth, scored)
    _payment(entry, query, scored)
    _language(entry, query, scored)
    _preferences(entry, query, scored)
    return Option(
        entry, nearest, telehealth, scored.score, tuple(scored.fits), tuple(scored.uncertain)
    )


def _intake(entry: Entry, scored: _Scored) -> None:
    if entry.accepting_new_clients is True:
        scored.fit("intake", "taking new clients", SCORE["capacity"][0])
    elif entry.accepting_new_clients is False:
        weeks = entry.waitlist_weeks or 0
        plural = "s" if weeks != 1 else ""
        scored.unsure("intake", f"a waitlist of about {weeks} week{plural}", max(0, 10 - weeks))
    else:
        scored.unsure("intake", "whether it takes new clients is not stated", 5)


def _reach(query: Query, nearest: float | None, telehealth: bool, scored: _Scored) -> None:
    if nearest is not None:
        scored.fit(
            "reach", f"{nearest:.1f} km away", max(0, SCORE["distance"][0] - int(nearest // 2))
        )
        if query.wants_in_person:
            scored.fit("in_person", "seen in person, as the client asked", SCORE["in_person"][0])
    if telehealth:
        scored.fit(
            "reach", f"by telehealth, licensed in {query.state}", 5 if nearest is None else 0
        )


def _payment(entry: Entry, query: Query, scored: _Scored) -> None:
    takes = sorted(query.insurance & entry.insurance)
    if takes:
        scored.fit("insurance", f"takes {', '.join(takes)}", SCORE["insurance"][0])
    elif query.insurance and not entry.insurance:
        scored.unsure("insurance", "the insurance it takes is not stated")
    if entry.sliding_scale and (query.wants_sliding_scale or not takes):
        scored.fit("sliding_scale", "a sliding scale", SCORE["sliding_scale"][0])


def _language(entry: Entry, query: Query, scored: _Scored) -> None:
    spoken = [code for code in query.languages if code in entry.languages]
    if spoken:
        names = ", ".join(language_name(code) for code in spoken)
        scored.fit("language", f"speaks {names}", SCORE["language"][0])
    elif query.languages and not entry.languages:
        scored.unsure("language", "the languages spoken are not stated")


def _preferences(entry: Entry, query: Query, scored: _Scored) -> None:
    wanted = query.clinician_gender
    if wanted and wanted != "any":
        if entry.gender == wanted:
            scored.fit(
                "clinician_gender",
                f"a {wanted} practitioner, as the client asked",
                SCORE["clinician_gender"][0],
            )
        elif entry.gender is None and entry.kind == "practitioner":
            scored.unsure("clinician_gender", "the practitioner's gender is not stated")
    if query.faith and query.faith.strip().lower() in entry.faiths:
        scored.fit("faith", f"{query.faith}, as the client asked", SCORE["faith"][0])


# --- the query over many entries ----------------------------------------------------


def match(entries: Iterable[Entry], query: Query) -> Options:
    """The reference matcher: every entry evaluated, the best `k` kept."""
    excluded: Counter[str] = Counter()
    found: list[Option] = []
    for entry in entries:
        failed = failed_filter(entry, query)
        if failed == "service":
            continue
        if failed is not None:
            excluded[failed] += 1
            continue
        option = evaluate(entry, query)
        if option is not None:
            found.append(option)
    return Options(query, best(found, query.k), dict(excluded), len(found))


def best(options: Sequence[Option], k: int) -> tuple[Option, ...]:
    """The first `k` by score and ties, from at least two organizations where the options
    have them: when the first `k` all come from one, the last of them gives way to the best
    option of another."""
    ordered = sorted(options, key=Option.sort_key)
    chosen = ordered[:k]
    if k >= 2 and len(chosen) == k:
        first_org = chosen[0].entry.organization_key
        if all(option.entry.organization_key == first_org for option in chosen):
            other = next((o for o in ordered[k:] if o.entry.organization_key != first_org), None)
            if other is not None:
                chosen = [*chosen[:-1], other]
    return tuple(chosen)
