"""Use case: a supervisor's worklist, screened as `referwell screen` screens a practice.

The clients of the supervisor's supervisees with a session in the last
`recent_days` are summarised in bulk on the caller's own database connection
(`clients_in_scope`, `screen_chunk`) under the practice's rule
settings, decided by the one rule engine and ordered as the CLI orders them
(`order_worklist`): most pressing first; within one recommendation the newest
dated trigger first, undated after dated, then by client id. Nothing is
stored. Viewing it is one read entry naming the clients shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import aliased

from referwell.db.audit import AuditAction
from referwell.db.models import Client, User
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import FieldError, InvalidInput
from referwell.services.auditing import ReadAudit
from referwell.services.permissions import Permission, Person, require_permission
from referwell.services.screening.rows import WorklistRow, order_worklist
from referwell.services.screening.screen import (
    DEFAULT_RECENT_DAYS,
    ScreenScope,
    clients_in_scope,
    screen_chunk,
)

MIN_RECENT_DAYS: Final = 1
MAX_RECENT_DAYS: Final = 3650
CHUNK_SIZE: Final = 1000  # clients summarised per round of queries


@dataclass(frozen=True, slots=True)
class WorklistEntry:
    """One screened client as the page shows it: its place, names, and the screen's row."""

    rank: int
    client_id: int
    display_name: str
    clinician_name: str
    row: WorklistRow


@dataclass(frozen=True, slots=True)
class Worklist:
    entries: tuple[WorklistEntry, ...]
    as_of: date
    recent_days: int

    @property
    def rows(self) -> list[WorklistRow]:
        return [entry.row for entry in self.entries]


def recent_days_from(value: str | int | None) -> int:
    """The `recent_days` asked for (default 90): a whole number of days from 1 to 3650;
    anything else is InvalidInput naming the field."""
    if value is None or value == "":
        return DEFAULT_RECENT_DAYS
    text = str(value).strip()
    if text.isdigit() and len(text) <= 6 and MIN_RECENT_DAYS <= int(text) <= MAX_RECENT_DAYS:
        return int(text)
    raise InvalidInput(
        [
            FieldError(
                "recent_days",
                f"expected a whole number of days from {MIN_RECENT_DAYS} to "
                f'{MAX_RECENT_DAYS}; got "{text[:20]}"',
            )
        ],
        what="worklist request",
    )


def supervision_worklist(
    uow: UnitOfWork,
    actor: Person,
    *,
    today: date,
    reads: ReadAudit,
    recent_days: int = DEFAULT_RECENT_DAYS,
) -> Worklist:
    """The actor's supervisees' clients seen in the last `recent_days`, screened and ordered."""
    require_permission(actor, Permission.SUPERVISOR)
    recent_days = recent_days_from(recent_days)
    with uow:
        session = uow.session
        scope = ScreenScope(
            as_of=today,
            settings=uow.practices.rule_settings(actor.practice_id),
            recent_days=recent_days,
            practice_id=actor.practice_id,
            clinician_ids=uow.staff.supervisee_ids(actor.user_id, actor.practice_id),
        )
        connection = session.connection()
        ids = clients_in_scope(connection, scope)
        clinician = aliased(User)
        screened: list[WorklistRow] = []
        names: dict[int, tuple[str, str]] = {}
        for start in range(0, len(ids), CHUNK_SIZE):
            chunk = ids[start : start + CHUNK_SIZE]
            screened.extend(screen_chunk(connection, scope, chunk))
            for client_id, name, clinician_name in session.execute(
                select(Client.id, Client.display_name, clinician.display_name)
                .join(clinician, clinician.id == Client.clinician_id)
                .where(Client.id.in_(chunk))
            ):
                names[client_id] = (name, clinician_name)
    rows = order_worklist(screened)
    entries = tuple(
        WorklistEntry(
            rank=rank,
            client_id=int(row.client),
            display_name=names[int(row.client)][0],
            clinician_name=names[int(row.client)][1],
            row=row,
        )
        for rank, row in enumerate(rows, start=1)
    )
    reads.record_read(
        actor,
        AuditAction.SCREEN_READ,
        target_type="client",
        target_ids=[entry.client_id for entry in entries],
    )
    return Worklist(entries=entries, as_of=today, recent_days=recent_days)
