"""Adding to a client's record: each form saves, audits and reassesses; the page shows it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from referwell.db.cases import case_dict_for_client
from referwell.db.models import Client, StoredAssessment

from .conftest import WebClient
from .seed import TODAY, Seeded


def newest(engine: Engine, client_id: int) -> StoredAssessment:
    with Session(engine) as session:
        found = session.scalars(
            select(StoredAssessment)
            .where(StoredAssessment.client_id == client_id)
            .order_by(StoredAssessment.id.desc())
        ).first()
        assert found is not None
        return found


def case_of(engine: Engine, client_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        return case_dict_for_client(session, client_id)


def version_of(engine: Engine, client_id: int) -> int:
    with Session(engine) as session:
        client = session.get(Client, client_id)
        assert client is not None
        return client.case_version


FORMS = [
    pytest.param(
        (
            "/measures",
            {"instrument": "GAD-7", "date": "2026-11-18", **{f"item{i}": "2" for i in range(1, 8)}},
            lambda case: (
                {"instrument": "GAD-7", "date": "2026-11-18", "items": [2] * 7} in case["measures"]
            ),
        ),
        id="questionnaire",
    ),
    pytest.param(
        (
            "/sessions",
            {"date": "2026-11-19", "attendance": "late_cancel"},
            lambda case: {"date": "2026-11-19", "attendance": "late_cancel"} in case["sessions"],
        ),
        id="session",
    ),
    pytest.param(
        (
            "/events",
            {"date": "2026-11-10", "kind": "boundary_crossing", "discussed": "on"},
            lambda case: (
                {"date": "2026-11-10", "kind": "boundary_crossing", "discussed": True}
                in case["events"]
            ),
        ),
        id="event",
    ),
    pytest.param(
        (
            "/factors",
            {"code": "burnout"},
            lambda case: "burnout" in case["clinician_factors"],
        ),
        id="factor",
    ),
    pytest.param(
        (
            "/steps",
            {"step": "consultation", "date": "2026-11-12"},
            lambda case: {"step": "consultation", "date": "2026-11-12"} in case["steps_taken"],
        ),
        id="step",
    ),
    pytest.param(
        (
            "/steps",
            {"step": "self_care", "date": ""},
            lambda case: "self_care" in case["steps_taken"],
        ),
        id="step-undated",
    ),
    pytest.param(
        (
            "/goals",
            {"description": "Return to work part-time", "status": "progressing"},
            lambda case: (
                {"description": "Return to work part-time", "status": "progressing"}
                in case["goals"]
            ),
        ),
        id="goal",
    ),
    pytest.param(
        (
            "/considering-referral",
            {"reason": "not_benefiting"},
            lambda case: "not_benefiting" in case["considering_referral_because"],
        ),
        id="considering-referral",
    ),
]


@pytest.mark.parametrize("form", FORMS)
def test_each_form_saves_and_reassesses(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    form: tuple[str, dict[str, Any], Callable[[dict[str, Any]], bool]],
) -> None:
    suffix, data, saved = form
    client_id = seeded.clients["ex07"]
    client = signed_in("clin")
    version = version_of(engine, client_id)

    answer = client.post_form(f"/clients/{client_id}{suffix}", data)

    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/clients/{client_id}")
    assert saved(case_of(engine, client_id))
    assessment = newest(engine, client_id)
    assert assessment.case_version == version_of(engine, client_id) == version + 1
    assert assessment.as_of == TODAY
    page = client.get(answer.headers["location"]).text
    assert "assessment is updated" in page or "Read the cautions" in page


def test_a_phq9_with_item_9_at_2_puts_the_client_on_top_as_urgent(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client_id = seeded.clients["ex05"]  # plan_termination: near the bottom
    client = signed_in("clin")
    items = {f"item{i}": "1" for i in range(1, 9)} | {"item9": "2"}

    answer = client.post_form(
        f"/clients/{client_id}/measures",
        {"instrument": "PHQ-9", "date": "2026-11-20", **items},
        headers={"HX-Request": "true"},
    )

    assert answer.status_code == 200  # htmx: the page, whose <main> it swaps in
    assert 'id="main"' in answer.text
    assert "Urgent: safety" in answer.text
    assert newest(engine, client_id).recommendation == "urgent_safety"
    caseload = client.get("/caseload").text
    first = re.search(r'<tr class="row-([a-z_]+)" data-client="(\d+)"', caseload)
    assert first is not None
    assert first.groups() == ("urgent_safety", str(client_id))


def test_considering_referral_for_personal_values_shows_the_caution_first(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    client_id = seeded.clients["ex05"]
    client = signed_in("clin")

    answer = client.post_form(
        f"/clients/{client_id}/considering-referral",
        {"reason": "personal_values"},
        headers={"HX-Request": "true"},
    )

    page = answer.text
    assert answer.status_code == 200
    assert "reason.personal_values" in page
    considering = page.index('id="considering"')
    assert considering < page.index('id="assessment-title"')  # before anything else
    assert page.index("reason.personal_values") > considering
    assert "data-focus" in page[considering : considering + 300]


def test_saving_what_is_already_there_changes_nothing(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client_id = seeded.clients["ex02"]  # already has values_conflict
    client = signed_in("clin")
    version = version_of(engine, client_id)
    answer = client.post_form(f"/clients/{client_id}/factors", {"code": "values_conflict"})
    assert answer.status_code == 303
    assert version_of(engine, client_id) == version
    assert "already recorded" in client.get(answer.headers["location"]).text


def test_a_later_date_for_a_step_keeps_the_latest(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client_id = seeded.clients["ex07"]
    client = signed_in("clin")
    client.post_form(f"/clients/{client_id}/steps", {"step": "supervision", "date": "2026-11-01"})
    client.post_form(f"/clients/{client_id}/steps", {"step": "supervision", "date": "2026-11-15"})
    client.post_form(f"/clients/{client_id}/steps", {"step": "supervision", "date": "2026-11-03"})
    steps = case_of(engine, client_id)["steps_taken"]
    assert steps.count({"step": "supervision", "date": "2026-11-15"}) == 1
    assert len([s for s in steps if isinstance(s, dict) and s["step"] == "supervision"]) == 1


def test_the_client_page_shows_the_assessment_card_charts_and_record(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("clin").get(f"/clients/{seeded.clients['ex07']}").text
    assert "Current assessment" in page
    assert "progress.not_on_track" in page
    assert "Evidence" in page
    assert "Actions" in page
    assert "Cites:" in page
    assert 'canvas data-chart="chart-1"' in page
    assert '"caseness_cutoff":10' in page
    assert "vendor/chart.umd.min.js" in page
    assert "Attendance" in page
    assert "Events" in page
    assert "Goals" in page
    for form in (
        "measures",
        "sessions",
        "events",
        "factors",
        "steps",
        "goals",
        "considering-referral",
    ):
        assert f'/clients/{seeded.clients["ex07"]}/{form}"' in page


def test_trajectories_mark_reliable_change_from_the_first_score() -> None:
    from referwell.services.clients.record import trajectories

    found = trajectories(
        [
            {"instrument": "PHQ-9", "date": "2026-09-01", "total": 20},
            {"instrument": "GAD-7", "date": "2026-09-01", "total": 5},
            {"instrument": "PHQ-9", "date": "2026-10-01", "total": 16},
            {"instrument": "PHQ-9", "date": "2026-11-01", "items": [1] * 9},
            {"instrument": "GAD-7", "date": "2026-11-01", "total": 12},
        ]
    )
    assert [t.instrument for t in found] == ["PHQ-9", "GAD-7"]
    phq9, gad7 = found
    assert [(p.total, p.change, p.marker) for p in phq9.points] == [
        (20, None, None),
        (16, -4, None),
        (9, -11, "reliable_improvement"),
    ]
    assert gad7.points[-1].marker == "reliable_deterioration"
    assert (phq9.caseness_cutoff, phq9.total_max) == (10, 27)
