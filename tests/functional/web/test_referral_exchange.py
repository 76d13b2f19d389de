"""The referral exchange in one app, on SQLite and PostgreSQL: the admin's partner page (our
token shown once, theirs never), the partners' FHIR endpoint (OperationOutcomes, 401 with
nothing written, If-Match: 428 and 412), the supervisors' inbox (accept makes the client's
record), and the receiver's status link (only what the consent covers; refused links)."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.models import AuditEntry, Client
from referwell.db.referrals.models import Partner, Referral, StatusLink

from .conftest import WebClient, audit_entries
from .seed import STATUS_LINK_TOKEN, Seeded

TOKEN = re.compile(r'id="issued-token" class="token" value="(rwp_[A-Za-z0-9_-]+)"')
FHIR = {"Content-Type": "application/fhir+json"}


def _add_partner(admin: WebClient, **fields: str) -> str:
    form = {
        "name": "Partner Practice (test)",
        "base_url": "http://127.0.0.1:9",
        "entry_external_ids": "dir-1042",
        "outbound_token": "their-secret-token-for-us",
    } | fields
    answer = admin.post_form("/admin/partners", form)
    assert answer.status_code == 200, answer.text[:500]
    found = TOKEN.search(answer.text)
    assert found, answer.text[:2000]
    assert "their-secret-token-for-us" not in answer.text
    return found.group(1)


def _bundle(task_id: str = "41", name: str = "Synthetic Incoming") -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Task", "id": task_id, "status": "requested",
                          "intent": "order", "businessStatus": {"text": "sent"}}},
            {"resource": {"resourceType": "ServiceRequest", "id": "sr", "status": "active",
                          "intent": "order", "subject": {"reference": "Patient/pt"},
                          "reasonCode": [{"text": "a synthetic reason"}]}},
            {"resource": {"resourceType": "Patient", "id": "pt", "name": [{"text": name}],
                          "birthDate": "1990",
                          "telecom": [{"system": "email", "value": "si@example.org"}]}},
        ],
    }  # fmt: skip


def _ours(caplog: pytest.LogCaptureFixture) -> str:
    """What referwell logged (the test's own HTTP client logs the URLs it asks for)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("referwell"))


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_partner_sends_a_referral_and_the_supervisor_accepts_it(
    app: FastAPI,
    signed_in: Any,
    seeded: Seeded,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = signed_in("admin")
    token = _add_partner(admin)
    with Session(engine) as session:
        partner = session.scalars(select(Partner)).one()
        assert partner.outbound_token == "their-secret-token-for-us"
        assert token not in str(partner.__dict__)
    page = admin.get("/admin/partners").text
    assert "Partner Practice (test)" in page
    assert token not in page
    assert "their-secret-token-for-us" not in page

    partner_client = TestClient(app)
    before = (_count(engine, Referral), _count(engine, AuditEntry))
    for headers in ({}, {"Authorization": "Bearer rwp_wrong"}, {"Authorization": "Basic x"}):
        refused = partner_client.post("/fhir/r4/Bundle", json=_bundle(), headers=FHIR | headers)
        assert refused.status_code == 401
        assert refused.json()["resourceType"] == "OperationOutcome"
    assert (_count(engine, Referral), _count(engine, AuditEntry)) == before

    auth = FHIR | {"Authorization": f"Bearer {token}"}
    bad = partner_client.post("/fhir/r4/Bundle", json={"resourceType": "Bundle"}, headers=auth)
    assert bad.status_code == 422
    assert bad.json()["resourceType"] == "OperationOutcome"
    assert _count(engine, Referral) == before[0]
    made = partner_client.post("/fhir/r4/Bundle", json=_bundle(), headers=auth)
    assert made.status_code == 201, made.text
    task = made.json()
    assert made.headers["etag"] == f'W/"{task["meta"]["versionId"]}"'
    again = partner_client.post("/fhir/r4/Bundle", json=_bundle(), headers=auth)
    assert (again.status_code, again.json()["id"]) == (200, task["id"])

    read = partner_client.get(f"/fhir/r4/Task/{task['id']}", headers=auth)
    assert read.status_code == 200
    assert read.json()["status"] == "requested"
    assert partner_client.get("/fhir/r4/Task/99999", headers=auth).status_code == 404
    # The sender may not set the receiver's statuses; no If-Match is 428, a stale one 412.
    update = {**read.json(), "status": "received",
              "businessStatus": {"text": "acknowledged"}}  # fmt: skip
    put = partner_client.put(f"/fhir/r4/Task/{task['id']}", json=update, headers=auth)
    assert put.status_code == 428
    stale = partner_client.put(
        f"/fhir/r4/Task/{task['id']}", json=update, headers=auth | {"If-Match": 'W/"99"'}
    )
    assert stale.status_code == 412
    assert stale.json()["issue"][0]["code"] == "conflict"
    wrong_side = partner_client.put(
        f"/fhir/r4/Task/{task['id']}",
        json=update,
        headers=auth | {"If-Match": read.headers["etag"]},
    )
    assert wrong_side.status_code == 422

    sup = signed_in("sup")
    inbox = sup.get("/referrals/inbox")
    assert inbox.status_code == 200
    assert "Synthetic Incoming" in inbox.text
    assert "Synthetic Incoming" not in signed_in("clin").get("/referrals/inbox").text
    referral_id = int(task["id"])
    with Session(engine) as session:
        version = session.get(Referral, referral_id).version  # type: ignore[union-attr]
    accepted = sup.post_form(
        "/referrals/inbox/accept",
        {"referral_id": str(referral_id), "version": str(version),
         "clinician_id": str(seeded.users["clin"])},
    )  # fmt: skip
    assert accepted.status_code == 303, accepted.text[:500]
    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        assert referral.status == "accepted"
        client = session.get(Client, referral.client_id)
        assert client is not None
        assert (client.display_name, client.email, client.clinician_id) == (
            "Synthetic Incoming", "si@example.org", seeded.users["clin"]
        )  # fmt: skip
    assert "Synthetic Incoming" in signed_in("clin").get("/referrals/inbox").text
    # The partner sees the change as a Task; the tokens are in no log line.
    assert (
        partner_client.get(f"/fhir/r4/Task/{task['id']}", headers=auth).json()["status"]
        == "accepted"
    )
    logged = _ours(caplog)
    assert token not in logged
    assert "their-secret-token-for-us" not in logged


def test_a_revoked_partner_is_refused_and_nothing_is_written(
    app: FastAPI, signed_in: Any, engine: Engine
) -> None:
    admin = signed_in("admin")
    token = _add_partner(admin)
    with Session(engine) as session:
        partner_id = session.scalars(select(Partner.id)).one()
    assert (
        admin.post_form("/admin/partners/revoke", {"partner_id": str(partner_id)}).status_code
        == 303
    )
    before = (_count(engine, Referral), _count(engine, AuditEntry))
    answer = TestClient(app).post(
        "/fhir/r4/Bundle", json=_bundle(), headers=FHIR | {"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 401
    assert (_count(engine, Referral), _count(engine, AuditEntry)) == before
    assert audit_entries(engine, action=AuditAction.PARTNER_REVOKE.value)


@pytest.mark.parametrize("where", ["name", "reason"])
def test_a_bundle_with_a_nul_is_refused_and_nothing_is_written(
    app: FastAPI, signed_in: Any, engine: Engine, where: str
) -> None:
    token = _add_partner(signed_in("admin"))
    bundle = _bundle(name="Synthetic\x00Incoming") if where == "name" else _bundle()
    if where == "reason":
        bundle["entry"][1]["resource"]["reasonCode"][0]["text"] = "a reason\x00"
    before = _count(engine, Referral)
    answer = TestClient(app).post(
        "/fhir/r4/Bundle", json=bundle, headers=FHIR | {"Authorization": f"Bearer {token}"}
    )
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert answer.json()["resourceType"] == "OperationOutcome"
    assert _count(engine, Referral) == before


@pytest.mark.parametrize("task_id", ["2147483648", "9223372036854775808", "１２"])
def test_a_task_id_beyond_the_database_is_not_found(
    app: FastAPI, signed_in: Any, task_id: str
) -> None:
    token = _add_partner(signed_in("admin"))
    answer = TestClient(app).get(
        f"/fhir/r4/Task/{task_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 404, answer.text[:300]
    assert answer.json()["resourceType"] == "OperationOutcome"


def test_the_status_link_shows_what_the_consent_covers_and_records_answers(
    signed_in: Any, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    visitor = signed_in(None)
    page = visitor.get(f"/r/{STATUS_LINK_TOKEN}")
    assert page.status_code == 200
    # The seeded referral's client gave no consent: nothing of theirs is shown.
    assert "Client 01" not in page.text
    assert "a synthetic reason" not in page.text
    assert "Not shared (no consent)" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    missing = visitor.post_form(
        f"/r/{STATUS_LINK_TOKEN}", {"action": "accept", "version": version.group(1)}
    )
    assert missing.status_code == 422
    assert "appointment" in missing.text
    done = visitor.post_form(
        f"/r/{STATUS_LINK_TOKEN}", {"action": "acknowledge", "version": version.group(1)}
    )
    assert done.status_code == 303
    with Session(engine) as session:
        referral = session.scalars(select(Referral)).one()
        assert (referral.status, referral.events[-1].actor_kind) == ("received", "status_link")
        link = session.scalars(select(StatusLink)).one()
        assert link.uses == 1
    assert audit_entries(engine, action=AuditAction.STATUS_LINK_USE.value)
    assert visitor.get("/r/rws_unknown").status_code == 404
    with Session(engine) as session:
        link = session.scalars(select(StatusLink)).one()
        link.revoked_at = link.created_at
        session.commit()
    gone = visitor.get(f"/r/{STATUS_LINK_TOKEN}")
    assert gone.status_code == 410
    assert "Client" not in gone.text
    assert audit_entries(engine, action=AuditAction.STATUS_LINK_REFUSED.value)
    assert STATUS_LINK_TOKEN not in _ours(caplog)
