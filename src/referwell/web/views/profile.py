"""The profile page: competencies and training (clinicians, supervisors), personal API tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain import vocabulary as v
from referwell.domain.errors import FieldError, InvalidInput
from referwell.services.accounts import profile as profiles
from referwell.web.guard import access
from referwell.web.rendering import flash, render
from referwell.web.state import web_state

COMPETENCY_GROUPS = (
    ("Modalities", v.MODALITIES),
    ("Specialty areas", v.SPECIALTY_AREAS),
    ("Populations and formats", v.POPULATIONS),
    ("Care settings and professions", v.CARE_SETTINGS),
    ("General conditions", v.GENERAL_CONDITIONS),
)


def _by_field(errors: Sequence[FieldError]) -> dict[str, list[str]]:
    """Errors by form field: `competencies[2]` belongs to `competencies`."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.path.split("[", 1)[0], []).append(str(error))
    return grouped


def _page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
    new_token: profiles.NewToken | None = None,
) -> Response:
    state = web_state(request)
    shown = profiles.profile(state.uow(), access(request).actor)
    return render(
        request,
        "profile.html",
        {
            "profile": shown,
            "groups": COMPETENCY_GROUPS,
            "errors": errors or {},
            "values": values or {},
            "new_token": new_token,
        },
        status_code=status,
    )


def profile_page(request: Request) -> Response:
    return _page(request)


def save_competencies(request: Request) -> Response:
    found = access(request)
    competencies = found.fields("competencies")
    in_training = found.fields("in_training")
    try:
        profiles.update_competencies(
            web_state(request).write_uow(),
            found.actor,
            competencies=competencies,
            in_training=in_training,
        )
    except InvalidInput as refused:
        return _page(
            request,
            status=422,
            errors=_by_field(refused.errors),
            values={"competencies": competencies, "in_training": in_training},
        )
    flash(request, "Competencies saved; your clients' assessments will be brought up to date.")
    return RedirectResponse(request.app.url_path_for("profile_page"), status_code=303)


def create_token(request: Request) -> Response:
    found = access(request)
    label = found.field("label").strip() or None
    try:
        made = profiles.create_api_token(web_state(request).write_uow(), found.actor, label=label)
    except InvalidInput as refused:
        return _page(request, status=422, errors=_by_field(refused.errors), values={"label": label})
    # Shown once, in this answer only: not in a redirect, the session or a log.
    return _page(request, new_token=made)


def revoke_token(request: Request) -> Response:
    found = access(request)
    token_id = found.permit.token_id
    assert token_id is not None  # noqa: S101 - the route's path names a token
    profiles.revoke_api_token(web_state(request).write_uow(), found.actor, token_id)
    flash(request, "Token revoked.")
    return RedirectResponse(request.app.url_path_for("profile_page"), status_code=303)
