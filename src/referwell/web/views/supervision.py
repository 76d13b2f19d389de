"""The supervisor's one list: supervisees' clients in the engine's order, filtered, as CSV,
and the "reviewed" mark.

Filters by clinician and recommendation may go in the address (`?clinician=3&
recommendation=refer`); a search by name is sent by the form's POST, so that no
client's name lands in an address, a browser's history or a proxy's log. The CSV
button sends the same form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain.errors import InvalidInput
from referwell.services.clients import supervision as service
from referwell.web.formwords import form_errors
from referwell.web.guard import access
from referwell.web.rendering import flash, render
from referwell.web.state import web_state

FILTER_LABELS = {
    "clinician": "Clinician",
    "recommendation": "Recommendation",
    "search": "Name or case id",
}


def _listed(request: Request, filters: Mapping[str, Any]) -> service.SupervisionList:
    state = web_state(request)
    return service.supervision_list(
        state.uow(),
        access(request).actor,
        today=state.today(),
        reads=state.reads,
        writes=state.write_uow(),
        **filters,
    )


def _answer(request: Request, filters: Mapping[str, Any], wants_csv: bool) -> Response:
    try:
        listed = _listed(request, filters)
    except InvalidInput as refused:
        unfiltered = _listed(request, {})
        return _page(request, unfiltered, errors=form_errors(refused.errors), status=422)
    if wants_csv:
        day = web_state(request).today().isoformat()
        return Response(
            service.supervision_csv(listed),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="supervision-{day}.csv"'},
        )
    return _page(request, listed)


def _page(
    request: Request,
    listed: service.SupervisionList,
    *,
    errors: Mapping[str, Sequence[str]] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "supervision.html",
        {
            "listed": listed,
            "today": web_state(request).today(),
            "errors": errors or {},
            "labels": FILTER_LABELS,
        },
        status_code=status,
    )


def supervision(request: Request) -> Response:
    params = request.query_params
    filters = {
        "clinician": params.get("clinician"),
        "recommendation": params.get("recommendation"),
    }
    return _answer(request, filters, params.get("format") == "csv")


def filtered(request: Request) -> Response:
    found = access(request)
    filters = {
        "clinician": found.field("clinician"),
        "recommendation": found.field("recommendation"),
        "search": found.field("search"),
    }
    return _answer(request, filters, found.field("format") == "csv")


def review(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's path names a client
    try:
        service.mark_reviewed(
            state.write_uow(), found.actor, client.client_id, note=found.field("note")
        )
    except InvalidInput as refused:
        flash(request, "Not marked: " + " ".join(error.message for error in refused.errors) + ".")
    else:
        flash(
            request, "Marked reviewed. The mark clears by itself when the recommendation changes."
        )
    target = request.app.url_path_for("supervision")
    return RedirectResponse(f"{target}#client-{client.client_id}", status_code=303)
