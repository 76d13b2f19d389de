"""The pages that correct a record and move clients: marking an entry in error, a goal's status,
discharge and readmission, a new client, reassignment; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.models import Client
from referwell.db.record_entries import read_entries

from .conftest import WebClient, audit_entries
from .seed import Seeded, example_cases
from .test_caseload import rows


def _entries(engine: Engine, client_id: int, key: str) -> list[int]:
    with Session(engine) as session:
        return [entry.id for entry in read_entries(session, client_id)[key]]


def test_marking_an_entry_in_error_strikes_it_through_and_changes_the_caseload(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    client_id = seeded.clients["ex04"]  # a PHQ-9 with item 9 above 0: act on safety now
    assert (client_id, "urgent_safety") in rows(clin.get("/caseload").text)
    measure = _entries(engine, client_id, "measures")[-1]
    path = f"/clients/{client_id}/entries/questionnaires/{measure}"

    page = clin.get(path)
    assert page.status_code == 200
    assert "Mark entered in error" in page.text

    refused = clin.post_form(f"{path}/in-error", {"reason": "  "})
    assert refused.status_code == 422
    assert "Nothing was saved" in refused.text
    assert re.search(r'id="error-reason"[^>]*aria-invalid="true"', refused.text)

    done = clin.post_form(f"{path}/in-error", {"reason": "another client's answers"})
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/clients/{client_id}")
    shown = clin.get(f"/clients/{client_id}").text
    assert "marked entered in error" in shown
    assert re.search(rf'data-entry="questionnaires-{measure}">\s*<del>', shown)
    assert "another client&#39;s answers" in shown
    assert (client_id, "urgent_safety") not in rows(clin.get("/caseload").text)
    [entry] = audit_entries(engine, action=AuditAction.ENTRY_IN_ERROR.value)
    assert (entry.target_type, entry.target_ids) == ("client_measures", [measure])


def test_a_supervisor_reads_the_marks_and_makes_none(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client_id = seeded.clients["ex05"]
    goal = _entries(engine, client_id, "goals")[0]
    sup = signed_in("sup")
    assert sup.get(f"/clients/{client_id}/entries/goals/{goal}").status_code == 403
    page = sup.get(f"/clients/{client_id}").text
    assert f"/entries/goals/{goal}" not in page


def test_a_goal_changes_status_through_its_page(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    client_id = seeded.clients["ex05"]
    goal = _entries(engine, client_id, "goals")[0]
    path = f"/clients/{client_id}/entries/goals/{goal}"
    refused = clin.post_form(f"{path}/status", {"status": "met", "date": "2099-01-01"})
    assert refused.status_code == 422
    assert "after today" in refused.text
    done = clin.post_form(f"{path}/status", {"status": "dropped", "date": "2026-11-19"})
    assert done.status_code == 303
    page = clin.get(path).text
    assert "Dropped from 19 Nov 2026" in page
    wrong_kind = clin.post_form(
        f"/clients/{client_id}/entries/concerns/{goal}/status", {"status": "met"}
    )
    assert wrong_kind.status_code == 404


def test_discharge_is_refused_while_urgent_and_otherwise_leaves_the_caseload(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    urgent = seeded.clients["ex04"]
    page = clin.get(f"/clients/{urgent}/discharge")
    assert "act on safety now" in page.text
    refused = clin.post_form(
        f"/clients/{urgent}/discharge", {"date": "2026-11-20", "reason": "moved away"}
    )
    assert refused.status_code == 422
    assert "act on the risk first" in refused.text

    done_id = seeded.clients["ex05"]
    done = clin.post_form(
        f"/clients/{done_id}/discharge", {"date": "2026-11-20", "reason": "goals met"}
    )
    assert done.status_code == 303
    assert done_id not in [client for client, _ in rows(clin.get("/caseload").text)]
    assert f"/clients/{done_id}" in clin.get("/clients/discharged").text
    record = clin.get(f"/clients/{done_id}").text
    assert "Discharged on 20 Nov 2026" in record
    assert f'action="/clients/{done_id}/sessions"' not in record
    back = clin.post_form(f"/clients/{done_id}/readmit", {"date": "2026-11-20"})
    assert back.status_code == 303
    assert done_id in [client for client, _ in rows(clin.get("/caseload").text)]


def test_a_new_client_through_the_form(
    signed_in: Callable[[str | None], WebClient], engine: Engine
) -> None:
    clin = signed_in("clin")
    assert clin.get("/clients/new").status_code == 200
    refused = clin.post_form(
        "/clients/new", {"display_name": "", "age": "two", "date": "2026-11-20"}
    )
    assert refused.status_code == 422
    assert "Give the client&#39;s name." in refused.text
    made = clin.post_form(
        "/clients/new",
        {
            "display_name": "Sam Invented",
            "age": "41",
            "concerns": "depression",
            "languages": "en, es",
            "format_of_care": "individual",
            "date": "2026-11-20",
        },
    )
    assert made.status_code == 303
    client_id = int(made.headers["location"].rsplit("/", 1)[-1])
    with Session(engine) as session:
        client = session.get(Client, client_id)
        assert client is not None
        assert (client.display_name, client.languages) == ("Sam Invented", ["en", "es"])
    assert "In care since 20 Nov 2026" in clin.get(f"/clients/{client_id}").text


def test_reassignment_moves_access_and_shows_no_clinical_content(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    admin = signed_in("admin")
    page = admin.get("/assignments")
    assert page.status_code == 200
    assert "Client 01" in page.text
    assert "ex01" in page.text
    for clinical in ("Refer", "Act on safety", "Borderline", "PHQ", "rec-"):
        assert clinical not in page.text, clinical
    client_id = seeded.clients["ex02"]
    moved = admin.post_form(
        f"/assignments/{client_id}", {"clinician_id": str(seeded.users["clin2"])}
    )
    assert moved.status_code == 303
    assert signed_in("clin").get(f"/clients/{client_id}").status_code == 404
    assert signed_in("clin2").get(f"/clients/{client_id}").status_code == 200
    with Session(engine) as session:
        assert (
            session.scalar(select(Client.clinician_id).where(Client.id == client_id))
            == (seeded.users["clin2"])
        )
    refused = admin.post_form(f"/assignments/{client_id}", {"clinician_id": ""})
    assert refused.status_code == 422
    assert "Choose the clinician" in refused.text


def test_a_form_refuses_a_date_a_year_back_and_asks_before_a_second_questionnaire_that_day(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    client_id = seeded.clients["ex07"]
    answers = {f"item{n}": "1" for n in range(1, 8)}
    old = clin.post_form(
        f"/clients/{client_id}/measures", {"instrument": "GAD-7", "date": "1900-01-01"} | answers
    )
    assert old.status_code == 422
    assert "more than a year back" in old.text
    first = clin.post_form(
        f"/clients/{client_id}/measures", {"instrument": "GAD-7", "date": "2026-11-20"} | answers
    )
    assert first.status_code == 303
    second = clin.post_form(
        f"/clients/{client_id}/measures", {"instrument": "GAD-7", "date": "2026-11-20"} | answers
    )
    assert second.status_code == 422
    assert "Was a second one really given that day?" in second.text
    assert 'name="confirm_same_day"' in second.text
    confirmed = clin.post_form(
        f"/clients/{client_id}/measures",
        {"instrument": "GAD-7", "date": "2026-11-20", "confirm_same_day": "on"} | answers,
    )
    assert confirmed.status_code == 303
    before = example_cases()["ex07-not-on-track"].get("measures", [])
    assert len(_entries(engine, client_id, "measures")) == len(before) + 2
