"""Use case: validate a case and assess it. The library call behind CLI, API and web."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from referwell.domain.assessment import assess_case
from referwell.domain.case import Case
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.settings import RuleSettings
from referwell.services.caseio import parse_text, read_path


def load_settings(path: Path | None) -> RuleSettings:
    """Rule settings from a TOML file of `name = value` lines (defaults for the rest)."""
    if path is None:
        return RuleSettings()
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(
            [FieldError("(settings)", f"cannot read {path}: {exc.strerror}")], "settings"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            [FieldError("(settings)", f"not valid TOML: {exc}")], "settings"
        ) from None
    return RuleSettings.from_mapping(values)


def settings_from(value: RuleSettings | Mapping[str, Any] | None) -> RuleSettings:
    if value is None:
        return RuleSettings()
    if isinstance(value, RuleSettings):
        return value
    return RuleSettings.from_mapping(value)


def assess(
    case: Mapping[str, Any] | str | Path | Case,
    settings: RuleSettings | Mapping[str, Any] | None = None,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """Assess a case given as decoded data, case-file text, a path or a `Case`.

    Returns the assessment object of the shared format; raises
    `referwell.domain.errors.InvalidInput` listing every error when the case is invalid.
    """
    rule_settings = settings_from(settings)
    if isinstance(case, Case):
        return assess_case(case, rule_settings).as_dict()
    if isinstance(case, Path):
        data: Any = read_path(case)
    elif isinstance(case, str):
        data = parse_text(case)
    else:
        data = case
    return assess_case(parse_case(data, today=today), rule_settings).as_dict()


CASE_SUFFIXES = (".json", ".yaml", ".yml")


def case_files(paths: list[Path]) -> list[Path]:
    """The case files named, with folders expanded (sorted; `*.expected.json` left out)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in CASE_SUFFIXES
                and not p.name.endswith(".expected.json")
            )
        else:
            out.append(path)
    return out


def assess_path(path: Path, settings: RuleSettings, today: date | None = None) -> dict[str, Any]:
    """Assess one case file; raise InvalidInput when it cannot be read or is invalid."""
    return assess_case(parse_case(read_path(path), today=today), settings).as_dict()
