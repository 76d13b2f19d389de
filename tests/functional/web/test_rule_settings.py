"""The practice's rule settings: a reason for every change, floors, and assessments that say so."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from referwell.db.models import PracticeSettingChange

from .conftest import WebClient, audit_entries
from .seed import Seeded, token_secret


def test_a_change_without_a_reason_is_refused_and_nothing_is_saved(
    signed_in: Callable[[str | None], WebClient], engine: Engine
) -> None:
    admin = signed_in("admin")
    before = len(audit_entries(engine, action="practice:settings:update"))
    answer = admin.post_form("/admin/settings", {"attendance_window": "12"})
    assert answer.status_code == 422
    assert "every change from a default needs a written reason" in answer.text
    assert 'id="reason_attendance_window"' in answer.text
    assert 'aria-invalid="true" aria-describedby="reason_attendance_window-error"' in answer.text
    assert len(audit_entries(engine, action="practice:settings:update")) == before
    with Session(engine) as session:
        assert session.scalars(select(PracticeSettingChange)).all() == []


def test_a_safety_window_below_its_floor_is_refused_on_the_page(
    signed_in: Callable[[str | None], WebClient],
) -> None:
    answer = signed_in("admin").post_form(
        "/admin/settings", {"threat_window_days": "0", "reason_threat_window_days": "no need"}
    )
    assert answer.status_code == 422
    assert "0 is below the safety floor of 14" in answer.text


def test_a_change_with_its_reason_is_recorded_audited_and_named_by_every_assessment(
    signed_in: Callable[[str | None], WebClient], engine: Engine, seeded: Seeded
) -> None:
    admin = signed_in("admin")
    answer = admin.post_form(
        "/admin/settings",
        {"attendance_window": "12", "reason_attendance_window": "weekly clients, 3 months"},
    )
    assert answer.status_code == 303
    with Session(engine) as session:
        [record] = session.scalars(select(PracticeSettingChange)).all()
        assert (record.name, record.value, record.set_by) == ("attendance_window", 12, "admin")
        assert record.reason == "weekly clients, 3 months"
    [entry] = audit_entries(engine, action="practice:settings:update")
    assert entry.target_ids == [seeded.practice_id]
    page = admin.get("/admin/settings").text
    assert "Set to 12 by admin on" in page
    assert "weekly clients, 3 months" in page

    # Saving again without touching it needs no new reason.
    assert admin.post_form("/admin/settings", {"attendance_window": "12"}).status_code == 303

    client_id = seeded.client_of("clin")
    api = signed_in("clin").get(
        f"/api/v1/clients/{client_id}/assessment",
        headers={"Authorization": f"Bearer {token_secret('clin')}"},
    )
    [changed] = api.json()["settings_changed"]
    assert changed["name"] == "attendance_window"
    assert (changed["value"], changed["default"], changed["set_by"]) == (12, 10, "admin")
    assert changed["reason"] == "weekly clients, 3 months"
    assert changed["set_at"][:2] == "20"
    page = signed_in("clin").get(f"/clients/{client_id}").text
    assert 'data-setting="attendance_window"' in page
    assert "set by admin" in page
    assert "Why: weekly clients, 3 months" in page


def test_under_the_defaults_the_page_says_so(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("clin").get(f"/clients/{seeded.client_of('clin')}").text
    assert "under the default rule settings" in page
