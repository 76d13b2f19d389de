"""Use cases: reading one client's record (the client page, the API's case and assessment).

Every read goes through the permission check, returns the case as of today
with a current assessment (recomputed first when stale), and is one read entry
in the audit log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.cases import ClientNotFoundError, StoredCase, read_case
from referwell.db.models import Client, User
from referwell.db.record_entries import EpisodeRecord, RecordEntry, read_entries, read_episodes
from referwell.db.uow import UnitOfWork
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import InvalidInput
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.reports import case_outcome_report
from referwell.domain.settings import RuleSettings
from referwell.services.auditing import ReadAudit
from referwell.services.clients.freshness import Current, current_assessment
from referwell.services.clients.links import LinkRow, link_rows
from referwell.services.directory.search import record_options
from referwell.services.errors import NotFound
from referwell.services.permissions import (
    ClientAccess,
    Permission,
    Person,
    client_access,
    require_permission,
)


@dataclass(frozen=True, slots=True)
class TrajectoryPoint:
    """One score, its change from the first, and whether that change is reliable."""

    day: date
    total: int
    change: int | None  # None for the first score
    marker: str | None  # "reliable_improvement", "reliable_deterioration" or None


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One questionnaire's scores over time, with what a chart needs to draw around them."""

    instrument: str
    title: str
    caseness_cutoff: int
    total_max: int
    reliable_change: int | None
    points: tuple[TrajectoryPoint, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "title": self.title,
            "caseness_cutoff": self.caseness_cutoff,
            "total_max": self.total_max,
            "reliable_change": self.reliable_change,
            "points": [
                {
                    "date": point.day.isoformat(),
                    "total": point.total,
                    "change": point.change,
                    "marker": point.marker,
                }
                for point in self.points
            ],
        }


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """What the client page shows."""

    client_id: int
    display_name: str
    external_id: str
    age: int
    clinician_id: int
    clinician_name: str
    writable: bool
    case: Mapping[str, Any]  # the case as of `today`, in the case format (canonical)
    assessment: Mapping[str, Any] | None  # the current assessment; None if the case is invalid
    display: Mapping[str, Any] | None  # the same in words for people (`Assessment.display`)
    trajectories: tuple[Trajectory, ...]
    # The outcome report over the course (`domain.reports`); None if the case is invalid.
    outcomes: Mapping[str, Any] | None
    attendance: Mapping[str, int]
    today: date
    # Every stored entry by part of the case (`case_parts`), in error or not.
    entries: Mapping[str, Sequence[RecordEntry]] = field(default_factory=dict)
    episodes: Sequence[EpisodeRecord] = ()
    discharged_on: date | None = None
    links: Sequence[LinkRow] = ()  # one-time questionnaire links, newest first
    # Beside each referral need its best options (`directory.search.CaseAnswers`); None
    # when no referral is needed.
    referral_options: Any = None


def trajectories(measures: Sequence[Mapping[str, Any]]) -> tuple[Trajectory, ...]:
    """Each instrument's scores in date order, marked where the change from the first is reliable."""
    by_instrument: dict[str, list[tuple[date, int]]] = {}
    for entry in measures:  # the case lists them in date order
        total = sum(entry["items"]) if "items" in entry else int(entry["total"])
        by_instrument.setdefault(entry["instrument"], []).append(
            (date.fromisoformat(entry["date"]), total)
        )
    out = []
    for code, instrument in INSTRUMENTS.items():
        scores = by_instrument.get(code)
        if not scores:
            continue
        first = scores[0][1]
        points = []
        for index, (day, total) in enumerate(scores):
            marker = None
            if index and instrument.reliable_improvement(first, total):
                marker = "reliable_improvement"
            elif index and instrument.reliable_deterioration(first, total):
                marker = "reliable_deterioration"
            points.append(TrajectoryPoint(day, total, total - first if index else None, marker))
        out.append(
            Trajectory(
                instrument=code,
                title=instrument.title,
                caseness_cutoff=instrument.caseness_cutoff,
                total_max=instrument.total_max,
                reliable_change=instrument.reliable_change,
                points=tuple(points),
            )
        )
    return tuple(out)


def outcomes_of(
    case: Mapping[str, Any], today: date, settings: RuleSettings
) -> dict[str, Any] | None:
    """The outcome report of a stored case in the case format, from the summary the rules
    read; None when the stored case does not validate (the page then says so)."""
    try:
        parsed = parse_case(case, today=today)
    except InvalidInput:
        return None
    return case_outcome_report(parsed, settings)


def client_record(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    *,
    today: date,
    reads: ReadAudit,
    writes: UnitOfWork | None = None,
) -> ClientRecord:
    """The client page: case, current assessment, trajectories, outcomes, attendance.

    A stale assessment is recomputed first, in a transaction of `writes`
    (default `uow`).
    """
    access, current = _current(uow, actor, client_id, today, writes)
    with uow:
        session = uow.session
        stored_case = _read(session, client_id, today)
        case = stored_case.case
        settings = uow.practices.rule_settings(access.practice_id)
        clinician_name = session.scalar(
            select(User.display_name).where(User.id == access.clinician_id)
        )
        if clinician_name is None:  # pragma: no cover - removed while we read
            raise NotFound("client", client_id)
        record = ClientRecord(
            client_id=client_id,
            display_name=stored_case.display_name,
            external_id=stored_case.external_id,
            age=case["client"]["age"],
            clinician_id=access.clinician_id,
            clinician_name=clinician_name,
            writable=access.writable,
            case=case,
            assessment=current.result if current else None,
            display=current.display if current else None,
            trajectories=trajectories(case.get("measures", [])),
            outcomes=outcomes_of(case, today, settings),
            attendance=Counter(entry["attendance"] for entry in case.get("sessions", [])),
            today=today,
            entries=read_entries(session, client_id),
            episodes=read_episodes(session, client_id),
            discharged_on=session.scalar(
                select(Client.discharged_on).where(Client.id == client_id)
            ),
            links=link_rows(session, client_id),
        )
    record = replace(
        record,
        referral_options=record_options(uow, actor, case, record.assessment, today=today),
    )
    reads.record_read(actor, AuditAction.CLIENT_READ, target_type="client", target_ids=[client_id])
    return record


def client_case(
    uow: UnitOfWork, actor: Person, client_id: int, *, today: date, reads: ReadAudit
) -> dict[str, Any]:
    """The client's case as of `today`, in the case format."""
    require_permission(actor, Permission.CLIENT_READ)
    with uow:
        client_access(uow.session, actor, client_id)
        case = _read(uow.session, client_id, today).case
    reads.record_read(actor, AuditAction.CLIENT_READ, target_type="client", target_ids=[client_id])
    return case


def client_assessment(
    uow: UnitOfWork,
    actor: Person,
    client_id: int,
    *,
    today: date,
    reads: ReadAudit,
    writes: UnitOfWork | None = None,
) -> dict[str, Any] | None:
    """The client's current assessment (recomputed first when stale); None if the case is invalid."""
    _, current = _current(uow, actor, client_id, today, writes)
    result = current.result if current else None
    reads.record_read(
        actor, AuditAction.ASSESSMENT_READ, target_type="client", target_ids=[client_id]
    )
    return result


def _current(
    uow: UnitOfWork, actor: Person, client_id: int, today: date, writes: UnitOfWork | None
) -> tuple[ClientAccess, Current | None]:
    """The permission check for reading the client, then its current assessment (a stale
    one recomputed first, in a transaction of `writes`, default `uow`)."""
    require_permission(actor, Permission.CLIENT_READ)
    with uow:
        access = client_access(uow.session, actor, client_id)
    stored = current_assessment(uow, client_id, access.practice_id, today=today, writes=writes)
    return access, stored


def _read(session: Session, client_id: int, today: date) -> StoredCase:
    """The client's stored case as of today; removed while we read: `NotFound`."""
    try:
        return read_case(session, client_id, today)
    except ClientNotFoundError:  # pragma: no cover - removed between the check and the read
        raise NotFound("client", client_id) from None
