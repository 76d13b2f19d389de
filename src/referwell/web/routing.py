"""How a route of the routes table becomes a FastAPI route behind the guard.

Every route is registered by `register` with `guard` as its first dependency,
so no view runs before the permission check of its route's rule has passed.
`referwell.web.routes.ROUTES` is the table itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, FastAPI

from referwell.services.permissions import Rule

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """One route: where, which view, and the permission rule it demands.

    `api` routes answer errors in JSON, accept `Authorization: Bearer` and
    appear in the OpenAPI document; the others are pages and forms.
    """

    path: str
    methods: tuple[str, ...]
    endpoint: Callable[..., Any]
    name: str
    rule: Rule
    api: bool = False
    in_schema: bool = True
    summary: str = ""
    openapi_extra: Mapping[str, Any] | None = None
    responses: Mapping[int | str, Any] = field(default_factory=dict)
    tags: Sequence[str] = ()

    @property
    def unsafe(self) -> bool:
        return any(method not in SAFE_METHODS for method in self.methods)


@dataclass(frozen=True, slots=True)
class StaticSpec:
    """The static files: public, and the only route not behind the guard."""

    path: str
    name: str
    rule: Rule = Rule.PUBLIC


def register(app: FastAPI, routes: Sequence[RouteSpec]) -> None:
    """Add every route of the table to `app`, each behind the guard of its own rule."""
    from referwell.web.guard import guard_for

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
