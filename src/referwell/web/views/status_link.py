"""Status links: the sending clinician makes one for a sent referral (shown once); the
receiving provider without referwell opens it without signing in, sees only what the
client's consent covers, and answers (acknowledge, accept with a date, decline with a
reason, report the first appointment). A link that cannot be used says so, with no data.

The token is in the path only: the request log names the route template (`/r/{token}`),
never the path, and no page, redirect or audit entry holds it."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.db.ids import record_id
from referwell.domain.errors import MISSING, FieldError, InvalidInput
from referwell.services.errors import Conflict
from referwell.services.referrals import status_links
from referwell.web.guard import access, moment
from referwell.web.rendering import flash, render
from referwell.web.state import web_state


def create(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    referral_id = record_id(found.field("referral_id"))
    if referral_id is None:
        raise InvalidInput([FieldError("referral_id", "name the referral", kind=MISSING)], "form")
    made = status_links.create_status_link(
        state.write_uow(),
        found.actor,
        referral_id,
        days=state.config.status_link_days,
        now=moment(),
    )
    # Shown once, in this answer only: not in a redirect, the session or a log.
    url = str(request.url_for("status_link_page", token=made.token))
    return render(
        request,
        "status_link_made.html",
        {"made": made, "link_url": url, "days": state.config.status_link_days},
    )


def _refused(request: Request, refused: status_links.StatusLinkUnusable) -> Response:
    status = 404 if refused.why == "unknown" else 410
    return render(
        request, "status_link_refused.html", {"message": refused.message}, status_code=status
    )


def _page(
    request: Request, *, status: int = 200, errors: dict[str, list[str]] | None = None
) -> Response:
    state = web_state(request)
    try:
        shown = status_links.open_status_link(
            state.write_uow(), request.path_params["token"], state.reads, now=moment()
        )
    except status_links.StatusLinkUnusable as refused:
        return _refused(request, refused)
    return render(
        request,
        "status_link.html",
        {
            "shown": shown,
            "release": shown.release,
            "actions": status_links.ACTIONS,
            "errors": errors or {},
            "token": request.path_params["token"],
            "today": state.today(),
        },
        status_code=status,
    )


def page(request: Request) -> Response:
    return _page(request)


def answer(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    errors: list[FieldError] = []
    action = found.field("action")
    version = record_id(found.field("version"))
    if action not in status_links.ACTIONS:
        errors.append(FieldError("action", "choose what to record", kind=MISSING))
    if version is None:
        errors.append(FieldError("version", "reload the page and answer again", kind=MISSING))
    appointment: date | None = None
    given = found.field("appointment_on").strip()
    if given:
        try:
            appointment = date.fromisoformat(given)
        except ValueError:
            errors.append(FieldError("appointment_on", "a date as YYYY-MM-DD"))
    if not errors and version is not None:
        try:
            status_links.use_status_link(
                state.write_uow(),
                request.path_params["token"],
                action,
                expected_version=version,
                appointment_on=appointment,
                reason=found.field("reason") or None,
                now=moment(),
            )
        except status_links.StatusLinkUnusable as refused:
            return _refused(request, refused)
        except Conflict:
            errors.append(
                FieldError("version", "the referral changed meanwhile: look again and answer")
            )
        except InvalidInput as refused:
            errors.extend(refused.errors)
        else:
            flash(
                request, "Thank you: your answer is recorded and the referring clinician sees it."
            )
            return RedirectResponse(request.url.path, status_code=303)
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.path, []).append(error.message)
    return _page(request, status=422, errors=grouped)
