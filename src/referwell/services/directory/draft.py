"""An entry as an importer gathers it, before it is checked and frozen into the domain's
`Entry`; and what every importer does the same way: a mapped term applied, a place's
coordinates checked or found from its ZIP code, what the database cannot store refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from referwell.domain.directory.geo import valid_coordinates
from referwell.domain.directory.model import Entry, Location
from referwell.domain.storable import unstorable
from referwell.services.directory.mapping import DirectoryMapping, Target
from referwell.services.directory.places import in_us, state_code, zip5, zip_centre
from referwell.services.directory.report import ImportReport, Origin, Refusals

# The longest each value may be, as the directory's tables hold them.
LIMITS: Final = {
    "entry_id": 200,
    "name": 500,
    "organization_id": 200,
    "organization_name": 500,
    "location_id": 200,
    "address": 500,
    "city": 200,
    "postal_code": 20,
    "state": 20,
}


@dataclass
class Place:
    """A location as read, with where it was read and its country."""

    origin: Origin
    postal_code: str | None = None
    state: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_id: str | None = None
    name: str | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass
class Draft:
    """An entry being read: every fact may still be unknown."""

    entry_id: str
    kind: str
    name: str
    origin: Origin
    organization_id: str | None = None
    organization_name: str | None = None
    services: set[str] = field(default_factory=set)
    age_min: int | None = None
    age_max: int | None = None
    languages: set[str] = field(default_factory=set)
    insurance: set[str] = field(default_factory=set)
    sliding_scale: bool | None = None
    fees: str | None = None
    credentials: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    telehealth: bool | None = None
    telehealth_states: set[str] | None = None
    accepting_new_clients: bool | None = None
    waitlist_weeks: int | None = None
    financial_arrangement: str | None = None
    gender: str | None = None
    faiths: set[str] = field(default_factory=set)
    unmapped: list[dict[str, Any]] = field(default_factory=list)

    def keep_unmapped(self, source_field: str, value: str, **more: str) -> None:
        """Keep what maps to no code on the entry (`directory_entries.unmapped`)."""
        kept = {"field": source_field, "value": value}
        kept.update({name: text for name, text in more.items() if text})
        if kept not in self.unmapped:
            self.unmapped.append(kept)

    def set_fact(self, fact: str | None, value: str, origin: Origin, report: ImportReport) -> None:
        """Apply one resolved target; a yes/no fact said both ways is noted, the last kept."""
        if fact is None:
            self.services.add(value)
        elif fact in ("telehealth", "accepting_new_clients", "sliding_scale"):
            said = value == "yes"
            before = getattr(self, fact)
            if before is not None and before != said:
                report.noted(origin, f"{fact} was said both ways; the last, {value}, is kept")
            setattr(self, fact, said)
        elif fact == "kind":
            self.kind = value
        elif fact == "waitlist_weeks":
            self.waitlist_weeks = int(value)
        elif fact == "insurance":
            self.insurance.add(value)
        elif fact == "language":
            self.languages.add(value)
        elif fact == "telehealth_state":
            self.telehealth_states = {*(self.telehealth_states or ()), value}
        elif fact == "gender":
            self.gender = value
        elif fact == "faith":
            self.faiths.add(value)
        elif fact == "credential" and value not in self.credentials:
            self.credentials.append(value)
        elif fact == "financial_arrangement":
            self.financial_arrangement = value

    def apply(
        self,
        targets: tuple[Target, ...],
        value: str | None,
        origin: Origin,
        report: ImportReport,
        mapping: DirectoryMapping,
    ) -> bool:
        """Apply a term's targets; False (nothing applied) when one needs a value the term's
        attribute does not give in a form that fact takes."""
        resolved = [mapping.resolve(target, value) for target in targets]
        if any(found is None for found in resolved):
            return False
        for found in resolved:
            if found is not None:
                self.set_fact(found[0], found[1], origin, report)
        return True

    def entry(self) -> Entry:
        return Entry(
            entry_id=self.entry_id,
            kind=self.kind,
            name=self.name,
            organization_id=self.organization_id,
            organization_name=self.organization_name,
            services=frozenset(self.services),
            age_min=self.age_min,
            age_max=self.age_max,
            languages=frozenset(self.languages),
            insurance=frozenset(self.insurance),
            sliding_scale=self.sliding_scale,
            fees=self.fees,
            credentials=tuple(self.credentials),
            locations=tuple(
                Location(
                    place.postal_code,
                    place.state,
                    place.latitude,
                    place.longitude,
                    place.location_id,
                    place.name,
                    place.address,
                    place.city,
                )
                for place in self.places
            ),
            telehealth=self.telehealth,
            telehealth_states=(
                None if self.telehealth_states is None else frozenset(self.telehealth_states)
            ),
            accepting_new_clients=self.accepting_new_clients,
            waitlist_weeks=self.waitlist_weeks,
            financial_arrangement=self.financial_arrangement,
            gender=self.gender,
            faiths=frozenset(self.faiths),
        )


def check_place(place: Place, report: ImportReport) -> None:
    """Drop coordinates that cannot be a place on earth, and give a place with a US ZIP code
    and no coordinates its ZIP code's centre (and state, when it has none); each reported."""
    origin = place.origin
    lat, lon = place.latitude, place.longitude
    if (lat is not None or lon is not None) and not valid_coordinates(lat, lon):
        report.corrected(
            origin.at("latitude, longitude"),
            "not a place on earth (latitude -90 to 90, longitude -180 to 180, both given); "
            "the coordinates are dropped",
            value=f"{_shown(lat)}, {_shown(lon)}",
        )
        place.latitude = place.longitude = None
    code = zip5(place.postal_code) if in_us(place.country) else None
    if code is None:
        return
    needs_coordinates = place.latitude is None
    if not needs_coordinates and place.state:
        return
    centre = zip_centre(code)
    if centre is None:
        if needs_coordinates:
            report.noted(
                origin.at("postal_code"),
                "no US ZIP code of that number is known; the place has no coordinates",
                value=place.postal_code,
            )
        return
    latitude, longitude, state = centre
    if needs_coordinates:
        place.latitude, place.longitude = latitude, longitude
        report.corrected(
            origin.at("latitude, longitude"),
            f"no coordinates: the centre of ZIP code {code} is used",
            value=f"{latitude}, {longitude}",
        )
    if not place.state and state:
        place.state = state
        report.corrected(
            origin.at("state"), f"no state: ZIP code {code} lies in {state}", value=state
        )


def _shown(number: float | None) -> str:
    return "" if number is None else f"{number:g}"


def normal_state(place: Place) -> None:
    """A US state's name as its code (`California` -> `CA`); other text kept as given."""
    if place.state:
        code = state_code(place.state)
        if code is not None:
            place.state = code


def check_storable(draft: Draft, refusals: Refusals) -> None:
    """Refuse what the directory's tables cannot hold: text too long, a NUL character or a
    lone surrogate."""
    origin = draft.origin

    def check(name: str, text: str | None, where: Origin) -> None:
        if text is None:
            return
        if (why := unstorable(text)) is not None:
            refusals.add(where.at(name), why)
        limit = LIMITS.get(name)
        if limit is not None and len(text) > limit:
            refusals.add(where.at(name), f"longer than {limit} characters ({len(text)})")

    check("entry_id", draft.entry_id, origin)
    check("name", draft.name, origin)
    check("organization_id", draft.organization_id, origin)
    check("organization_name", draft.organization_name, origin)
    check("fees", draft.fees, origin)
    for text in (*draft.credentials, *draft.faiths, *draft.insurance):
        check("text", text, origin)
    for kept in draft.unmapped:
        for text in kept.values():
            check("unmapped", str(text), origin)
    for place in draft.places:
        check("location_id", place.location_id, place.origin)
        check("name", place.name, place.origin)
        check("address", place.address, place.origin)
        check("city", place.city, place.origin)
        check("postal_code", place.postal_code, place.origin)
        check("state", place.state, place.origin)


def text(value: Any) -> str | None:
    """A text value as read: trimmed; None when empty or absent."""
    if value is None:
        return None
    found = str(value).strip()
    return found or None


@dataclass(frozen=True, slots=True)
class Parsed:
    """A directory file read whole: its entries in file order, what of each maps to no
    code (by entry id), and the report so far."""

    entries: tuple[Entry, ...]
    unmapped: dict[str, list[dict[str, Any]]]
    report: ImportReport


def finished(drafts: list[Draft], report: ImportReport, refusals: Refusals) -> Parsed:
    """The drafts checked as every importer checks them: a repeated entry id skipped, places
    checked, what cannot be stored refused (raising InvalidInput with every refusal), an
    entry offering no service code noted; then counted."""
    seen: dict[str, Origin] = {}
    kept: list[Draft] = []
    for draft in drafts:
        first = seen.get(draft.entry_id)
        if first is not None:
            report.skipped(
                draft.origin.at("id"),
                f"the same entry id as {first.file}, row {first.row}; the first is kept",
                value=draft.entry_id,
            )
            continue
        seen[draft.entry_id] = draft.origin
        for place in draft.places:
            normal_state(place)
            check_place(place, report)
        check_storable(draft, refusals)
        if not draft.services:
            report.noted(
                draft.origin.at("services"),
                "offers no service code: matching cannot offer it until its terms are mapped",
            )
        kept.append(draft)
    refusals.raise_if_any()
    entries = tuple(draft.entry() for draft in kept)
    report.count("entries", len(entries))
    report.count("organizations", len({e.organization_id for e in entries if e.organization_id}))
    report.count("locations", sum(len(e.locations) for e in entries))
    return Parsed(entries, {d.entry_id: list(d.unmapped) for d in kept if d.unmapped}, report)
