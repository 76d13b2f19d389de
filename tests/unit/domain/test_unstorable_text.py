"""A NUL character or a lone surrogate in any string of a case is refused with its path.

PostgreSQL refuses NUL in text (SQLite would store it silently), and a lone
surrogate has no UTF-8: either would reach the database or a JSON answer and
fail there. The validator names the field instead, and no message it writes
carries either character.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from referwell.domain.caseformat import case_schema, parse_case
from referwell.domain.errors import UNSTORABLE, InvalidInput
from referwell.domain.storable import escaped, unstorable

# A case with every string field of the format filled in (codes, dates and free text).
FULL_CASE: dict[str, Any] = {
    "format": "referwell.case/1",
    "id": "full-case",
    "as_of": "2026-11-20",
    "clinician": {"competencies": ["cbt", "adults"], "in_training": ["dbt"]},
    "client": {
        "age": 34,
        "languages": ["en"],
        "postal_code": "80202",
        "insurance": ["payer-1"],
        "telehealth_ok": True,
        "preferences": {
            "clinician_gender": "any",
            "faith": "none given",
            "sliding_scale": False,
            "in_person": True,
        },
        "current_care": ["psychiatry"],
        "engagement": "active",
        "wants_to_end": False,
    },
    "format_of_care": "individual",
    "concerns": ["depression"],
    "physical_symptoms": [{"symptom": "fatigue", "medically_evaluated": False}],
    "measures": [{"instrument": "PHQ-9", "date": "2026-11-01", "total": 12}],
    "sessions": [{"date": "2026-11-13", "attendance": "attended"}],
    "events": [{"date": "2026-11-10", "kind": "self_harm", "discussed": True}],
    "clinician_factors": ["burnout"],
    "considering_referral_because": ["competence"],
    "steps_taken": ["supervision", {"step": "consultation", "date": "2026-11-02"}],
    "goals": [{"description": "Walk every day", "status": "progressing"}],
    "financial_arrangements": [{"with": "clinic-1", "kind": "referral_fee"}],
}


def string_leaves(value: Any, path: str = "") -> Iterator[tuple[str, list[Any]]]:
    """(path, route of keys and indices) of every string in `value`."""
    if isinstance(value, str):
        yield path, []
    elif isinstance(value, dict):
        for key, inner in value.items():
            for found, route in string_leaves(inner, f"{path}.{key}" if path else key):
                yield found, [key, *route]
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            for found, route in string_leaves(inner, f"{path}[{index}]"):
                yield found, [index, *route]


def schema_string_fields(schema: dict[str, Any], path: str = "") -> Iterator[str]:
    """Every field of the JSON Schema that may hold a string, as `measures[].date`."""
    kinds = [schema, *schema.get("oneOf", [])]
    if any(k.get("type") == "string" or "enum" in k or "const" in k for k in kinds):
        yield path
    for kind in kinds:
        for key, inner in kind.get("properties", {}).items():
            yield from schema_string_fields(inner, f"{path}.{key}" if path else key)
        if "items" in kind:
            yield from schema_string_fields(kind["items"], f"{path}[]")


def with_value(case: dict[str, Any], route: list[Any], value: str) -> dict[str, Any]:
    changed = copy.deepcopy(case)
    target: Any = changed
    for step in route[:-1]:
        target = target[step]
    target[route[-1]] = value
    return changed


def test_the_full_case_is_valid_and_has_every_string_field_of_the_format() -> None:
    parse_case(FULL_CASE)
    covered = {re.sub(r"\[\d+\]", "[]", path) for path, _ in string_leaves(FULL_CASE)}
    wanted = set(schema_string_fields(case_schema())) - {""}
    assert wanted <= covered, sorted(wanted - covered)


LEAVES = list(string_leaves(FULL_CASE))


@pytest.mark.parametrize(("path", "route"), LEAVES, ids=[path for path, _ in LEAVES])
def test_a_nul_in_any_string_is_refused_with_its_path(path: str, route: list[Any]) -> None:
    original: str = FULL_CASE
    for step in route:
        original = original[step]  # type: ignore[index]
    bad = with_value(FULL_CASE, route, original[:2] + "\x00" + original[2:])
    with pytest.raises(InvalidInput) as caught:
        parse_case(bad)
    errors = caught.value.errors
    assert [(e.path, e.message, e.kind) for e in errors] == [
        (path, "contains a NUL character (U+0000); remove it", UNSTORABLE)
    ]


@pytest.mark.parametrize(("path", "route"), LEAVES[:8], ids=[path for path, _ in LEAVES[:8]])
def test_a_lone_surrogate_in_a_string_is_refused_with_its_path(path: str, route: list[Any]) -> None:
    bad = with_value(FULL_CASE, route, "a\ud800b")
    with pytest.raises(InvalidInput) as caught:
        parse_case(bad)
    (error,) = caught.value.errors
    assert error.path == path
    assert "U+D800, half of a UTF-16 surrogate pair" in error.message


def test_a_nul_or_surrogate_in_a_key_is_shown_escaped() -> None:
    bad = FULL_CASE | {"no\x00te": "x", "cl\udcffient": {}}
    with pytest.raises(InvalidInput) as caught:
        parse_case(bad)
    paths = [error.path for error in caught.value.errors]
    assert "no\\u0000te" in paths
    assert "cl\\udcffient" in paths
    for error in caught.value.errors:
        assert unstorable(error.path) is None
        assert unstorable(error.message) is None
        (error.path + error.message).encode("utf-8")


def test_other_control_characters_are_stored_as_given() -> None:
    case = with_value(FULL_CASE, ["goals", 0, "description"], "Walk\tdaily\x01\x7f")
    assert parse_case(case).goals[0].description == "Walk\tdaily\x01\x7f"


def test_escaped_shows_only_what_cannot_be_stored() -> None:
    assert escaped("plain – text\t") == "plain – text\t"
    assert escaped("a\x00b\ud83dc") == "a\\u0000b\\ud83dc"
    assert unstorable("plain") is None
