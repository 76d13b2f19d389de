"""FHIR R4 in and out: a Bundle referwell writes is valid R4 (R4B models) and reads back as the
same entries; another system's Bundle is read through the mapping file; a Bundle that is not
valid R4 is refused, naming the entry and element."""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from directory_fixtures import PRACTICES_CSV
from referwell.domain.directory.model import Entry, Location
from referwell.domain.errors import InvalidInput
from referwell.services.directory.fhir import read_bundle
from referwell.services.directory.fhir_export import bundle
from referwell.services.directory.importing import read_directory
from referwell.services.directory.mapping import load_mapping

ENTRIES = (
    Entry(
        "p_1", "practitioner", "Avery Quill", "org 1", "Quill & Reed Counseling",
        frozenset({"cbt", "emdr", "adults"}), 18, 64, frozenset({"es", "en", "asl"}),
        frozenset({"aetna"}), True, "$120 a session", ("LCSW", "PhD"),
        (Location("94110", "CA", 37.75, -122.41, "office-1", "Mission office", "1 Main St",
                  "San Francisco"),
         Location("94103", "CA", 37.77, -122.41)),
        True, frozenset({"CA", "NV"}), False, 3, "none", "nonbinary", frozenset({"quaker"}),
    ),
    Entry(
        "p-2", "practitioner", "Blair Reed", "org 1", "Quill & Reed Counseling",
        frozenset({"dbt"}), gender="female", telehealth=True, telehealth_states=frozenset(),
        locations=(Location("94110", "CA", 37.75, -122.41, "office-1", "Mission office",
                            "1 Main St", "San Francisco"),),
    ),
    Entry(
        "teen-dbt", "program", "Harbor Teen DBT", None, None, frozenset({"dbt", "adolescents"}),
        13, 17, credentials=("CARF accredited",), sliding_scale=False, accepting_new_clients=True,
        financial_arrangement="nominal_thanks",
    ),
)  # fmt: skip


def _round_trip(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    document = json.loads(json.dumps(bundle(entries)))
    parsed = read_bundle(document, "bundle.json", load_mapping())
    assert parsed.report.rows == []
    assert parsed.unmapped == {}
    return parsed.entries


def test_the_bundle_is_valid_r4() -> None:
    document = bundle(ENTRIES)

    checked = Bundle.model_validate(document)
    kinds = [entry.resource.get_resource_type() for entry in checked.entry]
    assert kinds == [
        "Organization", "Location", "Location", "Practitioner", "PractitionerRole",
        "Practitioner", "PractitionerRole", "HealthcareService",
    ]  # fmt: skip


def test_a_round_trip_gives_the_same_entries() -> None:
    assert _round_trip(ENTRIES) == ENTRIES


def test_a_round_trip_of_an_hsds_import_gives_the_same_entries() -> None:
    entries = read_directory(PRACTICES_CSV).entries

    assert _round_trip(entries) == entries


def test_ids_fhir_does_not_allow_travel_as_identifiers() -> None:
    document = bundle(ENTRIES[:1])
    role = document["entry"][-1]["resource"]

    assert role["resourceType"] == "PractitionerRole"
    assert role["id"] != "p_1"
    assert role["identifier"] == [{"system": "urn:referwell:directory:entry", "value": "p_1"}]


# --- another system's Bundle ----------------------------------------------------------------


def _foreign() -> dict[str, Any]:
    nucc = "http://nucc.org/provider-taxonomy"
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "fullUrl": "https://fhir.example.org/Organization/org7",
                "resource": {"resourceType": "Organization", "id": "org7", "name": "Cedar Clinic"},
            },
            {
                "resource": {
                    "resourceType": "Location",
                    "id": "loc7",
                    "address": {
                        "line": ["5 Cedar Way"],
                        "city": "Denver",
                        "state": "CO",
                        "postalCode": "80202",
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "Practitioner",
                    "id": "dr7",
                    "name": [{"family": "Okafor", "given": ["Rowan"], "prefix": ["Dr."]}],
                    "gender": "male",
                    "communication": [
                        {"coding": [{"system": "urn:ietf:bcp:47", "code": "fr-CA"}]},
                        {"text": "Klingon"},
                    ],
                }
            },
            {
                "resource": {
                    "resourceType": "PractitionerRole",
                    "id": "role7",
                    "practitioner": {"reference": "Practitioner/dr7"},
                    "organization": {"reference": "https://fhir.example.org/Organization/org7"},
                    "location": [{"reference": "Location/loc7"}, {"reference": "Location/gone"}],
                    "specialty": [
                        {
                            "coding": [
                                {
                                    "system": nucc,
                                    "code": "2084P0800X",
                                    "display": "Psychiatry & Neurology, Psychiatry",
                                }
                            ]
                        },
                        {"text": "Dialectical Behavior Therapy"},
                    ],
                }
            },
            {
                "resource": {
                    "resourceType": "HealthcareService",
                    "id": "svc8",
                    "providedBy": {"reference": "Organization/elsewhere"},
                    "name": "Crisis line",
                    "type": [{"coding": [{"code": "crisis intervention"}]}],
                }
            },
            {
                "resource": {
                    "resourceType": "HealthcareService",
                    "id": "svc9",
                    "name": "Old",
                    "active": False,
                }
            },
            {"resource": {"resourceType": "Patient", "id": "pt1"}},
        ],
    }


def test_another_systems_bundle_is_read_through_the_mapping(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[terms]\n"http://nucc.org/provider-taxonomy|2084P0800X" = ["psychiatry"]\n'
        '"dialectical behavior therapy" = ["dbt"]\n"crisis intervention" = ["crisis"]\n',
        encoding="utf-8",
    )
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_foreign()), encoding="utf-8")

    parsed = read_directory(path, mapping)

    role, service = parsed.entries
    assert (role.entry_id, role.kind, role.name) == ("role7", "practitioner", "Dr. Rowan Okafor")
    assert (role.organization_id, role.organization_name) == ("org7", "Cedar Clinic")
    assert role.services == {"psychiatry", "dbt"}
    assert (role.gender, role.languages) == ("male", {"fr"})
    (place,) = role.locations
    assert (place.location_id, place.city, place.postal_code) == ("loc7", "Denver", "80202")
    assert (place.latitude, place.longitude) == (39.7491, -104.9946)  # ZIP 80202's centre
    assert (service.entry_id, service.services, service.organization_id) == (
        "svc8",
        {"crisis"},
        None,
    )
    assert [(row.action, row.row, row.field) for row in parsed.report.rows] == [
        ("unmapped", "entry[2]", "communication"),
        ("skipped", "entry[3]", "location[1]"),
        ("corrected", "entry[4]", "providedBy"),
        ("skipped", "entry[5]", "active"),
        ("corrected", "entry[1]", "latitude, longitude"),
    ]
    assert parsed.report.not_read == ["Patient (1)"]
    assert parsed.unmapped == {"role7": [{"field": "languages", "value": "Klingon"}]}


def test_a_gender_referwell_does_not_know_is_kept_and_reported() -> None:
    document = _foreign()
    document["entry"][2]["resource"]["gender"] = "m"  # a valid FHIR code, not of its value set

    parsed = read_bundle(document, "b.json", load_mapping())

    assert parsed.entries[0].gender is None
    assert {"field": "gender", "value": "m"} in parsed.unmapped["role7"]
    assert ("unmapped", "entry[2]", "gender") in [
        (row.action, row.row, row.field) for row in parsed.report.rows
    ]


def test_a_practitioner_without_a_role_is_an_entry_of_its_own() -> None:
    document = _foreign()
    document["entry"] = [e for e in document["entry"] if e["resource"]["id"] in ("dr7",)]

    (entry,) = read_bundle(document, "b.json", load_mapping()).entries

    assert (entry.entry_id, entry.kind, entry.name, entry.organization_id) == (
        "dr7",
        "practitioner",
        "Dr. Rowan Okafor",
        None,
    )


# --- refused --------------------------------------------------------------------------------


def test_an_invalid_bundle_is_refused_naming_every_entry_and_element() -> None:
    document = deepcopy(_foreign())
    document["entry"][2]["resource"]["birthDate"] = "yesterday"
    document["entry"][4]["resource"]["id"] = "svc 8"
    document["entry"][6]["resource"]["resourceType"] = "Patients"

    with pytest.raises(InvalidInput) as refused:
        read_bundle(document, "b.json", load_mapping())

    places = [error.path for error in refused.value.errors]
    assert places == [
        "b.json: row entry[2]: resource.birthDate",
        "b.json: row entry[4]: resource.id",
        "b.json: row entry[6]: resource.resourceType",
    ]


def test_a_resource_that_is_not_a_bundle_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_bundle({"resourceType": "Practitioner", "id": "x"}, "p.json", load_mapping())

    assert str(refused.value) == (
        "p.json: resourceType: a FHIR Practitioner, not a Bundle: give the resources in a Bundle"
    )
