"""Repositories for the queries that several use cases repeat; the unit of work holds them.

Not every query has one: a query one use case makes stays with it. These are
read in several places, so a change to them is made once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from referwell.db.models import Practice, User
from referwell.domain.settings import RuleSettings


class Practices:
    """What the use cases read of a practice."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def rule_settings(self, practice_id: int) -> RuleSettings:
        """The practice's rule settings: its overrides over the documented defaults."""
        overrides = self._session.scalar(
            select(Practice.rule_settings).where(Practice.id == practice_id)
        )
        return RuleSettings.from_mapping(overrides or {}, where="practice.rule_settings")

    def rule_settings_by_practice(self, practice_id: int | None = None) -> dict[int, RuleSettings]:
        """Every practice's rule settings (or only `practice_id`'s), by practice id."""
        query = select(Practice.id, Practice.rule_settings).order_by(Practice.id)
        if practice_id is not None:
            query = query.where(Practice.id == practice_id)
        return {
            found_id: RuleSettings.from_mapping(overrides or {}, where="practice.rule_settings")
            for found_id, overrides in self._session.execute(query)
        }


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
