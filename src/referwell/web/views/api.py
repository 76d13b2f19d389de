"""The JSON API (`/api/v1`): assess a case, read a client's case and current assessment.

Errors use the one JSON shape of `referwell.web.errors`. Authenticated by the
session cookie (with the CSRF header for POST) or `Authorization: Bearer`.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from referwell.domain.caseformat import case_schema
from referwell.services.assessing import assess_for_practice
from referwell.services.caseio import parse_json, utf8_text
from referwell.services.clients.record import client_assessment, client_case
from referwell.services.errors import NotFound
from referwell.web.errors import error_response
from referwell.web.guard import SESSION_COOKIE, access
from referwell.web.state import web_state

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "fields"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["path", "message"],
                        "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        }
    },
}
ASSESSMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An assessment in the assessment format `referwell.assessment/1`.",
    "required": [
        "format",
        "case_id",
        "as_of",
        "recommendation",
        "headline",
        "findings",
        "settings",
        "settings_changed",
    ],
    "properties": {
        "format": {"const": "referwell.assessment/1"},
        "settings": {"type": "object", "additionalProperties": {"type": "integer"}},
        "settings_changed": {
            "type": "array",
            "description": "The settings that differ from the defaults, who set them, when and "
            "why; empty under the defaults.",
            "items": {
                "type": "object",
                "required": ["name", "value", "default", "set_by", "set_at", "reason"],
                "properties": {
                    "name": {"type": "string"},
                    "value": {"type": "integer"},
                    "default": {"type": "integer"},
                    "set_by": {"type": "string"},
                    "set_at": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}


def error_responses(*statuses: int) -> dict[int | str, Any]:
    descriptions = {
        401: "Not signed in, or the token is unknown, revoked or expired",
        403: "Forbidden (or the CSRF header is missing on a session-authenticated POST)",
        404: "No such client, or not one you may see",
        413: "The body is larger than 2 MB",
        415: "The body is not declared JSON: send `Content-Type: application/json`",
        422: "Invalid input; `fields` names each field by its path",
        429: "Too many calls with this API token; `Retry-After` says how many seconds to wait",
    }
    return {
        status: {
            "description": descriptions[status],
            "content": {"application/json": {"schema": ERROR_SCHEMA}},
        }
        for status in statuses
    }


def sends_json(request: Request) -> bool:
    """Whether the body is declared JSON (`application/json`, `application/…+json`), or not
    declared at all."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        return True
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def assess(request: Request) -> Response:
    """Assess a case in the case format; nothing is stored. The practice's rule settings apply."""
    state = web_state(request)
    actor = access(request).actor
    if not sends_json(request):  # `curl -d` sends a form: say what to send instead
        return error_response(
            request,
            415,
            "Send the case as JSON, with the header Content-Type: application/json "
            "(curl: --json @case.json); nothing was assessed.",
        )
    body = await request.body()  # at most middleware.MAX_BODY_BYTES: 413 beyond
    data = parse_json(utf8_text(body, "(body)", "send the case as UTF-8 JSON"))
    result = await run_in_threadpool(
        assess_for_practice, state.uow(), actor, data, today=state.today()
    )
    return JSONResponse(result)


def case(request: Request, client_id: int) -> Response:
    """The client's case as of today, in the case format."""
    state = web_state(request)
    found = client_case(
        state.uow(), access(request).actor, client_id, today=state.today(), reads=state.reads
    )
    return JSONResponse(found)


def assessment(request: Request, client_id: int) -> Response:
    """The client's current assessment (recomputed first when the stored one is stale)."""
    state = web_state(request)
    found = client_assessment(
        state.uow(),
        access(request).actor,
        client_id,
        today=state.today(),
        reads=state.reads,
        writes=state.write_uow(),
    )
    if found is None:
        raise NotFound("assessment", client_id)
    return JSONResponse(found)


def openapi(request: Request) -> Response:
    """The OpenAPI document of the API routes, with the two ways to authenticate."""
    app = request.app
    if app.openapi_schema is None:
        document = app.openapi()
        components = document.setdefault("components", {})
        components.setdefault("schemas", {})["Case"] = case_component()
        components["securitySchemes"] = {
            "token": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal API token, made on the profile page.",
            },
            "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
        }
        document["security"] = [{"token": []}, {"session": []}]
        app.openapi_schema = document
    return JSONResponse(app.openapi_schema)


ASSESS_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}},
    },
    "responses": {
        "200": {
            "description": "The assessment",
            "content": {"application/json": {"schema": ASSESSMENT_SCHEMA}},
        }
    },
}


def case_component() -> dict[str, Any]:
    """The case format's JSON Schema, as an OpenAPI component."""
    schema = dict(case_schema())
    schema.pop("$schema", None)
    return schema
