"""A supervisor's view of their team's growth: which needs leave the team most, who is in
training for what, each supervisee's claims with a button to verify them, and the
supervision log per supervisee with the clients discussed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain.errors import InvalidInput
from referwell.services.errors import NotFound
from referwell.services.growth import plan as plans
from referwell.services.growth import supervision_records as records
from referwell.services.growth import team as service
from referwell.web.guard import access
from referwell.web.rendering import flash, render
from referwell.web.state import web_state
from referwell.web.views.growth_competence import BECAUSE, worded
from referwell.web.views.growth_records import answered_label


def _team_page(
    request: Request, *, status: int = 200, errors: Mapping[str, Sequence[str]] | None = None
) -> Response:
    state = web_state(request)
    view = plans.team_view(
        state.uow(), access(request).actor, today=state.today(), writes=state.write_uow()
    )
    return render(
        request,
        "growth_team.html",
        {
            "view": view,
            "in_training": service.in_training_for(view.competence),
            "because": BECAUSE,
            "errors": errors or {},
        },
        status_code=status,
    )


def team_page(request: Request) -> Response:
    return _team_page(request)


def verify(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    try:
        made = service.verify_competence(
            state.write_uow(),
            found.actor,
            clinician_id=found.field("clinician"),
            code=found.field("code"),
            today=state.today(),
        )
    except InvalidInput as refused:
        return _team_page(request, status=422, errors=worded(refused.errors))
    except NotFound:
        return _team_page(
            request, status=422, errors={"clinician": ["Choose one of your supervisees."]}
        )
    flash(
        request,
        "Verified: it counts from now on, and their clients' assessments will be brought up to "
        "date."
        if made
        else "Nothing new: that was already verified.",
    )
    return RedirectResponse(request.app.url_path_for("growth_team"), status_code=303)


def withdraw(request: Request) -> Response:
    found = access(request)
    try:
        service.withdraw_verification(
            web_state(request).write_uow(), found.actor, verification_id=found.field("verification")
        )
    except InvalidInput as refused:
        return _team_page(request, status=422, errors=worded(refused.errors))
    flash(request, "Verification withdrawn; the competence counts only by its evidence now.")
    return RedirectResponse(request.app.url_path_for("growth_team"), status_code=303)


def supervision_log(request: Request) -> Response:
    """`?clinician=<user id>`: one supervisee's log (the first by name without it)."""
    state = web_state(request)
    wanted = request.query_params.get("clinician")
    try:
        log = records.supervision_log(
            state.uow(), access(request).actor, clinician_id=wanted, reads=state.reads
        )
        status, errors = 200, {}
    except (InvalidInput, NotFound):
        log = records.supervision_log(state.uow(), access(request).actor, reads=state.reads)
        status, errors = 422, {"clinician": ["Choose one of your supervisees."]}
    return render(
        request,
        "growth_supervision_log.html",
        {"log": log, "errors": errors, "answered_label": answered_label},
        status_code=status,
    )
