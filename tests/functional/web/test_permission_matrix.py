"""The permission matrix, built from the routes table: every kind of actor against every route.

Each route is tried by an anonymous visitor and by every kind of actor the
permission check knows (`ActorKind`): people signed in (`user`) as a
clinician, a supervisor and an admin; programs holding those people's API
tokens (`api_token`), with the token alone; the operator at the command line
(`os_user`) and referwell itself (`system`), which no request can be, through
the permission check directly. Each is tried on each kind of record the route's
path can name: the clinician's own client (supervised by the supervisor), a
colleague's client (not supervised by them), a client of another practice; a
user of the admin's practice or of another; one's own API token or someone
else's. The permissions no route demands (`operate`, `maintain`) are tried by
every kind as well. The expected outcome is derived here from the route's
permission, independently of the permission module. A route of the app that is
not in the table fails the first test; a kind of actor without its rows here
fails `test_every_kind_of_actor_has_its_rows`.
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

from referwell.db.engine import make_engine, make_session_factory
from referwell.services.errors import Forbidden, NotAuthenticated, NotFound
from referwell.services.permissions import (
    Actor,
    ActorKind,
    LinkHolder,
    Operator,
    PartnerPractice,
    Permission,
    StatusLinkHolder,
    System,
    authorize,
    require_permission,
)
from referwell.web.routes import ROUTES, STATIC
from referwell.web.routespec import RouteSpec

from .conftest import Template, build_app, sign_in, sqlite_copy
from .seed import DIRECTORY_ENTRY, LINK_TOKEN, STATUS_LINK_TOKEN, Seeded, token_secret

ROLES = {"anonymous": None, "clinician": "clin", "supervisor": "sup", "admin": "admin"}
PEOPLE = ("clinician", "supervisor", "admin")
# How the matrix tries each kind of actor; a kind the permission check knows and this
# table does not fails `test_every_kind_of_actor_has_its_rows`.
KINDS = {
    "user": "over HTTP, signed in with the session cookie, as each role",
    "api_token": "over HTTP, with a person's API token alone, as each role",
    "os_user": "through the permission check: no request is ever an operator",
    "system": "through the permission check: no request is ever referwell itself",
    "questionnaire_link": "through the permission check: a link's holder acts on its own "
    "link only, behind the public questionnaire routes (tests/functional/web/"
    "test_questionnaire_links.py tries those)",
    "partner_practice": "through the permission check: a partner practice acts on the referrals "
    "it exchanges with us only, behind the public partner endpoint (checked by its token)",
    "status_link": "through the permission check: a status link's holder acts on its own "
    "referral only, behind the public status-link routes (checked by the link)",
}
NOT_PEOPLE: dict[str, Actor] = {
    "os_user": Operator("ops"),
    "system": System(),
    "questionnaire_link": LinkHolder(link_id=1, client_id=1, practice_id=1),
    "partner_practice": PartnerPractice(partner_id=1, practice_id=1),
    "status_link": StatusLinkHolder(link_id=1, referral_id=1, practice_id=1),
}
# What only actors that are not people hold, and who holds it.
UNROUTED = {
    Permission.OPERATE: "os_user",
    Permission.MAINTAIN: "system",
    Permission.QUESTIONNAIRE_SUBMIT: "questionnaire_link",
    Permission.REFERRAL_PARTNER: "partner_practice",
    Permission.REFERRAL_STATUS_LINK: "status_link",
}
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


def expected(permission: Permission, role: str, variant: str) -> str:
    """allow, login, forbidden or not_found: what the permission says, written out by hand."""
    if role == "anonymous":
        return "allow" if permission is Permission.PUBLIC else "login"
    outcomes: dict[Permission, str] = {
        Permission.PUBLIC: "allow",
        Permission.SIGNED_IN: "not_found" if variant == "someone_elses" else "allow",
        Permission.CLINICAL: "allow" if role in ("clinician", "supervisor") else "forbidden",
        Permission.SUPERVISOR: "allow" if role == "supervisor" else "forbidden",
        Permission.ADMIN: (
            "forbidden"
            if role != "admin"
            else ("not_found" if variant == "other_practice" else "allow")
        ),
        Permission.CLIENT_READ: (
            "allow" if variant == "supervised_own" and role != "admin" else "not_found"
        ),
        Permission.CLIENT_WRITE: (
            "not_found"
            if variant != "supervised_own" or role == "admin"
            else ("allow" if role == "clinician" else "forbidden")
        ),
        # The supervisor of the client's clinician marks it reviewed; nobody else.
        Permission.CLIENT_REVIEW: (
            "forbidden"
            if role != "supervisor"
            else ("allow" if variant == "supervised_own" else "not_found")
        ),
        # Supervisors reassign their supervisees' clients; admins any client of the practice.
        Permission.CLIENT_ASSIGN: (
            "forbidden"
            if role == "clinician"
            else "not_found"
            if variant == "other_practice" or (variant == "colleague" and role == "supervisor")
            else "allow"
        ),
    }
    return outcomes[permission]


def expected_for_token(spec: RouteSpec, method: str, role: str, variant: str) -> str:
    """A program with a person's API token: the person's outcome on the JSON API; pages
    ignore the token, so it is anonymous there (and, holding no session, it cannot send
    a form's CSRF token either)."""
    if spec.api:
        return expected(spec.permission, role, variant)
    if method == "POST" and spec.permission is Permission.PUBLIC and not spec.partner_api:
        return "forbidden"
    return expected(spec.permission, "anonymous", variant)


def expected_for_unrouted(permission: Permission, kind: str) -> str:
    """The permissions no route demands: only the kind that holds one may act on it."""
    return "allow" if UNROUTED.get(permission) == kind else "forbidden"


def expected_not_a_person(permission: Permission, kind: str) -> str:
    """The operator and referwell itself on a route: anyone may see a public one; every
    other route is for people, and is forbidden to them."""
    if permission is Permission.PUBLIC:
        return "allow"
    return expected_for_unrouted(permission, kind)


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
    if spec.api and spec.permission is not Permission.PUBLIC
    for role in ("clinician", "supervisor", "admin")
    for variant in variants(spec)
]


NOT_PEOPLE_CASES = [
    pytest.param(spec, kind, variant, id=f"{spec.name}-{kind}-{variant}")
    for spec in ROUTES
    for kind in NOT_PEOPLE
    for variant in variants(spec)
]
TOKEN_PAGE_CASES = [
    pytest.param((spec, method, role, variant), id=f"{spec.name}-{method}-{role}-{variant}")
    for spec in ROUTES
    if not spec.api
    for method in spec.methods
    for role in PEOPLE
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
        owner = {"supervised_own": "clin", "colleague": "clin2", "other_practice": "other"}[variant]
        if "{entry_id" in spec.path:
            return seeded.fill_path(spec.path, seeded.client_with_goals_of(owner))
        params["client_id"] = seeded.client_of(owner)
    if "{user_id" in spec.path:
        params["user_id"] = seeded.users["clin" if variant == "same_practice" else "other"]
    if "{token_id" in spec.path:
        owner = ROLES[role] or "clin" if variant == "own" else "clin2"
        params["token_id"] = seeded.spare_tokens[owner]
    link = STATUS_LINK_TOKEN if spec.path.startswith("/r/") else LINK_TOKEN
    path = spec.path.replace("{token}", link).replace("{external_id:path}", DIRECTORY_ENTRY)
    path = path.replace("{task_id}", "1")  # the partners' FHIR endpoint: its token checks first
    # The seed's one outgoing referral (of ex01: the supervised client's); under another
    # client's path the guard refuses first.
    path = path.replace("{referral_id:id}", str(seeded.referral_id))
    # A client's first referral need (ex01, the supervised client, has a DBT need).
    path = path.replace("{position:id}", "1")
    for name, value in params.items():
        path = path.replace("{" + name + ":id}", str(value))
    return path


def outcome(spec: RouteSpec, answer: httpx.Response) -> str:
    status = answer.status_code
    assert status < 500, f"{status}: {answer.text[:500]}"
    location = answer.headers.get("location", "")
    # Sent to sign in: `/login`, or `/login?next=…` (signing out lands on `/login?signed_out=1`).
    if status == 401 or (
        status == 303 and (location == "/login" or location.startswith("/login?next="))
    ):
        return "allow" if spec.permission is Permission.PUBLIC else "login"
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
            assert isinstance(spec.permission, Permission)
            assert spec.endpoint is route.endpoint


def test_every_rule_has_an_expectation() -> None:
    routed = [permission for permission in Permission if permission not in UNROUTED]
    for rule in routed:
        for role in ROLES:
            assert expected(rule, role, "-") in ("allow", "login", "forbidden", "not_found")
    for rule in Permission:
        for kind in NOT_PEOPLE:
            assert expected_not_a_person(rule, kind) in ("allow", "forbidden")


def test_every_kind_of_actor_has_its_rows() -> None:
    assert set(KINDS) == {kind.value for kind in ActorKind}
    assert set(NOT_PEOPLE) | {"user", "api_token"} == set(KINDS)
    assert {actor.kind.value for actor in NOT_PEOPLE.values()} == set(NOT_PEOPLE)
    assert set(UNROUTED.values()) <= set(KINDS)
    # No route demands what only actors that are not people hold.
    assert not {spec.permission for spec in ROUTES} & set(UNROUTED)


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
    assert outcome(spec, answer) == expected(spec.permission, role, variant), (
        f"{method} {path} as {role}: {answer.status_code} {answer.headers.get('location', '')}"
    )
    if expected(spec.permission, role, variant) == "not_found" and spec.api:
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
    assert outcome(spec, answer) == expected(spec.permission, role, variant)


@pytest.mark.parametrize(
    "spec",
    [s for s in ROUTES if s.api and s.permission is not Permission.PUBLIC],
    ids=lambda s: s.name,
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


def _outcome_of_check(check: Any) -> str:
    try:
        check()
    except NotAuthenticated:
        return "login"
    except Forbidden:
        return "forbidden"
    except NotFound:
        return "not_found"
    return "allow"


@pytest.mark.parametrize("case", TOKEN_PAGE_CASES)
def test_an_api_token_opens_no_page(
    matrix_app: FastAPI, sqlite_template: Template, case: tuple[RouteSpec, str, str, str]
) -> None:
    """A program holding a person's token gets the JSON API only: to a page it is nobody."""
    spec, method, role, variant = case
    username = ROLES[role]
    assert username is not None
    path = path_for(spec, role, variant, sqlite_template.seeded)
    client = TestClient(matrix_app, follow_redirects=False)  # no cookie: the token alone
    headers = {"Authorization": f"Bearer {token_secret(username)}"}
    answer = client.request(method, path, headers=headers, data={} if method == "POST" else None)
    assert outcome(spec, answer) == expected_for_token(spec, method, role, variant), (
        f"{method} {path} with the token of {role}: {answer.status_code}"
    )


@pytest.mark.parametrize(("spec", "kind", "variant"), NOT_PEOPLE_CASES)
def test_no_route_is_for_the_operator_or_referwell_itself(
    sqlite_template: Template, spec: RouteSpec, kind: str, variant: str
) -> None:
    seeded = sqlite_template.seeded
    records: dict[str, int] = {}
    if "{client_id" in spec.path:
        records["client_id"] = seeded.client_of("clin")
    if "{user_id" in spec.path:
        records["user_id"] = seeded.users["clin"]
    if "{token_id" in spec.path:
        records["token_id"] = seeded.spare_tokens["clin"]
    engine = make_engine(sqlite_template.url)
    try:
        with make_session_factory(engine)() as session:
            got = _outcome_of_check(
                lambda: authorize(session, NOT_PEOPLE[kind], spec.permission, **records)
            )
    finally:
        engine.dispose()
    assert got == expected_not_a_person(spec.permission, kind), (spec.path, kind)


@pytest.mark.parametrize("permission", list(UNROUTED), ids=str)
@pytest.mark.parametrize("kind", list(KINDS))
def test_what_no_route_demands_is_held_by_its_kind_alone(
    sqlite_template: Template, permission: Permission, kind: str
) -> None:
    seeded = sqlite_template.seeded
    engine = make_engine(sqlite_template.url)
    try:
        with make_session_factory(engine)() as session:
            if kind in NOT_PEOPLE:
                actors: list[Any] = [NOT_PEOPLE[kind]]
            else:
                from referwell.db.models import User
                from referwell.services.permissions import Person

                users = [session.get(User, seeded.users[ROLES[role] or ""]) for role in PEOPLE]
                token = 1 if kind == "api_token" else None
                actors = [Person.from_user(user, token_id=token) for user in users if user]
                assert len(actors) == len(PEOPLE)
            for actor in actors:
                assert actor.kind.value == kind
                got = _outcome_of_check(lambda a=actor: require_permission(a, permission))
                assert got == expected_for_unrouted(permission, kind), (kind, actor)
    finally:
        engine.dispose()
