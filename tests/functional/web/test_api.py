"""The JSON API: stateless assessment, a client's case and assessment, OpenAPI, tokens."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from referwell import assess
from referwell.db.models import ApiToken, AuditEntry, StoredAssessment
from referwell.domain.canonical import canonical_case

from .conftest import Template, WebClient
from .seed import TODAY, Seeded, example_cases, token_secret

CASES = example_cases()


def bearer(username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_secret(username)}"}


def counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            int(session.scalar(select(func.count(StoredAssessment.id))) or 0),
            int(session.scalar(select(func.count(AuditEntry.id))) or 0),
        )


@pytest.mark.parametrize("stem", sorted(CASES))
def test_assess_gives_the_libraries_assessment_and_stores_nothing(
    app: FastAPI, engine: Engine, stem: str
) -> None:
    before = counts(engine)
    answer = TestClient(app).post("/api/v1/assess", json=CASES[stem], headers=bearer("clin"))
    assert answer.status_code == 200
    assert answer.json() == assess(copy.deepcopy(CASES[stem]), today=TODAY)
    assert counts(engine) == before


def test_assess_applies_the_practices_rule_settings(
    app: FastAPI, signed_in: Callable[[str | None], WebClient]
) -> None:
    case = CASES["ex07-not-on-track"]
    api = TestClient(app)
    assert api.post("/api/v1/assess", json=case, headers=bearer("clin")).json()[
        "recommendation"
    ] == ("consult_first")
    signed_in("admin").post_form(
        "/admin/settings",
        {"not_on_track_after_sessions": "12", "reason_not_on_track_after_sessions": "a trial"},
    )
    answer = api.post("/api/v1/assess", json=case, headers=bearer("clin")).json()
    assert answer["settings"]["not_on_track_after_sessions"] == 12
    assert "progress.not_on_track" not in [f["kind"] for f in answer["findings"]]


def test_a_clients_case_comes_back_in_the_shared_format(app: FastAPI, seeded: Seeded) -> None:
    answer = TestClient(app).get(
        f"/api/v1/clients/{seeded.clients['ex07']}/case", headers=bearer("clin")
    )
    assert answer.status_code == 200
    assert answer.json() == canonical_case(CASES["ex07-not-on-track"])


def test_a_clients_assessment_is_current(app: FastAPI, seeded: Seeded, engine: Engine) -> None:
    api = TestClient(app)
    answer = api.get(f"/api/v1/clients/{seeded.clients['ex04']}/assessment", headers=bearer("sup"))
    assert answer.status_code == 200
    assert answer.json() == assess(copy.deepcopy(CASES["ex04-phq9-item9"]), today=TODAY)
    stored = counts(engine)[0]
    api.get(f"/api/v1/clients/{seeded.clients['ex04']}/assessment", headers=bearer("sup"))
    assert counts(engine)[0] == stored  # current now: not recomputed


def test_the_session_works_for_the_api_too(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    client = signed_in("clin")
    assert client.get(f"/api/v1/clients/{seeded.clients['ex01']}/case").status_code == 200


def test_a_revoked_token_is_refused_and_use_is_noted(
    app: FastAPI, signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    api = TestClient(app)
    path = f"/api/v1/clients/{seeded.clients['ex01']}/case"
    assert api.get(path, headers=bearer("clin")).status_code == 200
    with Session(engine) as session:
        token = session.get(ApiToken, seeded.tokens["clin"])
        assert token is not None
        assert token.last_used_at is not None
    page = signed_in("clin")
    assert page.post_form(f"/profile/tokens/{seeded.tokens['clin']}/revoke").status_code == 303
    refused = api.get(path, headers=bearer("clin"))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_authenticated"


def test_a_new_token_is_shown_once_and_works(
    app: FastAPI, signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    page = signed_in("clin").post_form("/profile/tokens", {"label": "my script"})
    assert page.status_code == 200
    secret = page.text.split('<code class="secret">', 1)[1].split("<", 1)[0]
    assert secret.startswith("rwt_")
    with Session(engine) as session:
        hashes = list(session.scalars(select(ApiToken.token_hash)))
    assert secret not in hashes  # only its hash is kept
    answer = TestClient(app).get(
        f"/api/v1/clients/{seeded.clients['ex01']}/case",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 200
    assert secret not in signed_in("clin").get("/profile").text


@pytest.fixture
def web_db(sqlite_template: Template, tmp_path: Path) -> Template:
    """SQLite only: the API reads through the same services the pages do (tested on both)."""
    from .conftest import sqlite_copy

    return sqlite_copy(sqlite_template, tmp_path)


def test_the_openapi_document_describes_the_api(app: FastAPI) -> None:
    document: dict[str, Any] = TestClient(app).get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/assess",
        "/api/v1/clients/{client_id}/case",
        "/api/v1/clients/{client_id}/assessment",
    }
    assess_op = document["paths"]["/api/v1/assess"]["post"]
    assert assess_op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Case"
    }
    assert "422" in assess_op["responses"]
    assert document["components"]["schemas"]["Case"]["properties"]["format"]["const"] == (
        "referwell.case/1"
    )
    assert set(document["components"]["securitySchemes"]) == {"token", "session"}
    parameters = document["paths"]["/api/v1/clients/{client_id}/case"]["get"]["parameters"]
    assert parameters[0]["name"] == "client_id"


def test_there_are_no_interactive_docs_loading_from_a_cdn(app: FastAPI) -> None:
    client = TestClient(app)
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
