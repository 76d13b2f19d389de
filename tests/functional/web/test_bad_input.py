"""Bad input in every form and API call is refused with the field named, and nothing is saved."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from referwell.db.base import Base

from .conftest import WebClient, audit_entries
from .seed import Seeded

# What may change while a refused form is shown again: the read of the page is audited, and
# a stale assessment is recomputed for it.
NOT_RECORDS = {"audit_log", "assessments"}


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that holds what users enter."""
    with Session(engine) as session:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in session.execute(select(table))), key=str
            )
            for table in Base.metadata.sorted_tables
            if table.name not in NOT_RECORDS
        }


@dataclass(frozen=True)
class Bad:
    """A bad form: who sends what where, and which field must be named (its path and input id)."""

    name: str
    user: str
    path: str
    data: dict[str, Any]
    path_named: str  # the field's path as the validator names it
    input_id: str | None  # the input marked aria-invalid
    message: str  # a piece of the message shown
    extra: dict[str, Any] = field(default_factory=dict)


PHQ9_OK = {"instrument": "PHQ-9", "date": "2026-11-19", **{f"item{i}": "1" for i in range(1, 10)}}
CLIENT = "/clients/{client}"

BAD_FORMS = [
    Bad("item out of range", "clin", CLIENT + "/measures", PHQ9_OK | {"item3": "5"},
        "items[2]", "m-phq9-item3", "Item 3 of the PHQ-9 takes an answer from 0 to 3."),
    Bad("item not a number", "clin", CLIENT + "/measures", PHQ9_OK | {"item1": "two"},
        "items[0]", "m-phq9-item1", "Item 1 of the PHQ-9 takes an answer from 0 to 3."),
    Bad("item left out", "clin", CLIENT + "/measures", PHQ9_OK | {"item9": ""},
        "items[8]", "m-phq9-item9", "Item 9 of the PHQ-9 is missing: choose an answer."),
    Bad("GAD-7 item", "clin", CLIENT + "/measures",
        {"instrument": "GAD-7", "date": "2026-11-19", **{f"item{i}": "0" for i in range(1, 8)}, "item7": "4"},
        "items[6]", "m-gad7-item7", "Item 7 of the GAD-7 takes an answer from 0 to 3."),
    Bad("measure in the future", "clin", CLIENT + "/measures", PHQ9_OK | {"date": "2026-11-25"},
        "date", "m-phq9-date", "This date is after today"),
    Bad("measure date malformed", "clin", CLIENT + "/measures", PHQ9_OK | {"date": "19/11/2026"},
        "date", "m-phq9-date", "This is not a date"),
    Bad("unknown instrument", "clin", CLIENT + "/measures", {"instrument": "PHQ-10", "date": "2026-11-19", "item1": "1"},
        "instrument", None, "Choose the questionnaire from the list."),
    Bad("session attendance", "clin", CLIENT + "/sessions", {"date": "2026-11-19", "attendance": "gone"},
        "attendance", "session-attendance", "Choose the attendance from the list."),
    Bad("session without a date", "clin", CLIENT + "/sessions", {"date": "", "attendance": "attended"},
        "date", "session-date", "Give the date."),
    Bad("event kind", "clin", CLIENT + "/events", {"date": "2026-11-19", "kind": "self_harmm"},
        "kind", "event-kind", "Choose what happened from the list."),
    Bad("event discussed", "clin", CLIENT + "/events", {"date": "2026-11-19", "kind": "self_harm", "discussed": "maybe"},
        "discussed", "event-discussed", "Tick the box if it was discussed"),
    Bad("clinician factor", "clin", CLIENT + "/factors", {"code": "burnot"},
        "", "factor-code", "Choose what you notice in yourself from the list."),
    Bad("step code", "clin", CLIENT + "/steps", {"step": "supervison", "date": ""},
        "", "step-step", "Choose the step from the list."),
    Bad("step date", "clin", CLIENT + "/steps", {"step": "supervision", "date": "yesterday"},
        "date", "step-date", "This is not a date"),
    Bad("goal status", "clin", CLIENT + "/goals", {"description": "Walk daily", "status": "meh"},
        "status", "goal-status", "Choose the goal's status from the list."),
    Bad("goal description too long", "clin", CLIENT + "/goals", {"description": "x" * 501, "status": "met"},
        "description", "goal-description", "This is 501 characters long: keep it to 500."),
    Bad("referral reason", "clin", CLIENT + "/considering-referral", {"reason": "values"},
        "", "referral-reason", "Choose a reason from the list."),
    Bad("referral reason missing", "clin", CLIENT + "/considering-referral", {},
        "", "referral-reason", "reason"),
    Bad("competency that is a condition", "clin", "/profile/competencies", {"competencies": ["cbt", "ocd"]},
        "competencies[1]", None, 'expressed by "erp"'),
    Bad("competency unknown", "clin", "/profile/competencies", {"competencies": ["cbt"], "in_training": ["emdrr"]},
        "in_training[0]", None, "emdrr"),
    Bad("token label too long", "clin", "/profile/tokens", {"label": "x" * 101},
        "label", "token-label", "at most 100 characters"),
    Bad("new user", "admin", "/admin/users",
        {"username": "Bad Name", "display_name": "", "role": "boss", "password": "short", "supervisor_id": "x"},
        "username", "username", "lower-case letters",
        extra={"also": [("display_name", "display_name"), ("role", "role"), ("password", "password"), ("supervisor_id", "supervisor_id")]}),
    Bad("username taken", "admin", "/admin/users",
        {"username": "clin", "display_name": "Another", "role": "clinician", "password": "long enough password"},
        "username", "username", "is taken"),
    Bad("user update", "admin", "/admin/users/{clin_user}", {"display_name": "", "role": "boss", "active": "on"},
        "display_name", "display_name", "give the name shown to colleagues"),
    Bad("supervisor who is no supervisor", "admin", "/admin/users/{clin_user}",
        {"display_name": "Clin", "role": "clinician", "active": "on", "supervisor_id": "{clin2_user}"},
        "supervisor_id", "supervisor_id", "choose an active supervisor"),
    Bad("admin demoting themselves", "admin", "/admin/users/{admin_user}",
        {"display_name": "Admin", "role": "clinician", "active": "on"},
        "role", "role", "your own admin role"),
    Bad("setting out of range", "admin", "/admin/settings", {"attendance_window": "0", "threat_window_days": "30"},
        "attendance_window", "attendance_window", "from 1 to 10000; got 0"),
    Bad("setting not a number", "admin", "/admin/settings", {"not_on_track_after_sessions": "eight"},
        "not_on_track_after_sessions", "not_on_track_after_sessions", "expected a whole number"),
]  # fmt: skip


def fill(template: str, seeded: Seeded) -> str:
    return (
        template.replace("{client}", str(seeded.client_of("clin")))
        .replace("{clin_user}", str(seeded.users["clin"]))
        .replace("{clin2_user}", str(seeded.users["clin2"]))
        .replace("{admin_user}", str(seeded.users["admin"]))
    )


def marked_invalid(html: str, input_id: str) -> bool:
    tag = re.search(rf'<(?:input|select)[^>]*\bid="{re.escape(input_id)}"[^>]*>', html)
    return tag is not None and 'aria-invalid="true"' in tag.group(0)


@pytest.mark.parametrize("bad", BAD_FORMS, ids=[bad.name for bad in BAD_FORMS])
def test_a_bad_form_is_refused_with_its_field_named_and_nothing_saved(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine, bad: Bad
) -> None:
    client = signed_in(bad.user)
    path = fill(bad.path, seeded)
    page = path.rsplit("/", 1)[0] if path.startswith("/clients/") else path
    client.get(page if "/admin/users/" in path or path.startswith("/clients/") else "/profile")
    before, entries = snapshot(engine), len(audit_entries(engine, actor_kind="user"))
    data = {
        key: fill(value, seeded) if isinstance(value, str) else value
        for key, value in bad.data.items()
    }

    answer = client.post_form(path, data)

    assert answer.status_code == 422, answer.text[:2000]
    text = answer.text.replace("&#34;", '"').replace("&#39;", "'")
    assert bad.message in text
    assert "Nothing was saved" in text
    if bad.input_id is not None:
        assert marked_invalid(answer.text, bad.input_id), f"#{bad.input_id} is not marked invalid"
    for _, input_id in bad.extra.get("also", []):
        assert marked_invalid(answer.text, input_id), f"#{input_id} is not marked invalid"
    assert snapshot(engine) == before
    writes = [e for e in audit_entries(engine, actor_kind="user") if e.action != "client:read"]
    assert len(writes) == entries


def test_the_refused_form_is_open_and_keeps_what_was_typed(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    client = signed_in("clin")
    answer = client.post_form(
        fill(CLIENT + "/goals", seeded), {"description": "Walk daily", "status": "meh"}
    )
    assert re.search(r'<details id="form-goal" class="form-block" open>', answer.text)
    assert 'value="Walk daily"' in answer.text


BAD_CASES = [
    pytest.param(
        {"format": "referwell.case/1", "id": "x", "clinician": {"competencies": ["cbt"]},
         "client": {"age": 30}, "concerns": [],
         "measures": [{"instrument": "PHQ-9", "date": "2026-11-01", "items": [1, 2, 3]}]},
        "measures[0].items", id="items",
    ),
    pytest.param(
        {"format": "referwell.case/1", "id": "x", "clinician": {"competencies": ["cbt"]},
         "client": {"age": "thirty"}, "concerns": ["depresion"]},
        "client.age", id="types-and-codes",
    ),
    pytest.param({"format": "referwell.case/1"}, "id", id="missing"),
    pytest.param([1, 2], "(case)", id="not-an-object"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "named"), BAD_CASES)
def test_the_api_refuses_a_bad_case_with_its_paths(
    signed_in: Callable[[str | None], WebClient], engine: Engine, case: Any, named: str
) -> None:
    client = signed_in("clin")
    before = snapshot(engine)
    answer = client.post("/api/v1/assess", json=case, headers={"X-CSRF-Token": client.csrf})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["status"] == 422
    assert error["code"] == "invalid_input"
    assert any(item["path"] == named for item in error["fields"]), error["fields"]
    assert all(set(item) == {"path", "message"} for item in error["fields"])
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"format": ', "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"", "application/json"),
    ],
    ids=["truncated", "not-utf8", "empty"],
)
def test_the_api_refuses_a_body_that_is_not_json(
    signed_in: Callable[[str | None], WebClient], body: bytes, content_type: str
) -> None:
    client = signed_in("clin")
    answer = client.post(
        "/api/v1/assess",
        content=body,
        headers={"X-CSRF-Token": client.csrf, "Content-Type": content_type},
    )
    assert answer.status_code == 422
    fields = answer.json()["error"]["fields"]
    assert fields
    assert fields[0]["path"] in ("(file)", "(body)")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/clients/abc/case",
        "/api/v1/clients/999999/case",
        "/api/v1/clients/999999/assessment",
    ],
)
def test_the_api_answers_an_unknown_client_with_404_in_the_json_shape(
    signed_in: Callable[[str | None], WebClient], path: str
) -> None:
    answer = signed_in("clin").get(path)
    assert answer.status_code == 404
    assert answer.json() == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "There is no such page, or it is not yours to see.",
            "fields": [],
        }
    }
