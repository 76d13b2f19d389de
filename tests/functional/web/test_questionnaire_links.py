"""Questionnaires by one-time link: made by the clinician, opened and sent by the client without
signing in, used up on sending (not on opening), refused once used, expired or withdrawn,
stored as a hash only, and audited as the link's holder; on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.case_parts import Measure
from referwell.db.models import QuestionnaireLink
from referwell.services.tokens import token_digest

from .conftest import WebClient, audit_entries
from .seed import Seeded
from .test_caseload import rows

LINK = re.compile(r'value="(https?://[^"]*/q/(rwq_[A-Za-z0-9_-]+))"')


def _make_link(clin: WebClient, client_id: int, *instruments: str) -> str:
    made = clin.post_form(
        f"/clients/{client_id}/questionnaire-links", {"instruments": list(instruments)}
    )
    assert made.status_code == 200, made.text[:300]
    found = LINK.search(made.text)
    assert found, made.text[:2000]
    return found.group(2)


def _answers(prefix: str, values: list[int]) -> dict[str, str]:
    return {f"{prefix}item{n}": str(value) for n, value in enumerate(values, start=1)}


def test_a_client_fills_in_a_phq9_by_link_and_rises_to_the_top_of_the_caseload(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    flush_reads: Callable[[], int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    clin = signed_in("clin")
    client_id = seeded.clients["ex05"]  # goals met: far from the top
    assert rows(clin.get("/caseload").text)[0][0] != client_id
    token = _make_link(clin, client_id, "PHQ-9")
    with Session(engine) as session:
        link = session.scalars(
            select(QuestionnaireLink).where(QuestionnaireLink.client_id == client_id)
        ).one()
        assert link.token_hash == token_digest(token)
        assert token not in str(link.__dict__)
        link_id = link.id

    visitor = signed_in(None)
    page = visitor.get(f"/q/{token}")
    assert page.status_code == 200
    assert "Riverside (test)" in page.text
    assert "Little interest or pleasure in doing things" in page.text
    assert "Client 05" not in page.text
    assert 'href="/caseload"' not in page.text
    visitor.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

    missing = visitor.post_form(f"/q/{token}", _answers("phq9-", [1] * 8))
    assert missing.status_code == 422
    assert "Item 9 of the PHQ-9 is missing" in missing.text
    assert visitor.get(f"/q/{token}").status_code == 200  # opening uses nothing up

    sent = visitor.post_form(f"/q/{token}", _answers("phq9-", [2, 2, 1, 1, 1, 1, 1, 1, 1]))
    assert sent.status_code == 303
    assert sent.headers["location"] == "/q/done"
    done = visitor.get("/q/done")
    assert "Call or text 988" in done.text
    assert visitor.get("/q/done").text.count("988") == 0  # shown once, on the next page

    with Session(engine) as session:
        measures = session.scalars(
            select(Measure).where(Measure.client_id == client_id, Measure.instrument == "PHQ-9")
        ).all()
        assert [m.items for m in measures][-1] == [2, 2, 1, 1, 1, 1, 1, 1, 1]
        assert session.get(QuestionnaireLink, link_id).used_at is not None  # type: ignore[union-attr]
    assert rows(clin.get("/caseload").text)[0] == (client_id, "urgent_safety")

    again = visitor.get(f"/q/{token}")
    assert again.status_code == 410
    assert "already been used" in again.text
    resent = visitor.post_form(f"/q/{token}", _answers("phq9-", [0] * 9))
    assert resent.status_code == 410

    flush_reads()
    kinds = {
        entry.action: (entry.actor_kind, entry.actor)
        for entry in audit_entries(engine, target_type="questionnaire_link")
    }
    assert kinds[AuditAction.LINK_CREATE.value] == ("user", str(seeded.users["clin"]))
    for action in (AuditAction.LINK_OPEN, AuditAction.LINK_SUBMIT, AuditAction.LINK_REFUSED):
        assert kinds[action.value] == ("questionnaire_link", str(link_id)), action
    # The app's own logs name the route, never the token (httpx, the test's client, does).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("referwell"))
    assert "/q/{token}" in logged
    assert token not in logged


def test_without_item_9_above_0_there_are_no_crisis_resources(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    token = _make_link(signed_in("clin"), seeded.clients["ex05"], "PHQ-9", "GAD-7")
    visitor = signed_in(None)
    page = visitor.get(f"/q/{token}")
    assert "GAD-7" in page.text
    visitor.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    sent = visitor.post_form(
        f"/q/{token}", _answers("phq9-", [1] * 8 + [0]) | _answers("gad7-", [1] * 7)
    )
    assert sent.status_code == 303
    done = visitor.get("/q/done").text
    assert "your answers were sent" in done
    assert "988" not in done


def test_an_expired_a_withdrawn_and_an_unknown_link_are_refused(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    client_id = seeded.clients["ex05"]
    expired = _make_link(clin, client_id, "GAD-7")
    withdrawn = _make_link(clin, client_id, "GAD-7")
    with engine.begin() as connection:
        connection.execute(
            update(QuestionnaireLink)
            .where(QuestionnaireLink.token_hash == token_digest(expired))
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    with Session(engine) as session:
        withdrawn_id = session.scalar(
            select(QuestionnaireLink.id).where(
                QuestionnaireLink.token_hash == token_digest(withdrawn)
            )
        )
    answer = clin.post_form(
        f"/clients/{client_id}/questionnaire-links/withdraw", {"link_id": str(withdrawn_id)}
    )
    assert answer.status_code == 303
    page = clin.get(f"/clients/{client_id}").text
    assert 'data-link-state="withdrawn"' in page
    assert 'data-link-state="expired"' in page

    visitor = signed_in(None)
    gone = visitor.get(f"/q/{expired}")
    assert (gone.status_code, "has expired" in gone.text) == (410, True)
    gone = visitor.get(f"/q/{withdrawn}")
    assert (gone.status_code, "no longer in use" in gone.text) == (410, True)
    unknown = visitor.get("/q/rwq_not_a_link")
    assert (unknown.status_code, "not one we know" in unknown.text) == (404, True)


def test_a_supervisor_makes_no_link_and_a_discharged_client_gets_none(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    client_id = seeded.clients["ex05"]
    refused = signed_in("sup").post_form(
        f"/clients/{client_id}/questionnaire-links", {"instruments": ["PHQ-9"]}
    )
    assert refused.status_code == 403
    clin = signed_in("clin")
    token = _make_link(clin, client_id, "PHQ-9")
    discharged = clin.post_form(
        f"/clients/{client_id}/discharge", {"date": "2026-11-20", "reason": "goals met"}
    )
    assert discharged.status_code == 303
    assert signed_in(None).get(f"/q/{token}").status_code == 410
