"""The provider directory: a search with the command's filters, and an entry's page.

The search is a GET form (`/directory?service=dbt&age=15&postal_code=80202 …`): it
names a need and a place, never a client; the client page links to it with its need's
filters filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from referwell.domain import vocabulary as v
from referwell.domain.directory.matching import DEFAULT_K, DEFAULT_MAX_DISTANCE_KM
from referwell.domain.errors import InvalidInput
from referwell.domain.labels import label
from referwell.services.directory.search import directory_entry, query_for, search_directory
from referwell.web.formwords import form_errors
from referwell.web.guard import access
from referwell.web.rendering import render
from referwell.web.state import web_state

FIELD_LABELS: Final = {
    "service": "Service",
    "age": "Age",
    "postal_code": "ZIP code",
    "state": "State",
    "insurance": "Insurance",
    "language": "Languages",
    "max_distance_km": "Distance",
    "k": "How many",
}
_TRUE: Final = frozenset({"on", "true", "1", "yes"})


def _number(text: str, default: float | None = None) -> Any:
    stripped = text.strip()
    if not stripped:
        return default
    try:
        return float(stripped) if "." in stripped else int(stripped)
    except ValueError:
        return None


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def directory_page(request: Request) -> Response:
    params = request.query_params
    values: dict[str, Any] = {name: params.get(name, "") for name in FIELD_LABELS}
    values["telehealth"] = params.get("telehealth", "").lower() in _TRUE
    values["include_waitlist"] = params.get("include_waitlist", "").lower() in _TRUE
    if not values["service"]:
        return _page(request, values)
    age = _number(values["age"])
    distance = _number(values["max_distance_km"], DEFAULT_MAX_DISTANCE_KM)
    k = _number(values["k"], DEFAULT_K)
    problems: dict[str, list[str]] = {}
    if not isinstance(age, int):
        problems["age"] = ["give the client's age in whole years"]
    if not isinstance(distance, (int, float)):
        problems["max_distance_km"] = ["give a distance in km, such as 40"]
    if not isinstance(k, int):
        problems["k"] = ["give a whole number of options"]
    if not values["postal_code"].strip() and not (values["telehealth"] and values["state"]):
        problems["postal_code"] = ["give the client's ZIP code (or a state, by telehealth)"]
    if problems:
        return _page(request, values, errors=problems, status=422)
    try:
        query = query_for(
            [values["service"]],
            age=age,
            postal_code=values["postal_code"].strip() or None,
            state=values["state"].strip() or None,
            insurance=_listed(values["insurance"]),
            languages=[code.lower() for code in _listed(values["language"])],
            telehealth=values["telehealth"],
            include_waitlist=values["include_waitlist"],
            max_distance_km=float(distance),
            k=k,
        )
    except InvalidInput as refused:
        return _page(request, values, errors=form_errors(refused.errors), status=422)
    state = web_state(request)
    found = search_directory(state.uow(), access(request).actor, query)
    return _page(request, values, found=found)


def _page(
    request: Request,
    values: Mapping[str, Any],
    *,
    found: Any = None,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "directory.html",
        {
            "values": values,
            "found": found,
            "errors": errors or {},
            "labels": FIELD_LABELS,
            "services": sorted(v.SERVICES, key=lambda code: label("service", code).lower()),
            "default_distance": DEFAULT_MAX_DISTANCE_KM,
            "default_k": DEFAULT_K,
        },
        status_code=status,
    )


def entry_page(request: Request) -> Response:
    state = web_state(request)
    entry = directory_entry(state.uow(), access(request).actor, request.path_params["external_id"])
    return render(request, "directory_entry.html", {"entry": entry})
