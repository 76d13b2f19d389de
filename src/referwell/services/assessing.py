"""Use cases: validate a case and assess it. The library call behind the CLI, and the JSON
API's stateless assessment under the practice's rule settings.

Only the domain, PyYAML and the standard library load with this module: `referwell
assess` starts without the database or the web libraries.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from referwell.domain.assessment import Assessment, assess_case
from referwell.domain.case import Case
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.settings import DEFAULTS, RuleSettings, SettingChange
from referwell.services.caseio import parse_text, read_bounded, read_path, utf8_text

if TYPE_CHECKING:
    from referwell.db.uow import UnitOfWork
    from referwell.services.permissions import Person


REASONS_TABLE = "reasons"
TOML_TOO_BIG = "a number of thousands of digits, or tables nested too deeply: not rule settings"


def load_settings(path: Path | None) -> RuleSettings:
    """Rule settings from a TOML file of `name = value` lines (defaults for the rest), each
    change from a default with its reason in the `[reasons]` table (`name = "why"`). An
    assessment under them names the file as who set them, and its date."""
    if path is None:
        return RuleSettings()
    raw = read_bounded(path, where="(settings)", what="settings")
    try:
        text = utf8_text(raw, "(settings)", "save the settings file as UTF-8")
        document = tomllib.loads(text)
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise InvalidInput(
            [FieldError("(settings)", f"cannot read {path}: {exc.strerror}")], "settings"
        ) from None
    except InvalidInput as exc:
        raise InvalidInput(exc.errors, "settings") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            [FieldError("(settings)", f"not valid TOML: {exc}")], "settings"
        ) from None
    except (ValueError, RecursionError):  # Python's own limits, in its own words: say it in ours
        raise InvalidInput([FieldError("(settings)", TOML_TOO_BIG)], "settings") from None
    reasons = document.pop(REASONS_TABLE, {})
    errors = []
    if not isinstance(reasons, dict):
        errors.append(FieldError(REASONS_TABLE, 'expected a table: [reasons] name = "why"'))
        reasons = {}
    try:
        settings = RuleSettings.from_mapping(document)
    except InvalidInput as refused:
        errors = [*refused.errors, *errors]
        settings = RuleSettings()
    for name in settings.differing():
        reason = reasons.get(name)
        if not isinstance(reason, str) or not reason.strip():
            errors.append(
                FieldError(
                    f"{REASONS_TABLE}.{name}",
                    f"say why {name} differs from its default of {getattr(DEFAULTS, name)}: "
                    f'add `{name} = "…"` under [{REASONS_TABLE}]',
                )
            )
    for name in reasons:
        if name not in document:
            errors.append(
                FieldError(f"{REASONS_TABLE}.{name}", f"a reason for {name}, which is not set")
            )
    if errors:
        raise InvalidInput(errors, "settings")
    return settings.with_changes(
        SettingChange(
            name=name,
            value=getattr(settings, name),
            default=getattr(DEFAULTS, name),
            set_by=f"settings file {path.name}",
            set_at=modified.date().isoformat(),
            reason=reasons[name].strip(),
        )
        for name in settings.differing()
    )


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

    Returns the assessment object of the assessment format; raises
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


def assess_path(path: Path, settings: RuleSettings, today: date | None = None) -> dict[str, Any]:
    """Assess one case file (its JSON document); raise InvalidInput when it cannot be read or
    is invalid."""
    return assess_file(path, settings, today).as_dict()


def assess_file(path: Path, settings: RuleSettings, today: date | None = None) -> Assessment:
    """Assess one case file: the assessment, for its JSON (`as_dict`) or its words
    (`display`); raise InvalidInput when it cannot be read or is invalid."""
    return assess_case(parse_case(read_path(path), today=today), settings)


def assess_for_practice(
    uow: UnitOfWork, actor: Person, data: Any, *, today: date
) -> dict[str, Any]:
    """Assess a decoded case under the rule settings of the actor's practice (the JSON API's
    `POST /api/v1/assess`); nothing is stored. Raises InvalidInput listing every error."""
    from referwell.services.permissions import Permission, require_permission

    require_permission(actor, Permission.CLINICAL)
    case = parse_case(data, today=today)
    with uow:
        settings = uow.practices.rule_settings(actor.practice_id)
    return assess_case(case, settings).as_dict()
