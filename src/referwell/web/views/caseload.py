"""The clinician's caseload."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from referwell.services.clients.caseload import clinician_caseload
from referwell.web.guard import access
from referwell.web.rendering import render
from referwell.web.state import web_state


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


def caseload(request: Request) -> Response:
    state = web_state(request)
    listed = clinician_caseload(
        state.uow(),
        access(request).actor,
        today=state.today(),
        reads=state.reads,
        page=_page_number(request),
        writes=state.write_uow(),
    )
    return render(request, "caseload.html", {"caseload": listed, "today": state.today()})
