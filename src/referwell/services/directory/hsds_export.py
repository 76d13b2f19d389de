"""HSDS 3.0 out: a list of `organization` objects, each with its services, locations and the
rest nested as in the specification's `organization_full.json`.

HSDS identifies everything by UUID. An id that is one is kept; any other is replaced by a
UUID made from it (the same every time), and the entry's own id travels as an attribute
of the taxonomy `referwell` (`entry_id`), an organization's as an identifier of the scheme
`referwell`, a location's as its external identifier of the type `referwell` (a location
without one had no id): importing the export gives the ids back. What HSDS has fields for goes in them (ages, languages,
fees, waiting time, locations and addresses); every other fact is an attribute whose
taxonomy term is of the taxonomy `referwell`, named by its code (`cbt`, `telehealth` …).
An entry with no organization is exported as an organization of its own, marked by an
identifier of the type `no_organization`, and imported again without one.

Every location is in the US (`country` "US"); an address whose street or city is unknown
gives them as empty text, which the schema allows and an import reads as unknown.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, Final

from referwell.domain.directory.languages import language_name
from referwell.domain.directory.model import Entry, Location
from referwell.domain.labels import label
from referwell.services.directory.hsds import NO_ORGANIZATION, REFERWELL_TAXONOMY

NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:referwell:directory")
CANONICAL_UUID: Final = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
TAXONOMY: Final = {
    "id": str(uuid.uuid5(NAMESPACE, "taxonomy:referwell")),
    "name": REFERWELL_TAXONOMY,
    "description": "referwell's vocabulary of services, and the directory's facts",
}
# Facts written as attributes, in this order, with their words.
FACT_WORDS: Final = {
    "kind": "kind of entry",
    "entry_id": "the entry's id in referwell",
    "telehealth": "offers telehealth",
    "telehealth_state": "licensed for telehealth in",
    "accepting_new_clients": "taking new clients",
    "sliding_scale": "a sliding scale",
    "insurance": "insurance taken",
    "financial_arrangement": "financial arrangement with the referring practice",
    "gender": "the practitioner's gender",
    "faith": "faith",
    "credential": "credential",
}


def made_id(kind: str, value: str) -> str:
    """`value` when it is a UUID, else a UUID made from it (the same every time)."""
    if CANONICAL_UUID.match(value):
        return value
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{value}"))


def organizations(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """The entries as HSDS `organization` objects, in order of first appearance."""
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        own = entry.organization_id or f"entry:{entry.entry_id}"
        organization = found.get(own)
        if organization is None:
            organization = found[own] = _organization(entry)
        service = _service(entry, organization["id"])
        organization["services"].append(service)
        known = {place["id"] for place in organization["locations"]}
        for link in service.get("service_at_locations", []):
            if link["location"]["id"] not in known:
                known.add(link["location"]["id"])
                organization["locations"].append(link["location"])
    for organization in found.values():
        if not organization["locations"]:
            del organization["locations"]
    return list(found.values())


def _organization(entry: Entry) -> dict[str, Any]:
    if entry.organization_id is None:
        ident = str(uuid.uuid5(NAMESPACE, f"entry-organization:{entry.entry_id}"))
        return {
            "id": ident,
            "name": entry.name,
            "description": "",
            "organization_identifiers": [
                {
                    "id": made_id("organization-identifier", ident),
                    "organization_id": ident,
                    "identifier_scheme": REFERWELL_TAXONOMY,
                    "identifier_type": NO_ORGANIZATION,
                    "identifier": entry.entry_id,
                }
            ],
            "locations": [],
            "services": [],
        }
    ident = made_id("organization", entry.organization_id)
    organization: dict[str, Any] = {
        "id": ident,
        "name": entry.organization_name or entry.organization_id,
        "description": "",
    }
    if ident != entry.organization_id:
        organization["organization_identifiers"] = [
            {
                "id": made_id("organization-identifier", entry.organization_id),
                "organization_id": ident,
                "identifier_scheme": REFERWELL_TAXONOMY,
                "identifier_type": "organization_id",
                "identifier": entry.organization_id,
            }
        ]
    organization["locations"] = []
    organization["services"] = []
    return organization


def _service(entry: Entry, organization_id: str) -> dict[str, Any]:
    ident = made_id("entry", entry.entry_id)
    service: dict[str, Any] = {
        "id": ident,
        "organization_id": organization_id,
        "name": entry.name,
        "status": "active",
    }
    if entry.age_min is not None:
        service["minimum_age"] = entry.age_min
    if entry.age_max is not None:
        service["maximum_age"] = entry.age_max
    if entry.fees:
        service["fees_description"] = entry.fees
    if entry.waitlist_weeks is not None:
        weeks = entry.waitlist_weeks
        service["wait_time"] = f"{weeks} week{'s' if weeks != 1 else ''}"
    if entry.languages:
        service["languages"] = [
            {
                "id": made_id("language", f"{entry.entry_id}:{code}"),
                "service_id": ident,
                "name": language_name(code),
                "code": code,
            }
            for code in sorted(entry.languages)
        ]
    links = [
        _at_location(entry, ident, index, place) for index, place in enumerate(entry.locations)
    ]
    if links:
        service["service_at_locations"] = links
    attributes = [_attribute(entry, ident, code, value) for code, value in _facts(entry)]
    if attributes:
        service["attributes"] = attributes
    return service


def _facts(entry: Entry) -> Iterator[tuple[str, str | None]]:
    """(term code, attribute value) for every service code and fact HSDS has no field for."""
    for code in sorted(entry.services):
        yield code, None
    if entry.kind != "program":
        yield "kind", entry.kind
    if made_id("entry", entry.entry_id) != entry.entry_id:
        yield "entry_id", entry.entry_id
    for fact in ("telehealth", "accepting_new_clients", "sliding_scale"):
        said = getattr(entry, fact)
        if said is not None:
            yield fact, "yes" if said else "no"
    for state in sorted(entry.telehealth_states or ()):
        yield "telehealth_state", state
    for payer in sorted(entry.insurance):
        yield "insurance", payer
    if entry.financial_arrangement is not None:
        yield "financial_arrangement", entry.financial_arrangement
    if entry.gender is not None:
        yield "gender", entry.gender
    for faith in sorted(entry.faiths):
        yield "faith", faith
    for credential in entry.credentials:
        yield "credential", credential


def _attribute(entry: Entry, service_id: str, code: str, value: str | None) -> dict[str, Any]:
    words = FACT_WORDS.get(code) or label("service", code)
    term = {
        "id": made_id("taxonomy-term", code),
        "code": code,
        "name": words,
        "description": words,
        "taxonomy": REFERWELL_TAXONOMY,
        "taxonomy_detail": TAXONOMY,
        "taxonomy_id": TAXONOMY["id"],
    }
    attribute: dict[str, Any] = {
        "id": made_id("attribute", f"{entry.entry_id}:{code}:{value or ''}"),
        "link_id": service_id,
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }
    if value is not None:
        attribute["value"] = value
    return attribute


def _at_location(entry: Entry, service_id: str, index: int, place: Location) -> dict[str, Any]:
    location = _location(entry, index, place)
    return {
        "id": made_id("service-at-location", f"{entry.entry_id}:{index}"),
        "service_id": service_id,
        "location_id": location["id"],
        "location": location,
    }


def _location(entry: Entry, index: int, place: Location) -> dict[str, Any]:
    own = place.location_id
    ident = made_id("location", own) if own else made_id("location", f"{entry.entry_id}:{index}")
    location: dict[str, Any] = {"id": ident, "location_type": "physical"}
    if own:
        location["external_identifier"] = own
        location["external_identifier_type"] = REFERWELL_TAXONOMY
    if place.name:
        location["name"] = place.name
    if place.latitude is not None and place.longitude is not None:
        location["latitude"] = place.latitude
        location["longitude"] = place.longitude
    if place.postal_code or place.address or place.city or place.state:
        location["addresses"] = [
            {
                "id": made_id("address", f"{ident}:{entry.entry_id}"),
                "location_id": ident,
                "address_1": place.address or "",
                "city": place.city or "",
                "state_province": place.state or "",
                "postal_code": place.postal_code or "",
                "country": "US",
                "address_type": "physical",
            }
        ]
    return location
