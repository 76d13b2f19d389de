"""The receiving practice's incoming referrals: the supervisors' inbox (accept, assigning a
clinician and creating the client's record; decline; acknowledge) and the receiver's steps
on the accepted ones (schedule, no-show, first appointment, care established, waitlist).

After each change the Task is pushed to the sending partner; if that fails the sender's
poll picks the change up."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.db.ids import record_id
from referwell.domain.errors import MISSING, FieldError, InvalidInput
from referwell.services.clients.episodes import clinicians
from referwell.services.errors import Conflict, Forbidden, NotFound
from referwell.services.permissions import Person, Role
from referwell.services.referrals import delivery, receiving
from referwell.services.referrals.partner_http import Transport, urllib_transport
from referwell.web.guard import access, moment
from referwell.web.rendering import flash, render
from referwell.web.state import web_state


def partner_transport(request: Request) -> Transport:
    """How this app reaches partners (tests set `app.state.partner_transport`)."""
    found: Transport = getattr(request.app.state, "partner_transport", urllib_transport)
    return found


def inbox_page(request: Request) -> Response:
    state = web_state(request)
    person = access(request).actor
    waiting, assigned = receiving.incoming(state.uow(), person, state.reads)
    return render(
        request,
        "referral_inbox.html",
        {
            "waiting": waiting,
            "assigned": assigned,
            "clinicians": clinicians(state.uow(), person) if person.role is Role.SUPERVISOR else [],
            "steps": receiving.RECEIVER_STEPS,
            "today": state.today(),
        },
    )


def _date(value: str, path: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput([FieldError(path, "a date as YYYY-MM-DD")], "form") from None


def _ids(request: Request) -> tuple[int, int]:
    found = access(request)
    referral_id = record_id(found.field("referral_id"))
    version = record_id(found.field("version"))
    errors = []
    if referral_id is None:
        errors.append(FieldError("referral_id", "name the referral", kind=MISSING))
    if version is None:
        errors.append(FieldError("version", "give the version of the referral read", kind=MISSING))
    if errors or referral_id is None or version is None:
        raise InvalidInput(errors, "form")
    return referral_id, version


def _after(request: Request, person: Person, referral_id: int, message: str) -> Response:
    pushed = delivery.push_task(
        web_state(request).uow(), person, referral_id, transport=partner_transport(request)
    )
    if not pushed.ok:
        message += " The sending practice could not be told just now; it will ask again."
    flash(request, message)
    return RedirectResponse(request.app.url_path_for("referral_inbox"), status_code=303)


def accept(request: Request) -> Response:
    found = access(request)
    referral_id, version = _ids(request)
    state = web_state(request)
    try:
        receiving.accept_incoming(
            state.write_uow(),
            found.actor,
            referral_id,
            clinician_id=found.field("clinician_id"),
            expected_version=version,
            today=state.today(),
            appointment_on=_date(found.field("appointment_on"), "appointment_on"),
            waitlisted=found.field("waitlisted") == "on",
            now=moment(),
        )
    except (Conflict, NotFound, Forbidden) as refused:
        flash(request, f"Not accepted: {_words(refused)}")
        return RedirectResponse(request.app.url_path_for("referral_inbox"), status_code=303)
    return _after(request, found.actor, referral_id, "Accepted: the client is on the caseload.")


def step(request: Request) -> Response:
    found = access(request)
    referral_id, version = _ids(request)
    code = found.field("step")
    try:
        receiving.receiver_step(
            web_state(request).write_uow(),
            found.actor,
            referral_id,
            code,
            expected_version=version,
            appointment_on=_date(found.field("appointment_on"), "appointment_on"),
            reason=found.field("reason") or None,
            now=moment(),
        )
    except (Conflict, NotFound, Forbidden) as refused:
        flash(request, f"Not recorded: {_words(refused)}")
        return RedirectResponse(request.app.url_path_for("referral_inbox"), status_code=303)
    label = receiving.RECEIVER_STEPS[code].label
    return _after(request, found.actor, referral_id, f"Recorded: {label.lower()}.")


def _words(error: Exception) -> str:
    if isinstance(error, Conflict):
        return "the referral changed meanwhile; look again and redo it."
    if isinstance(error, Forbidden):
        return f"{error.reason}."
    return "no such referral in your inbox."
