"""Questionnaires by one-time link: the clinician makes and withdraws links on the client's
page; the client opens one without signing in, fills the questionnaires in and sends them.

The client's pages show the practice's name and the questionnaires, nothing of the record.
A refused link (used, expired, withdrawn, unknown) says so in words and what to do. After
sending, the client lands on a thank-you page (a redirect, so reloading sends nothing
twice) that gives crisis resources when PHQ-9 item 9 was above 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.db.base import utcnow
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.measures import INSTRUMENTS
from referwell.services.clients import links
from referwell.web.formwords import form_message
from referwell.web.guard import access
from referwell.web.rendering import flash, render
from referwell.web.state import web_state
from referwell.web.views.clients import number

# What the thank-you page shows, kept in the visitor's session between the redirect and it.
DONE_KEY: Final = "questionnaire_done"


def field_prefix(code: str) -> str:
    """The form fields of one questionnaire on a link's page: `phq9-item1` …"""
    return code.lower().replace("-", "") + "-"


# --- the clinician's side ----------------------------------------------------------------


def create(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's path names a client
    try:
        made = links.create_link(
            state.write_uow(),
            found.actor,
            client.client_id,
            instruments=found.fields("instruments"),
            now=utcnow(),
            days=state.config.questionnaire_link_days,
        )
    except InvalidInput as refused:
        flash(request, "No link made: " + " ".join(error.message for error in refused.errors) + ".")
        target = request.app.url_path_for("client_page", client_id=client.client_id)
        return RedirectResponse(f"{target}#links-title", status_code=303)
    # Shown once, in this answer only: not in a redirect, the session or a log.
    url = str(request.url_for("questionnaire_page", token=made.token))
    return render(
        request,
        "link_made.html",
        {
            "made": made,
            "link_url": url,
            "client_id": client.client_id,
            "days": state.config.questionnaire_link_days,
        },
    )


def withdraw(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's path names a client
    try:
        withdrawn = links.withdraw_link(
            state.write_uow(),
            found.actor,
            client.client_id,
            link_id=found.field("link_id"),
            now=utcnow(),
        )
    except InvalidInput:
        withdrawn = False
    flash(
        request,
        "Link withdrawn: it no longer opens." if withdrawn else "That link was no longer open.",
    )
    target = request.app.url_path_for("client_page", client_id=client.client_id)
    return RedirectResponse(f"{target}#links-title", status_code=303)


# --- the client's side -------------------------------------------------------------------


def _refused(request: Request, refused: links.LinkUnusable) -> Response:
    status = 404 if refused.why == "unknown" else 410
    return render(
        request, "questionnaire_refused.html", {"message": refused.message}, status_code=status
    )


def _form(
    request: Request,
    shown: links.OpenLink,
    *,
    status: int = 200,
    errors: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    given: Mapping[str, Sequence[Any]] | None = None,
) -> Response:
    return render(
        request,
        "questionnaire_link.html",
        {
            "shown": shown,
            "instruments": [INSTRUMENTS[code] for code in shown.instruments],
            "field_prefix": field_prefix,
            "errors": errors or {},
            "given": given or {},
            "token": request.path_params["token"],
        },
        status_code=status,
    )


def page(request: Request) -> Response:
    state = web_state(request)
    try:
        shown = links.open_link(
            state.write_uow(), request.path_params["token"], now=utcnow(), reads=state.reads
        )
    except links.LinkUnusable as refused:
        return _refused(request, refused)
    return _form(request, shown)


def _answers(request: Request, codes: Sequence[str]) -> dict[str, list[Any]]:
    found = access(request)
    answers = {}
    for code in codes:
        prefix = field_prefix(code)
        count = INSTRUMENTS[code].item_count
        answers[code] = [number(found.field(f"{prefix}item{n}")) for n in range(1, count + 1)]
    return answers


def _worded(errors: Sequence[FieldError], codes: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """Each error by questionnaire and item (`items[8]`), in the form's words."""
    out: dict[str, dict[str, list[str]]] = {}
    for error in errors:
        code, _, local = error.path.partition(".")
        if code not in codes:
            code, local = codes[0], error.path
        out.setdefault(code, {}).setdefault(local, []).append(
            form_message("measures", local, error)
        )
    return out


def submit(request: Request) -> Response:
    state = web_state(request)
    token = request.path_params["token"]
    try:
        shown = links.open_link(state.uow(), token, now=utcnow(), reads=state.reads)
        answers = _answers(request, shown.instruments)
        done = links.submit_link(
            state.write_uow(), token, answers=answers, today=state.today(), now=utcnow()
        )
    except links.LinkUnusable as refused:
        return _refused(request, refused)
    except InvalidInput as refused:
        return _form(
            request,
            shown,
            status=422,
            errors=_worded(refused.errors, shown.instruments),
            given=answers,
        )
    request.session[DONE_KEY] = {"practice": done.practice_name, "crisis": done.crisis}
    return RedirectResponse(request.app.url_path_for("questionnaire_done"), status_code=303)


def done(request: Request) -> Response:
    shown = request.session.pop(DONE_KEY, None)
    return render(
        request,
        "questionnaire_done.html",
        {
            "practice": (shown or {}).get("practice", ""),
            "crisis": bool((shown or {}).get("crisis")),
            "sent": shown is not None,
        },
    )
