"""The profile page: competencies and training (clinicians, supervisors), personal API tokens,
one's sessions and signing out everywhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain import vocabulary as v
from referwell.domain.errors import FieldError, InvalidInput
from referwell.services.accounts import profile as profiles
from referwell.services.accounts import sessions
from referwell.web.guard import access, end_session, moment
from referwell.web.rendering import flash, render
from referwell.web.state import web_state
from referwell.web.views import growth_competence
from referwell.web.views.clients import number
from referwell.web.views.ethics_cards import profile_summary

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
    found = access(request)
    at = moment()
    shown = profiles.profile(state.uow(), found.actor, now=at)
    live = sessions.own_sessions(
        state.uow(), found.actor, now=at, policy=state.session_policy, current=found.session_id
    )
    return render(
        request,
        "profile.html",
        {
            "profile": shown,
            "sessions": live,
            "idle_minutes": state.config.session_idle_minutes,
            "token_days": profiles.TOKEN_DAYS_CHOICES,
            "default_token_days": profiles.DEFAULT_TOKEN_DAYS,
            "groups": COMPETENCY_GROUPS,
            "errors": errors or {},
            "values": values or {},
            "new_token": new_token,
            "own_growth": profile_summary(request, found.actor, at),
            # Whether each competency counts, and on what evidence (`growth_competence`).
            "evidence": growth_competence.profile_evidence(request),
            "because": growth_competence.BECAUSE,
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
    days = number(found.field("expires_in_days"))
    try:
        made = profiles.create_api_token(
            web_state(request).write_uow(),
            found.actor,
            label=label,
            expires_in_days=profiles.DEFAULT_TOKEN_DAYS if days is None else days,
            now=moment(),
        )
    except InvalidInput as refused:
        return _page(
            request,
            status=422,
            errors=_by_field(refused.errors),
            values={"label": label, "expires_in_days": found.field("expires_in_days")},
        )
    # Shown once, in this answer only: not in a redirect, the session or a log.
    return _page(request, new_token=made)


def revoke_token(request: Request) -> Response:
    found = access(request)
    token_id = found.permit.token_id
    assert token_id is not None  # noqa: S101 - the route's path names a token
    profiles.revoke_api_token(web_state(request).write_uow(), found.actor, token_id)
    flash(request, "Token revoked.")
    return RedirectResponse(request.app.url_path_for("profile_page"), status_code=303)


def sign_out_everywhere(request: Request) -> Response:
    """End every session of one's own, this one too: a cookie copied anywhere opens nothing."""
    sessions.end_all_sessions(web_state(request).write_uow(), access(request).actor)
    end_session(request)
    return RedirectResponse(
        f"{request.app.url_path_for('login_form')}?signed_out=1", status_code=303
    )
