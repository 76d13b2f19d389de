"""The clinician's caseload."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from referwell.services.clients.caseload import clinician_caseload
from referwell.services.referrals.overview import open_referrals
from referwell.web.guard import access
from referwell.web.rendering import render
from referwell.web.state import web_state
from referwell.web.views.referrals import follow_up_settings


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if re.fullmatch(r"[0-9]{1,6}", raw) else 1  # "²".isdigit() is true


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
    # The referrals one sent stay on one's caseload until they close (one query).
    referrals = open_referrals(
        state.uow(),
        access(request).actor,
        state.reads,
        today=state.today(),
        settings=follow_up_settings(state),
    )
    return render(
        request,
        "caseload.html",
        {"caseload": listed, "today": state.today(), "referrals": referrals},
    )
