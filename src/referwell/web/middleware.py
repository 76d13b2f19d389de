"""The app's own middleware, on HTTP requests only: security headers, the request log, and
the cap on request bodies."""

from __future__ import annotations

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referwell.web.routespec import STATIC


class HttpMiddleware:
    """An ASGI middleware that acts on HTTP requests; anything else passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# No page uses these powerful features; none of them may be asked for, by a page or a frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", PERMISSIONS_POLICY.encode()),
]


class SecurityHeaders(HttpMiddleware):
    """Adds the security headers to every answer, and `no-store` to all but static files
    (clinical pages must not linger in caches)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        static = str(scope.get("path", "")).startswith(STATIC.path + "/")

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name, value) for name, value in SECURITY_HEADERS if name not in present
                ]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, add_headers)


access_log = logging.getLogger("referwell.access")


class RequestLog(HttpMiddleware):
    """Logs each request by method, route template (`/clients/{client_id}`, never the
    filled-in path or its query string), status and duration: nothing clinical, no ids."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or (
                STATIC.path + "/…"
                if str(scope.get("path", "")).startswith(STATIC.path + "/")
                else "(no route)"
            )
            access_log.info(
                "%s %s %d %.1fms",
                scope.get("method", "?"),
                template,
                status,
                (time.perf_counter() - started) * 1000,
            )


_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: "²".isdigit() is true, and no length
# The largest request body read; a case for `POST /api/v1/assess` is the largest a client sends.
MAX_BODY_BYTES = 2_000_000


class BodyTooLarge(Exception):  # noqa: N818 - named for what happened
    """A request body over the cap: raised by `receive` before the body is read (the app
    answers 413 through the error mapper)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if _DIGITS.fullmatch(text) else None
    return None


class BodyLimit(HttpMiddleware):
    """Caps every request body at `limit` bytes before it is read: a body whose
    Content-Length says more is refused at its first read, before a byte is taken; one sent
    in chunks is refused as soon as the bytes received pass the cap. Either way the reader
    (form parsing, `request.body()`) raises `BodyTooLarge`, which the error mapper answers
    with 413 in the request's error shape."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        super().__init__(app)
        self.limit = limit

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit
        declared = _declared_length(scope)
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)
