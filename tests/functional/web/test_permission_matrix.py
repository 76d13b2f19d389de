"""The permission matrix, built from the routes table: every role against every route.

Each route is tried by an anonymous visitor, a clinician, a supervisor and an
admin, on each kind of record its path can name: the clinician's own client
(supervised by the supervisor), a colleague's client (not supervised by
them), a client of another practice; a user of the admin's practice or of
another; one's own API token or someone else's. The expected outcome is
derived here from the route's rule, independently of the permission module.
A route of the app that is not in the table fails the first test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from referwell.services.permissions import Rule
from referwell.web.routes import ROUTES, STATIC
from referwell.web.routing import RouteSpec

from .conftest import Template, build_app, sign_in, sqlite_copy
from .seed import Seeded, token_secret

ROLES = {"anonymous": None, "clinician": "clin", "supervisor": "sup", "admin": "admin"}
CLIENT_VARIANTS = ("supervised_own", "colleague", "other_practice")
USER_VARIANTS = ("same_practice", "other_practice")
TOKEN_VARIANTS = ("own", "someone_elses")


def variants(spec: RouteSpec) -> tuple[str, ...]:
    if "{client_id" in spec.path:
        return CLIENT_VARIANTS
    if "{user_id" in spec.path:
        return USER_VARIANTS
    if "{token_id" in spec.path:
        return TOKEN_VARIANTS
    return ("-",)


def expected(rule: Rule, role: str, variant: str) -> str:
    """allow, login, forbidden or not_found: what the rule says, written out by hand."""
    if role == "anonymous":
        return "allow" if rule is Rule.PUBLIC else "login"
    outcomes: dict[Rule, str] = {
        Rule.PUBLIC: "allow",
        Rule.SIGNED_IN: "not_found" if variant == "someone_elses" else "allow",
        Rule.CLINICAL: "allow" if role in ("clinician", "supervisor") else "forbidden",
        Rule.SUPERVISOR: "allow" if role == "supervisor" else "forbidden",
        Rule.ADMIN: (
            "forbidden"
            if role != "admin"
            else ("not_found" if variant == "other_practice" else "allow")
        ),
        Rule.CLIENT_READ: (
            "allow" if variant == "supervised_own" and role != "admin" else "not_found"
        ),
        Rule.CLIENT_WRITE: (
            "not_found"
            if variant != "supervised_own" or role == "admin"
            else ("allow" if role == "clinician" else "forbidden")
        ),
    }
    return outcomes[rule]


CASES = [
    pytest.param((spec, method, role, variant), id=f"{spec.name}-{role}-{variant}")
    for spec in ROUTES
    for method in spec.methods
    for role in ROLES
    for variant in variants(spec)
]
API_CASES = [
    pytest.param(spec, role, variant, id=f"{spec.name}-{role}-{variant}")
    for spec in ROUTES
    if spec.api and spec.rule is not Rule.PUBLIC
    for role in ("clinician", "supervisor", "admin")
    for variant in variants(spec)
]


@pytest.fixture(scope="module")
def matrix_app(
    sqlite_template: Template, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    directory: Path = tmp_path_factory.mktemp("matrix")
    app = build_app(sqlite_copy(sqlite_template, directory).url, directory)
    yield app
    app.state.web.reads.close()
    app.state.web.engine.dispose()


def path_for(spec: RouteSpec, role: str, variant: str, seeded: Seeded) -> str:
    params: dict[str, Any] = {}
    if "{client_id" in spec.path:
        params["client_id"] = {
            "supervised_own": seeded.client_of("clin"),
            "colleague": seeded.client_of("clin2"),
            "other_practice": seeded.client_of("other"),
        }[variant]
    if "{user_id" in spec.path:
        params["user_id"] = seeded.users["clin" if variant == "same_practice" else "other"]
    if "{token_id" in spec.path:
        owner = ROLES[role] or "clin" if variant == "own" else "clin2"
        params["token_id"] = seeded.spare_tokens[owner]
    path = spec.path
    for name, value in params.items():
        path = path.replace("{" + name + ":int}", str(value))
    return path


def outcome(spec: RouteSpec, answer: httpx.Response) -> str:
    status = answer.status_code
    assert status < 500, f"{status}: {answer.text[:500]}"
    location = answer.headers.get("location", "")
    # Sent to sign in: `/login`, or `/login?next=…` (signing out lands on `/login?signed_out=1`).
    if status == 401 or (
        status == 303 and (location == "/login" or location.startswith("/login?next="))
    ):
        return "allow" if spec.rule is Rule.PUBLIC else "login"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not_found"
    return "allow"


def test_every_route_of_the_app_is_in_the_routes_table_with_a_rule(matrix_app: FastAPI) -> None:
    table = {(method, spec.path): spec for spec in ROUTES for method in spec.methods}
    for route in matrix_app.routes:
        if isinstance(route, Mount):
            assert (route.path, route.name) == (STATIC.path, STATIC.name), route.path
            continue
        assert isinstance(route, APIRoute), f"{route!r} is not a route of the table"
        for method in route.methods or ():
            spec = table.get((method, route.path))
            assert spec is not None, f"{method} {route.path} is not in the routes table"
            assert isinstance(spec.rule, Rule)
            assert spec.endpoint is route.endpoint


def test_every_rule_has_an_expectation() -> None:
    for rule in Rule:
        for role in ROLES:
            assert expected(rule, role, "-") in ("allow", "login", "forbidden", "not_found")


def test_the_matrix_covers_every_route_and_role() -> None:
    assert {param.values[0][0].name for param in CASES} == {spec.name for spec in ROUTES}
    assert len(CASES) >= len(ROUTES) * len(ROLES)


@pytest.mark.parametrize("case", CASES)
def test_permission_matrix(
    matrix_app: FastAPI, sqlite_template: Template, case: tuple[RouteSpec, str, str, str]
) -> None:
    spec, method, role, variant = case
    seeded = sqlite_template.seeded
    client = sign_in(matrix_app, ROLES[role])
    path = path_for(spec, role, variant, seeded)
    if method == "GET":
        answer = client.get(path)
    elif spec.api:
        answer = client.post(path, json={}, headers={"X-CSRF-Token": client.csrf})
    else:
        answer = client.post_form(path, {})
    assert outcome(spec, answer) == expected(spec.rule, role, variant), (
        f"{method} {path} as {role}: {answer.status_code} {answer.headers.get('location', '')}"
    )
    if expected(spec.rule, role, variant) == "not_found" and spec.api:
        assert answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("spec", "role", "variant"), API_CASES)
def test_api_permission_matrix_with_bearer_tokens(
    matrix_app: FastAPI, sqlite_template: Template, spec: RouteSpec, role: str, variant: str
) -> None:
    seeded = sqlite_template.seeded
    username = ROLES[role]
    assert username is not None
    headers = {"Authorization": f"Bearer {token_secret(username)}"}
    path = path_for(spec, role, variant, seeded)
    method = spec.methods[0]
    client = TestClient(matrix_app, follow_redirects=False)  # no cookie: the token alone
    answer = client.request(method, path, headers=headers, json={} if method == "POST" else None)
    assert outcome(spec, answer) == expected(spec.rule, role, variant)


@pytest.mark.parametrize(
    "spec", [s for s in ROUTES if s.api and s.rule is not Rule.PUBLIC], ids=lambda s: s.name
)
@pytest.mark.parametrize("header", ["Bearer rwt_not_a_token", "Bearer ", "Basic Y2xpbjpwdw=="])
def test_a_bad_token_is_401_in_the_json_shape(
    matrix_app: FastAPI, sqlite_template: Template, spec: RouteSpec, header: str
) -> None:
    path = path_for(spec, "clinician", "supervised_own", sqlite_template.seeded)
    client = TestClient(matrix_app, follow_redirects=False)
    answer = client.request(spec.methods[0], path, headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert answer.headers["www-authenticate"].startswith("Bearer")
