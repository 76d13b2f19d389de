"""Use cases: supervision and consultation recorded from a finding, and the supervisor's log.

When a finding's (or caution's) actions call for supervision or consultation
(`domain.growth.steps`), the clinician records it from the finding in one step: the dated
`supervision` or `consultation` step goes into the case through `entries.add_step` (which
checks the date as any date entered by hand, reassesses and audits), and in the same
transaction the record keeps with whom, a short note and the finding it answered, in its
own table: the note is in no case, no export and no CSV. The supervisor's log lists, per
supervisee, their supervision by day and with whom, with the clients discussed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.growth.models import SupervisedHours, SupervisionRecord
from referwell.db.models import Client, User
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import MISSING, FieldError, InvalidInput
from referwell.domain.growth.entries import step_record_entry
from referwell.services.auditing import ReadAudit, audit_write
from referwell.services.clients.entries import Saved, add_step
from referwell.services.growth.team import clinician_id_of, supervisee, supervisees
from referwell.services.permissions import Permission, Person, client_access, require_person


def record_from_finding(
    uow: UnitOfWork, actor: Person, client_id: int, *, today: date, fields: Mapping[str, Any]
) -> Saved:
    """Record supervision or consultation (`step`) on a day (`date`) with someone
    (`with_whom`), a note kept out of every export (`note`) and the finding it answers
    (`answers`). InvalidInput names the form's fields; a date the record refuses comes as
    `RecordRefused` (its error at `steps_taken[n].date`)."""
    require_person(actor, Permission.CLIENT_WRITE)
    errors: list[FieldError] = []
    try:
        entry = step_record_entry(fields)
    except InvalidInput as refused:
        errors += refused.errors
    raw_day = fields.get("date")
    day = raw_day.strip() if isinstance(raw_day, str) else ""
    if not day:
        errors.append(FieldError("date", "Give the date.", MISSING))
    if errors:
        raise InvalidInput(errors, "supervision_record")

    def also(session: Session, client: Client) -> None:
        record = SupervisionRecord(
            client_id=client.id,
            clinician_id=actor.user_id,
            step=entry.step,
            day=date.fromisoformat(day),
            with_whom=entry.with_whom,
            note=entry.note,
            answers=entry.answers,
        )
        session.add(record)
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.SUPERVISION_RECORD,
            target_type="supervision_record",
            target_ids=[record.id],
        )

    return add_step(uow, actor, client_id, today=today, step=entry.step, day=day, also=also)


@dataclass(frozen=True, slots=True)
class RecordView:
    ref: int
    step: str
    day: date
    with_whom: str
    note: str | None
    answers: str | None


def client_records(uow: UnitOfWork, actor: Person, client_id: int) -> tuple[RecordView, ...]:
    """The supervision and consultation recorded for a client, newest first (its clinician
    and that clinician's supervisor)."""
    require_person(actor, Permission.CLIENT_READ)
    with uow:
        session = uow.session
        client_access(session, actor, client_id)
        rows = session.scalars(
            select(SupervisionRecord)
            .where(SupervisionRecord.client_id == client_id)
            .order_by(SupervisionRecord.day.desc(), SupervisionRecord.id.desc())
        )
        return tuple(RecordView(r.id, r.step, r.day, r.with_whom, r.note, r.answers) for r in rows)


@dataclass(frozen=True, slots=True)
class ClientDiscussed:
    client_id: int
    display_name: str
    external_id: str
    answers: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One day's supervision (or consultation) with one person, and the clients discussed."""

    day: date
    step: str
    with_whom: str
    clients: tuple[ClientDiscussed, ...]


@dataclass(frozen=True, slots=True)
class SupervisedLine:
    day: date
    code: str
    with_whom: str
    hours: float


@dataclass(frozen=True, slots=True)
class SupervisionLog:
    """A supervisee's log (None when the supervisor has none), and whom else to choose."""

    supervisees: tuple[tuple[int, str], ...]
    clinician_id: int | None
    clinician_name: str
    entries: tuple[LogEntry, ...]
    hours: tuple[SupervisedLine, ...]


def supervision_log(
    uow: UnitOfWork, actor: Person, *, clinician_id: Any = None, reads: ReadAudit
) -> SupervisionLog:
    """The supervision log of one supervisee (`clinician_id`; the first by name when none is
    given): each day's supervision and consultation with the clients discussed, and the
    supervised hours they logged. Audited as a read naming the clients shown."""
    require_person(actor, Permission.SUPERVISOR)
    with uow:
        session = uow.session
        team = supervisees(session, actor)
        chooser = tuple((user.id, user.display_name) for user in team)
        wanted = clinician_id_of(clinician_id) if clinician_id not in (None, "") else None
        if clinician_id not in (None, "") and wanted is None:
            raise InvalidInput(
                [FieldError("clinician", "Choose one of your supervisees.")], "supervision_log"
            )
        if wanted is None:
            if not team:
                return SupervisionLog(chooser, None, "", (), ())
            wanted = team[0].id
        user: User = supervisee(session, actor, wanted)
        rows = session.execute(
            select(SupervisionRecord, Client.display_name, Client.external_id)
            .join(Client, Client.id == SupervisionRecord.client_id)
            .where(SupervisionRecord.clinician_id == user.id)
            .order_by(
                SupervisionRecord.day.desc(),
                SupervisionRecord.with_whom,
                SupervisionRecord.step,
                SupervisionRecord.id,
            )
        ).all()
        grouped: dict[tuple[date, str, str], list[ClientDiscussed]] = {}
        for record, name, external_id in rows:
            grouped.setdefault((record.day, record.step, record.with_whom), []).append(
                ClientDiscussed(record.client_id, name, external_id, record.answers, record.note)
            )
        hours = session.scalars(
            select(SupervisedHours)
            .where(SupervisedHours.user_id == user.id, SupervisedHours.in_error_at.is_(None))
            .order_by(SupervisedHours.day.desc(), SupervisedHours.id.desc())
        )
        log = SupervisionLog(
            chooser,
            user.id,
            user.display_name,
            tuple(
                LogEntry(day, step, with_whom, tuple(clients))
                for (day, step, with_whom), clients in grouped.items()
            ),
            tuple(SupervisedLine(h.day, h.code, h.with_whom, h.hours) for h in hours),
        )
    shown = sorted({c.client_id for entry in log.entries for c in entry.clients})
    reads.record_read(
        actor, AuditAction.SUPERVISION_LOG_READ, target_type="client", target_ids=shown
    )
    return log
