"""Use cases: the supervisor's one list, and the "reviewed" mark.

The list holds every client in care of the supervisor's supervisees, each with a
current assessment (stale ones recomputed first), in the engine's order, the
order `referwell screen` gives: most pressing recommendation first; within one,
the newest dated trigger first, undated after dated, then by client. It can be
narrowed to one clinician, one recommendation, or a name (or case id), and
downloaded as CSV. Viewing it is one read entry naming the clients shown.

A supervisor marks a client reviewed, with a note. The mark holds while the
client's recommendation stays the one it was made under: a stored assessment
with another recommendation clears it (`db.assessments.clear_changed_reviews`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import select, update

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.ids import record_id
from referwell.db.models import Client, StoredAssessment, SupervisionReview, User
from referwell.db.uow import UnitOfWork
from referwell.domain.assessment import recommendation_label
from referwell.domain.errors import TOO_LONG, FieldError, InvalidInput
from referwell.domain.vocabulary import RECOMMENDATION_RANK, RECOMMENDATIONS
from referwell.services.auditing import ReadAudit, audit_write
from referwell.services.clients.caseload import FLAGS, CaseloadRow, current_list, load_rows
from referwell.services.errors import NotFound
from referwell.services.permissions import Permission, Person, client_access, require_permission

NOTE_MAX: Final = 1000


@dataclass(frozen=True, slots=True)
class Review:
    """A supervisor's open "reviewed" mark."""

    review_id: int
    reviewer_name: str
    note: str
    recommendation: str
    reviewed_at: datetime


@dataclass(frozen=True, slots=True)
class SupervisionRow:
    """One client of the list: its place in the engine's order, the row, and the mark."""

    rank: int
    row: CaseloadRow
    review: Review | None


@dataclass(frozen=True, slots=True)
class Supervisee:
    user_id: int
    display_name: str


@dataclass(frozen=True, slots=True)
class SupervisionList:
    """The list as asked for: the rows shown (after the filters), and over all the clients,
    how many there are by recommendation."""

    rows: tuple[SupervisionRow, ...]
    total: int  # every client of the supervisees in care, before the filters
    counts: Mapping[str, int]
    supervisees: tuple[Supervisee, ...]
    clinician_id: int | None
    recommendation: str | None
    search: str
    recomputed: int


def engine_key(row: CaseloadRow) -> tuple[int, int, int, int]:
    """The screen's order (`screening.rows.worklist_key`): most pressing first; within one,
    the newest dated trigger first, undated after dated, then by client id."""
    trigger = row.latest_trigger
    rank = RECOMMENDATION_RANK[row.recommendation] if row.recommendation else 99
    return (
        rank,
        0 if trigger is not None else 1,
        -trigger.toordinal() if trigger is not None else 0,
        row.client_id,
    )


def filters_from(
    supervisees: Sequence[Supervisee], clinician: Any, recommendation: Any, search: Any
) -> tuple[int | None, str | None, str]:
    """The filters as asked for; one that cannot apply is InvalidInput naming it."""
    errors = []
    clinician_id = None
    if clinician not in (None, ""):
        known = {person.user_id for person in supervisees}
        wanted = record_id(str(clinician))
        if wanted is None or wanted not in known:
            errors.append(FieldError("clinician", "choose one of your supervisees"))
        else:
            clinician_id = wanted
    chosen = None
    if recommendation not in (None, ""):
        if recommendation not in RECOMMENDATIONS:
            errors.append(FieldError("recommendation", "choose a recommendation from the list"))
        else:
            chosen = str(recommendation)
    words = str(search or "").strip()
    if len(words) > 200:
        errors.append(FieldError("search", "keep the search to 200 characters", kind=TOO_LONG))
    if errors:
        raise InvalidInput(errors, "filters")
    return clinician_id, chosen, words


def supervision_list(
    uow: UnitOfWork,
    actor: Person,
    *,
    today: date,
    reads: ReadAudit,
    writes: UnitOfWork | None = None,
    clinician: Any = None,
    recommendation: Any = None,
    search: Any = None,
) -> SupervisionList:
    """The supervisor's supervisees' clients in care, in the engine's order, filtered."""
    require_permission(actor, Permission.SUPERVISOR)
    with uow:
        supervisees = tuple(
            Supervisee(*row)
            for row in uow.session.execute(
                select(User.id, User.display_name)
                .where(User.supervisor_id == actor.user_id, User.practice_id == actor.practice_id)
                .order_by(User.display_name, User.id)
            )
        )
    clinician_id, chosen, words = filters_from(supervisees, clinician, recommendation, search)
    ids = [person.user_id for person in supervisees]
    listed = current_list(uow, writes or uow, actor, Client.clinician_id.in_(ids), today)
    wanted = [
        item
        for item in listed.ordered
        if (clinician_id is None or item.clinician_id == clinician_id)
        and (chosen is None or item.rank == RECOMMENDATIONS.index(chosen) + 1)
        and (
            not words
            or words.casefold() in item.display_name.casefold()
            or words.casefold() in item.external_id.casefold()
        )
    ]
    with uow:
        rows = sorted(load_rows(uow.session, wanted, listed.results), key=engine_key)
        reviews = _open_reviews(uow.session, [row.client_id for row in rows])
    reads.record_read(
        actor,
        AuditAction.CASELOAD_READ,
        target_type="client",
        target_ids=[row.client_id for row in rows],
    )
    return SupervisionList(
        rows=tuple(
            SupervisionRow(rank, row, reviews.get(row.client_id))
            for rank, row in enumerate(rows, start=1)
        ),
        total=len(listed.ordered),
        counts=listed.counts,
        supervisees=supervisees,
        clinician_id=clinician_id,
        recommendation=chosen,
        search=words,
        recomputed=listed.recomputed,
    )


def _open_reviews(session: Any, client_ids: Sequence[int]) -> dict[int, Review]:
    if not client_ids:
        return {}
    found: dict[int, Review] = {}
    for client_id, review_id, name, note, recommendation, at in session.execute(
        select(
            SupervisionReview.client_id,
            SupervisionReview.id,
            User.display_name,
            SupervisionReview.note,
            SupervisionReview.recommendation,
            SupervisionReview.reviewed_at,
        )
        .join(User, User.id == SupervisionReview.reviewer_id)
        .where(SupervisionReview.client_id.in_(client_ids), SupervisionReview.cleared_at.is_(None))
    ):
        found[client_id] = Review(review_id, name, note, recommendation, at)
    return found


def mark_reviewed(uow: UnitOfWork, actor: Person, client_id: int, *, note: Any) -> int:
    """Mark a supervisee's client reviewed under its current recommendation, with a note
    (which replaces an open mark); audited. The mark's id."""
    require_permission(actor, Permission.SUPERVISOR)
    text = str(note or "").strip()
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            [
                FieldError(
                    "note",
                    f"keep the note to {NOTE_MAX} characters (it has {len(text)})",
                    kind=TOO_LONG,
                    detail={"length": len(text), "most": NOTE_MAX},
                )
            ],
            "form",
        )
    with uow:
        session = uow.session
        access = client_access(session, actor, client_id)
        if access.writable:
            # Their own client: a supervisor reviews their supervisees' work, not their own.
            raise NotFound("client", client_id)
        recommendation = session.scalar(
            select(StoredAssessment.recommendation)
            .where(StoredAssessment.client_id == client_id)
            .order_by(StoredAssessment.id.desc())
            .limit(1)
        )
        if recommendation is None:
            raise InvalidInput(
                [FieldError("(client)", "this client has no assessment to review yet")], "form"
            )
        now = utcnow()
        session.execute(
            update(SupervisionReview)
            .where(SupervisionReview.client_id == client_id, SupervisionReview.cleared_at.is_(None))
            .values(cleared_at=now, cleared_because="reviewed_again")
            .execution_options(synchronize_session=False)
        )
        review = SupervisionReview(
            client_id=client_id,
            reviewer_id=actor.user_id,
            note=text,
            recommendation=recommendation,
            reviewed_at=now,
        )
        session.add(review)
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.REVIEW_MARK,
            target_type="supervision_review",
            target_ids=[review.id],
        )
        uow.commit()
        return review.id


CSV_COLUMNS: Final = (
    "rank", "client", "case_id", "clinician", "recommendation", "latest_trigger", "headline",
    "flags", "reviewed_by", "reviewed_at", "review_note",
)  # fmt: skip


def supervision_csv(listed: SupervisionList) -> str:
    """The list as shown, as CSV: in words, one row per client."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in listed.rows:
        row, review = item.row, item.review
        writer.writerow(
            [
                item.rank,
                row.display_name,
                row.external_id,
                row.clinician_name,
                recommendation_label(row.recommendation) if row.recommendation else "",
                row.latest_trigger.isoformat() if row.latest_trigger else "",
                row.headline,
                "; ".join(FLAGS[flag] for flag in row.flags),
                review.reviewer_name if review else "",
                review.reviewed_at.date().isoformat() if review else "",
                review.note if review else "",
            ]
        )
    return buffer.getvalue()
