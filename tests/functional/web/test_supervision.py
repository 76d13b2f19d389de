"""The supervisor's one list: every supervisee's client in care, in the engine's order (the order
`referwell screen` gives), filtered by clinician, recommendation and name, as CSV; and the
"reviewed" mark that persists, is audited and clears when the recommendation changes."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from sqlalchemy import Engine

from referwell.db.audit import AuditAction
from referwell.domain.assessment import assess_case
from referwell.domain.caseformat import parse_case
from referwell.domain.settings import RuleSettings
from referwell.services.screening.rows import WorklistRow, order_worklist

from .conftest import WebClient, audit_entries
from .seed import TODAY, Seeded, example_cases
from .test_caseload import rows


def _engine_order(seeded: Seeded) -> list[int]:
    """The clinician's clients as the screen orders them, from the engine directly."""
    by_id = {}
    for _, case in example_cases().items():
        assessment = assess_case(parse_case(case, today=TODAY), RuleSettings())
        client_id = seeded.clients[case["id"]]
        by_id[client_id] = WorklistRow.of(assessment, str(client_id), "", (client_id, ""))
    return [int(row.client) for row in order_worklist(by_id.values())]


def test_one_list_of_every_supervisees_client_in_the_engines_order(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    page = signed_in("sup").get("/supervision")
    assert page.status_code == 200
    listed = [client for client, _ in rows(page.text)]
    assert listed == _engine_order(seeded)
    assert not set(listed) & {seeded.clients["c2-a"], seeded.clients["c2-b"], seeded.clients["b-1"]}
    assert "Clin Testperson" in page.text
    assert signed_in("clin").get("/supervision").status_code == 403
    assert signed_in("sup").get("/worklist").status_code in (301, 302, 303, 307, 308, 404)


def test_filters_by_clinician_recommendation_and_name(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    sup = signed_in("sup")
    everyone = rows(sup.get("/supervision").text)
    urgent = rows(sup.get("/supervision?recommendation=urgent_safety").text)
    assert urgent == [row for row in everyone if row[1] == "urgent_safety"]
    assert urgent
    mine = rows(sup.get(f"/supervision?clinician={seeded.users['clin']}").text)
    assert mine == everyone
    refused = sup.get(f"/supervision?clinician={seeded.users['clin2']}")
    assert refused.status_code == 422
    assert "choose one of your supervisees" in refused.text
    assert sup.get("/supervision?recommendation=maybe").status_code == 422

    named = sup.post_form("/supervision", {"search": "goals-met"})
    assert named.status_code == 200
    assert rows(named.text) == [(seeded.clients["ex05"], "plan_termination")]
    by_case = sup.post_form("/supervision", {"search": "EX04"})
    assert [client for client, _ in rows(by_case.text)] == [seeded.clients["ex04"]]


def test_the_csv_is_the_list_as_shown(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    sup = signed_in("sup")
    shown = rows(sup.get("/supervision").text)
    answer = sup.get("/supervision?format=csv")
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert [row["case_id"] for row in table] == [
        case_id
        for client, _ in shown
        for case_id, known in seeded.clients.items()
        if known == client
    ]
    assert table[0]["recommendation"] == "Urgent: safety"
    assert "_" not in table[0]["recommendation"]
    filtered = sup.post_form("/supervision", {"recommendation": "refer", "format": "csv"})
    refer = list(csv.DictReader(io.StringIO(filtered.text)))
    assert len(refer) == sum(1 for _, rec in shown if rec == "refer")


def test_a_reviewed_mark_persists_and_clears_when_the_recommendation_changes(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    sup = signed_in("sup")
    client_id = seeded.clients["ex07"]
    sup.get("/supervision")
    marked = sup.post_form(f"/clients/{client_id}/review", {"note": "talked it through on Monday"})
    assert marked.status_code == 303
    page = sup.get("/supervision").text
    assert f'data-client="{client_id}" id="client-{client_id}" data-reviewed="yes"' in page
    assert "talked it through on Monday" in page
    assert signed_in("clin").post_form(f"/clients/{client_id}/review", {}).status_code == 403

    # Same recommendation after a save: the mark holds.
    clin = signed_in("clin")
    clin.post_form(
        f"/clients/{client_id}/sessions", {"date": TODAY.isoformat(), "attendance": "attended"}
    )
    assert f'id="client-{client_id}" data-reviewed="yes"' in sup.get("/supervision").text
    # A PHQ-9 with item 9 above 0: act on safety now, and the mark clears.
    clin.post_form(
        f"/clients/{client_id}/measures",
        {"instrument": "PHQ-9", "date": TODAY.isoformat()}
        | {f"item{n}": "1" for n in range(1, 10)},
    )
    page = sup.get("/supervision").text
    assert f'data-client="{client_id}" id="client-{client_id}" data-reviewed="no"' in page
    [marks] = [audit_entries(engine, action=AuditAction.REVIEW_MARK.value)]
    assert [(m.actor, m.actor_kind) for m in marks] == [(str(seeded.users["sup"]), "user")]
    [cleared] = audit_entries(engine, action=AuditAction.REVIEW_CLEAR.value)
    assert (cleared.actor, cleared.actor_kind, cleared.target_ids) == (
        "referwell",
        "system",
        [marks[0].target_ids[0]],
    )
