"""Bad input that used to be a server error is a clear 4xx, with nothing written.

- an id beyond 64 bits in any path is a 404 (a record that cannot exist does
  not exist), in the JSON error shape on `/api/`;
- a NUL (or a lone surrogate) in any form field or any string of a case is a
  422 naming the field;
- a form body sent to `POST /api/v1/assess` is a 415 saying to send JSON;
- a body over the 2 MB cap is a 413 before it is read, whether its
  Content-Length says so or it streams on;
- every answer carries a Permissions-Policy; the server does not name itself.

Each runs on SQLite and PostgreSQL (PostgreSQL refuses NUL in text and
integers beyond 64 bits, where SQLite kept quiet or overflowed in Python).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from referwell.db.base import Base
from referwell.services.permissions import Permission
from referwell.web.middleware import MAX_BODY_BYTES
from referwell.web.routes import ROUTES
from referwell.web.routespec import RouteSpec

from .conftest import SECRET, Template, WebClient, sqlite_copy
from .seed import LINK_TOKEN, Seeded, example_cases, token_secret

# What a refused request may still change: the audit of reads, assessments recomputed for a
# page, and when a session or a token was last used.
NOT_RECORDS = ("audit_", "assessments")
NOT_WRITES = frozenset({"last_used_at", "last_seen_at"})


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that holds what users enter or change."""
    with Session(engine) as session:
        return {
            table.name: sorted(
                (
                    tuple(
                        repr(value) for key, value in row._mapping.items() if key not in NOT_WRITES
                    )
                    for row in session.execute(select(table))
                ),
                key=str,
            )
            for table in Base.metadata.sorted_tables
            if not table.name.startswith(NOT_RECORDS)
        }


ID_NAMES = ("client_id", "entry_id", "user_id", "token_id", "position", "referral_id")
# Who may use a route with ids in its path (so that only the id decides the answer).
USER_FOR = {
    Permission.CLIENT_READ: "clin",
    Permission.CLIENT_WRITE: "clin",
    Permission.CLIENT_REVIEW: "sup",
    Permission.CLIENT_ASSIGN: "sup",
    Permission.ADMIN: "admin",
    Permission.SIGNED_IN: "clin",
}
# 2**63 (the first beyond a signed 64-bit integer), 2**63 - 1, 2**31 (beyond PostgreSQL's
# `integer`, every record id's type), more digits than Python converts, and the largest id
# a record can have (which names nothing here, so the database is asked).
BEYOND = {
    "2**63": str(2**63),
    "2**63-1": str(2**63 - 1),
    "2**31": str(2**31),
    "5000-digits": "9" * 5000,
    "largest-that-fits": str(2**31 - 1),
    "largest-with-leading-zeros": "0" * 20 + str(2**31 - 1),
}
NOT_FOUND = {
    "error": {
        "status": 404,
        "code": "not_found",
        "message": "There is no such page, or it is not yours to see.",
        "fields": [],
    }
}
ERROR_KEYS = {"status", "code", "message", "fields"}

ID_ROUTES = [
    pytest.param((spec, method, name), id=f"{method}-{spec.name}-{name}")
    for spec in ROUTES
    for method in spec.methods
    for name in ID_NAMES
    if "{" + name + ":" in spec.path
]


def bearer(username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_secret(username)}"}


def fill(spec: RouteSpec, seeded: Seeded, huge: str, where: str) -> str:
    """The route's path with `huge` at the id `where`, and real ids of the user's own in
    the others."""
    own_client = seeded.client_with_goals_of("clin")
    real = {
        "client_id": str(own_client),
        "entry_id": str(seeded.goals[own_client]),
        "user_id": str(seeded.users["clin"]),
        "token_id": str(seeded.spare_tokens["clin"]),
        "position": "1",
        "referral_id": str(seeded.referral_id),
    }
    path = spec.path.replace("{kind}", "goals").replace("{token}", LINK_TOKEN)
    for name in ID_NAMES:
        path = path.replace("{" + name + ":id}", huge if name == where else real[name])
    return path


def send(client: WebClient, spec: RouteSpec, method: str, path: str) -> httpx.Response:
    if method == "GET":
        return client.get(path, headers=bearer("clin") if spec.api else None)
    return client.post_form(path, {"note": "x", "reason": "x", "description": "x"})


def assert_error_shape(answer: httpx.Response, status: int) -> None:
    """The documented error: the JSON shape (on /api/ or when JSON is asked for) or a page."""
    assert answer.status_code == status, answer.text[:500]
    if answer.headers["content-type"].startswith("application/json"):
        body = answer.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == ERROR_KEYS
        assert body["error"]["status"] == status
    else:
        assert answer.headers["content-type"].startswith("text/html")
        assert "Traceback" not in answer.text


def test_every_id_in_a_path_is_a_record_id() -> None:
    """`{name:id}` (0 to 2**31 - 1) for every id of the routes table, never `{name:int}`."""
    for spec in ROUTES:
        assert ":int}" not in spec.path, spec.path
        for name in ID_NAMES:
            if "{" + name in spec.path:
                assert "{" + name + ":id}" in spec.path, spec.path


@pytest.mark.parametrize("route", ID_ROUTES)
def test_an_id_beyond_64_bits_is_404_on_every_route(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    route: tuple[RouteSpec, str, str],
) -> None:
    spec, method, where = route
    client = signed_in(USER_FOR[spec.permission])
    before = snapshot(engine)
    for label, huge in BEYOND.items():
        answer = send(client, spec, method, fill(spec, seeded, huge, where))
        assert answer.status_code == 404, f"{label}: {answer.status_code} {answer.text[:300]}"
        if spec.api:
            assert answer.json() == NOT_FOUND, label
        else:
            assert_error_shape(answer, 404)
    assert snapshot(engine) == before


# --- NUL and lone surrogates ----------------------------------------------------------


FORM_ROUTES = [
    pytest.param(spec, id=spec.name)
    for spec in ROUTES
    # the partners' FHIR endpoint takes JSON, not forms: test_referral_exchange.py tries it
    if "POST" in spec.methods and not spec.api and not spec.partner_api
]


def who_posts(spec: RouteSpec) -> str | None:
    if spec.permission is Permission.PUBLIC:
        return None
    return {
        Permission.CLINICAL: "clin",
        Permission.SUPERVISOR: "sup",
    }.get(spec.permission, USER_FOR.get(spec.permission, "clin"))


@pytest.mark.parametrize("spec", FORM_ROUTES)
def test_a_nul_in_any_form_field_is_refused_with_its_name(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    spec: RouteSpec,
) -> None:
    """Before any view runs, on every form of the routes table, for the user it is for."""
    client = signed_in(who_posts(spec))
    path = fill(spec, seeded, str(seeded.client_with_goals_of("clin")), "client_id")
    before = snapshot(engine)
    answer = client.post_form(path, {"description": "Walk\x00 daily", "status": "met"})
    assert_error_shape(answer, 422)
    assert "description" in answer.text
    assert "contains a NUL character (U+0000); remove it" in answer.text
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    "form",
    [
        ("clin", "/clients/{client}/goals", {"description": "a\x00b", "status": "met"},
         "description"),
        (None, "/login", {"username": "clin\x00", "password": "whatever"}, "username"),
        ("admin", "/admin/users",
         {"username": "newbie", "display_name": "New\x00bie", "role": "clinician",
          "password": "a long enough password"}, "display_name"),
        ("clin", "/profile/tokens", {"label": "laptop\x00"}, "label"),
        ("sup", "/clients/{client}/review", {"note": "seen\x00"}, "note"),
        ("clin", "/clients/new",
         {"display_name": "Client\x00", "case_id": "c-nul", "age": "30"}, "display_name"),
    ],
    ids=["goal", "login", "display-name", "token-label", "review-note", "new-client"],
)  # fmt: skip
def test_a_nul_reaching_the_database_is_refused_on_both_backends(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    form: tuple[str | None, str, dict[str, str], str],
) -> None:
    user, path, data, named = form
    client = signed_in(user)
    before = snapshot(engine)
    answer = client.post_form(path.replace("{client}", str(seeded.client_of("clin"))), data)
    assert_error_shape(answer, 422)
    assert f'<span class="path">{named}</span>: contains a NUL character' in answer.text
    assert snapshot(engine) == before


def test_a_lone_surrogate_in_a_form_is_refused(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    """A multipart form may declare any charset; one that decodes to half a surrogate pair
    is refused like a NUL."""
    client = signed_in("clin")
    boundary = "rwboundary"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{client.csrf}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="description"\r\n\r\n'
        "walk \\ud800 daily\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="status"\r\n\r\n'
        "met\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    before = snapshot(engine)
    answer = client.post(
        f"/clients/{seeded.client_of('clin')}/goals",
        content=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}; charset=unicode_escape"
        },
    )
    assert_error_shape(answer, 422)
    assert "U+D800" in answer.text
    assert snapshot(engine) == before


def test_a_file_in_a_form_is_refused(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    client = signed_in("clin")
    before = snapshot(engine)
    answer = client.post(
        f"/clients/{seeded.client_of('clin')}/goals",
        data={"csrf_token": client.csrf, "status": "met"},
        files={"description": ("goal.txt", b"walk daily", "text/plain")},
    )
    assert_error_shape(answer, 400)
    assert snapshot(engine) == before


CASE = example_cases()["ex01-bpd-outside-competence"]


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        (json.dumps(CASE | {"id": "ex\x0001"}), "id", "contains a NUL character (U+0000)"),
        (json.dumps(CASE | {"id": "ex\ud80001"}), "id", "U+D800"),
        (json.dumps(CASE | {"no\ud800te": 1}), "no\\ud800te", "unknown key"),
        (json.dumps(CASE | {"goals": [{"description": "a\x00", "status": "met"}]}),
         "goals[0].description", "NUL"),
        ("[" * 100_000 + "]" * 100_000, "(file)", "nested too deeply"),
        (json.dumps(CASE | {"client": {"age": 0}}).replace('"age": 0', '"age": ' + "9" * 5000),
         "(file)",
         "a number with more than 100 digits"),
        ("\ufeff" + json.dumps(CASE | {"id": 7}), "id", "expected"),
    ],
    ids=["nul", "surrogate", "surrogate-key", "nul-deep", "nesting", "digits", "bom"],
)  # fmt: skip
def test_a_hostile_case_sent_to_the_api_is_refused_with_its_path(
    app: FastAPI, body: str, path: str, words: str
) -> None:
    answer = TestClient(app).post(
        "/api/v1/assess",
        content=body.encode("utf-8", "surrogatepass"),
        headers=bearer("clin") | {"Content-Type": "application/json"},
    )
    assert_error_shape(answer, 422)
    fields = answer.json()["error"]["fields"]
    assert any(f["path"] == path and words in f["message"] for f in fields), fields
    assert "recursion" not in answer.text
    assert "sys.set_int_max_str_digits" not in answer.text


def test_a_case_with_a_bom_is_assessed_like_one_without(app: FastAPI) -> None:
    api = TestClient(app)
    plain = api.post("/api/v1/assess", json=CASE, headers=bearer("clin"))
    with_bom = api.post(
        "/api/v1/assess",
        content=b"\xef\xbb\xbf" + json.dumps(CASE).encode(),
        headers=bearer("clin") | {"Content-Type": "application/json"},
    )
    assert plain.status_code == with_bom.status_code == 200
    assert with_bom.json() == plain.json()


# --- what the JSON API takes ----------------------------------------------------------


@pytest.mark.parametrize(
    "how", ["token-urlencoded", "token-multipart", "token-text", "cookie-urlencoded"]
)
def test_assess_sent_as_a_form_body_is_415(
    app: FastAPI,
    signed_in: Callable[[str | None], WebClient],
    engine: Engine,
    how: str,
) -> None:
    """`curl -d @case.json` sends a form: the answer says to send JSON."""
    body = json.dumps(CASE)
    client: TestClient
    if how.startswith("cookie"):
        signed = signed_in("clin")
        client, headers = signed, {"X-CSRF-Token": signed.csrf}
    else:
        client, headers = TestClient(app), bearer("clin")
    before = snapshot(engine)
    if how.endswith("multipart"):
        answer = client.post("/api/v1/assess", files={"case": ("case.json", body)}, headers=headers)
    elif how.endswith("text"):
        answer = client.post(
            "/api/v1/assess", content=body, headers=headers | {"Content-Type": "text/plain"}
        )
    else:
        answer = client.post("/api/v1/assess", data={body: ""}, headers=headers)
    assert answer.status_code == 415, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "Content-Type: application/json" in error["message"]
    assert set(error) == ERROR_KEYS
    assert snapshot(engine) == before


def test_assess_takes_json_declared_any_usual_way(app: FastAPI) -> None:
    api = TestClient(app)
    for content_type in (
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.referwell.case+json",
    ):
        answer = api.post(
            "/api/v1/assess",
            content=json.dumps(CASE),
            headers=bearer("clin") | {"Content-Type": content_type},
        )
        assert answer.status_code == 200, (content_type, answer.text)


# --- the body cap -----------------------------------------------------------------------


class Asgi:
    """Calls the app as a server would, counting what the app takes of the body."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.taken = 0
        self.reads = 0

    def call(
        self,
        path: str,
        headers: dict[str, str],
        chunks: Callable[[], bytes | None],
    ) -> tuple[int, bytes]:
        messages: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            self.reads += 1
            chunk = chunks()
            if chunk is None:
                return {"type": "http.request", "body": b"", "more_body": False}
            self.taken += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver")]
            + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "app": self.app,
        }
        # On a thread of its own: in a test process that has run the browser tests, the main
        # thread has Playwright's loop running (its sync API keeps one for the session), and
        # asyncio.run refuses to start a second loop there.
        with ThreadPoolExecutor(max_workers=1) as worker:
            worker.submit(asyncio.run, self.app(scope, receive, send)).result()  # type: ignore[arg-type]
        start = next(m for m in messages if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        return int(start["status"]), body


def endless(piece: bytes = b"a" * 64 * 1024) -> Callable[[], bytes]:
    return lambda: piece


# A form that streams on: fields small and few enough for the form parser's own limits.
ENDLESS_FORM = b"note=" + b"x" * (64 * 1024 - 6) + b"&"


def never() -> bytes | None:
    raise AssertionError("the body was read although its Content-Length is over the cap")


@pytest.mark.parametrize("where", ["form", "api-cookie", "api-token"])
def test_a_body_over_the_cap_is_refused_before_it_is_read(
    app: FastAPI,
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    where: str,
) -> None:
    client = signed_in("clin")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    if where == "form":
        path = f"/clients/{seeded.client_of('clin')}/goals"
        headers = {"Cookie": cookie, "X-CSRF-Token": client.csrf,
                   "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    elif where == "api-cookie":
        path = "/api/v1/assess"
        headers = {"Cookie": cookie, "X-CSRF-Token": client.csrf,
                   "Content-Type": "application/json"}  # fmt: skip
    else:
        path = "/api/v1/assess"
        headers = bearer("clin") | {"Content-Type": "application/json"}
    before = snapshot(engine)

    declared = Asgi(app)
    status, body = declared.call(path, headers | {"Content-Length": str(300_000_000)}, never)
    assert status == 413, body[:300]
    assert declared.taken == 0

    streamed = Asgi(app)
    chunks = endless(ENDLESS_FORM if where == "form" else b"a" * 64 * 1024)
    status, body = streamed.call(path, headers | {"Transfer-Encoding": "chunked"}, chunks)
    assert status == 413, body[:300]
    assert MAX_BODY_BYTES < streamed.taken <= MAX_BODY_BYTES + 64 * 1024
    if where != "form":
        error = json.loads(body)["error"]
        assert error["status"] == 413
        assert error["code"] == "too_large"
        assert set(error) == ERROR_KEYS
    else:
        assert b"larger than 2 MB" in body
    assert snapshot(engine) == before


def test_a_body_at_the_cap_is_read(app: FastAPI) -> None:
    padded = json.dumps(CASE).encode()
    padded += b" " * (MAX_BODY_BYTES - len(padded))
    answer = TestClient(app).post(
        "/api/v1/assess",
        content=padded,
        headers=bearer("clin") | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text[:300]


# --- headers -----------------------------------------------------------------------------


def test_every_answer_carries_a_permissions_policy(
    signed_in: Callable[[str | None], WebClient],
) -> None:
    client = signed_in("clin")
    for path in (
        "/login",
        "/caseload",
        "/static/app.css",
        "/no-such-page",
        "/api/v1/clients/1/case",
    ):
        policy = client.get(path).headers.get("permissions-policy", "")
        assert "camera=()" in policy, path
        assert "geolocation=()" in policy, path
        assert "microphone=()" in policy, path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_referwell_serve_does_not_name_its_server(
    sqlite_template: Template, tmp_path: Path
) -> None:
    """`referwell serve` (and the demo) run uvicorn without its `server: uvicorn` header."""
    port = _free_port()
    env = os.environ | {
        "REFERWELL_DATA_DIR": str(tmp_path),
        "REFERWELL_SECRET_KEY": SECRET,
    }
    script = (
        "import sys; from referwell.cli.serve import run_server; "
        "run_server(sys.argv[1], '127.0.0.1', int(sys.argv[2]), 1, False)"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script, sqlite_copy(sqlite_template, tmp_path).url, str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.1)
        assert answer.status_code == 200
        assert "server" not in answer.headers
        assert "camera=()" in answer.headers["permissions-policy"]
    finally:
        server.terminate()
        server.wait(timeout=15)


# --- numbers in forms and queries ----------------------------------------------------------


@pytest.mark.parametrize("number", [str(2**31), str(2**63), "9" * 5000, "²", "١٢", "-1"])
def test_an_id_in_a_form_or_a_query_that_no_record_can_have_is_refused(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    number: str,
) -> None:
    """The clinician to reassign to, the link to withdraw, the supervisee to filter by, the
    caseload's page: a 4xx (or the page as if none was asked), never a database error."""
    supervisor, clinician = signed_in("sup"), signed_in("clin")
    client = seeded.client_of("clin")
    before = snapshot(engine)
    for answer in (
        supervisor.post_form(f"/assignments/{client}", {"clinician_id": number}),
        supervisor.post_form("/supervision", {"clinician": number}),
        supervisor.get("/supervision", params={"clinician": number}),
        clinician.post_form(f"/clients/{client}/questionnaire-links/withdraw", {"link_id": number}),
    ):
        assert answer.status_code in (303, 404, 422), (answer.request.url, answer.status_code)
        if answer.status_code != 303:
            assert_error_shape(answer, answer.status_code)
    assert clinician.get("/caseload", params={"page": number}).status_code == 200
    assert snapshot(engine) == before


def test_a_content_length_that_is_no_number_is_not_a_server_error(app: FastAPI) -> None:
    status, _ = Asgi(app).call(
        "/api/v1/assess",
        bearer("clin") | {"Content-Type": "application/json", "Content-Length": "²"},
        lambda: None,
    )
    assert status == 422
