"""The guard every route passes first: who is asking, may they, and is the form genuine.

1. Authentication: an API route with `Authorization: Bearer <token>` is the
   token's user; otherwise the signed session cookie names the user (and the
   fingerprint of their password hash, so a changed password or a
   deactivated user ends the session).
2. Permission: `services.permissions.authorize` with the route's permission and the
   records its path names (`client_id`, `user_id`, `token_id`).
3. CSRF: every unsafe request authenticated by the cookie (or made without
   any, like signing in) must carry the session's synchronizer token, in the
   form field `csrf_token` or the `X-CSRF-Token` header (htmx sends the
   header). Token-authenticated API calls carry no cookie and need none.

The view then finds the outcome in `access(request)`.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import HTTPConnection, Request

from referwell.services.accounts.signin import actor_for_session, actor_for_token
from referwell.services.errors import NotAuthenticated
from referwell.services.permissions import Actor, Permit, Person, authorize
from referwell.web.routespec import SAFE_METHODS, RouteSpec
from referwell.web.state import WebState, web_state

SESSION_COOKIE = "referwell_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_USER = "uid"
SESSION_FINGERPRINT = "fp"
SESSION_CSRF = "csrf"
SESSION_SINCE = "since"
# A session ends this long after sign-in, however busy (the cookie is re-signed on every
# change, so its own age says nothing about when the user signed in).
SESSION_LIFETIME = 8 * 60 * 60
_PATH_RECORDS = ("client_id", "user_id", "token_id")


def now() -> float:
    """Seconds since the epoch (a function, so a test can move the clock of sessions alone)."""
    return time.time()


class CsrfRefused(Exception):  # noqa: N818 - named for what happened
    """An unsafe request without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Access:
    """What the guard established for this request."""

    spec: RouteSpec
    permit: Permit
    form: FormData | None
    via_token: bool

    @property
    def actor(self) -> Person:
        """The person signed in (or calling with their API token); only public routes have
        none, and they must not ask."""
        if not isinstance(self.permit.actor, Person):
            raise NotAuthenticated("sign in first")
        return self.permit.actor

    @property
    def maybe_actor(self) -> Person | None:
        return self.permit.actor if isinstance(self.permit.actor, Person) else None

    def field(self, name: str) -> str:
        """A form field's value as sent; "" when it was not sent."""
        if self.form is None:
            return ""
        value = self.form.get(name)
        return value if isinstance(value, str) else ""

    def fields(self, name: str) -> list[str]:
        if self.form is None:
            return []
        return [value for value in self.form.getlist(name) if isinstance(value, str)]


def access(request: Request) -> Access:
    """The guard's outcome; a view reached without the guard fails loudly."""
    found = getattr(request.state, "access", None)
    if not isinstance(found, Access):
        raise RuntimeError(f"{request.url.path} was reached without the guard")
    return found


def csrf_token(connection: HTTPConnection) -> str:
    """The session's CSRF token, made on first use."""
    token = connection.session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        connection.session[SESSION_CSRF] = token
    return token


def start_session(connection: HTTPConnection, actor: Person, fingerprint: str) -> None:
    """A fresh session for a user just signed in (a new CSRF token too: no fixation)."""
    connection.session.clear()
    connection.session[SESSION_USER] = actor.user_id
    connection.session[SESSION_FINGERPRINT] = fingerprint
    connection.session[SESSION_SINCE] = int(now())
    connection.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def end_session(connection: HTTPConnection) -> None:
    connection.session.clear()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise NotAuthenticated("give the token as `Authorization: Bearer <token>`")
    return credentials.strip()


def _authorize(
    state: WebState,
    session_data: Mapping[str, Any],
    bearer: str | None,
    spec: RouteSpec,
    records: Mapping[str, int],
) -> Permit:
    with state.session_factory() as session:
        actor: Actor | None = None
        if bearer is not None:
            actor = actor_for_token(session, bearer)
            if actor is None:
                raise NotAuthenticated("this API token is unknown or revoked")
            try:
                session.commit()  # when the token was last used: worth a try, not a refusal
            except OperationalError:
                session.rollback()
        else:
            user_id = session_data.get(SESSION_USER)
            fingerprint = session_data.get(SESSION_FINGERPRINT)
            since = session_data.get(SESSION_SINCE)
            if (
                isinstance(user_id, int)
                and isinstance(fingerprint, str)
                and isinstance(since, int)
                and 0 <= now() - since < SESSION_LIFETIME
            ):
                actor = actor_for_session(session, user_id, fingerprint)
        return authorize(session, actor, spec.permission, **records)


async def _check_csrf(request: Request, form: FormData | None) -> None:
    expected = request.session.get(SESSION_CSRF)
    given = request.headers.get(CSRF_HEADER)
    if given is None and form is not None:
        field = form.get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    if (
        not isinstance(expected, str)
        or not expected
        or given is None
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise CsrfRefused("the form's CSRF token is missing or wrong")


def guard_for(spec: RouteSpec) -> Callable[[Request], Awaitable[None]]:
    """The dependency that guards the route `spec`."""

    async def guard(request: Request) -> None:
        state = web_state(request)
        bearer = _bearer(request) if spec.api else None
        records = {
            name: int(value) for name, value in request.path_params.items() if name in _PATH_RECORDS
        }
        session_data = dict(request.session)
        permit = await run_in_threadpool(_authorize, state, session_data, bearer, spec, records)
        if permit.actor is None and SESSION_USER in request.session:
            end_session(request)  # a session of a user gone or changed: forget it
        form: FormData | None = None
        if request.method not in SAFE_METHODS:
            content_type = request.headers.get("content-type", "")
            if content_type.startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                form = await request.form()
            if bearer is None:
                await _check_csrf(request, form)
        request.state.access = Access(
            spec=spec, permit=permit, form=form, via_token=bearer is not None
        )

    guard.__name__ = f"guard_{spec.name}"
    return guard
