"""The partner practices' FHIR R4 endpoint (docs/referrals.md, "Between two referwell practices").

    POST /fhir/r4/Bundle         a referral Bundle (Task, ServiceRequest, Patient …): 201 and
                                 the incoming referral's Task (Location, ETag); 200 when the
                                 same sender Task came before
    GET  /fhir/r4/Task/{id}      a referral exchanged with the partner, as a Task (ETag)
    PUT  /fhir/r4/Task/{id}      the partner's changes, as the Task it now reports; needs
                                 `If-Match: W/"<version>"` (428 without, 412 when it moved)

Every request carries `Authorization: Bearer <the token we issued to the partner>`; no
token, an unknown or a revoked one is 401 and writes nothing. The routes are public in
the routes table: the partner (`PartnerPractice`) is built here from its token, as a
questionnaire link's holder is from its link. No cookie, form or CSRF token is read; bodies
are capped like every request's. Every error is a FHIR `OperationOutcome`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.storable import escaped, first_unstorable
from referwell.services.errors import Conflict, Forbidden, NotFound
from referwell.services.permissions import PartnerPractice
from referwell.services.referrals import exchange
from referwell.services.referrals.fhir_task import etag, version_of_etag
from referwell.services.referrals.partners import partner_for_token
from referwell.web.guard import moment
from referwell.web.state import web_state

log = logging.getLogger(__name__)

FHIR_JSON: Final = "application/fhir+json"
_ISSUE_CODES: Final = {
    400: "structure",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "invalid",
    428: "required",
    429: "throttled",
    503: "transient",
}


def outcome(status: int, message: str, fields: Sequence[FieldError] = ()) -> dict[str, Any]:
    """A FHIR R4 `OperationOutcome` (JSON): one issue per field, or one for the message."""
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    code = _ISSUE_CODES.get(status, "exception")
    issues = [
        {
            "severity": "error",
            "code": code,
            "diagnostics": escaped(f"{field.path}: {field.message}"),
            "expression": [escaped(field.path)],
        }
        for field in fields
        if field.path
    ] or [{"severity": "error", "code": code, "diagnostics": escaped(message)}]
    checked = OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": issues})
    result: dict[str, Any] = checked.model_dump(mode="json", exclude_none=True)
    return result


def outcome_response(
    status: int,
    message: str,
    *,
    fields: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    return JSONResponse(
        outcome(status, message, fields), status_code=status, headers=headers, media_type=FHIR_JSON
    )


def _resource(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(body, status_code=status, headers=headers, media_type=FHIR_JSON)


def _partner(request: Request) -> PartnerPractice | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    with web_state(request).session_factory() as session:
        return partner_for_token(session, token.strip())


def _refused() -> Response:
    log.warning("partner request refused: no token, or an unknown or revoked one")
    return outcome_response(
        401,
        "present the token this practice issued to yours, as Authorization: Bearer <token>; "
        "it is missing, unknown or revoked. Nothing was written.",
        headers={"WWW-Authenticate": 'Bearer realm="referwell-fhir"'},
    )


def _error(error: Exception) -> Response:
    if isinstance(error, Conflict):
        return outcome_response(
            412,
            "the Task changed since the version named in If-Match: read it again "
            "(GET) and send the update with its version",
        )
    if isinstance(error, InvalidInput):
        if any(field.path == "If-Match" for field in error.errors):
            return outcome_response(428, "If-Match is required", fields=error.errors)
        return outcome_response(
            422, "the resource was refused; nothing was written", fields=error.errors
        )
    if isinstance(error, NotFound):
        return outcome_response(404, "no such Task exchanged with your practice")
    if isinstance(error, Forbidden):
        return outcome_response(403, f"not allowed: {error.reason}")
    raise error


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        document = json.loads(raw)
    except ValueError:
        raise InvalidInput(
            [FieldError("(body)", "send FHIR JSON (application/fhir+json)")], what="resource"
        ) from None
    # A NUL or a lone surrogate anywhere: refused by its path before anything reads it.
    if (found := first_unstorable(document)) is not None:
        raise InvalidInput([FieldError(found[0], found[1])], what="resource")
    return document


async def receive_bundle(request: Request) -> Response:
    partner = await run_in_threadpool(_partner, request)
    if partner is None:
        return _refused()
    try:
        body = await _json(request)
    except InvalidInput as refused:
        return outcome_response(400, "the resource cannot be read", fields=refused.errors)
    state = web_state(request)
    try:
        view, created = await run_in_threadpool(
            exchange.receive_bundle, state.write_uow(), partner, body, now=moment()
        )
        task = await run_in_threadpool(exchange.read_task, state.uow(), partner,
                                       str(view.referral_id), state.reads)  # fmt: skip
    except (InvalidInput, NotFound, Forbidden, Conflict) as error:
        return _error(error)
    headers = {
        "Location": f"/fhir/r4/Task/{view.referral_id}/_history/{task['meta']['versionId']}",
        "ETag": etag(int(task["meta"]["versionId"])),
    }
    return _resource(task, 201 if created else 200, headers)


async def read_task(request: Request) -> Response:
    partner = await run_in_threadpool(_partner, request)
    if partner is None:
        return _refused()
    state = web_state(request)
    try:
        task = await run_in_threadpool(
            exchange.read_task, state.uow(), partner, request.path_params["task_id"], state.reads
        )
    except (InvalidInput, NotFound, Forbidden, Conflict) as error:
        return _error(error)
    return _resource(task, headers={"ETag": etag(int(task["meta"]["versionId"]))})


async def update_task(request: Request) -> Response:
    partner = await run_in_threadpool(_partner, request)
    if partner is None:
        return _refused()
    try:
        body = await _json(request)
    except InvalidInput as refused:
        return outcome_response(400, "the resource cannot be read", fields=refused.errors)
    state = web_state(request)
    try:
        task = await run_in_threadpool(
            exchange.update_task,
            state.write_uow(),
            partner,
            request.path_params["task_id"],
            body,
            if_match=version_of_etag(request.headers.get("if-match")),
            now=moment(),
        )
    except (InvalidInput, NotFound, Forbidden, Conflict) as error:
        return _error(error)
    return _resource(task, headers={"ETag": etag(int(task["meta"]["versionId"]))})
