"""Correcting a client's record, and the client's episodes of care: pages and their forms.

- An entry's page: what it says, and (for its clinician) a form to mark it
  entered in error with a reason; a goal's page also changes its status.
- Discharge (a form with the day and the reason), readmission.
- A new client of one's own caseload; the list of discharged clients.

Every form answers as the others do: refused, the page again with status 422
and each error beside its field, nothing saved; saved, back to the client page
with a confirmation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.db.record_entries import RecordEntry
from referwell.domain import vocabulary as v
from referwell.domain.errors import InvalidInput
from referwell.services.clients import corrections, episodes
from referwell.services.clients.record import ClientRecord, client_record
from referwell.services.errors import NotFound
from referwell.web.formwords import form_errors
from referwell.web.guard import access
from referwell.web.rendering import flash, render
from referwell.web.state import web_state
from referwell.web.views.clients import checkbox, number, optional

FORMATS_OF_CARE = ("individual", "couple", "family")


def _client_id(request: Request) -> int:
    client = access(request).permit.client
    assert client is not None  # noqa: S101 - the route's path names a client
    return client.client_id


def _record(request: Request) -> ClientRecord:
    found = access(request)
    state = web_state(request)
    return client_record(
        state.uow(),
        found.actor,
        _client_id(request),
        today=state.today(),
        reads=state.reads,
        writes=state.write_uow(),
    )


def _back(request: Request, notice: str, anchor: str = "") -> Response:
    flash(request, notice)
    target = request.app.url_path_for("client_page", client_id=_client_id(request))
    return RedirectResponse(f"{target}{anchor}", status_code=303)


# --- one entry: marking it in error, a goal's status ----------------------------------


def _entry(record: ClientRecord, kind: corrections.EntryKind, entry_id: int) -> RecordEntry:
    for entry in record.entries.get(kind.key, ()):
        if entry.id == entry_id:
            return entry
    raise NotFound(kind.noun, entry_id)


def _entry_page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
    form: str = "",
) -> Response:
    kind = corrections.entry_kind(request.path_params["kind"])
    record = _record(request)
    entry = _entry(record, kind, int(request.path_params["entry_id"]))
    return render(
        request,
        "entry.html",
        {
            "record": record,
            "kind": kind,
            "entry": entry,
            "errors": errors or {},
            "values": values or {},
            "form": form,
            "goal_statuses": v.GOAL_STATUSES,
            "today": web_state(request).today(),
        },
        status_code=status,
    )


def entry_page(request: Request) -> Response:
    return _entry_page(request)


def mark_in_error(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    kind = corrections.entry_kind(request.path_params["kind"])
    reason = found.field("reason")
    try:
        saved = corrections.mark_in_error(
            state.write_uow(),
            found.actor,
            _client_id(request),
            today=state.today(),
            kind=kind,
            entry_id=int(request.path_params["entry_id"]),
            reason=reason,
        )
    except InvalidInput as refused:
        return _entry_page(
            request,
            status=422,
            errors=form_errors(refused.errors),
            values={"reason": reason},
            form="in-error",
        )
    notice = (
        f"The {kind.noun} is marked entered in error; it stays in the record, struck through, "
        "and the assessment no longer counts it."
        if saved.changed
        else f"That {kind.noun} was already marked entered in error."
    )
    return _back(request, notice, "#record")


def change_goal_status(request: Request) -> Response:
    if request.path_params["kind"] != "goals":
        raise NotFound("goal", request.path_params["entry_id"])
    found = access(request)
    state = web_state(request)
    values = {"status": found.field("status"), "date": found.field("date")}
    try:
        saved = corrections.change_goal_status(
            state.write_uow(),
            found.actor,
            _client_id(request),
            today=state.today(),
            goal_id=int(request.path_params["entry_id"]),
            status=values["status"],
            day=optional(values["date"]),
        )
    except InvalidInput as refused:
        return _entry_page(
            request,
            status=422,
            errors=form_errors(refused.errors),
            values=values,
            form="status",
        )
    notice = (
        "The goal's status is changed; the assessment is updated."
        if saved.changed
        else "The goal already has that status."
    )
    return _back(request, notice, "#goals-title")


# --- discharge and readmission --------------------------------------------------------


def _discharge_page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    return render(
        request,
        "discharge.html",
        {
            "record": _record(request),
            "errors": errors or {},
            "values": values or {},
            "today": web_state(request).today(),
        },
        status_code=status,
    )


def discharge_page(request: Request) -> Response:
    return _discharge_page(request)


def discharge(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    values = {"date": found.field("date"), "reason": found.field("reason")}
    try:
        saved = episodes.discharge_client(
            state.write_uow(),
            found.actor,
            _client_id(request),
            today=state.today(),
            day=optional(values["date"]),
            reason=values["reason"],
        )
    except InvalidInput as refused:
        return _discharge_page(
            request, status=422, errors=form_errors(refused.errors), values=values
        )
    return _back(
        request,
        "Discharged: the client has left your caseload and the screen; the record stays here "
        "to read."
        if saved.changed
        else "This client was already discharged.",
    )


def readmit(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    day = optional(found.field("date"))
    try:
        episodes.readmit_client(
            state.write_uow(), found.actor, _client_id(request), today=state.today(), day=day
        )
    except InvalidInput as refused:
        flash(request, "Not readmitted: " + " ".join(error.message for error in refused.errors))
        target = request.app.url_path_for("client_page", client_id=_client_id(request))
        return RedirectResponse(target, status_code=303)
    return _back(
        request, "Readmitted: a new episode of care is open; the client is back on the caseload."
    )


# --- a new client, and the discharged ones ------------------------------------------------


def _new_client_page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:
    return render(
        request,
        "client_new.html",
        {
            "errors": errors or {},
            "values": values or {},
            "conditions": v.CONDITIONS,
            "formats": FORMATS_OF_CARE,
            "today": web_state(request).today(),
        },
        status_code=status,
    )


def new_client_page(request: Request) -> Response:
    return _new_client_page(request)


def _words(value: str) -> list[str]:
    """A comma-separated field as a list (`en, es` → ["en", "es"])."""
    return [part.strip() for part in value.split(",") if part.strip()]


def add_client(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    concerns = found.fields("concerns")
    telehealth = found.field("telehealth_ok")
    values: dict[str, Any] = {
        "display_name": found.field("display_name"),
        "case_id": found.field("case_id"),
        "age": found.field("age"),
        "languages": found.field("languages"),
        "postal_code": found.field("postal_code"),
        "insurance": found.field("insurance"),
        "telehealth_ok": telehealth,
        "format_of_care": found.field("format_of_care") or "individual",
        "concerns": concerns,
        "date": found.field("date"),
    }
    person: dict[str, Any] = {"age": number(values["age"])}
    if _words(values["languages"]):
        person["languages"] = _words(values["languages"])
    if values["postal_code"].strip():
        person["postal_code"] = values["postal_code"].strip()
    if _words(values["insurance"]):
        person["insurance"] = _words(values["insurance"])
    if telehealth:
        person["telehealth_ok"] = checkbox(telehealth)
    try:
        saved = episodes.add_client(
            state.write_uow(),
            found.actor,
            today=state.today(),
            display_name=values["display_name"],
            case_id=optional(values["case_id"]),
            client=person,
            concerns=concerns,
            format_of_care=values["format_of_care"],
            opened_on=optional(values["date"]),
        )
    except InvalidInput as refused:
        return _new_client_page(
            request, status=422, errors=form_errors(refused.errors), values=values
        )
    flash(request, "Client added to your caseload and assessed.")
    target = request.app.url_path_for("client_page", client_id=saved.client_id)
    return RedirectResponse(target, status_code=303)


def discharged(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    rows = episodes.discharged_clients(state.uow(), found.actor, reads=state.reads)
    return render(request, "discharged.html", {"rows": rows})
