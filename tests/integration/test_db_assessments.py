"""Stored assessments: the newest per client, and whether it is still current."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from referwell.db.assessments import (
    is_current,
    latest_assessments,
    recommendation_rank,
    store_assessment,
)
from referwell.db.cases import import_case
from referwell.db.models import Client, User

CASE = {
    "format": "referwell.case/1",
    "id": "assessed",
    "clinician": {"competencies": ["cbt"]},
    "client": {"age": 30},
    "concerns": ["depression"],
}


def _assessment(recommendation: str, as_of: str = "2026-11-20") -> dict[str, object]:
    return {
        "format": "referwell.assessment/1",
        "case_id": "assessed",
        "as_of": as_of,
        "recommendation": recommendation,
        "headline": "…",
        "findings": [],
        "cautions": [],
        "referral_needs": [],
        "measures": [],
        "settings": {"attendance_window": 10},
    }


@pytest.fixture
def clients(session: Session, clinician: User) -> list[Client]:
    return [
        import_case(
            session, clinician.practice_id, clinician.id, dict(CASE, id=f"c{n}"), display_name="N"
        )
        for n in range(3)
    ]


def test_ranks_follow_the_case_format() -> None:
    order = ["urgent_safety", "refer", "refer_adjunct", "consult_first", "plan_termination"]
    assert [recommendation_rank(r) for r in [*order, "continue"]] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="unknown recommendation"):
        recommendation_rank("panic")


def test_the_newest_of_each_client_is_found(session: Session, clients: list[Client]) -> None:
    first, second, _never_assessed = clients
    start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    store_assessment(session, first, _assessment("continue"), rules_version="1", computed_at=start)
    newest = store_assessment(
        session,
        first,
        _assessment("urgent_safety"),
        rules_version="1",
        computed_at=start + timedelta(minutes=5),
    )
    other = store_assessment(session, second, _assessment("refer"), rules_version="1")
    session.commit()
    session.expunge_all()

    latest = latest_assessments(session, [c.id for c in clients])

    assert {client_id: a.id for client_id, a in latest.items()} == {
        first.id: newest.id,
        second.id: other.id,
    }
    assert latest[first.id].recommendation == "urgent_safety"
    assert latest[first.id].recommendation_rank == 1
    assert latest[first.id].computed_at == start + timedelta(minutes=5)
    assert latest[first.id].result["headline"] == "…"
    assert latest_assessments(session, []) == {}


def test_an_assessment_is_current_until_the_day_case_rules_or_settings_change(
    session: Session, clients: list[Client]
) -> None:
    client = clients[0]
    stored = store_assessment(session, client, _assessment("continue"), rules_version="1")
    today = date(2026, 11, 20)
    settings = {"attendance_window": 10}

    def current(**changes: object) -> bool:
        arguments: dict[str, object] = {
            "today": today,
            "rules_version": "1",
            "settings": settings,
        } | changes
        return is_current(stored, client, **arguments)  # type: ignore[arg-type]

    assert current()
    assert not current(today=today + timedelta(days=1))
    assert not current(rules_version="2")
    assert not current(settings={"attendance_window": 8})

    client.age = 31
    session.flush()
    assert not current()
