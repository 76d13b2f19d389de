"""Every entry of a client's record as stored, in error or not, with its id: what the client
page lists (struck through when in error) and what a correction names.

The case (`cases.read_cases`) leaves out the entries in error; this reader keeps
them, with who marked them, when and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Final

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from referwell.db import case_parts as parts
from referwell.db.cases import PARTS, Part
from referwell.db.models import Episode, User


@dataclass(frozen=True, slots=True)
class ErrorMark:
    """Who marked an entry entered in error, when and why."""

    at: datetime
    by: str  # the user's display name; "" when unknown
    reason: str


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A goal's status from a day on."""

    status: str
    on: date
    by: str


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One stored entry: its part (a key of the case), its id, what it says (as the case
    format has it) and its mark when it is in error."""

    part: str
    id: int
    value: Any
    in_error: ErrorMark | None = None
    status_changes: tuple[StatusChange, ...] = ()

    @property
    def day(self) -> date | None:
        """The entry's date, for dated entries."""
        if isinstance(self.value, Mapping) and self.value.get("date") is not None:
            found = self.value["date"]
            return found if isinstance(found, date) else date.fromisoformat(str(found))
        return None


@dataclass(frozen=True, slots=True)
class EpisodeRecord:
    """An episode of care as the page shows it."""

    id: int
    opened_on: date
    closed_on: date | None
    closed_by: str
    close_reason: str | None


PARTS_BY_KEY: Final[Mapping[str, Part]] = {part.key: part for part in PARTS}


@cache
def _statements() -> dict[str, Any]:
    """The reader's statements, built once (building one costs more than running it: the
    client page reads every part on every view)."""
    marker = aliased(User)
    client: Any = bindparam("client_id")
    return {
        part.key: select(
            part.model.id,
            part.model.in_error_at,
            part.model.in_error_reason,
            marker.display_name,
            *part.columns,
        )
        .outerjoin(marker, marker.id == part.model.in_error_by)
        .where(part.model.client_id == client)
        .order_by(*part.order)
        for part in PARTS
    }


def read_entries(session: Session, client_id: int) -> dict[str, list[RecordEntry]]:
    """Every entry of every part of the client's record, in the case's order, in error or not."""
    out: dict[str, list[RecordEntry]] = {}
    statements = _statements()
    params = {"client_id": client_id}
    for part in PARTS:
        rows = []
        for entry_id, at, reason, by, *values in session.execute(statements[part.key], params):
            value = part.entry(*values)
            mark = ErrorMark(at, by or "", reason or "") if at is not None else None
            rows.append(RecordEntry(part.key, entry_id, value, mark))
        out[part.key] = rows
    changes = _goal_status_changes(session, [entry.id for entry in out.get("goals", [])])
    out["goals"] = [
        RecordEntry(e.part, e.id, e.value, e.in_error, changes.get(e.id, ()))
        for e in out.get("goals", [])
    ]
    return out


def _goal_status_changes(
    session: Session, goal_ids: list[int]
) -> dict[int, tuple[StatusChange, ...]]:
    if not goal_ids:
        return {}
    by_goal: dict[int, list[StatusChange]] = {}
    for goal_id, status, on, by in session.execute(_goal_changes_statement(), {"goals": goal_ids}):
        by_goal.setdefault(goal_id, []).append(StatusChange(status, on, by or ""))
    return {goal_id: tuple(rows) for goal_id, rows in by_goal.items()}


@cache
def _goal_changes_statement() -> Any:
    change = parts.GoalStatusChange
    return (
        select(change.goal_id, change.status, change.on, User.display_name)
        .outerjoin(User, User.id == change.changed_by)
        .where(change.goal_id.in_(bindparam("goals", expanding=True)))
        .order_by(change.goal_id, change.id)
    )


@cache
def _episodes_statement() -> Any:
    closer = aliased(User)
    return (
        select(
            Episode.id,
            Episode.opened_on,
            Episode.closed_on,
            closer.display_name,
            Episode.close_reason,
        )
        .outerjoin(closer, closer.id == Episode.closed_by)
        .where(Episode.client_id == bindparam("client_id"))
        .order_by(Episode.id)
    )


def read_episodes(session: Session, client_id: int) -> list[EpisodeRecord]:
    """The client's episodes of care, oldest first."""
    return [
        EpisodeRecord(episode_id, opened_on, closed_on, by or "", reason)
        for episode_id, opened_on, closed_on, by, reason in session.execute(
            _episodes_statement(), {"client_id": client_id}
        )
    ]


def current_episode_start(session: Session, client_id: int) -> date | None:
    """The day the client's latest episode of care opened (None: no episode recorded)."""
    opened: date | None = session.scalar(
        select(Episode.opened_on)
        .where(Episode.client_id == client_id)
        .order_by(Episode.id.desc())
        .limit(1)
    )
    return opened
