"""The directory's test files, and the HSDS 3.0 schemas an export is checked against.

`fixtures/hsds-3.0/` is the specification's schemas and examples, copied unchanged with
their licence and attribution (CC BY-SA 4.0, `ATTRIBUTION.md`); `fixtures/directory/` holds
files of our own (synthetic: no real practice or person).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HSDS = FIXTURES / "hsds-3.0"
HSDS_EXAMPLES = HSDS / "examples"
HSDS_SCHEMAS = HSDS / "schema"
OWN = FIXTURES / "directory"
PRACTICES_CSV = OWN / "hsds-practices"  # three practices, seven services, as a CSV package
PRACTICES_JSON = OWN / "hsds-practices.json"  # the same, nested as organizations


@cache
def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in sorted(HSDS_SCHEMAS.glob("*.json"))
        if path.name != "openapi.json"
    ]
    return Registry().with_resources(resources)


@cache
def hsds_validator(schema: str) -> Draft202012Validator:
    """A validator for one HSDS object (`organization.json`), its `$ref`s resolved among the
    schemas and its formats (uuid, email, uri, date-time) checked."""
    return Draft202012Validator(
        json.loads((HSDS_SCHEMAS / schema).read_text()),
        registry=_registry(),
        format_checker=FormatChecker(),
    )


def hsds_export_errors(organizations: list[dict[str, Any]]) -> Iterator[str]:
    """Every schema error of an HSDS export: each organization against `organization.json`
    and each service against `service.json` (organization.json declares no `services`, so it
    would let any pass)."""
    for index, organization in enumerate(organizations):
        for error in hsds_validator("organization.json").iter_errors(organization):
            yield f"[{index}].{error.json_path}: {error.message}"
        for number, service in enumerate(organization.get("services", [])):
            for error in hsds_validator("service.json").iter_errors(service):
                yield f"[{index}].services[{number}].{error.json_path}: {error.message}"
