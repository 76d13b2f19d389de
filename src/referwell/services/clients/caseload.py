"""Use case: a clinician's caseload; and the listing the supervisor's list shares with it.

Both always reflect today: every stale assessment among the clients listed is
recomputed and stored before the list is ordered (see `freshness`). Fresh
ones are not recomputed, and a page costs a fixed number of queries: the
clients with the columns of their newest assessment, then the results of the
rows shown. The order is the most pressing recommendation first, and within
one recommendation the most recently changed record first.

Viewing a list is one read entry in the audit log naming the clients shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from referwell.db.assessments import newest_assessment_id
from referwell.db.audit import AuditAction
from referwell.db.models import Client, StoredAssessment, User
from referwell.db.uow import UnitOfWork
from referwell.domain.vocabulary import RECOMMENDATIONS
from referwell.services.auditing import ReadAudit
from referwell.services.clients.freshness import assess_clients, is_current, store_assessed
from referwell.services.permissions import Permission, Person, require_permission

PAGE_SIZE: Final = 100

FLAGS: Final = {
    "risk": "Risk",
    "not_on_track": "Not on track",
    "deterioration": "Deterioration",
    "attendance": "Attendance",
    "competence": "Competence",
    "cautions": "Cautions",
}


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One client in a list: who, what the current assessment recommends, and the flags."""

    client_id: int
    display_name: str
    clinician_id: int
    clinician_name: str
    recommendation: str | None  # None: the stored case could not be assessed
    headline: str  # in words: the most pressing finding's summary
    flags: tuple[str, ...]
    as_of: date | None
    more_findings: int = 0  # findings besides the one the headline names
    external_id: str = ""
    # The newest dated trigger of the findings that make the recommendation (the engine's
    # order within one recommendation, as the screen orders).
    latest_trigger: date | None = None


@dataclass(frozen=True, slots=True)
class Caseload:
    """A page of a caseload, with counts over the whole of it."""

    rows: tuple[CaseloadRow, ...]
    total: int
    page: int = 1
    page_size: int = PAGE_SIZE
    counts: Mapping[str, int] = field(default_factory=dict)  # clients by recommendation
    recomputed: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def flags_of(result: Mapping[str, Any]) -> tuple[str, ...]:
    """The caseload flags an assessment raises, in the order of `FLAGS`."""
    kinds = {finding["kind"] for finding in result.get("findings", ())}
    item9 = any(
        (measure.get("item9") or 0) > 0
        for measure in result.get("measures", ())
        if measure.get("instrument") == "PHQ-9"
    )
    raised = {
        "risk": item9 or any(kind.startswith("safety.") for kind in kinds),
        "not_on_track": "progress.not_on_track" in kinds,
        "deterioration": "progress.deterioration" in kinds,
        "attendance": "engagement.attendance" in kinds,
        "competence": any(kind.startswith("competence.") for kind in kinds),
        "cautions": bool(result.get("cautions")),
    }
    return tuple(flag for flag in FLAGS if raised[flag])


def clinician_caseload(
    uow: UnitOfWork,
    actor: Person,
    *,
    today: date,
    reads: ReadAudit,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    writes: UnitOfWork | None = None,
) -> Caseload:
    """The actor's own clients, most pressing first, one page of them.

    Stale assessments are recomputed in a transaction of `writes` (default `uow`).
    """
    require_permission(actor, Permission.CLINICAL)
    page = max(1, page)
    listed = current_list(uow, writes or uow, actor, Client.clinician_id == actor.user_id, today)
    shown = listed.ordered[(page - 1) * page_size : page * page_size]
    rows = _shown(uow, actor, shown, listed, reads)
    return Caseload(
        rows=rows,
        total=len(listed.ordered),
        page=page,
        page_size=page_size,
        counts=listed.counts,
        recomputed=listed.recomputed,
    )


@dataclass(frozen=True, slots=True)
class Listed:
    """A client listed, with what its newest stored assessment says of its order."""

    client_id: int
    display_name: str
    clinician_id: int
    clinician_name: str
    updated_at: datetime
    assessment_id: int | None
    rank: int  # 1-6; 99 without an assessment
    as_of: date | None
    external_id: str = ""


@dataclass(frozen=True, slots=True)
class CurrentList:
    """Every client listed, most pressing first, each with a current assessment."""

    ordered: list[Listed]
    # assessment id -> (result, display), for those already loaded
    results: dict[int, tuple[Mapping[str, Any], Mapping[str, Any] | None]]
    counts: dict[str, int]
    recomputed: int


def _listing(where: ColumnElement[bool], actor: Person) -> Any:
    """The clients matching `where`, each with the columns of its newest stored assessment."""
    return (
        select(
            Client.id,
            Client.display_name,
            Client.external_id,
            Client.clinician_id,
            User.display_name,
            Client.updated_at,
            Client.case_version,
            StoredAssessment.id,
            StoredAssessment.as_of,
            StoredAssessment.case_version,
            StoredAssessment.rules_version,
            StoredAssessment.settings,
            StoredAssessment.recommendation_rank,
        )
        .join(User, User.id == Client.clinician_id)
        .outerjoin(StoredAssessment, StoredAssessment.id == newest_assessment_id())
        .where(
            where,
            Client.practice_id == actor.practice_id,
            Client.discharged_on.is_(None),
            Client.import_id.is_(None),  # an import's clients appear when it has finished
        )
    )


def current_list(
    uow: UnitOfWork, writes: UnitOfWork, actor: Person, where: ColumnElement[bool], today: date
) -> CurrentList:
    """Every client matching `where`, with a current assessment: stale ones are recomputed
    and committed in a transaction of `writes`."""
    with uow:
        settings = uow.practices.rule_settings(actor.practice_id)
        found = list(uow.session.execute(_listing(where, actor)))
    wanted = settings.key()
    listed: list[Listed] = []
    stale: list[int] = []
    for (
        client_id,
        name,
        external_id,
        clinician_id,
        clinician_name,
        updated_at,
        client_version,
        assessment_id,
        as_of,
        assessed_version,
        rules_version,
        assessed_settings,
        rank,
    ) in found:
        if not is_current(
            as_of=as_of,
            case_version=assessed_version,
            rules_version=rules_version,
            settings=assessed_settings,
            client_case_version=client_version,
            today=today,
            wanted_settings=wanted,
        ):
            stale.append(client_id)
        listed.append(
            Listed(
                client_id,
                name,
                clinician_id,
                clinician_name,
                updated_at,
                assessment_id,
                rank if rank is not None else 99,
                as_of,
                external_id,
            )
        )
    results: dict[int, tuple[Mapping[str, Any], Mapping[str, Any] | None]] = {}
    if stale:
        # Assessed while only reading, so that on SQLite the write lock is held only for
        # storing the results, not for the work of the rules.
        with uow:
            assessed = assess_clients(uow.session, stale, today=today, settings=settings)
        with writes:
            fresh = {
                client_id: (
                    stored.id,
                    (stored.result, stored.display),
                    stored.recommendation_rank,
                    stored.as_of,
                )
                for client_id, stored in store_assessed(writes.session, assessed).items()
            }
            writes.commit()
        for index, item in enumerate(listed):
            if item.client_id in fresh:
                assessment_id, result, rank, as_of = fresh[item.client_id]
                results[assessment_id] = result
                listed[index] = replace(item, assessment_id=assessment_id, rank=rank, as_of=as_of)
    listed.sort(key=lambda item: (item.rank, -item.updated_at.timestamp(), item.client_id))
    counts: dict[str, int] = {}
    for item in listed:
        if item.rank <= len(RECOMMENDATIONS):
            recommendation = RECOMMENDATIONS[item.rank - 1]
            counts[recommendation] = counts.get(recommendation, 0) + 1
    return CurrentList(listed, results, counts, len(stale))


def _shown(
    uow: UnitOfWork, actor: Person, shown: Sequence[Listed], listed: CurrentList, reads: ReadAudit
) -> tuple[CaseloadRow, ...]:
    """The rows shown, and their viewing: one read entry naming the clients shown."""
    with uow:
        rows = load_rows(uow.session, shown, listed.results)
    reads.record_read(
        actor,
        AuditAction.CASELOAD_READ,
        target_type="client",
        target_ids=[row.client_id for row in rows],
    )
    return rows


def load_rows(
    session: Session,
    shown: Sequence[Listed],
    known: Mapping[int, tuple[Mapping[str, Any], Mapping[str, Any] | None]],
) -> tuple[CaseloadRow, ...]:
    """The rows shown, with the headline in words and the flags from their assessments."""
    wanted = [item.assessment_id for item in shown if item.assessment_id is not None]
    missing = [assessment_id for assessment_id in wanted if assessment_id not in known]
    results = dict(known)
    if missing:
        for assessment_id, result, display in session.execute(
            select(StoredAssessment.id, StoredAssessment.result, StoredAssessment.display).where(
                StoredAssessment.id.in_(missing)
            )
        ):
            results[assessment_id] = (result, display)
    rows = []
    for item in shown:
        result, display = (
            results.get(item.assessment_id, ({}, None))
            if item.assessment_id is not None
            else ({}, None)
        )
        rows.append(
            CaseloadRow(
                client_id=item.client_id,
                display_name=item.display_name,
                clinician_id=item.clinician_id,
                clinician_name=item.clinician_name,
                recommendation=str(result["recommendation"]) if result else None,
                headline=_headline(result, display),
                flags=flags_of(result) if result else (),
                as_of=item.as_of,
                more_findings=int(display["more_findings"]) if display else 0,
                external_id=item.external_id,
                latest_trigger=(
                    date.fromisoformat(display["latest_trigger"])
                    if display and display.get("latest_trigger")
                    else None
                ),
            )
        )
    return tuple(rows)


def _headline(result: Mapping[str, Any], display: Mapping[str, Any] | None) -> str:
    if display:
        return str(display["headline"])
    if result:  # stored before words were kept (a stale row the list did not refresh)
        return str(result["headline"])
    return "This client's record could not be assessed; open it to see why."
