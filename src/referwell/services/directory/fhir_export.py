"""FHIR R4 out: the directory's entries as a Bundle of type `collection`, which `fhir`
reads back as the same entries (see that module for the elements and extensions)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from referwell.domain.directory.languages import language_name
from referwell.domain.directory.model import Entry, Location
from referwell.domain.labels import label
from referwell.services.directory.fhir import (
    BCP47,
    ENTRY_SYSTEM,
    EXTENSIONS,
    FHIR_GENDER,
    LANGUAGE_SYSTEM,
    LOCATION_SYSTEM,
    NAMESPACE,
    NO_STATE,
    ORGANIZATION_SYSTEM,
    PREFIX,
    SERVICE_SYSTEM,
    fhir_id,
)


def bundle(entries: Sequence[Entry]) -> dict[str, Any]:
    """The entries as a FHIR R4 Bundle of type `collection`."""
    resources: list[dict[str, Any]] = []
    organizations: set[str] = set()
    places: dict[Location, str] = {}
    taken: set[str] = set()
    for entry in entries:
        if entry.organization_id and entry.organization_id not in organizations:
            organizations.add(entry.organization_id)
            resources.append(_organization_resource(entry))
        references = []
        for index, place in enumerate(entry.locations):
            if place not in places:
                ident = _location_id(entry, index, place, taken)
                places[place] = ident
                resources.append(_location_resource(ident, place))
            references.append({"reference": f"Location/{places[place]}"})
        resources.extend(_entry_resources(entry, references))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": resource} for resource in resources],
    }


def _location_id(entry: Entry, index: int, place: Location, taken: set[str]) -> str:
    ident = fhir_id("location", place.location_id or f"{entry.entry_id}-location-{index}")
    if ident in taken:
        ident = str(uuid.uuid5(NAMESPACE, f"location:{entry.entry_id}:{index}"))
    taken.add(ident)
    return ident


def _organization_resource(entry: Entry) -> dict[str, Any]:
    own = entry.organization_id or ""
    return {
        "resourceType": "Organization",
        "id": fhir_id("organization", own),
        "identifier": [{"system": ORGANIZATION_SYSTEM, "value": own}],
        "active": True,
        "name": entry.organization_name or own,
    }


def _location_resource(ident: str, place: Location) -> dict[str, Any]:
    location: dict[str, Any] = {"resourceType": "Location", "id": ident}
    if place.location_id:
        location["identifier"] = [{"system": LOCATION_SYSTEM, "value": place.location_id}]
    location["status"] = "active"
    if place.name:
        location["name"] = place.name
    address: dict[str, Any] = {}
    if place.address:
        address["line"] = [place.address]
    for element, value in (
        ("city", place.city),
        ("state", place.state),
        ("postalCode", place.postal_code),
    ):
        if value:
            address[element] = value
    if address:
        location["address"] = address
    if place.latitude is not None and place.longitude is not None:
        location["position"] = {"latitude": place.latitude, "longitude": place.longitude}
    return location


def _entry_resources(entry: Entry, locations: list[dict[str, str]]) -> list[dict[str, Any]]:
    ident = fhir_id("entry", entry.entry_id)
    identifier = [{"system": ENTRY_SYSTEM, "value": entry.entry_id}]
    specialty = [
        {"coding": [{"system": SERVICE_SYSTEM, "code": code, "display": label("service", code)}]}
        for code in sorted(entry.services)
    ]
    communication = [
        {
            "coding": [
                {
                    "system": LANGUAGE_SYSTEM,
                    "code": BCP47.get(code, code),
                    "display": language_name(code),
                }
            ]
        }
        for code in sorted(entry.languages)
    ]
    owner = (
        {"reference": f"Organization/{fhir_id('organization', entry.organization_id)}"}
        if entry.organization_id
        else None
    )
    extensions = list(_extensions(entry))
    if entry.kind == "practitioner":
        practitioner: dict[str, Any] = {"resourceType": "Practitioner", "id": ident}
        if entry.gender is not None and entry.gender not in FHIR_GENDER.values():
            practitioner["extension"] = [
                {"url": PREFIX + "gender", EXTENSIONS["gender"]: entry.gender}
            ]
        practitioner |= {"identifier": identifier, "active": True, "name": [{"text": entry.name}]}
        if entry.gender is not None:
            practitioner["gender"] = FHIR_GENDER.get(entry.gender, "other")
        _put(practitioner, "communication", communication)
        _put(
            practitioner,
            "qualification",
            [{"code": {"text": credential}} for credential in entry.credentials],
        )
        role: dict[str, Any] = {"resourceType": "PractitionerRole", "id": ident}
        _put(role, "extension", extensions)
        role |= {
            "identifier": identifier,
            "active": True,
            "practitioner": {"reference": f"Practitioner/{ident}", "display": entry.name},
        }
        if owner:
            role["organization"] = owner
        _put(role, "location", locations)
        _put(role, "specialty", specialty)
        return [practitioner, role]
    service: dict[str, Any] = {"resourceType": "HealthcareService", "id": ident}
    _put(service, "extension", extensions)
    service |= {"identifier": identifier, "active": True}
    if owner:
        service["providedBy"] = owner
    _put(service, "specialty", specialty)
    _put(service, "location", locations)
    service["name"] = entry.name
    _put(service, "communication", communication)
    return [service]


def _put(resource: dict[str, Any], element: str, values: list[Any]) -> None:
    if values:
        resource[element] = values


def _extensions(entry: Entry) -> Iterator[dict[str, Any]]:
    def extension(name: str, value: Any) -> dict[str, Any]:
        return {"url": PREFIX + name, EXTENSIONS[name]: value}

    for name, value in (("age-min", entry.age_min), ("age-max", entry.age_max)):
        if value is not None:
            yield extension(name, value)
    for name, said in (
        ("telehealth", entry.telehealth),
        ("accepting-new-clients", entry.accepting_new_clients),
        ("sliding-scale", entry.sliding_scale),
    ):
        if said is not None:
            yield extension(name, said)
    if entry.telehealth_states is not None:
        for state in sorted(entry.telehealth_states) or [NO_STATE]:
            yield extension("telehealth-state", state)
    if entry.waitlist_weeks is not None:
        yield extension("waitlist-weeks", entry.waitlist_weeks)
    for payer in sorted(entry.insurance):
        yield extension("insurance", payer)
    if entry.fees:
        yield extension("fees", entry.fees)
    if entry.financial_arrangement is not None:
        yield extension("financial-arrangement", entry.financial_arrangement)
    if entry.gender is not None and entry.kind != "practitioner":  # a practitioner's: its own
        yield extension("gender", entry.gender)
    for faith in sorted(entry.faiths):
        yield extension("faith", faith)
    if entry.kind != "practitioner":
        for credential in entry.credentials:
            yield extension("credential", credential)
