"""Use cases: reading one client's record (the client page, the API's case and assessment).

Every read goes through the permission check, returns the case as of today
with a current assessment (recomputed first when stale), and is one read entry
in the audit log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.case_parts import (
    ClinicianFactor,
    Concern,
    Event,
    FinancialArrangement,
    Goal,
    Measure,
    PhysicalSymptom,
    ReferralReason,
    StepTaken,
    TherapySession,
)
from referwell.db.cases import case_dict
from referwell.db.models import Client, ClinicianCompetency, ClinicianTraining, User
from referwell.db.uow import UnitOfWork
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import InvalidInput
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.reports import case_outcome_report
from referwell.domain.settings import RuleSettings
from referwell.services.auditing import ReadAudit
from referwell.services.clients.freshness import current_assessment, practice_rule_settings
from referwell.services.errors import NotFound
from referwell.services.permissions import Permission, Person, client_access, require_permission


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
    case: Mapping[str, Any]  # the case as of `today`, in the shared format
    assessment: Mapping[str, Any] | None  # the current assessment; None if the case is invalid
    trajectories: tuple[Trajectory, ...]
    # The outcome report over the course (`domain.reports`); None if the case is invalid.
    outcomes: Mapping[str, Any] | None
    attendance: Mapping[str, int]
    today: date


# The parts of a case and the columns `case_dict` reads of them, in the order the ORM
# relationships of `Client` give them (see db/models.py).
_PARTS: dict[str, tuple[Any, tuple[Any, ...], tuple[Any, ...]]] = {
    "concerns": (Concern, (Concern.code,), (Concern.id,)),
    "physical_symptoms": (
        PhysicalSymptom,
        (PhysicalSymptom.symptom, PhysicalSymptom.medically_evaluated),
        (PhysicalSymptom.id,),
    ),
    "measures": (
        Measure,
        (Measure.instrument, Measure.date, Measure.items, Measure.total),
        (Measure.date, Measure.id),
    ),
    "sessions": (
        TherapySession,
        (TherapySession.date, TherapySession.attendance),
        (TherapySession.date, TherapySession.id),
    ),
    "events": (Event, (Event.date, Event.kind, Event.discussed), (Event.date, Event.id)),
    "clinician_factors": (ClinicianFactor, (ClinicianFactor.code,), (ClinicianFactor.id,)),
    "referral_reasons": (ReferralReason, (ReferralReason.code,), (ReferralReason.id,)),
    "steps_taken": (StepTaken, (StepTaken.step, StepTaken.date), (StepTaken.id,)),
    "goals": (Goal, (Goal.description, Goal.status), (Goal.id,)),
    "financial_arrangements": (
        FinancialArrangement,
        (FinancialArrangement.counterparty, FinancialArrangement.kind),
        (FinancialArrangement.id,),
    ),
}


def case_as_of(session: Session, client_id: int, as_of: date) -> tuple[dict[str, Any], Any]:
    """The client's case as of `as_of` in the canonical case format, and the client's row.

    The same document as `db.cases.case_dict_for_client`, read with plain
    (Core) queries instead of loading ORM objects: on the client page that is
    most of the time the database takes. `case_dict` builds the document, so
    the canonical form is written once; a test holds the two readers equal.
    """
    row = session.execute(select(Client.__table__).where(Client.id == client_id)).one_or_none()
    if row is None:
        raise NotFound("client", client_id)
    client = SimpleNamespace(**row._mapping)
    for attribute, (model, columns, order) in _PARTS.items():
        rows = session.execute(
            select(*columns).where(model.client_id == client_id).order_by(*order)
        )
        setattr(client, attribute, [SimpleNamespace(**part._mapping) for part in rows])
    codes = {}
    for model in (ClinicianCompetency, ClinicianTraining):
        codes[model] = list(
            session.scalars(
                select(model.code).where(model.user_id == client.clinician_id).order_by(model.id)
            )
        )
    case = case_dict(
        cast(Client, client),
        competencies=codes[ClinicianCompetency],
        in_training=codes[ClinicianTraining],
        as_of=as_of,
    )
    return case, client


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
    """The outcome report of a stored case in the shared format, from the summary the rules
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
    require_permission(actor, Permission.CLIENT_READ)
    with uow:
        access = client_access(uow.session, actor, client_id)
    stored = current_assessment(uow, client_id, access.practice_id, today=today, writes=writes)
    with uow:
        session = uow.session
        case, client = case_as_of(session, client_id, today)
        settings = practice_rule_settings(session, access.practice_id)
        clinician_name = session.scalar(
            select(User.display_name).where(User.id == access.clinician_id)
        )
        if clinician_name is None:  # pragma: no cover - removed while we read
            raise NotFound("client", client_id)
        record = ClientRecord(
            client_id=client_id,
            display_name=client.display_name,
            external_id=client.external_id,
            age=client.age,
            clinician_id=access.clinician_id,
            clinician_name=clinician_name,
            writable=access.writable,
            case=case,
            assessment=stored,
            trajectories=trajectories(case.get("measures", [])),
            outcomes=outcomes_of(case, today, settings),
            attendance=Counter(entry["attendance"] for entry in case.get("sessions", [])),
            today=today,
        )
    reads.record_read(actor, AuditAction.CLIENT_READ, target_type="client", target_ids=[client_id])
    return record


def client_case(
    uow: UnitOfWork, actor: Person, client_id: int, *, today: date, reads: ReadAudit
) -> dict[str, Any]:
    """The client's case as of `today`, in the shared case format."""
    require_permission(actor, Permission.CLIENT_READ)
    with uow:
        client_access(uow.session, actor, client_id)
        case, _ = case_as_of(uow.session, client_id, today)
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
    require_permission(actor, Permission.CLIENT_READ)
    with uow:
        access = client_access(uow.session, actor, client_id)
    result = current_assessment(uow, client_id, access.practice_id, today=today, writes=writes)
    reads.record_read(
        actor, AuditAction.ASSESSMENT_READ, target_type="client", target_ids=[client_id]
    )
    return result
