"""Stored assessments: saving one, and finding the latest of each client."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction, record
from referwell.db.base import utcnow
from referwell.db.models import ActorKind, Client, StoredAssessment, SupervisionReview
from referwell.domain.settings import settings_key
from referwell.domain.vocabulary import RECOMMENDATIONS


def recommendation_rank(recommendation: str) -> int:
    """1 for `urgent_safety` … 6 for `continue`: the case format's order, most pressing first."""
    try:
        return RECOMMENDATIONS.index(recommendation) + 1
    except ValueError:
        raise ValueError(f"unknown recommendation {recommendation!r}") from None


def store_assessment(
    session: Session,
    client: Client,
    result: Mapping[str, Any],
    *,
    rules_version: str,
    computed_at: datetime | None = None,
    display: Mapping[str, Any] | None = None,
) -> StoredAssessment:
    """Save `result` (a `referwell.assessment/1` document) and its words for people
    (`display`) as the client's newest assessment.

    The case version stored is the client's current one: call this after the
    changes the assessment saw have been made, in the same transaction.
    """
    session.flush()  # the case version of the client as the assessment saw it
    return store_assessment_of_version(
        session,
        client.id,
        client.case_version,
        result,
        rules_version=rules_version,
        computed_at=computed_at,
        display=display,
    )


def store_assessment_of_version(
    session: Session,
    client_id: int,
    case_version: int,
    result: Mapping[str, Any],
    *,
    rules_version: str,
    computed_at: datetime | None = None,
    display: Mapping[str, Any] | None = None,
) -> StoredAssessment:
    """Save `result` (and `display`) as the newest assessment of the client's case at
    `case_version`."""
    recommendation = str(result["recommendation"])
    stored = StoredAssessment(
        client_id=client_id,
        computed_at=computed_at or utcnow(),
        as_of=date.fromisoformat(str(result["as_of"])),
        case_version=case_version,
        rules_version=rules_version,
        settings=settings_key(result.get("settings", {}), result.get("settings_changed", [])),
        result=dict(result),
        display=dict(display) if display is not None else None,
        recommendation=recommendation,
        recommendation_rank=recommendation_rank(recommendation),
    )
    session.add(stored)
    clear_changed_reviews(session, client_id, recommendation)
    return stored


def clear_changed_reviews(session: Session, client_id: int, recommendation: str) -> list[int]:
    """Clear the client's open "reviewed" mark when it was made under another
    recommendation than `recommendation`; audited as referwell's own act. The ids cleared."""
    cleared = list(
        session.scalars(
            update(SupervisionReview)
            .where(
                SupervisionReview.client_id == client_id,
                SupervisionReview.cleared_at.is_(None),
                SupervisionReview.recommendation != recommendation,
            )
            .values(
                cleared_at=utcnow(),
                cleared_because="recommendation_changed",
                cleared_by_recommendation=recommendation,
            )
            .returning(SupervisionReview.id)
            .execution_options(synchronize_session=False)
        )
    )
    if cleared:
        record(
            session,
            AuditAction.REVIEW_CLEAR,
            actor="referwell",
            actor_kind=ActorKind.SYSTEM,
            target_type="supervision_review",
            target_ids=cleared,
        )
    return cleared


def newest_assessment_id() -> Any:
    """A correlated subquery: the id of the newest stored assessment of `Client`."""
    return (
        select(func.max(StoredAssessment.id))
        .where(StoredAssessment.client_id == Client.id)
        .correlate(Client)
        .scalar_subquery()
    )


def latest_assessments(session: Session, client_ids: Iterable[int]) -> dict[int, StoredAssessment]:
    """The newest stored assessment of each of these clients that has one."""
    ids = list(client_ids)
    if not ids:
        return {}
    newest = (
        select(func.max(StoredAssessment.id))
        .where(StoredAssessment.client_id.in_(ids))
        .group_by(StoredAssessment.client_id)
    )
    rows = session.scalars(select(StoredAssessment).where(StoredAssessment.id.in_(newest)))
    return {row.client_id: row for row in rows}


def is_current(
    stored: StoredAssessment,
    client: Client,
    *,
    today: date,
    rules_version: str,
    settings: Mapping[str, Any],
) -> bool:
    """Whether `stored` still says what assessing the client today would say."""
    return columns_are_current(
        as_of=stored.as_of,
        case_version=stored.case_version,
        rules_version=stored.rules_version,
        settings=stored.settings,
        client_case_version=client.case_version,
        today=today,
        wanted_rules_version=rules_version,
        wanted_settings=settings,
    )


def columns_are_current(
    *,
    as_of: date | None,
    case_version: int | None,
    rules_version: str | None,
    settings: Mapping[str, Any] | None,
    client_case_version: int,
    today: date,
    wanted_rules_version: str,
    wanted_settings: Mapping[str, Any],
) -> bool:
    """`is_current` from a stored assessment's columns (all None when there is none): made
    today, from the client's current case version, by these rules with these settings."""
    return (
        as_of == today
        and case_version == client_case_version
        and rules_version == wanted_rules_version
        and settings is not None
        and dict(settings) == dict(wanted_settings)
    )
