"""Repositories for the queries that several use cases repeat; the unit of work holds them.

Not every query has one: a query one use case makes stays with it. These are
read in several places, so a change to them is made once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from referwell.db.models import Practice, PracticeSettingChange, User
from referwell.domain.settings import RuleSettings, SettingChange


class Practices:
    """What the use cases read of a practice."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def rule_settings(self, practice_id: int) -> RuleSettings:
        """The practice's rule settings: its overrides over the documented defaults, with
        who set each changed one, when and why."""
        return self.rule_settings_by_practice(practice_id).get(practice_id, RuleSettings())

    def rule_settings_by_practice(self, practice_id: int | None = None) -> dict[int, RuleSettings]:
        """Every practice's rule settings (or only `practice_id`'s), by practice id."""
        query = select(Practice.id, Practice.rule_settings).order_by(Practice.id)
        if practice_id is not None:
            query = query.where(Practice.id == practice_id)
        found = {
            found_id: RuleSettings.from_mapping(overrides or {}, where="practice.rule_settings")
            for found_id, overrides in self._session.execute(query)
        }
        changed = [pid for pid, settings in found.items() if settings.differing()]
        records = self.setting_records(changed)
        return {
            pid: settings.with_changes(records.get(pid, ())) if pid in changed else settings
            for pid, settings in found.items()
        }

    def setting_records(self, practice_ids: list[int]) -> dict[int, list[SettingChange]]:
        """The newest record of each setting of these practices (who, when, why)."""
        if not practice_ids:
            return {}
        newest = (
            select(func.max(PracticeSettingChange.id))
            .where(PracticeSettingChange.practice_id.in_(practice_ids))
            .group_by(PracticeSettingChange.practice_id, PracticeSettingChange.name)
        )
        out: dict[int, list[SettingChange]] = {}
        for row in self._session.scalars(
            select(PracticeSettingChange).where(PracticeSettingChange.id.in_(newest))
        ):
            out.setdefault(row.practice_id, []).append(
                SettingChange(
                    name=row.name,
                    value=row.value,
                    default=getattr(RuleSettings(), row.name, row.value),
                    set_by=row.set_by,
                    set_at=row.set_at.isoformat(timespec="seconds"),
                    reason=row.reason,
                )
            )
        return out


class Staff:
    """Who works with whom in a practice."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @staticmethod
    def supervisees_of(supervisor_id: int, practice_id: int) -> Any:
        """A subquery of the ids of the users `supervisor_id` supervises in the practice."""
        supervisee = aliased(User)
        return select(supervisee.id).where(
            supervisee.supervisor_id == supervisor_id, supervisee.practice_id == practice_id
        )

    def supervisee_ids(self, supervisor_id: int, practice_id: int) -> tuple[int, ...]:
        """The ids of the users `supervisor_id` supervises in the practice."""
        return tuple(self._session.scalars(self.supervisees_of(supervisor_id, practice_id)))
