"""The CSV template: exactly its columns, read strictly, written back the same; ZIP centres for
places without coordinates; every malformed value named by row and column."""

from __future__ import annotations

import pytest

from referwell.domain.directory.model import Entry, Location
from referwell.domain.errors import InvalidInput
from referwell.services.directory.csvfile import COLUMNS, read_template, write_template
from referwell.services.directory.mapping import load_mapping

HEADER = ",".join(COLUMNS)
ENTRIES = (
    Entry(
        "p1", "practitioner", "Avery Quill", "org1", "Quill & Reed, Counseling",
        frozenset({"cbt", "emdr", "adults"}), 18, 64, frozenset({"es", "en"}),
        frozenset({"aetna", "payer-harborline"}), True,
        locations=(Location("94110", "CA", 37.75, -122.41),), telehealth=True,
        telehealth_states=frozenset({"CA", "NV"}), accepting_new_clients=False, waitlist_weeks=3,
        financial_arrangement="none",
    ),
    Entry("p2", "program", "Harbor Teen DBT", services=frozenset({"dbt", "adolescents"})),
)  # fmt: skip


def _read(text: str):  # type: ignore[no-untyped-def]
    return read_template(text, "practice.csv", load_mapping())


def test_the_template_has_exactly_the_columns_of_the_issue() -> None:
    assert HEADER == (
        "entry_id,kind,name,organization_id,organization_name,services,age_min,age_max,"
        "languages,insurance,sliding_scale,postal_code,state,latitude,longitude,telehealth,"
        "telehealth_states,accepting_new_clients,waitlist_weeks,financial_arrangement"
    )


def test_a_round_trip_gives_the_same_entries() -> None:
    text, notes = write_template(ENTRIES)

    assert notes == []
    assert text.splitlines()[1] == (
        'p1,practitioner,Avery Quill,org1,"Quill & Reed, Counseling",adults;cbt;emdr,18,64,'
        "en;es,aetna;payer-harborline,yes,94110,CA,37.75,-122.41,yes,CA;NV,no,3,none"
    )
    assert text.splitlines()[2] == "p2,program,Harbor Teen DBT,,,adolescents;dbt" + "," * 14
    parsed = _read(text)
    assert parsed.entries == ENTRIES
    assert parsed.report.rows == []


def test_what_the_template_cannot_hold_is_said_in_the_notes() -> None:
    two_places = Entry(
        "p3", "practitioner", "Blair Reed", gender="female",
        locations=(Location("94110", "CA"), Location("94103", "CA")),
    )  # fmt: skip

    text, notes = write_template([two_places])

    assert len(text.splitlines()) == 2
    assert notes == [
        "1 of the entries have more than one location; the CSV holds the first of each (export "
        "as HSDS or FHIR to keep them all)",
        "1 of the entries say what the template has no column for (gender, faiths, credentials, "
        "fees, a location's id, name or address, licensed in no state); written without it "
        "(export as FHIR to keep it)",
    ]


def test_a_place_with_a_zip_code_and_no_coordinates_gets_the_zip_codes_centre() -> None:
    parsed = _read(f"{HEADER}\nq1,practitioner,Casey Lin,,,cbt,,,,,,94110-2203,,,,,,,,\n")

    (place,) = parsed.entries[0].locations
    assert (place.latitude, place.longitude, place.state) == (37.7509, -122.4153, "CA")
    assert [(row.action, row.row, row.field) for row in parsed.report.rows] == [
        ("corrected", 2, "latitude, longitude"),
        ("corrected", 2, "state"),
    ]


def test_impossible_coordinates_are_dropped_and_reported() -> None:
    parsed = _read(f"{HEADER}\nq1,program,Clinic,,,cbt,,,,,,,CA,100,101,,,,,\n")

    assert parsed.entries[0].locations == (Location(None, "CA", None, None),)
    (row,) = parsed.report.rows
    assert (row.action, row.row, row.field, row.value) == (
        "corrected",
        2,
        "latitude, longitude",
        "100, 101",
    )


def test_names_and_unknown_words_go_through_the_mapping_and_are_kept_when_unmapped() -> None:
    parsed = _read(
        f"{HEADER}\nq1,practitioner,Casey Lin,,,Cognitive Behavioral Therapy;reiki,,,"
        "Spanish;spa;Klingon,Medi-Cal,,,,,,,,,,\n"
    )

    (entry,) = parsed.entries
    assert entry.services == {"cbt"}
    assert entry.languages == {"es"}
    assert entry.insurance == {"medicaid"}
    assert parsed.unmapped == {
        "q1": [{"field": "services", "value": "reiki"}, {"field": "languages", "value": "Klingon"}]
    }
    assert [(row.action, row.field, row.value) for row in parsed.report.rows] == [
        ("unmapped", "services", "reiki"),
        ("unmapped", "languages", "Klingon"),
    ]


def test_a_malformed_file_is_refused_naming_every_row_and_column() -> None:
    text = (
        f"{HEADER}\n"
        "q1,clinic,Casey Lin,,,cbt,ten,,,,maybe,,,,,,,,,\n"
        "q2,program,,,Org name,cbt,30,20,,,,,,north,,,XX,,,fee\n"
    )

    with pytest.raises(InvalidInput) as refused:
        _read(text)

    assert [str(error) for error in refused.value.errors] == [
        'practice.csv: row 2: kind: expected "practitioner" or "program"; got "clinic"',
        'practice.csv: row 2: age_min: expected a whole number from 0 to 130; got "ten"',
        'practice.csv: row 2: sliding_scale: expected "yes", "no" or empty; got "maybe"',
        "practice.csv: row 3: name: empty; every entry needs one",
        "practice.csv: row 3: organization_id: empty, but organization_name is given: give the "
        "organization an id, the same on every row of that organization",
        "practice.csv: row 3: age_max: below age_min (30)",
        'practice.csv: row 3: financial_arrangement: "fee" is not a financial arrangement; did '
        'you mean "fee_split" or "referral_fee"?',
        'practice.csv: row 3: telehealth_states: "XX" is not a US state',
        'practice.csv: row 3: latitude: expected a number in degrees; got "north"',
    ]


def test_values_of_the_wrong_kind_are_refused() -> None:
    text = f"{HEADER}\nq1,practitioner,Casey Lin,,,cbt,ten,,,,maybe,,,,,,,,-1,\n"

    with pytest.raises(InvalidInput) as refused:
        _read(text)

    assert [error.path for error in refused.value.errors] == [
        "practice.csv: row 2: age_min",
        "practice.csv: row 2: waitlist_weeks",
        "practice.csv: row 2: sliding_scale",
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (HEADER.replace(",waitlist_weeks", ""), 'missing "waitlist_weeks"'),
        (HEADER + ",notes", 'unknown "notes"'),
        (HEADER + ",name", 'repeated "name"'),
    ],
)
def test_a_header_other_than_the_templates_is_refused(header: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _read(header + "\n")

    (error,) = refused.value.errors
    assert error.path == "practice.csv: row 1"
    assert message in error.message


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        _read(f"{HEADER}\nq1,program,Clinic\n")

    assert str(refused.value) == "practice.csv: row 2: 3 values; the header names 20 columns"


def test_a_repeated_entry_id_is_skipped_and_reported() -> None:
    parsed = _read(
        f"{HEADER}\nq1,program,Clinic,,,cbt{',' * 14}\nq1,program,Other,,,dbt{',' * 14}\n"
    )

    assert [entry.name for entry in parsed.entries] == ["Clinic"]
    (row,) = parsed.report.rows
    assert (row.action, row.row, row.why) == (
        "skipped",
        3,
        "the same entry id as practice.csv, row 2; the first is kept",
    )


def test_a_value_too_long_for_the_directory_is_refused() -> None:
    name = "N" * 501

    with pytest.raises(InvalidInput) as refused:
        _read(f"{HEADER}\nq1,program,{name},,,cbt{',' * 14}\n")

    assert str(refused.value) == "practice.csv: row 2: name: longer than 500 characters (501)"
