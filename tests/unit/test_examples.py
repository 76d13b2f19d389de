"""Every shipped example passes as its `*.expected.json` says (docs/case-format.md, Examples).

The examples ship with the package (`src/referwell/examples/`) and are read
through it, so the tests need nothing beside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from referwell import assess
from shipped_examples import EXAMPLES

CASES = sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json"))


def _expected(case_path: Path) -> dict[str, Any]:
    return json.loads(case_path.with_name(case_path.stem + ".expected.json").read_text("utf-8"))


def test_examples_are_found() -> None:
    assert len(CASES) >= 8
    for path in CASES:
        assert path.with_name(path.stem + ".expected.json").is_file(), path.name


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_example_assesses_as_expected(path: Path) -> None:
    expected = _expected(path)
    assessment = assess(path)
    findings = [f["kind"] for f in assessment["findings"]]
    cautions = [c["kind"] for c in assessment["cautions"]]
    services = [n["service"] for n in assessment["referral_needs"]]

    assert assessment["recommendation"] == expected["recommendation"]
    for kind in expected["finding_kinds"]:
        assert kind in findings, f"{kind} missing from {findings}"
    for kind in expected["caution_kinds"]:
        assert kind in cautions, f"{kind} missing from {cautions}"
    for service in expected["services"]:
        assert service in services, f"{service} missing from {services}"
    for kind in expected.get("absent_finding_kinds", []):
        assert kind not in findings, f"{kind} should be absent: {findings}"
    for kind in expected.get("absent_caution_kinds", []):
        assert kind not in cautions, f"{kind} should be absent: {cautions}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_example_assessment_has_the_spec_shape(path: Path) -> None:
    assessment = assess(path)
    case = json.loads(path.read_text("utf-8"))
    assert assessment["format"] == "referwell.assessment/1"
    assert assessment["case_id"] == case["id"]
    assert assessment["as_of"] == case["as_of"]
    assert isinstance(assessment["headline"], str)
    assert assessment["headline"].strip()
    for finding in assessment["findings"]:
        assert set(finding) >= {
            "kind",
            "recommendation",
            "severity",
            "summary",
            "evidence",
            "actions",
            "citations",
        }
        assert finding["evidence"], finding["kind"]
        assert finding["actions"], finding["kind"]
        assert finding["citations"], finding["kind"]
    # The JSON text and the dict agree: the library call and `--format json` speak one object.
    assert json.loads(json.dumps(assessment)) == assessment


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_example_reads_the_same_from_text_dict_and_path(path: Path) -> None:
    text = path.read_text("utf-8")
    from_path = assess(path)
    assert assess(text) == from_path
    assert assess(json.loads(text)) == from_path
