"""Use cases: the practice's rule settings, read and changed by its admin.

Only the values that differ from the documented defaults are stored, so a
practice follows a changed default unless it chose its own value. Changing a
setting makes every stored assessment of the practice stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from referwell.db.audit import AuditAction
from referwell.db.models import Practice
from referwell.db.uow import UnitOfWork
from referwell.domain.settings import SETTING_DOCS, SETTING_MINIMUM, RuleSettings
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.permissions import Permission, Person, require_permission


@dataclass(frozen=True, slots=True)
class SettingView:
    name: str
    value: int
    default: int
    minimum: int
    meaning: str


@dataclass(frozen=True, slots=True)
class PracticeSettings:
    practice_name: str
    settings: tuple[SettingView, ...]


def practice_settings(uow: UnitOfWork, actor: Person) -> PracticeSettings:
    """The practice's rule settings with their defaults and meanings."""
    require_permission(actor, Permission.ADMIN)
    with uow:
        practice = uow.session.get(Practice, actor.practice_id)
        if practice is None:  # pragma: no cover - every user has a practice
            raise NotFound("practice", actor.practice_id)
        return _view(practice)


def update_practice_settings(
    uow: UnitOfWork, actor: Person, values: Mapping[str, Any]
) -> PracticeSettings:
    """Set the practice's rule settings; every problem is reported by setting name."""
    require_permission(actor, Permission.ADMIN)
    chosen = RuleSettings.from_mapping(values)  # InvalidInput, paths are the setting names
    defaults = RuleSettings().as_dict()
    overrides = {name: value for name, value in chosen.as_dict().items() if value != defaults[name]}
    with uow:
        session = uow.session
        practice = session.get(Practice, actor.practice_id)
        if practice is None:  # pragma: no cover - every user has a practice
            raise NotFound("practice", actor.practice_id)
        if practice.rule_settings != overrides:
            practice.rule_settings = overrides
            audit_write(
                session,
                actor,
                AuditAction.PRACTICE_SETTINGS_UPDATE,
                target_type="practice",
                target_ids=[practice.id],
            )
            uow.commit()
        return _view(practice)


def _view(practice: Practice) -> PracticeSettings:
    values = RuleSettings.from_mapping(practice.rule_settings or {}).as_dict()
    defaults = RuleSettings().as_dict()
    return PracticeSettings(
        practice_name=practice.name,
        settings=tuple(
            SettingView(
                name=name,
                value=value,
                default=defaults[name],
                minimum=SETTING_MINIMUM[name],
                meaning=SETTING_DOCS[name],
            )
            for name, value in values.items()
        ),
    )
