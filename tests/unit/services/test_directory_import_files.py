"""What a directory file is, told by its content; the mapping file, checked whole; a file that
cannot be read as its format refused whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from directory_fixtures import HSDS_EXAMPLES, PRACTICES_CSV, PRACTICES_JSON
from referwell.domain.errors import InvalidInput
from referwell.services.directory.csvfile import COLUMNS
from referwell.services.directory.fhir_export import bundle
from referwell.services.directory.importing import read_directory
from referwell.services.directory.mapping import Target, load_mapping, parse_mapping


def _refusal(path: Path, mapping: Path | None = None) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        read_directory(path, mapping)
    return [str(error) for error in refused.value.errors]


# --- the format, by content -----------------------------------------------------------------


def test_each_format_is_told_by_content_whatever_the_files_name(tmp_path: Path) -> None:
    hsds = read_directory(PRACTICES_CSV).entries
    as_text = tmp_path / "directory.txt"

    shutil.copy(PRACTICES_JSON, as_text)
    assert read_directory(as_text).report.format == "hsds-json"
    as_text.write_text(json.dumps(bundle(hsds)))
    assert read_directory(as_text).report.format == "fhir"
    as_text.write_text(",".join(COLUMNS) + "\nq1,program,Clinic" + "," * 17 + "\n")
    assert read_directory(as_text).report.format == "csv"
    assert read_directory(PRACTICES_CSV).report.format == "hsds-csv"


def test_a_data_package_descriptor_stands_for_its_folder() -> None:
    parsed = read_directory(PRACTICES_CSV / "datapackage.json")

    assert parsed.report.format == "hsds-csv"
    assert parsed.entries == read_directory(PRACTICES_CSV).entries


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<Bundle xmlns='http://hl7.org/fhir'/>", "XML is not read: give FHIR as JSON"),
        ("name,phone\nA,1\n", "not a directory file: its first row names none of the template"),
        ("id,name,status\nx,y,active\n", "a table of HSDS alone: give the folder"),
        ('{"resourceType": "Bundle", "type": "collection"', "not valid JSON at line 1 column"),
        ("", "not a directory file"),
    ],
)
def test_what_is_no_directory_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "file"
    path.write_text(content)

    (error,) = _refusal(path)
    assert error.startswith(str(path))
    assert message in error


def test_text_a_database_cannot_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nul.json"
    path.write_text('[{"id": "o", "name": "O", "services": [{"id": "s", "name": "a\\u0000b"}]}]')

    (error,) = _refusal(path)
    assert (
        error
        == f"{path}: row [0].services[0].name: a text contains a NUL character (U+0000); remove it"
    )


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    raw = (",".join(COLUMNS) + "\nq1,program,Cl\xednica" + "," * 17).encode("latin-1")
    path.write_bytes(raw)

    assert _refusal(path) == [f"{path}: not UTF-8 text (line 2, byte {raw.index(0xED)})"]


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path / "nowhere.csv") == [
        f"{tmp_path / 'nowhere.csv'}: no such file or folder"
    ]


def test_the_upstream_datapackage_json_is_no_descriptor_and_is_said_so() -> None:
    parsed = read_directory(HSDS_EXAMPLES / "csv")

    assert (HSDS_EXAMPLES / "csv" / "datapackage.json").read_text() == "../../datapackage.json"
    assert parsed.report.rows[0].why.startswith("not a data package descriptor")


# --- the mapping file -----------------------------------------------------------------------


def test_the_shipped_mapping_maps_terms_languages_and_payers() -> None:
    mapping = load_mapping()

    assert mapping.meaning(["nothing", "  Dialectical   BEHAVIOR therapy "]) == (
        Target(None, "dbt"),
    )
    assert mapping.meaning(["accepting new clients=no"]) == (Target("accepting_new_clients", "no"),)
    assert mapping.meaning(["insurance accepted"]) == (Target("insurance", "{value}"),)
    assert [mapping.language(said) for said in ("spa", "es-MX", "Spanish", "ES", "tlh")] == [
        "es", "es", "es", "es", None,
    ]  # fmt: skip
    assert mapping.payer("Blue Cross  Blue Shield") == "bcbs"
    assert mapping.payer("Payer-Harborline") == "payer-harborline"


def test_a_mapping_file_is_checked_whole_naming_each_key(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[terms]\n"talk" = ["psychotheraphy"]\n"video" = ["telehealth=maybe"]\n'
        '"x" = ["colour=blue"]\n"y" = "cbt"\n[languages]\n"elvish" = "qya"\n[extra]\n',
        encoding="utf-8",
    )

    errors = _refusal(PRACTICES_CSV, path)

    assert errors == [
        f'{path}: extra: unknown table; use "format", "insurance", "languages" or "terms"',
        f'{path}: languages.elvish: "qya" is not an ISO 639-1 code',
        f'{path}: terms.talk: "psychotheraphy" is not a service code of the vocabulary; did '
        'you mean "psychotherapy" or "schema_therapy"? (a fact is written name=value)',
        f'{path}: terms.video: telehealth: "maybe" is not yes or no (or {{value}})',
        f'{path}: terms.x: "colour" is not a fact; use "kind", "telehealth", '
        '"accepting_new_clients", "sliding_scale", "waitlist_weeks", "insurance", "language", '
        '"telehealth_state", "gender", "faith", "credential" or "financial_arrangement"',
        f'{path}: terms.y: expected a list of targets, as ["cbt"]',
    ]


def test_a_mapping_file_that_is_not_toml_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_mapping("[terms\n", "bad.toml")

    assert str(refused.value).startswith("bad.toml: not valid TOML")


def test_a_term_mapped_to_nothing_is_known_and_not_reported() -> None:
    mapping = parse_mapping('[terms]\n"Peer Support" = []\n', "mine.toml")

    assert mapping.meaning(["peer support"]) == ()
    assert mapping.meaning(["Horse Therapy"]) is None
