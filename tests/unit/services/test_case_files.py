"""Reading case files cannot be made to hang, to eat memory or to speak Python.

Only a regular file is opened (not `/dev/zero`, a FIFO or a folder), and no
more than the case-file limit is read (`max_case_file_bytes`); a JSON Lines
file is bounded per line. A byte-order mark is skipped in JSON as in YAML;
deep nesting and huge numbers are refused in words, at `(file)`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from referwell.config import DEFAULT_MAX_CASE_FILE_BYTES, ConfigError, load_max_case_file_bytes
from referwell.domain.errors import InvalidInput
from referwell.domain.settings import RuleSettings
from referwell.services.assessing import assess_file, load_settings
from referwell.services.caseio import (
    MAX_DEPTH,
    MAX_DIGITS,
    iter_case_sources,
    parse_json,
    parse_text,
    parse_yaml,
    read_path,
)

CASE = {
    "format": "referwell.case/1",
    "id": "bounded",
    "as_of": "2026-11-20",
    "clinician": {"competencies": ["cbt"]},
    "client": {"age": 30},
    "concerns": ["depression"],
}
CASE_YAML = """\
format: referwell.case/1
id: bounded
as_of: 2026-11-20
clinician: {competencies: [cbt]}
client: {age: 30}
concerns: [depression]
"""
PYTHON_WORDS = ("recursion", "sys.set_int_max_str_digits", "utf-8-sig", "Traceback", "Errno")


def refused(call: object, *args: object, **kwargs: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    text = str(caught.value)
    assert not any(word in text for word in PYTHON_WORDS), text
    return caught.value


def only_error(refusal: InvalidInput) -> tuple[str, str]:
    assert len(refusal.errors) == 1, refusal.errors
    return refusal.errors[0].path, refusal.errors[0].message


# --- what is opened -------------------------------------------------------------------


def test_assess_refuses_dev_zero() -> None:
    path, message = only_error(refused(read_path, Path("/dev/zero")))
    assert path == "(file)"
    assert "/dev/zero is not a regular file" in message


def test_assess_refuses_dev_zero_from_the_command_line() -> None:
    """The command ends at once (exit 2, one line naming the file), never reading on."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "referwell"), "assess", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "/dev/zero is not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)
    _, message = only_error(refused(read_path, fifo))
    assert "is not a regular file" in message


def test_a_folder_where_a_file_is_expected_is_refused(tmp_path: Path) -> None:
    _, message = only_error(refused(read_path, tmp_path))
    assert "is a folder" in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    _, message = only_error(refused(read_path, tmp_path / "nowhere.json"))
    assert "cannot read" in message
    assert "No such file" in message


def test_a_settings_file_is_bounded_too() -> None:
    refusal = refused(load_settings, Path("/dev/zero"))
    assert refusal.what == "settings"
    assert refusal.errors[0].path == "(settings)"


# --- how much is read -------------------------------------------------------------------


def test_the_case_file_limit_is_10_mb_by_default_and_a_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REFERWELL_MAX_CASE_FILE_BYTES", raising=False)
    monkeypatch.delenv("REFERWELL_CONFIG", raising=False)
    assert load_max_case_file_bytes() == DEFAULT_MAX_CASE_FILE_BYTES == 10_000_000
    monkeypatch.setenv("REFERWELL_MAX_CASE_FILE_BYTES", "5000")
    assert load_max_case_file_bytes() == 5000
    monkeypatch.setenv("REFERWELL_MAX_CASE_FILE_BYTES", "12")
    with pytest.raises(ConfigError) as caught:
        load_max_case_file_bytes()
    assert caught.value.key == "max_case_file_bytes"


def test_a_case_file_over_the_limit_is_refused_having_read_one_byte_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "case.json"
    text = json.dumps(CASE)
    case.write_text(text + " " * (5000 - len(text)), encoding="utf-8")
    monkeypatch.setenv("REFERWELL_MAX_CASE_FILE_BYTES", "5000")
    assert read_path(case)["id"] == "bounded"  # exactly at the limit: read
    with case.open("a", encoding="utf-8") as more:
        more.write(" ")
    _, message = only_error(refused(read_path, case))
    assert "is larger than 5000 bytes" in message
    assert "max_case_file_bytes" in message
    assert "bounded" in read_path(case, max_bytes=5001)["id"]


def test_an_unusable_limit_is_refused_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE), encoding="utf-8")
    monkeypatch.setenv("REFERWELL_MAX_CASE_FILE_BYTES", "ten megabytes")
    path, message = only_error(refused(read_path, case))
    assert path == "max_case_file_bytes"
    assert "whole number" in message


def test_a_json_lines_file_is_bounded_per_line_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFERWELL_MAX_CASE_FILE_BYTES", "1000")
    lines = tmp_path / "cases.jsonl"
    long_line = json.dumps(CASE | {"id": "x" * 3000})
    lines.write_bytes(
        (json.dumps(CASE) + "\n" + long_line + "\n" + "\xff\n" + json.dumps(CASE) + "\n").encode(
            "utf-8"
        )[:-1]
    )
    found = list(iter_case_sources(lines))
    assert [name for name, _ in found] == [
        "cases.jsonl:1",
        "cases.jsonl:2",
        "cases.jsonl:3",
        "cases.jsonl:4",
    ]
    assert found[0][1]["id"] == "bounded"
    assert isinstance(found[1][1], InvalidInput)
    assert "longer than 1000 bytes" in str(found[1][1])
    assert isinstance(found[2][1], InvalidInput)
    assert found[3][1]["id"] == "bounded"


def test_a_json_lines_source_that_is_no_file_is_one_refusal() -> None:
    (name, refusal), *rest = list(iter_case_sources(Path("/dev/zero")))
    assert rest == []
    assert name == "zero"
    assert isinstance(refusal, InvalidInput)
    assert "not a regular file" in str(refusal)


# --- what is decoded --------------------------------------------------------------------


def test_a_json_file_with_a_bom_is_read_like_yaml_with_one(tmp_path: Path) -> None:
    as_json = tmp_path / "case.json"
    as_json.write_bytes(b"\xef\xbb\xbf" + json.dumps(CASE).encode())
    as_yaml = tmp_path / "case.yaml"
    as_yaml.write_bytes(b"\xef\xbb\xbf" + CASE_YAML.encode())
    unnamed = tmp_path / "case"
    unnamed.write_bytes(b"\xef\xbb\xbf" + json.dumps(CASE).encode())
    assert read_path(as_json) == read_path(as_yaml) == read_path(unnamed) == CASE
    assert parse_text("\ufeff" + json.dumps(CASE), "case.json") == CASE
    assessed = assess_file(as_json, RuleSettings())
    assert assessed.as_dict()["case_id"] == "bounded"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 50_000 + "1" + "}" * 50_000,
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        '{"format": "referwell.case/1", "x": ' + "[1, " * 40 + "2" + "]" * 40 + "}",
    ],
    ids=["lists", "objects", "just-too-deep", "deep-inside"],
)
def test_deep_nesting_in_json_is_refused_in_words(text: str) -> None:
    path, message = only_error(refused(parse_json, text))
    assert path == "(file)"
    assert message.startswith(f"nested too deeply (more than {MAX_DEPTH} levels")


def test_nesting_up_to_the_limit_and_brackets_in_strings_are_fine() -> None:
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert parse_json(json.dumps({"id": "[" * 100})) == {"id": "[" * 100}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "- " * 10_000 + "x",
        "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 60)) + "  " * 60 + "1",
        "{a: " * 5000 + "1" + "}" * 5000,
    ],
    ids=["flow", "block-lists", "block-maps", "flow-maps"],
)
def test_deep_nesting_in_yaml_is_refused_in_words(text: str) -> None:
    path, message = only_error(refused(parse_yaml, text))
    assert path == "(file)"
    assert message.startswith(f"nested too deeply (more than {MAX_DEPTH} levels")


@pytest.mark.parametrize(
    ("reader", "text"),
    [
        (parse_json, '{"client": {"age": ' + "9" * 5000 + "}}"),
        (parse_json, "-" + "1" * (MAX_DIGITS + 1)),
        (parse_yaml, "client: {age: " + "9" * 5000 + "}"),
        (parse_yaml, "age: 0x" + "f" * 5000),
    ],
    ids=["json", "json-negative", "yaml", "yaml-hex"],
)
def test_a_number_with_too_many_digits_is_refused_in_words(reader: object, text: str) -> None:
    path, message = only_error(refused(reader, text))
    assert path == "(file)"
    assert f"a number with more than {MAX_DIGITS} digits" in message


def test_a_number_of_many_digits_within_the_limit_is_refused_by_the_validator() -> None:
    from referwell.domain.caseformat import parse_case

    data = parse_json(json.dumps(CASE).replace('"age": 30', '"age": ' + "9" * MAX_DIGITS))
    path, message = only_error(refused(parse_case, data))
    assert path == "client.age"
    assert "from 0 to 120" in message


def test_record_ids_are_ascii_digits_within_the_databases_integer() -> None:
    from referwell.db.ids import MAX_RECORD_ID, record_id

    assert record_id("42") == record_id(" 42 ") == record_id(42) == 42
    assert record_id(str(MAX_RECORD_ID)) == MAX_RECORD_ID
    for no_id in (str(MAX_RECORD_ID + 1), "9" * 5000, "²", "١٢", "-1", "", "4 2", True, None, 1.0):
        assert record_id(no_id) is None, no_id


def test_questionnaire_answers_that_are_no_numbers_are_named_not_converted() -> None:
    from referwell.domain.measures.scoring import parse_answers

    assert parse_answers("1, 2,-1") == [1, 2, -1]
    assert parse_answers("²,١٢," + "9" * 5000) == ["²", "١٢", "9" * 5000]


@pytest.mark.parametrize(
    "text", ["attendance_window = " + "9" * 5000, "a = " + "[" * 5000 + "]" * 5000]
)
def test_a_settings_file_beyond_pythons_limits_is_refused_in_words(
    tmp_path: Path, text: str
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(text, encoding="utf-8")
    refusal = refused(load_settings, settings)
    assert refusal.what == "settings"
    assert "thousands of digits, or tables nested too deeply" in str(refusal)
