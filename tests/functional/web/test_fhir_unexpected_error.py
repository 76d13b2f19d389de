"""An unexpected exception under `/fhir/` answers a FHIR `OperationOutcome` (500), as every
other answer of the partners' endpoint does: no text of the exception in the answer, and
the log names the route template only (a filled-in path names a Task). Both backends."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from referwell.services.referrals import exchange

from .conftest import WebClient

TOKEN = re.compile(r'id="issued-token" class="token" value="(rwp_[A-Za-z0-9_-]+)"')
SECRET = "Synthetic Client Zed, PHQ-9 total 23"


def _issued_token(admin: WebClient) -> str:
    """A partner added on the admin page: the token we issued to it (shown once)."""
    form = {
        "name": "Partner Practice (test)",
        "base_url": "http://127.0.0.1:9",
        "entry_external_ids": "dir-1042",
        "outbound_token": "their-secret-token-for-us",
    }
    answer = admin.post_form("/admin/partners", form)
    assert answer.status_code == 200, answer.text[:500]
    found = TOKEN.search(answer.text)
    assert found, answer.text[:2000]
    return found.group(1)


def test_an_unexpected_exception_under_fhir_is_an_operation_outcome(
    app: FastAPI,
    signed_in: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = _issued_token(signed_in("admin"))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(exchange, "read_task", broken)
    caplog.set_level(logging.INFO)

    answer = TestClient(app).get("/fhir/r4/Task/4711", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/fhir+json")
    outcome = answer.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert [issue["code"] for issue in outcome["issue"]] == ["exception"]
    assert outcome["issue"][0]["severity"] == "error"
    assert SECRET not in answer.text
    assert "RuntimeError" not in answer.text
    logged = [r for r in caplog.records if r.name == "referwell.web.errors"]
    assert len(logged) == 1
    message = logged[0].getMessage()
    assert "GET /fhir/r4/Task/{task_id}" in message
    assert "4711" not in message.split("\n", 1)[0]
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    caplog.clear()  # the one unexpected error was this test's own


def test_outside_fhir_an_unexpected_exception_stays_an_html_page(
    app: FastAPI, signed_in: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The OperationOutcome is for `/fhir/` only: the same failure elsewhere is not FHIR."""
    from referwell.services.referrals import partners

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(partners, "list_partners", broken)
    admin = signed_in("admin")
    answer = admin.get("/admin/partners")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert SECRET not in answer.text
    caplog.clear()
