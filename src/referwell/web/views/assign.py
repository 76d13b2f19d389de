"""Reassigning clients: for supervisors (their supervisees' clients) and admins (every client
of the practice). The page shows names and case ids only, never clinical content."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain.errors import InvalidInput
from referwell.services.clients import episodes
from referwell.web.formwords import form_errors
from referwell.web.guard import access
from referwell.web.rendering import flash, render
from referwell.web.state import web_state


def _page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    failed: int | None = None,
) -> Response:
    found = access(request)
    state = web_state(request)
    return render(
        request,
        "assignments.html",
        {
            "rows": episodes.assignments(state.uow(), found.actor),
            "clinicians": episodes.clinicians(state.uow(), found.actor),
            "errors": errors or {},
            "failed": failed,
        },
        status_code=status,
    )


def assignments(request: Request) -> Response:
    return _page(request)


def reassign(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's path names a client
    try:
        moved = episodes.reassign_client(
            state.write_uow(),
            found.actor,
            client.client_id,
            to_user_id=found.field("clinician_id") or None,
        )
    except InvalidInput as refused:
        return _page(
            request, status=422, errors=form_errors(refused.errors), failed=client.client_id
        )
    flash(
        request,
        f"{moved.display_name} ({moved.external_id}) is now {moved.clinician_name}'s client.",
    )
    return RedirectResponse(request.app.url_path_for("assignments"), status_code=303)
