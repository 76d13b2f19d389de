"""Signing in and out, and the front door that sends each role to its own start page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.services.accounts.signin import sign_in, sign_out
from referwell.services.errors import LoginFailed, SignInThrottled
from referwell.services.permissions import Person, Role
from referwell.web.guard import access, end_session, moment, start_session
from referwell.web.rendering import render
from referwell.web.state import web_state

LANDING = {Role.CLINICIAN: "caseload", Role.SUPERVISOR: "supervision", Role.ADMIN: "admin_users"}


def landing_url(request: Request, actor: Person) -> str:
    return str(request.app.url_path_for(LANDING[actor.role]))


def _safe_next(target: str) -> str | None:
    """A local path to return to after signing in; anything else is ignored (no open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def home(request: Request) -> Response:
    actor = access(request).maybe_actor
    if actor is None:
        return RedirectResponse(request.app.url_path_for("login_form"), status_code=303)
    return RedirectResponse(landing_url(request, actor), status_code=303)


def _login_page(
    request: Request,
    *,
    username: str = "",
    error: str | None = None,
    next_path: str = "",
    signed_out: bool = False,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "login.html",
        {"username": username, "error": error, "next": next_path, "signed_out": signed_out},
        status_code=status,
        headers=headers,
    )


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"


def login_form(request: Request) -> Response:
    actor = access(request).maybe_actor
    if actor is not None:
        return RedirectResponse(landing_url(request, actor), status_code=303)
    return _login_page(
        request,
        next_path=request.query_params.get("next", ""),
        signed_out="signed_out" in request.query_params,
    )


def login(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    username = found.field("username")
    try:
        signed_in = sign_in(
            state.write_uow(),
            username,
            found.field("password"),
            hasher=state.hasher,
            # Behind a proxy this is the proxy's address, unless uvicorn trusts its headers
            # (`--proxy-headers`, `--forwarded-allow-ips`): see docs/operations.md.
            address=request.client.host if request.client else None,
            now=moment(),
            throttling=state.throttle_policy,
            sessions=state.session_policy,
        )
    except SignInThrottled as held:
        wait = _wait_words(held.retry_after)
        return _login_page(
            request,
            username=username,
            error=(
                f"Too many failed sign-ins. Try again in {wait}, or ask your practice's admin."
                if held.locked
                else f"Too many failed sign-ins. Wait {wait} before trying again."
            ),
            next_path=found.field("next"),
            status=429,
            headers={"Retry-After": str(held.retry_after)},
        )
    except LoginFailed:
        return _login_page(
            request,
            username=username,
            error="Wrong username or password.",
            next_path=found.field("next"),
            status=400,
        )
    start_session(request, signed_in.session_secret)
    target = _safe_next(found.field("next")) or landing_url(request, signed_in.actor)
    return RedirectResponse(target, status_code=303)


def logout(request: Request) -> Response:
    found = access(request)
    sign_out(web_state(request).write_uow(), found.actor, found.session_id)
    end_session(request)
    return RedirectResponse(
        f"{request.app.url_path_for('login_form')}?signed_out=1", status_code=303
    )


def healthz(request: Request) -> Response:
    return Response("ok\n", media_type="text/plain")
