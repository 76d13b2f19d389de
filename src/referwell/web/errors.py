"""The one error mapper: domain and service errors into an HTML page or the one JSON shape.

JSON (the API, and any request that asks for JSON):

    {"error": {"status": 422, "code": "invalid_input", "message": "...",
               "fields": [{"path": "measures[3].items[2]", "message": "..."}]}}

HTML: a plain page with the status and a sentence; no clinical content, no
input echoed, no exception text. Under `/fhir/` (the partner practices' endpoint) every
error is a FHIR `OperationOutcome`. An unexpected exception is logged by type and route
template only (a database error's text may quote clinical values) and answered with a
bare 500 (an `OperationOutcome` under `/fhir/`). A database lock held longer than we
wait (a long import on SQLite, a lock timeout on PostgreSQL) or a database out of reach
is a 503 with Retry-After; a record changed under a save (its version moved) a 409:
neither is ever a 500, and the client may simply try again.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import Message, Receive, Scope, Send

from referwell.db.faults import Fault, fault_of
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.storable import escaped
from referwell.services.errors import (
    Conflict,
    Forbidden,
    LoginFailed,
    NotAuthenticated,
    NotFound,
)
from referwell.web.guard import CsrfRefused
from referwell.web.middleware import BodyTooLarge, HttpMiddleware
from referwell.web.ratelimit import RateLimited

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    409: "changed_meanwhile",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
    503: "database_busy",
}
_TITLES = {
    400: "Bad request",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    415: "Not JSON",
    409: "Changed while you saved",
    422: "Invalid input",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Busy: try again",
}
NOT_FOUND_MESSAGE = "There is no such page, or it is not yours to see."
# A database lock another writer (a long import) held longer than we wait: try again soon.
BUSY_RETRY_AFTER = 5
BUSY_MESSAGE = (
    "The practice database is busy with another long write (an import, perhaps); "
    "nothing was saved. Try again in a few seconds."
)
UNREACHABLE_MESSAGE = (
    "The practice database cannot be reached just now; nothing was saved. Try again in a "
    "minute, or tell your practice's admin."
)
CHANGED_MESSAGE = "The record changed while you were saving; nothing was saved. Save again."
CONFLICT_MESSAGE = (
    "Someone else changed this {what} since you opened it; nothing was saved. Look at it again "
    "and redo your change."
)


def error_body(
    status: int, code: str, message: str, fields: Sequence[FieldError] = ()
) -> dict[str, Any]:
    """The one JSON error shape (a NUL or a lone surrogate quoted from the input escaped)."""
    return {
        "error": {
            "status": status,
            "code": code,
            "message": escaped(message),
            "fields": [
                {"path": escaped(field.path), "message": escaped(field.message)} for field in fields
            ],
        }
    }


def wants_json(request: Request) -> bool:
    access = getattr(request.state, "access", None)
    if access is not None:
        return bool(access.spec.api)
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    code: str | None = None,
    fields: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """An error answer in the form the request wants."""
    code = code or _HTTP_CODES.get(status, "error")
    if request.url.path.startswith("/fhir/"):
        from referwell.web.views.fhir_endpoint import outcome_response

        return outcome_response(status, message, fields=fields, headers=headers)
    if wants_json(request):
        return JSONResponse(
            error_body(status, code, message, fields), status_code=status, headers=headers
        )
    from referwell.web.rendering import render

    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": _TITLES.get(status, "Error"),
            "message": message,
            "fields": fields,
        },
        status_code=status,
        headers=headers,
    )


async def _invalid_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInput)  # noqa: S101 - registered for this type only
    noun = {"case": "case", "settings": "settings"}.get(exc.what, exc.what)
    count = len(exc.errors)
    message = (
        f"The {noun} was refused: {count} problem{'s' if count != 1 else ''}; nothing was saved."
    )
    return error_response(request, 422, message, fields=exc.errors)


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(request, 404, NOT_FOUND_MESSAGE)


async def _forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Forbidden)  # noqa: S101 - registered for this type only
    return error_response(request, 403, f"Not allowed: {exc.reason}.")


async def _not_authenticated(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return error_response(
            request,
            401,
            str(exc) or "sign in first",
            headers={"WWW-Authenticate": 'Bearer realm="referwell"'},
        )
    target = "/login"
    if request.method == "GET" and request.url.path not in ("/", "/login"):
        target += "?next=" + quote(request.url.path, safe="/")
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _login_failed(request: Request, exc: Exception) -> Response:
    return error_response(request, 401, "Wrong username or password.")


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    return error_response(
        request,
        403,
        "This form has expired or did not come from referwell. Reload the page and try again.",
        code="csrf_failed",
    )


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimited)  # noqa: S101 - registered for this type only
    return error_response(
        request,
        429,
        f"Too many requests with this API token: try again in {exc.retry_after} seconds.",
        headers={"Retry-After": str(exc.retry_after)},
    )


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for this type only
    status = exc.status_code
    message = NOT_FOUND_MESSAGE if status == 404 else _TITLES.get(status, "Error") + "."
    return error_response(request, status, message, headers=dict(exc.headers or {}) or None)


async def _body_too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)  # noqa: S101 - registered for this type only
    return error_response(
        request,
        413,
        f"This request is larger than {exc.limit // 1_000_000} MB, the most referwell takes; "
        "nothing was saved.",
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    """A lock held too long, or a database out of reach: 503, worth trying again; any
    other database error is unexpected (ContainErrors answers it)."""
    fault = fault_of(exc)
    if fault is Fault.BUSY:
        return error_response(
            request, 503, BUSY_MESSAGE, headers={"Retry-After": str(BUSY_RETRY_AFTER)}
        )
    if fault is Fault.UNREACHABLE:
        return error_response(
            request, 503, UNREACHABLE_MESSAGE, headers={"Retry-After": str(BUSY_RETRY_AFTER)}
        )
    raise exc


async def _changed_meanwhile(request: Request, exc: Exception) -> Response:
    return error_response(request, 409, CHANGED_MESSAGE)


async def _conflict(request: Request, exc: Exception) -> Response:
    """A change made against an older version of a record (`services.errors.Conflict`)."""
    assert isinstance(exc, Conflict)  # noqa: S101 - registered for this type only
    return error_response(request, 409, CONFLICT_MESSAGE.format(what=exc.what))


async def _request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for this type only
    fields = [
        FieldError(
            ".".join(str(part) for part in error.get("loc", ()) if part != "body"),
            str(error.get("msg", "invalid")),
        )
        for error in exc.errors()
    ]
    return error_response(
        request, 422, "The request was refused; nothing was saved.", fields=fields
    )


class ContainErrors(HttpMiddleware):
    """Answers any unexpected exception with a bare 500, logging its type and where, no text."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            frames = "".join(traceback.format_tb(error.__traceback__))
            # By route template: a filled-in path may hold a link's token (`/r/{token}`).
            route = getattr(scope.get("route"), "path", None) or "(no route)"
            log.error(
                "unexpected %s answering %s %s\n%s",
                type(error).__name__,
                scope.get("method"),
                route,
                frames,
            )
            if started:
                return
            path = str(scope.get("path", ""))
            api = path.startswith("/api/")
            response: Response
            if path.startswith("/fhir/"):
                response = _fhir_outcome(fault_of(error) is Fault.BUSY)
            elif fault_of(error) is Fault.BUSY:  # raised outside the routes (a middleware's write)
                response = _bare_busy(api)
            elif api:
                response = JSONResponse(
                    error_body(500, "internal_error", "Something went wrong; nothing was saved."),
                    status_code=500,
                )
            else:
                response = Response(
                    "<!doctype html><title>Something went wrong</title>"
                    "<h1>Something went wrong</h1><p>Nothing was saved. Try again, "
                    "or tell your practice's admin the time it happened.</p>",
                    status_code=500,
                    media_type="text/html",
                )
            await response(scope, receive, send)


def _fhir_outcome(busy: bool) -> Response:
    """A partner's request that failed unexpectedly: a FHIR `OperationOutcome`, no detail."""
    from referwell.web.views.fhir_endpoint import outcome_response

    if busy:
        return outcome_response(503, BUSY_MESSAGE, headers={"Retry-After": str(BUSY_RETRY_AFTER)})
    return outcome_response(500, "Something went wrong; nothing was saved. Try again later.")


def _bare_busy(api: bool) -> Response:
    headers = {"Retry-After": str(BUSY_RETRY_AFTER)}
    if api:
        return JSONResponse(
            error_body(503, "database_busy", BUSY_MESSAGE), status_code=503, headers=headers
        )
    return Response(
        f"<!doctype html><title>Busy: try again</title><h1>Busy: try again</h1><p>{BUSY_MESSAGE}</p>",
        status_code=503,
        media_type="text/html",
        headers=headers,
    )


def install(app: FastAPI) -> None:
    """Register the mapper on `app`."""
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(LoginFailed, _login_failed)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(StaleDataError, _changed_meanwhile)
    app.add_exception_handler(Conflict, _conflict)
