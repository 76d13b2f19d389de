"""HSDS 3.0 in and out: the specification's examples (CSV and JSON forms alike, their defects
reported), a package of our own with several organizations and real mappings, and an export
that validates against the specification's schemas and reads back the same."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from directory_fixtures import HSDS_EXAMPLES, PRACTICES_CSV, PRACTICES_JSON, hsds_export_errors
from referwell.domain.directory.model import Entry, Location
from referwell.domain.errors import InvalidInput
from referwell.services.directory.draft import Parsed
from referwell.services.directory.hsds_export import organizations
from referwell.services.directory.hsds_json import read_json
from referwell.services.directory.importing import read_directory
from referwell.services.directory.mapping import load_mapping, parse_mapping

UPSTREAM_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
JSON_FORMS = (
    "organization_full.json",
    "service_full.json",
    "service_at_location_full.json",
    "tabular.json",
)


def _rows(parsed: Parsed, action: str) -> list[tuple[str, object, str]]:
    return [
        (row.file.rsplit("/", 1)[-1], row.row, row.field)
        for row in parsed.report.rows
        if row.action == action
    ]


def _by_name(parsed: Parsed) -> dict[str, Entry]:
    return {entry.name: entry for entry in parsed.entries}


# --- the specification's examples -----------------------------------------------------------


def test_the_upstream_csv_package_is_read_by_its_file_names() -> None:
    parsed = read_directory(HSDS_EXAMPLES / "csv")

    (entry,) = parsed.entries
    assert (entry.entry_id, entry.kind, entry.name) == (
        UPSTREAM_SERVICE,
        "program",
        "Community Counselling",
    )
    assert (entry.organization_id, entry.organization_name) == (
        "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
        "Example Organization Inc.",
    )
    assert (entry.age_min, entry.age_max, entry.languages) == (12, 100, frozenset({"ur"}))
    (place,) = entry.locations
    assert (place.postal_code, place.state, place.city) == ("ABC 1234", "MyState", "MyCity")
    assert "phones.csv" in parsed.report.not_read


def test_the_upstream_defects_are_reported_and_handled() -> None:
    parsed = read_directory(HSDS_EXAMPLES / "csv")
    (place,) = parsed.entries[0].locations

    # latitude 100, longitude 101: dropped from that location, and said so
    assert (place.latitude, place.longitude) == (None, None)
    assert ("locations.csv", 2, "latitude, longitude") in _rows(parsed, "corrected")
    # the location's organization is missing from organizations.csv: kept for its service
    assert ("locations.csv", 2, "organization_id") in _rows(parsed, "noted")
    # datapackage.json is a symbolic link's text upstream, not a descriptor
    assert ("datapackage.json", 1, "") in _rows(parsed, "noted")
    # the attribute links to nothing in the CSV form
    assert ("attributes.csv", 2, "link_id") in _rows(parsed, "skipped")


@pytest.mark.parametrize("form", JSON_FORMS)
def test_the_upstream_json_forms_give_the_csv_forms_entries(form: str) -> None:
    from_csv = read_directory(HSDS_EXAMPLES / "csv")
    from_json = read_directory(HSDS_EXAMPLES / form)

    assert from_json.entries == from_csv.entries
    # Apart from what the reports name: nested, the attribute reaches its service, and its
    # term maps to nothing; in the CSV form it links to no service and is skipped.
    if form != "tabular.json":
        assert {"field": "attributes", "value": "value", "term": "name", "code": "code",
                "taxonomy": "taxonomy"} in from_json.unmapped[UPSTREAM_SERVICE]  # fmt: skip
        assert ("attributes", "taxonomy_term") in {
            (str(row.row).rsplit(".", 1)[-1][:10], row.field)
            for row in from_json.report.rows
            if row.action == "unmapped"
        }
    assert from_csv.unmapped[UPSTREAM_SERVICE] == [{"field": "wait_time", "value": "wait_time"}]
    corrected = [row for row in from_json.report.rows if row.action == "corrected"]
    assert [row.field for row in corrected] == ["latitude, longitude"]


def test_a_page_of_services_without_their_locations_gives_the_services() -> None:
    parsed = read_directory(HSDS_EXAMPLES / "service_list.json")

    (entry,) = parsed.entries
    assert entry.entry_id == UPSTREAM_SERVICE
    assert entry.locations == ()


def test_a_list_of_organizations_without_services_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_directory(HSDS_EXAMPLES / "organization_list.json")

    assert "holds no HSDS service" in str(refused.value)


# --- a package of our own -------------------------------------------------------------------


def test_our_package_reads_every_organization_and_service_through_the_mapping() -> None:
    parsed = read_directory(PRACTICES_CSV)
    entries = _by_name(parsed)

    assert sorted(entries) == [
        "Adult CBT Clinic",
        "DBT Skills Group for Teens",
        "Family Therapy Program",
        "First Episode Psychosis Program",
        "Medication Management Clinic",
        "Telepsychiatry",
    ]
    assert {e.organization_name for e in entries.values()} == {
        "Bayside Counseling Collective",
        "Mesa Youth and Family Services",
        "Harborview Psychiatry Group",
    }
    cbt = entries["Adult CBT Clinic"]
    assert cbt.services == {"cbt"}
    assert cbt.languages == {"es", "en"}  # "spa" through the mapping file
    assert cbt.insurance == {"medicaid", "aetna"}  # "Medi-Cal" through the mapping file
    assert (cbt.telehealth, cbt.telehealth_states) == (True, {"CA"})
    teens = entries["DBT Skills Group for Teens"]
    assert teens.services == {"dbt", "adolescents"}
    assert (teens.age_min, teens.age_max) == (13, 17)
    assert (teens.accepting_new_clients, teens.waitlist_weeks) == (False, 4)
    psychosis = entries["First Episode Psychosis Program"]
    assert psychosis.services == {"coordinated_specialty_care", "psychosis", "intensive_outpatient"}
    assert entries["Family Therapy Program"].services == {"family", "psychotherapy", "children"}
    assert entries["Family Therapy Program"].languages == {"zh", "en"}  # "yue"
    # an attribute on the organization reaches each of its services
    assert entries["Medication Management Clinic"].sliding_scale is True
    assert entries["Telepsychiatry"].sliding_scale is True
    # a virtual location is telehealth, not a place
    tele = entries["Telepsychiatry"]
    assert (tele.telehealth, tele.telehealth_states, tele.locations) == (True, {"CA", "NV"}, ())


def test_our_package_reports_what_it_skipped_corrected_and_could_not_map() -> None:
    parsed = read_directory(PRACTICES_CSV)
    entries = _by_name(parsed)

    assert _rows(parsed, "skipped") == [
        ("services.csv", 6, "status"),  # defunct
        ("service_at_location.csv", 8, "location_id"),  # names a location not in the file
    ]
    assert _rows(parsed, "unmapped") == [
        ("languages.csv", 7, "code"),  # Klingon
        ("attributes.csv", 12, "taxonomy_term"),  # Peer Support
        ("attributes.csv", 17, "taxonomy_term"),  # Equine-Assisted Therapy
    ]
    assert _rows(parsed, "noted") == [("organizations.csv", 5, "")]  # no services
    assert parsed.report.as_dict()["counts"] == {
        "entries": 6, "organizations": 3, "locations": 6,
        "skipped": 2, "corrected": 3, "unmapped": 3, "noted": 1,
    }  # fmt: skip
    # what maps to nothing is kept with its entry
    family = entries["Family Therapy Program"]
    assert {"field": "languages", "value": "tlh"} in parsed.unmapped[family.entry_id]
    assert any(
        kept.get("term") == "Peer Support" and kept.get("taxonomy") == "Example County 211"
        for kept in parsed.unmapped[family.entry_id]
    )


def test_our_package_gets_zip_centres_and_drops_impossible_coordinates() -> None:
    parsed = read_directory(PRACTICES_CSV)
    entries = _by_name(parsed)

    kept = entries["Adult CBT Clinic"].locations[0]
    assert (kept.latitude, kept.longitude) == (37.7599, -122.4148)  # its own, kept
    uptown, annex = entries["First Episode Psychosis Program"].locations
    assert (uptown.postal_code, uptown.latitude, uptown.longitude) == ("94612", 37.8085, -122.2668)
    assert (annex.postal_code, annex.latitude, annex.longitude) == ("94704", 37.8664, -122.257)
    reasons = [row.why for row in parsed.report.rows if row.action == "corrected"]
    assert reasons == [
        "no coordinates: the centre of ZIP code 94612 is used",
        "not a place on earth (latitude -90 to 90, longitude -180 to 180, both given); the "
        "coordinates are dropped",
        "no coordinates: the centre of ZIP code 94704 is used",
    ]


def test_our_package_in_csv_and_json_gives_the_same_entries_and_report() -> None:
    from_csv = read_directory(PRACTICES_CSV)
    from_json = read_directory(PRACTICES_JSON)

    assert from_json.entries == from_csv.entries
    assert from_json.unmapped == from_csv.unmapped
    assert [(r.action, r.field, r.why) for r in from_json.report.rows] == [
        (r.action, r.field, r.why) for r in from_csv.report.rows
    ]


def test_an_operators_mapping_file_maps_by_taxonomy_and_code(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'format = "referwell.directory_mapping/1"\n'
        "[terms]\n"
        '"Example County 211:EX-MH-900" = ["psychotherapy"]\n'
        '"equine-assisted therapy" = []\n'
        '"family therapy" = ["family"]\n',
        encoding="utf-8",
    )
    parsed = read_directory(PRACTICES_CSV, mapping)
    entries = _by_name(parsed)

    # peer support is psychotherapy now; equine therapy is known and means nothing
    assert entries["Family Therapy Program"].services == {"family", "psychotherapy"}
    unmapped = [str(row.value) for row in parsed.report.rows if row.action == "unmapped"]
    assert "tlh" in unmapped
    assert not [said for said in unmapped if said.startswith(("Peer", "Equine", "Family"))]
    # the operator's file stands alone: the shipped one's terms are not read
    assert entries["Adult CBT Clinic"].services == frozenset()
    assert "Cognitive Behavioral Therapy (code EX-MH-100, taxonomy Example County 211)" in unmapped
    assert parsed.report.mapping == str(mapping)


def test_a_datapackage_descriptor_names_the_table_files(tmp_path: Path) -> None:
    package = tmp_path / "renamed"
    shutil.copytree(PRACTICES_CSV, package)
    (package / "services.csv").rename(package / "the-services.csv")
    descriptor = json.loads((package / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        if resource["name"] == "service":
            resource["path"] = "the-services.csv"
    (package / "datapackage.json").write_text(json.dumps(descriptor))

    assert read_directory(package).entries == read_directory(PRACTICES_CSV).entries


# --- refused whole --------------------------------------------------------------------------


def test_a_malformed_package_is_refused_naming_every_file_row_and_field(tmp_path: Path) -> None:
    package = tmp_path / "broken"
    shutil.copytree(PRACTICES_CSV, package)
    services = (package / "services.csv").read_text().splitlines()
    services[2] = services[2].replace(",13,17,", ",thirteen,17,")
    (package / "services.csv").write_text("\n".join(services) + "\n")
    locations = (package / "locations.csv").read_text().replace("37.7726", "north")
    (package / "locations.csv").write_text(locations)

    with pytest.raises(InvalidInput) as refused:
        read_directory(package)

    assert [str(error) for error in refused.value.errors] == [
        'services.csv: row 3: minimum_age: expected a whole number of years, 0 to 130; got "thirteen"',
        'locations.csv: row 5: latitude: expected a number in degrees; got "north"',
    ]


def test_a_row_with_more_values_than_columns_refuses_the_package(tmp_path: Path) -> None:
    package = tmp_path / "broken"
    shutil.copytree(PRACTICES_CSV, package)
    with (package / "languages.csv").open("a") as file:
        file.write("a,b,c,d,e,f,g,h\n")

    with pytest.raises(InvalidInput) as refused:
        read_directory(package)

    assert str(refused.value) == "languages.csv: row 10: 8 values; the header names 7 columns"


def test_a_folder_without_services_is_not_a_package(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_directory(tmp_path)

    assert "not an HSDS data package: it holds no services.csv" in str(refused.value)


def test_a_json_item_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        read_json([{"id": "x", "name": "x", "services": []}, 3], "list.json", load_mapping())

    assert str(refused.value) == "list.json: row [1]: expected an object; got int"


# --- out ------------------------------------------------------------------------------------

EVERYTHING = Entry(
    "p_1", "practitioner", "Avery Quill", "org:1", "Quill & Reed Counseling",
    frozenset({"cbt", "emdr", "adults"}), 18, 64, frozenset({"es", "en"}),
    frozenset({"aetna", "payer-harborline"}), True, "$120 a session", ("LCSW",),
    (Location("94110", "CA", 37.75, -122.41, "office 1", "Mission office", "1 Main St",
              "San Francisco"),),
    True, frozenset({"CA", "NV"}), False, 3, "none", "nonbinary", frozenset({"quaker"}),
)  # fmt: skip
PLAIN = Entry(
    "b0a6c1de-0c8e-4b8a-9d7d-3a3c8e2f0a11", "program", "Harbor Teen DBT", None, None,
    frozenset({"dbt", "adolescents"}), locations=(Location("94612", "CA", 37.8085, -122.2668),),
)  # fmt: skip


def test_the_export_validates_against_the_specifications_schemas() -> None:
    entries = [*read_directory(PRACTICES_CSV).entries, EVERYTHING, PLAIN]
    exported = json.loads(json.dumps(organizations(entries)))

    assert list(hsds_export_errors(exported)) == []
    assert [len(organization["services"]) for organization in exported] == [2, 2, 2, 1, 1]


def test_the_upstream_example_exported_validates_too() -> None:
    exported = organizations(read_directory(HSDS_EXAMPLES / "csv").entries)

    assert list(hsds_export_errors(exported)) == []


def test_the_export_reads_back_as_the_same_entries(tmp_path: Path) -> None:
    entries = [EVERYTHING, PLAIN, *read_directory(PRACTICES_CSV).entries]
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(organizations(entries)))

    back = read_directory(path)

    # ids that are no UUIDs come back from their attributes and identifiers; a location
    # without an id comes back without one; an entry without an organization, without one
    assert back.entries == tuple(entries)
    assert back.unmapped == {}
    assert [row.action for row in back.report.rows] == []


def test_entries_sharing_a_location_are_written_with_it_once() -> None:
    second = replace(EVERYTHING, entry_id="p_2", name="Blair Reed")
    (organization,) = organizations([EVERYTHING, second])

    assert len(organization["locations"]) == 1
    assert [s["service_at_locations"][0]["location_id"] for s in organization["services"]] == [
        organization["locations"][0]["id"]
    ] * 2


def test_the_shipped_mapping_file_loads_and_stands_alone() -> None:
    shipped = load_mapping()

    assert shipped.source == "default"
    assert shipped.meaning(["Cognitive Behavioral Therapy"]) == parse_mapping(
        '[terms]\n"cbt" = ["cbt"]', "x"
    ).meaning(["cbt"])
