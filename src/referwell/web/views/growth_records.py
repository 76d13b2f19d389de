"""Supervision or consultation recorded from a finding on the client page, in one step.

Beside each finding and caution whose actions call for supervision or consultation
(`domain.growth.steps`), the client page offers a small form; it posts here, which adds
the dated step (and so reassesses) and keeps with whom, the note and the finding in the
record of supervision (out of every export). A refusal shows the page again with the
errors beside that form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.db.models import User
from referwell.domain import vocabulary as v
from referwell.domain.errors import InvalidInput
from referwell.domain.growth.steps import steps_called_for
from referwell.domain.labels import label
from referwell.services.clients.entries import RecordRefused
from referwell.services.growth import supervision_records as service
from referwell.web.formwords import form_message
from referwell.web.guard import access
from referwell.web.rendering import flash
from referwell.web.state import web_state
from referwell.web.views.growth_competence import worded

FIELDS = ("step", "date", "with_whom", "note", "answers")


def answered_label(kind: str) -> str:
    """A finding's or caution's kind in words (what a record answered)."""
    group = "finding_kind" if kind in v.FINDING_KINDS else "caution_kind"
    try:
        return label(group, kind)
    except KeyError:  # pragma: no cover - kinds are checked when recorded
        return "a finding"


def record_form_name(kind: str) -> str:
    """The client page's name for the record form beside a finding or caution of `kind`."""
    return f"record-{kind}"


def client_context(request: Request, client_id: int) -> dict[str, Any]:
    """What the client page shows of supervision records: the forms' default "with whom"
    (the clinician's supervisor, by name), the records so far, and which steps a finding's
    or caution's actions call for."""
    found = access(request)
    state = web_state(request)
    records = service.client_records(state.uow(), found.actor, client_id)
    with state.session_factory() as session:
        supervisor = session.scalar(
            select(User.display_name).where(
                User.id
                == select(User.supervisor_id)
                .where(User.id == found.actor.user_id)
                .scalar_subquery()
            )
        )
    return {
        "supervision_records": records,
        "supervisor_name": supervisor or "",
        "steps_called_for": steps_called_for,
        "record_form_name": record_form_name,
        "answered_label": answered_label,
    }


def record(request: Request) -> Response:
    from referwell.web.views import clients  # the client page, which imports this module

    found = access(request)
    state = web_state(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's rule names a client
    fields: Mapping[str, str] = {name: found.field(name) for name in FIELDS}
    form = record_form_name(fields["answers"] or "finding")
    try:
        saved = service.record_from_finding(
            state.write_uow(), found.actor, client.client_id, today=state.today(), fields=fields
        )
    except RecordRefused as refused:
        # The step's date, refused as any date entered by hand is, in the form's words.
        mine, others = refused.entry_errors()
        errors = {
            "date": [
                form_message(refused.section, "date", error)
                for error in [*mine.get("date", []), *mine.get("", []), *others]
            ]
        }
        return clients._page(request, status=422, form=form, errors=errors, values=fields)
    except InvalidInput as refused:
        return clients._page(
            request, status=422, form=form, errors=worded(refused.errors), values=fields
        )
    step = "Supervision" if fields["step"] == "supervision" else "Consultation"
    flash(
        request,
        f"{step} recorded; the assessment is updated."
        if saved.changed
        else "Nothing new: that was already recorded.",
    )
    if request.headers.get("hx-request"):
        return clients._page(request, form=form)
    target = request.app.url_path_for("client_page", client_id=client.client_id)
    return RedirectResponse(f"{target}#saved", status_code=303)
