"""What a route of the routes table says: where, which view, and the permission it demands.

`referwell.web.routes.ROUTES` is the table itself; `referwell.web.app.register`
puts each route behind the guard of its permission.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from referwell.services.permissions import Permission

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """One route: where, which view, and the permission it demands.

    `api` routes answer errors in JSON, accept `Authorization: Bearer` and
    appear in the OpenAPI document; the others are pages and forms.
    """

    path: str
    methods: tuple[str, ...]
    endpoint: Callable[..., Any]
    name: str
    permission: Permission
    api: bool = False
    in_schema: bool = True
    summary: str = ""
    openapi_extra: Mapping[str, Any] | None = None
    responses: Mapping[int | str, Any] = field(default_factory=dict)
    tags: Sequence[str] = ()
    # How many files a page's form may send (a certificate); none on every other route.
    files: int = 0
    # A partner practice's FHIR endpoint (`/fhir/r4/...`): the view checks the partner's own
    # token itself; no cookie, no form, no CSRF token; errors are FHIR OperationOutcomes.
    partner_api: bool = False

    @property
    def unsafe(self) -> bool:
        return any(method not in SAFE_METHODS for method in self.methods)


@dataclass(frozen=True, slots=True)
class StaticSpec:
    """The static files: public, and the only route not behind the guard."""

    path: str
    name: str
    permission: Permission = Permission.PUBLIC


STATIC: Final = StaticSpec("/static", "static")
