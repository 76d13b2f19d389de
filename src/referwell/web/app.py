"""`create_app(config)`: the web app and JSON API of one referwell installation.

    uvicorn --factory --no-server-header referwell.web.app:create_app   # settings: load_config()

Nothing happens at import. `create_app` makes the engine (which connects on
first use), the read-audit queue, the templates and the routes of the routes
table; the app's lifespan writes the queued read entries and closes the
engine at shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import date

from argon2 import PasswordHasher
from fastapi import Depends, FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from referwell import __version__
from referwell.config import AppConfig, load_config
from referwell.db.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    for_writing,
    make_engine,
    make_session_factory,
)
from referwell.db.uow import WriteGate
from referwell.services.accounts.signin import default_hasher
from referwell.services.auditing import ReadAuditLog
from referwell.web import errors
from referwell.web.guard import SESSION_COOKIE, SESSION_LIFETIME, guard_for
from referwell.web.middleware import BodyLimit, RequestLog, SecurityHeaders
from referwell.web.pathids import register_record_ids
from referwell.web.ratelimit import RateLimiter
from referwell.web.rendering import make_templates
from referwell.web.routes import ROUTES, STATIC
from referwell.web.routespec import RouteSpec
from referwell.web.state import WebState

STATIC_DIR = "static"


def register(app: FastAPI, routes: Sequence[RouteSpec]) -> None:
    """Add every route of the table to `app`, each behind the guard of its own permission:
    no view runs before the permission check of its route has passed."""
    register_record_ids()  # `{client_id:id}`: an id that cannot fit the database is a 404
    seen: set[tuple[str, str]] = set()
    for spec in routes:
        for method in spec.methods:
            key = (method, spec.path)
            if key in seen:
                raise ValueError(f"route {method} {spec.path} is in the routes table twice")
            seen.add(key)
        app.add_api_route(
            spec.path,
            spec.endpoint,
            methods=list(spec.methods),
            name=spec.name,
            dependencies=[Depends(guard_for(spec))],
            include_in_schema=spec.api and spec.in_schema,
            summary=spec.summary or None,
            openapi_extra=dict(spec.openapi_extra) if spec.openapi_extra else None,
            responses=dict(spec.responses) or None,
            tags=list(spec.tags) or None,
        )


def create_app(
    config: AppConfig | None = None,
    *,
    clock: Callable[[], date] | None = None,
    password_hasher: PasswordHasher | None = None,
    audit_interval: float = 1.0,
) -> FastAPI:
    """The referwell web app for `config` (default: `load_config()`).

    `clock` gives "today" (tests fix it); `password_hasher` hashes new
    passwords (tests pass cheap parameters); read entries are written within
    `audit_interval` seconds (`app.state.web.reads.flush()` writes them now).
    """
    config = config or load_config()
    engine = make_engine(config.database_url)
    session_factory = make_session_factory(engine)
    write_session_factory = make_session_factory(for_writing(engine))
    state = WebState(
        config=config,
        engine=engine,
        session_factory=session_factory,
        write_session_factory=write_session_factory,
        reads=ReadAuditLog(write_session_factory, interval=audit_interval),
        clock=clock or date.today,
        hasher=password_hasher or default_hasher(),
        templates=make_templates(),
        api_limiter=RateLimiter(config.api_requests_per_minute),
        write_gate=(
            WriteGate(SQLITE_BUSY_TIMEOUT_MS / 1000) if engine.dialect.name == "sqlite" else None
        ),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            state.reads.close()
            state.engine.dispose()

    app = FastAPI(
        title="referwell",
        version=__version__,
        summary="When to refer, to whom, and how: the practice's JSON API.",
        docs_url=None,  # the interactive docs load from a CDN: nothing is fetched at run time
        redoc_url=None,
        openapi_url=None,  # served from the routes table instead (`/openapi.json`)
        lifespan=lifespan,
    )
    app.state.web = state
    register(app, ROUTES)
    app.mount(
        STATIC.path,
        StaticFiles(packages=[("referwell.web", STATIC_DIR)]),
        name=STATIC.name,
    )
    errors.install(app)
    # Added last runs first: headers on everything, then the session, then error containment.
    app.add_middleware(errors.ContainErrors)
    app.add_middleware(BodyLimit)  # every body capped before it is read: 413 beyond
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_LIFETIME,
        same_site="lax",
        https_only=config.secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)
    return app
