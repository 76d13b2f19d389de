"""Property-based fuzzing of the whole surface: no generated request is a server error.

- The JSON API, from its own `/openapi.json`, by schemathesis: positive and
  negative cases of every operation, called in-process with an API token;
  every answer is a documented status in the documented shape.
- Every form of the routes table, by a Hypothesis walk, for every role:
  fields found in the app's own pages (with the values they offer) and
  others, holding text with NUL, numbers of any size, long strings, any
  Unicode; every answer is below 500 and, when an error, the error page or
  the JSON error shape.

Bounded to run in `make test` (marker `fuzz`): a fixed seed and a few examples
per route and role; `REFERWELL_FUZZ_EXAMPLES` raises the count for a longer
hunt (`REFERWELL_FUZZ_EXAMPLES=200 pytest -m fuzz`).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from referwell.config import AppConfig
from referwell.web.app import create_app
from referwell.web.guard import CSRF_FIELD
from referwell.web.routes import ROUTES
from referwell.web.routespec import RouteSpec

from .conftest import SECRET, Template, WebClient, sign_in
from .seed import CHEAP_HASHER, LINK_TOKEN, TODAY, Seeded, token_secret

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("REFERWELL_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    deadline=None,
    derandomize=EXAMPLES is None,  # the same requests in every `make test`
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
ERROR_KEYS = {"status", "code", "message", "fields"}


@pytest.fixture
def fuzz_app(web_db: Template, tmp_path: Path) -> Iterator[FastAPI]:
    """The app with an API rate limit no fuzzing reaches (the limit has its own tests)."""
    config = AppConfig(
        data_dir=tmp_path,
        database_url=web_db.url,
        secret_key=SECRET,
        api_requests_per_minute=100_000,
    )
    made = create_app(
        config, clock=lambda: TODAY, password_hasher=CHEAP_HASHER, audit_interval=3600
    )
    yield made
    made.state.web.reads.close()
    made.state.web.engine.dispose()


def assert_documented(answer: httpx.Response) -> None:
    """Below 500; an error is the error page or the one JSON error shape."""
    assert answer.status_code < 500, f"{answer.request.url.path}: {answer.text[:500]}"
    if answer.status_code < 400:
        return
    content_type = answer.headers.get("content-type", "")
    if content_type.startswith("application/fhir+json"):
        # The partners' FHIR endpoint: its errors are OperationOutcomes (documented there).
        assert answer.request.url.path.startswith("/fhir/"), answer.request.url.path
        outcome = answer.json()
        assert outcome["resourceType"] == "OperationOutcome", outcome
        assert outcome["issue"]
        assert all(issue["severity"] for issue in outcome["issue"])
    elif content_type.startswith("application/json"):
        error = answer.json()["error"]
        assert set(error) == ERROR_KEYS, error
        assert error["status"] == answer.status_code
        assert all(set(field) == {"path", "message"} for field in error["fields"])
    else:
        assert content_type.startswith("text/html"), content_type
        assert "<h1>" in answer.text, answer.text[:300]
        assert "Traceback" not in answer.text


# --- the JSON API, by schemathesis ------------------------------------------------------


def test_the_api_answers_every_generated_request_as_documented(
    fuzz_app: FastAPI, seeded: Seeded
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    own = {"client_id": seeded.client_of("clin")}
    cases = st.one_of(
        schema.as_strategy(schemathesis.GenerationMode.POSITIVE),
        schema.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        schema.as_strategy(schemathesis.GenerationMode.POSITIVE, path_parameters=own),
    )
    headers = {"Authorization": f"Bearer {token_secret('clin')}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        negative_data_rejection,
    ]

    @settings(FUZZ, max_examples=EXAMPLES or 100)
    @given(case=cases)
    def answers_as_documented(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        event(f"{case.method} {case.path} {response.status_code}")
        case.validate_response(response, checks=checks, headers=headers)
        if response.status_code >= 400:
            error = response.json()["error"]
            assert set(error) == ERROR_KEYS
            assert error["status"] == response.status_code

    answers_as_documented()


# --- every form, by a Hypothesis walk ---------------------------------------------------

ROLES = {"anonymous": None, "clinician": "clin", "supervisor": "sup", "admin": "admin"}
FORM_ROUTES = [spec for spec in ROUTES if "POST" in spec.methods and not spec.api]
# The pages that carry the forms, by who sees them.
FORM_PAGES = {
    None: ["/login", "/q/{token}"],
    "clin": [
        "/clients/{client}",
        "/clients/{client}/entries/goals/{goal}",
        "/clients/{client}/discharge",
        "/clients/new",
        "/profile",
    ],
    "sup": ["/supervision", "/assignments", "/profile"],
    "admin": ["/admin/users", "/admin/users/{user}", "/admin/settings", "/assignments"],
}
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.DOTALL)
_ATTRIBUTE = re.compile(r'\b(action|name|value)="([^"]*)"')
_TAG = re.compile(r"<(input|select|textarea|option)\b([^>]*)>")


def route_pattern(spec: RouteSpec) -> re.Pattern[str]:
    pattern = re.sub(r"\{\w+:id\}", r"\\d+", spec.path)
    return re.compile(re.sub(r"\{\w+\}", r"[^/]+", pattern) + "$")


def form_fields(client: WebClient, pages: list[str]) -> dict[str, dict[str, set[str]]]:
    """{route name: {field name: values the page offers}} from the forms on `pages`."""
    found: dict[str, dict[str, set[str]]] = {}
    for page in pages:
        text = client.get(page).text
        for attributes, body in _FORM.findall(text):
            action = dict(_ATTRIBUTE.findall(attributes)).get("action", page)
            action = html.unescape(action).split("?")[0].split("#")[0]
            spec = next((s for s in FORM_ROUTES if route_pattern(s).match(action)), None)
            if spec is None:
                continue
            fields = found.setdefault(spec.name, {})
            current = ""
            for tag, tag_attributes in _TAG.findall(body):
                attributes_of = dict(_ATTRIBUTE.findall(tag_attributes))
                if tag != "option":
                    current = html.unescape(attributes_of.get("name", ""))
                    if not current:
                        continue
                    fields.setdefault(current, set())
                if current and "value" in attributes_of:
                    fields[current].add(html.unescape(attributes_of["value"]))
    return found


NASTY: list[str] = [
    "",
    " ",
    "0",
    "-1",
    str(2**31),
    str(2**63),
    "9" * 5000,
    "1e999",
    "NaN",
    "2026-02-30",
    "99999-01-01",
    "x" * 5000,
    "\x00",
    "a\x00b",
    "\u202e\ufeff\u0301",
    "ocd",
    "true",
    "on",
]
# What may go where an id, a count or a setting goes: at and beyond every integer type's
# end, too many digits for Python, digits that are not ASCII.
NUMBERS: list[str] = [
    str(2**31 - 1),
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    "9" * 5000,
    "²",
    "١٢",
    "1.5",
    " 7 ",
    "-1",
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),  # any Unicode, NUL and control characters included
    st.integers().map(str),
    st.from_regex(r"-?[0-9]{1,40}", fullmatch=True),
)


def forms(fields: dict[str, set[str]]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Forms of the route's own fields, each left out or given once or twice (a value the
    page offers, or anything), and a few fields of any name."""

    def value_for(name: str) -> st.SearchStrategy[str]:
        offered = sorted(fields.get(name, ()))
        nasty = st.one_of(st.sampled_from(NUMBERS), VALUES)
        return st.one_of(st.sampled_from(offered), nasty) if offered else nasty

    own = st.fixed_dictionaries(
        {},
        optional={
            name: st.lists(value_for(name), min_size=1, max_size=2)
            for name in sorted(fields)
            if name != CSRF_FIELD
        },
    )
    others = st.lists(st.tuples(st.text(max_size=12), VALUES), max_size=3)
    return st.tuples(own, others).map(
        lambda both: [
            *((name, value) for name, values in both[0].items() for value in values),
            *both[1],
        ]
    )


def fill(spec: RouteSpec, seeded: Seeded) -> str:
    return (
        seeded.fill_path(spec.path, seeded.client_with_goals_of("clin"))
        .replace("{user_id:id}", str(seeded.users["clin"]))
        .replace("{token_id:id}", str(seeded.spare_tokens["clin"]))
        .replace("{token}", LINK_TOKEN)
    )


def pages_for(username: str | None, seeded: Seeded) -> list[str]:
    client = seeded.client_with_goals_of("clin")
    return [
        page.replace("{client}", str(client))
        .replace("{goal}", str(seeded.goals[client]))
        .replace("{user}", str(seeded.users["clin"]))
        .replace("{token}", LINK_TOKEN)
        for page in FORM_PAGES[username]
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_form_answers_every_role_without_a_server_error(
    fuzz_app: FastAPI, seeded: Seeded, role: str
) -> None:
    username = ROLES[role]
    fields: dict[str, dict[str, set[str]]] = {}
    own: set[str] = set()  # the forms this role is shown
    for viewer in FORM_PAGES:  # every form, found as whoever sees it
        found = form_fields(sign_in(fuzz_app, viewer), pages_for(viewer, seeded))
        fields.update(found)
        if viewer == username:
            own.update(found)
    # A route whose form is on none of those pages gets every field name seen anywhere.
    anywhere: dict[str, set[str]] = {}
    for found_fields in fields.values():
        for name, values in found_fields.items():
            anywhere.setdefault(name, set()).update(values)
    assert len(fields) >= 20, sorted(fields)  # the pages still carry the forms

    for spec in FORM_ROUTES:
        # Signed in afresh for each route: an earlier form may have signed out. A form the
        # role is not shown is refused before it is read: a few tries say so.
        walk(
            sign_in(fuzz_app, username),
            fill(spec, seeded),
            fields.get(spec.name, anywhere),
            EXAMPLES or (10 if spec.name in own else 2),
        )


def walk(client: WebClient, path: str, fields: dict[str, set[str]], examples: int) -> None:
    """Post generated forms to `path`: none may be a server error or an undocumented one."""

    @settings(FUZZ, max_examples=examples)
    @given(form=forms(fields), with_csrf=st.sampled_from([True] * 9 + [False]))
    def answers_without_a_server_error(form: list[tuple[str, str]], with_csrf: bool) -> None:
        data: dict[str, Any] = {}
        for name, value in form:
            data.setdefault(name, []).append(value)
        if with_csrf:
            data[CSRF_FIELD] = client.csrf
        answer = client.post(path, data=data)
        event(f"{answer.status_code}")
        assert_documented(answer)

    answers_without_a_server_error()
