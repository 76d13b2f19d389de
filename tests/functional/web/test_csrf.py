"""CSRF: every unsafe request made with the session cookie carries the session's token."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from referwell.db.case_parts import Measure
from referwell.web.routes import ROUTES

from .conftest import Template, WebClient, audit_entries, sqlite_copy
from .seed import PASSWORD, Seeded, token_secret


@pytest.fixture
def web_db(sqlite_template: Template, tmp_path: Path) -> Template:
    """SQLite only: nothing here depends on the database."""
    return sqlite_copy(sqlite_template, tmp_path)


PHQ9 = {"instrument": "PHQ-9", "date": "2026-11-19", **{f"item{i}": "1" for i in range(1, 10)}}


def measures(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count(Measure.id))) or 0)


@pytest.mark.parametrize("token", [None, "", "not-the-token"], ids=["missing", "empty", "wrong"])
def test_a_form_without_the_sessions_token_is_refused_and_saves_nothing(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    token: str | None,
) -> None:
    client = signed_in("clin")
    before, audited = measures(engine), len(audit_entries(engine))
    data = dict(PHQ9) | ({} if token is None else {"csrf_token": token})

    answer = client.post(f"/clients/{seeded.client_of('clin')}/measures", data=data)

    assert answer.status_code == 403
    assert "expired" in answer.text
    assert measures(engine) == before
    assert len(audit_entries(engine)) == audited


def test_the_token_of_another_session_is_refused(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    mine, theirs = signed_in("clin"), signed_in("clin")
    assert mine.csrf != theirs.csrf
    answer = mine.post(
        f"/clients/{seeded.client_of('clin')}/measures", data=PHQ9 | {"csrf_token": theirs.csrf}
    )
    assert answer.status_code == 403


def test_htmx_sends_the_token_as_a_header(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client = signed_in("clin")
    before = measures(engine)
    answer = client.post(
        f"/clients/{seeded.client_of('clin')}/measures",
        data=PHQ9,
        headers={"X-CSRF-Token": client.csrf, "HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert measures(engine) == before + 1


def test_signing_in_needs_the_token_too(app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False)
    client.get("/login")
    answer = client.post("/login", data={"username": "clin", "password": PASSWORD})
    assert answer.status_code == 403
    assert client.get("/caseload").headers["location"].startswith("/login")


def test_signing_out_needs_the_token(signed_in: Callable[[str | None], WebClient]) -> None:
    client = signed_in("clin")
    assert client.post("/logout").status_code == 403
    assert client.get("/caseload").status_code == 200  # still signed in


def test_the_api_with_a_session_needs_the_header_and_with_a_token_does_not(
    signed_in: Callable[[str | None], WebClient], app: FastAPI
) -> None:
    case = {"format": "referwell.case/1", "id": "x", "clinician": {"competencies": ["cbt"]},
            "client": {"age": 30}, "concerns": []}  # fmt: skip
    client = signed_in("clin")
    assert client.post("/api/v1/assess", json=case).status_code == 403
    assert client.post("/api/v1/assess", json=case).json()["error"]["code"] == "csrf_failed"
    assert (
        client.post("/api/v1/assess", json=case, headers={"X-CSRF-Token": client.csrf}).status_code
        == 200
    )

    bare = TestClient(app)
    answer = bare.post(
        "/api/v1/assess", json=case, headers={"Authorization": f"Bearer {token_secret('clin')}"}
    )
    assert answer.status_code == 200


def test_every_unsafe_route_is_guarded_by_csrf(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded
) -> None:
    """Without the token every POST of the table is refused before its view runs."""
    client = signed_in("clin")
    for spec in ROUTES:
        if "POST" not in spec.methods:
            continue
        path = (
            seeded.fill_path(spec.path, seeded.client_with_goals_of("clin"))
            .replace("{user_id:id}", str(seeded.users["clin"]))
            .replace("{token_id:id}", str(seeded.spare_tokens["clin"]))
        )
        answer = client.post(path, data={"x": "1"})
        if spec.partner_api:
            # Partners' FHIR endpoint: a session cookie carries no authority there at all;
            # without the partner's bearer token it is refused before anything is read.
            assert answer.status_code == 401, f"POST {path}: {answer.status_code}"
            assert answer.json()["resourceType"] == "OperationOutcome"
            continue
        # The clinician may not use the admin routes at all (403 before CSRF): still refused.
        assert answer.status_code == 403, f"POST {path}: {answer.status_code}"
