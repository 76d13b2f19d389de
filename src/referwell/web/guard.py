"""The guard every route passes first: who is asking, may they, and is the form genuine.

1. Authentication: an API route with `Authorization: Bearer <token>` is the
   token's user (a revoked or expired token is nobody), within the token's
   rate limit (`RateLimited`, 429); otherwise the session cookie's random id
   names a session kept on the server (`services.accounts.sessions`), live
   while its user is active with the same password, for 8 hours at most and
   `session_idle_minutes` after it was last seen (noted at most once a minute).
2. Permission: `services.permissions.authorize` with the route's permission and the
   records its path names (`client_id`, `user_id`, `token_id`).
3. CSRF: every unsafe request authenticated by the cookie (or made without
   any, like signing in) must carry the session's synchronizer token, in the
   form field `csrf_token` or the `X-CSRF-Token` header (htmx sends the
   header). Token-authenticated API calls carry no cookie and need none. A
   signed-in session's token is an HMAC of its id under the secret key; an
   anonymous visitor's is random, kept in the signed cookie.

The cookie (Starlette's signed session cookie) holds, for a signed-in user,
the session's random id and nothing else that counts (a notice for the next
page at most); for an anonymous visitor, the CSRF token of the sign-in and
questionnaire forms, a notice, a questionnaire's "done" page.

The view then finds the outcome in `access(request)`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import HTTPConnection, Request

from referwell.services.accounts.sessions import LiveSession, note_seen, session_actor
from referwell.services.accounts.signin import actor_for_token
from referwell.services.errors import NotAuthenticated
from referwell.services.permissions import Actor, Permit, Person, authorize
from referwell.web.inputs import read_form, refuse_unstorable
from referwell.web.routespec import SAFE_METHODS, RouteSpec
from referwell.web.state import WebState, web_state

SESSION_COOKIE = "referwell_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_ID = "sid"  # the random id of the session kept on the server
SESSION_CSRF = "csrf"  # an anonymous visitor's CSRF token
# A session ends this long after sign-in, however busy (the server decides; the cookie's
# own age says nothing about when the user signed in).
SESSION_LIFETIME = 8 * 60 * 60
_PATH_RECORDS = ("client_id", "user_id", "token_id")


def now() -> float:
    """Seconds since the epoch (a function, so a test can move the clock of sessions,
    sign-in throttling and the API's rate limit alone)."""
    return time.time()


def moment() -> datetime:
    """`now()` as a timezone-aware datetime, for the services."""
    return datetime.fromtimestamp(now(), UTC)


class CsrfRefused(Exception):  # noqa: N818 - named for what happened
    """An unsafe request without the session's CSRF token."""


@dataclass(frozen=True, slots=True)
class Access:
    """What the guard established for this request."""

    spec: RouteSpec
    permit: Permit
    form: FormData | None
    via_token: bool
    # The server-side session asking (its row id), when signed in with the cookie.
    session_id: int | None = None

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


def _session_csrf(connection: HTTPConnection) -> str | None:
    """The CSRF token the cookie's session holds: derived from a signed-in session's id, else
    an anonymous visitor's own; None when there is none yet."""
    session_secret = connection.session.get(SESSION_ID)
    if isinstance(session_secret, str) and session_secret:
        key = web_state(connection).config.secret_key.encode()
        return hmac.new(key, b"csrf:" + session_secret.encode(), hashlib.sha256).hexdigest()
    token = connection.session.get(SESSION_CSRF)
    return token if isinstance(token, str) and token else None


def csrf_token(connection: HTTPConnection) -> str:
    """The session's CSRF token; an anonymous visitor's is made on first use, in the cookie."""
    token = _session_csrf(connection)
    if token is None:
        token = secrets.token_urlsafe(32)
        connection.session[SESSION_CSRF] = token
    return token


def start_session(connection: HTTPConnection, session_secret: str) -> None:
    """The cookie of a user just signed in: the new session's id, nothing of before (no
    fixation; a new CSRF token with it)."""
    connection.session.clear()
    connection.session[SESSION_ID] = session_secret


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
) -> tuple[Permit, LiveSession | None]:
    at = now()
    live: LiveSession | None = None
    with state.session_factory() as session:
        actor: Actor | None = None
        if bearer is not None:
            person = actor_for_token(session, bearer, now=datetime.fromtimestamp(at, UTC))
            if person is None or person.token_id is None:
                raise NotAuthenticated("this API token is unknown, revoked or expired")
            state.api_limiter.take(person.token_id, at)
            actor = person
            try:
                session.commit()  # when the token was last used: worth a try, not a refusal
            except OperationalError:
                session.rollback()
        else:
            session_secret = session_data.get(SESSION_ID)
            if isinstance(session_secret, str) and session_secret:
                live = session_actor(
                    session,
                    session_secret,
                    now=datetime.fromtimestamp(at, UTC),
                    policy=state.session_policy,
                )
                actor = live.actor if live is not None else None
        permit = authorize(session, actor, spec.permission, **records)
    if live is not None and live.due_seen:
        note_seen(state.write_uow(), live.session_id, datetime.fromtimestamp(at, UTC))
    return permit, live


async def _check_csrf(request: Request, form: FormData | None) -> None:
    expected = _session_csrf(request)
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
        try:
            permit, live = await run_in_threadpool(
                _authorize, state, session_data, bearer, spec, records
            )
        except NotAuthenticated:
            if bearer is None and SESSION_ID in request.session:
                end_session(request)  # a session ended, expired or of a user gone: forget it
            raise
        if bearer is None and live is None and SESSION_ID in request.session:
            end_session(request)
        form: FormData | None = None
        if request.method not in SAFE_METHODS and not spec.partner_api:
            form = await read_form(request, spec)  # within limits; None on the JSON API
            if bearer is None:
                await _check_csrf(request, form)
            refuse_unstorable(form)  # a NUL in any field: 422 naming it, before any view
        request.state.access = Access(
            spec=spec,
            permit=permit,
            form=form,
            via_token=bearer is not None,
            session_id=live.session_id if live is not None else None,
        )

    guard.__name__ = f"guard_{spec.name}"
    return guard
