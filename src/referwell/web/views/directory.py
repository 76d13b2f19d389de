"""The provider directory: a search with the command's filters, every option for a client's
need, and an entry's page.

A search's filters (a need, an age, a ZIP code) are clinical detail, so they never go in an
address: the search form is POSTed, and the client page's "Every option in the directory"
link names the client and the need's position only (`/clients/7/options/1`), the page
finding the rest in the client's record.
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
from referwell.services.clients.need_options import NeedOptions, need_options
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
    """The empty search form (an address's query string is ignored: filters are POSTed)."""
    values: dict[str, Any] = dict.fromkeys(FIELD_LABELS, "")
    values["telehealth"] = values["include_waitlist"] = False
    return _page(request, values)


def search(request: Request) -> Response:
    """The search form, POSTed: the options with why each fits, or what is wrong with it."""
    found = access(request)
    values: dict[str, Any] = {name: found.field(name) for name in FIELD_LABELS}
    values["telehealth"] = found.field("telehealth").lower() in _TRUE
    values["include_waitlist"] = found.field("include_waitlist").lower() in _TRUE
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
    options = search_directory(state.uow(), found.actor, query)
    return _page(request, values, found=options)


def client_options(request: Request) -> Response:
    """Every option for the client's `position`-th need, on the search's page with its form
    filled in from the client's record; 404 when there is no such need."""
    found = access(request)
    state = web_state(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's rule names a client
    answered = need_options(
        state.uow(),
        found.actor,
        client.client_id,
        int(request.path_params["position"]),
        today=state.today(),
        reads=state.reads,
        writes=state.write_uow(),
    )
    query = answered.options.query
    client_facts = answered.case.client
    values: dict[str, Any] = {
        "service": sorted(query.asked_services or query.services)[0],
        "age": str(query.age),
        "postal_code": answered.place.postal_code or "",
        "state": query.state or "",
        "insurance": ", ".join(sorted(query.insurance)),
        "language": ", ".join(query.languages),
        "max_distance_km": "",
        "k": "",
        "telehealth": bool(client_facts.telehealth_ok),
        "include_waitlist": query.include_waitlist,
    }
    return _page(request, values, found=answered.options, need=answered)


def _page(
    request: Request,
    values: Mapping[str, Any],
    *,
    found: Any = None,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
    need: NeedOptions | None = None,
) -> Response:
    return render(
        request,
        "directory.html",
        {
            "values": values,
            "found": found,
            "need": need,
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
