"""Use cases: the practice's rule settings, read and changed by its admin.

Only the values that differ from the documented defaults are stored, so a
practice follows a changed default unless it chose its own value. Every change
from a default needs a written reason, recorded with who made it and when
(`practice_setting_changes`) and audited; the windows behind the safety findings
cannot go below their floors. Changing a setting makes every stored assessment
of the practice stale, and every assessment made under changed settings names
them (`settings_changed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from referwell.db.audit import AuditAction
from referwell.db.models import Practice, PracticeSettingChange
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import MISSING, FieldError, InvalidInput
from referwell.domain.settings import (
    DEFAULTS,
    SAFETY_FLOORS,
    SETTING_DOCS,
    SETTING_MINIMUM,
    RuleSettings,
    SettingChange,
)
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.permissions import Permission, Person, require_permission

REASON_MAX: Final = 1000


@dataclass(frozen=True, slots=True)
class SettingView:
    name: str
    value: int
    default: int
    minimum: int
    meaning: str
    floor_reason: str | None  # why a safety window has its floor
    change: SettingChange | None  # who set it, when and why, when it differs from the default


@dataclass(frozen=True, slots=True)
class PracticeSettings:
    practice_name: str
    settings: tuple[SettingView, ...]


def reason_field(name: str) -> str:
    """The form field (and the error's path) of the reason for changing `name`."""
    return f"reason_{name}"


def practice_settings(uow: UnitOfWork, actor: Person) -> PracticeSettings:
    """The practice's rule settings with their defaults, floors, meanings and records."""
    require_permission(actor, Permission.ADMIN)
    with uow:
        return _view(uow, actor.practice_id)


def update_practice_settings(
    uow: UnitOfWork,
    actor: Person,
    values: Mapping[str, Any],
    reasons: Mapping[str, Any] | None = None,
) -> PracticeSettings:
    """Set the practice's rule settings. A setting set to a value other than its default,
    and other than it was, needs a reason (`reasons[name]`); every problem is reported by
    setting name (`attendance_window`) or reason field (`reason_attendance_window`), and
    nothing is saved then."""
    require_permission(actor, Permission.ADMIN)
    reasons = reasons or {}
    chosen = RuleSettings.from_mapping(values)  # InvalidInput, paths are the setting names
    defaults = DEFAULTS.as_dict()
    overrides = {name: value for name, value in chosen.as_dict().items() if value != defaults[name]}
    with uow:
        session = uow.session
        practice = session.get(Practice, actor.practice_id)
        if practice is None:  # pragma: no cover - every user has a practice
            raise NotFound("practice", actor.practice_id)
        before = dict(practice.rule_settings or {})
        changed = {name: value for name, value in overrides.items() if before.get(name) != value}
        errors = []
        given: dict[str, str] = {}
        for name in changed:
            reason = reasons.get(name)
            text = reason.strip() if isinstance(reason, str) else ""
            if not text:
                errors.append(
                    FieldError(
                        reason_field(name),
                        f"say why {name} differs from its default of {defaults[name]}: every "
                        "change from a default needs a written reason",
                        MISSING,
                    )
                )
            elif len(text) > REASON_MAX:
                errors.append(
                    FieldError(reason_field(name), f"give at most {REASON_MAX} characters")
                )
            else:
                given[name] = text
        if errors:
            raise InvalidInput(errors, what="settings")
        if before != overrides:
            practice.rule_settings = overrides
            for name, value in changed.items():
                session.add(
                    PracticeSettingChange(
                        practice_id=practice.id,
                        name=name,
                        value=value,
                        set_by=actor.username,
                        reason=given[name],
                    )
                )
            audit_write(
                session,
                actor,
                AuditAction.PRACTICE_SETTINGS_UPDATE,
                target_type="practice",
                target_ids=[practice.id],
            )
            uow.commit()
        return _view(uow, actor.practice_id)


def _view(uow: UnitOfWork, practice_id: int) -> PracticeSettings:
    practice = uow.session.get(Practice, practice_id)
    if practice is None:  # pragma: no cover - every user has a practice
        raise NotFound("practice", practice_id)
    settings = uow.practices.rule_settings(practice_id)
    records = {change.name: change for change in settings.changed}
    defaults = DEFAULTS.as_dict()
    return PracticeSettings(
        practice_name=practice.name,
        settings=tuple(
            SettingView(
                name=name,
                value=value,
                default=defaults[name],
                minimum=SETTING_MINIMUM[name],
                meaning=SETTING_DOCS[name],
                floor_reason=SAFETY_FLOORS.get(name),
                change=records.get(name),
            )
            for name, value in settings.as_dict().items()
        ),
    )
