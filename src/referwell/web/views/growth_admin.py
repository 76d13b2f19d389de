"""The admin's page of what counts as competence in the practice, and the minimum of evidence
per competency (docs/growth.md gives the defaults and their sources)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain.errors import InvalidInput
from referwell.domain.growth.minimums import DEFAULT_MINIMUMS
from referwell.services.growth import competence_policy as service
from referwell.web.guard import access
from referwell.web.rendering import flash, render
from referwell.web.state import web_state
from referwell.web.views.growth_competence import worded

COUNTS_WHEN_WORDS = {
    "verified_or_evidence": (
        "A supervisor's verification, a current certification, or training and supervised "
        "hours that meet the minimum (the default)"
    ),
    "verified_only": (
        "A supervisor's verification only (what needs nothing beyond the licence still counts)"
    ),
}


def _page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    state = web_state(request)
    policy = service.competence_policy(state.uow(), access(request).actor)
    return render(
        request,
        "admin_competence.html",
        {
            "policy": policy,
            "counts_when_words": COUNTS_WHEN_WORDS,
            "errors": errors or {},
            "values": values,
        },
        status_code=status,
    )


def policy_page(request: Request) -> Response:
    return _page(request)


def save_policy(request: Request) -> Response:
    found = access(request)
    minimums = {
        code: (found.field(f"training_{code}"), found.field(f"supervised_{code}"))
        for code in DEFAULT_MINIMUMS
        if f"training_{code}" in (found.form or {}) or f"supervised_{code}" in (found.form or {})
    }
    values: dict[str, Any] = {
        "counts_when": found.field("counts_when"),
        "reason": found.field("reason"),
        **{f"training_{code}": pair[0] for code, pair in minimums.items()},
        **{f"supervised_{code}": pair[1] for code, pair in minimums.items()},
    }
    try:
        service.update_competence_policy(
            web_state(request).write_uow(),
            found.actor,
            counts_when=found.field("counts_when"),
            minimums=minimums,
            reason=found.field("reason"),
        )
    except InvalidInput as refused:
        return _page(request, status=422, errors=worded(refused.errors), values=values)
    flash(request, "Saved; every client's assessment will be brought up to date.")
    return RedirectResponse(request.app.url_path_for("admin_competence"), status_code=303)
