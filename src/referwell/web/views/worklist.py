"""The supervisor's worklist: supervisees' recently seen clients, screened like `referwell screen`.

`?recent_days=N` (1 to 3650, default 90) sets the window; `?format=csv`
downloads the rows as the CLI writes them. A bad value re-renders the page
with status 422 and the error beside its field; nothing is screened then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from referwell.domain.errors import InvalidInput
from referwell.services.screening.rows import worklist_csv
from referwell.services.screening.screen import DEFAULT_RECENT_DAYS
from referwell.services.screening.worklist import (
    MAX_RECENT_DAYS,
    MIN_RECENT_DAYS,
    Worklist,
    recent_days_from,
    supervision_worklist,
)
from referwell.web.guard import access
from referwell.web.rendering import render
from referwell.web.state import web_state

FORMATS: Final = ("html", "csv")


def worklist(request: Request) -> Response:
    params = request.query_params
    raw_days = params.get("recent_days")
    raw_format = params.get("format") or "html"
    errors: dict[str, list[str]] = {}
    recent_days = DEFAULT_RECENT_DAYS
    try:
        recent_days = recent_days_from(raw_days)
    except InvalidInput as refused:
        for error in refused.errors:
            errors.setdefault(error.path, []).append(error.message)
    if raw_format not in FORMATS:
        errors.setdefault("format", []).append(f'expected "html" or "csv"; got "{raw_format[:20]}"')
    values = {"recent_days": raw_days if raw_days is not None else str(DEFAULT_RECENT_DAYS)}
    if errors:
        return _page(request, None, errors=errors, values=values, status=422)
    state = web_state(request)
    listed = supervision_worklist(
        state.uow(),
        access(request).actor,
        today=state.today(),
        reads=state.reads,
        recent_days=recent_days,
    )
    if raw_format == "csv":
        filename = f"worklist-{listed.as_of.isoformat()}-{listed.recent_days}d.csv"
        return Response(
            worklist_csv(listed.rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return _page(request, listed, values={"recent_days": str(listed.recent_days)})


def _page(
    request: Request,
    listed: Worklist | None,
    *,
    values: Mapping[str, Any],
    errors: Mapping[str, Sequence[str]] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "worklist.html",
        {
            "worklist": listed,
            "today": web_state(request).today(),
            "errors": errors or {},
            "values": values,
            "min_days": MIN_RECENT_DAYS,
            "max_days": MAX_RECENT_DAYS,
        },
        status_code=status,
    )
