"""The admin pages: the practice's users, and its rule settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.labels import label, sentence
from referwell.domain.settings import RuleSettings
from referwell.services import rule_settings
from referwell.services.accounts import throttle
from referwell.services.accounts import users as accounts
from referwell.services.permissions import Role
from referwell.web.guard import Access, access, moment
from referwell.web.rendering import flash, render
from referwell.web.state import web_state
from referwell.web.views.clients import checkbox, number

ROLES = tuple(role.value for role in Role)


def _by_field(errors: Sequence[FieldError]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.path, []).append(error.message)
    return grouped


def _user_form(
    state: Any,
    actor: Any,
    errors: Mapping[str, Sequence[str]] | None,
    values: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What both user forms need: the supervisors to choose from, the roles, the errors."""
    return {
        "supervisors": accounts.supervisors(state.uow(), actor),
        "roles": ROLES,
        "errors": errors or {},
        "values": values or {},
    }


def _users_page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    state = web_state(request)
    actor = access(request).actor
    return render(
        request,
        "admin_users.html",
        {"users": accounts.list_users(state.uow(), actor)}
        | _user_form(state, actor, errors, values),
        status_code=status,
    )


def users(request: Request) -> Response:
    return _users_page(request)


def _supervisor(found: Access) -> Any:
    return number(found.field("supervisor_id"))


def create_user(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    values = {
        "username": found.field("username"),
        "display_name": found.field("display_name"),
        "role": found.field("role"),
        "supervisor_id": _supervisor(found),
    }
    try:
        made = accounts.create_user(
            state.write_uow(),
            found.actor,
            password=found.field("password"),
            hasher=state.hasher,
            **values,
        )
    except InvalidInput as refused:
        return _users_page(request, status=422, errors=_by_field(refused.errors), values=values)
    flash(request, f"User {made.username} added.")
    return RedirectResponse(request.app.url_path_for("admin_users"), status_code=303)


def _user_page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    found = access(request)
    state = web_state(request)
    user_id = found.permit.user_id
    assert user_id is not None  # noqa: S101 - the route's path names a user
    return render(
        request,
        "admin_user.html",
        {
            "user": accounts.get_user(state.uow(), found.actor, user_id),
            "sign_in": throttle.account_throttle(
                state.uow(), found.actor, user_id, now=moment(), policy=state.throttle_policy
            ),
        }
        | _user_form(state, found.actor, errors, values),
        status_code=status,
    )


def user_page(request: Request) -> Response:
    return _user_page(request)


def update_user(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    user_id = found.permit.user_id
    assert user_id is not None  # noqa: S101 - the route's path names a user
    values = {
        "display_name": found.field("display_name"),
        "role": found.field("role"),
        "supervisor_id": _supervisor(found),
        "active": checkbox(found.field("active")),
    }
    try:
        accounts.update_user(
            state.write_uow(),
            found.actor,
            user_id,
            password=found.field("password") or None,
            hasher=state.hasher,
            **values,
        )
    except InvalidInput as refused:
        return _user_page(request, status=422, errors=_by_field(refused.errors), values=values)
    flash(request, "User saved.")
    return RedirectResponse(
        request.app.url_path_for("admin_user", user_id=user_id), status_code=303
    )


def unlock_user(request: Request) -> Response:
    """Forget a user's failed sign-ins: a locked account may sign in at once."""
    found = access(request)
    user_id = found.permit.user_id
    assert user_id is not None  # noqa: S101 - the route's path names a user
    throttle.unlock_account(web_state(request).write_uow(), found.actor, user_id)
    flash(request, "Unlocked: the user may sign in again.")
    return RedirectResponse(
        request.app.url_path_for("admin_user", user_id=user_id), status_code=303
    )


def _settings_page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    state = web_state(request)
    return render(
        request,
        "admin_settings.html",
        {
            "practice": rule_settings.practice_settings(state.uow(), access(request).actor),
            "setting_labels": {
                name: sentence(label("setting", name)) for name in RuleSettings().as_dict()
            }
            | {
                rule_settings.reason_field(name): "Reason for " + label("setting", name)
                for name in RuleSettings().as_dict()
            },
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


def settings(request: Request) -> Response:
    return _settings_page(request)


def save_settings(request: Request) -> Response:
    found = access(request)
    names = RuleSettings().as_dict()
    sent = {name: number(found.field(name)) for name in names if found.form and name in found.form}
    # Fields left empty go back to the default; anything else is checked as given.
    values = {name: value for name, value in sent.items() if value is not None}
    reasons = {name: found.field(rule_settings.reason_field(name)) for name in names}
    try:
        rule_settings.update_practice_settings(
            web_state(request).write_uow(), found.actor, values, reasons
        )
    except InvalidInput as refused:
        shown = sent | {rule_settings.reason_field(n): r for n, r in reasons.items()}
        return _settings_page(request, status=422, errors=_by_field(refused.errors), values=shown)
    flash(request, "Rule settings saved; assessments will be brought up to date.")
    return RedirectResponse(request.app.url_path_for("admin_settings"), status_code=303)
