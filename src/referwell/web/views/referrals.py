"""The sending clinician's referral: opened from a need's options on the client page (or with
a reason typed), made ready and sent from one page (options, the pretermination checklist,
consent to release, the transfer summary, the send), then followed until it closes; and the
follow-up worklist.

Every form carries the version of the referral it was read at: a stale one answers 409 with
the page as it is now and what was typed kept. Bad input answers 422 naming each field, and
nothing is written (a draft's form is saved all or none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.db.ids import record_id
from referwell.domain import vocabulary as v
from referwell.domain.errors import MISSING, FieldError, InvalidInput
from referwell.domain.referrals.checklist import LABELS as CHECKLIST_LABELS
from referwell.domain.referrals.consent import SCOPES
from referwell.domain.referrals.follow_up import FollowUpSettings
from referwell.domain.referrals.guards import ReferralBlocked
from referwell.services.errors import Conflict
from referwell.services.referrals import delivery, drafting, letter, overview, sending
from referwell.web.guard import Access, access, moment
from referwell.web.rendering import flash, render
from referwell.web.state import WebState, web_state
from referwell.web.views.referral_inbox import partner_transport

SCOPE_LABELS: Final = {
    "identity_contact": "Name, date of birth and contact details",
    "referral_reason": "The reason for the referral",
    "questionnaire_summaries": "Questionnaire results and what they mean",
    "transfer_summary": "The transfer summary",
}
# Each field of the page's forms, as its label names it (for the error summary).
FIELD_LABELS: Final = {
    "expected_version": "The page",
    "chosen": "Receiver",
    "options": "Receiver",
    "ending_discussed": "Ending discussed",
    "follow_up_on": "Follow-up date",
    "reason": "Reason",
    "urgency": "Urgency",
    "transfer_summary": "Transfer summary",
    "override_reason": "Why you go on despite the caution",
    "consent": "Consent",
    "consent_scopes": "Consent: what may be shared",
    "consent_valid_until": "Consent valid until",
    "checklist.ending_discussed": "Ending discussed",
    "checklist.options_offered": "Options offered",
    "checklist.transfer_summary": "Transfer summary",
    "checklist.follow_up_on": "Follow-up date",
    "step": "What happened",
    "reported_by": "Who told you",
    "appointment_on": "Appointment date",
    "service": "Service",
    "entry_id": "Directory entry",
    "status": "Status",
    "actor": "Who",
    "business_status": "What happened",
}
CONSENT_DAYS: Final = 180  # the consent's last day offered: about six months on
FOLLOW_UP_DAYS: Final = 14  # the follow-up date offered: two weeks on
STALE: Final = (
    "Someone else changed this referral since you opened the page; nothing was saved. "
    "It is shown as it is now, with what you typed kept: check it and save again."
)


def follow_up_settings(state: WebState) -> FollowUpSettings:
    return FollowUpSettings(
        unacknowledged_days=state.config.referral_unacknowledged_days,
        unscheduled_days=state.config.referral_unscheduled_days,
    )


def _ids(request: Request) -> tuple[int, int]:
    found = access(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's rule names a client
    return client.client_id, int(request.path_params["referral_id"])


def _base(request: Request) -> str:
    client_id, referral_id = _ids(request)
    return str(
        request.app.url_path_for("referral_page", client_id=client_id, referral_id=referral_id)
    )


def _date(value: str, path: str, errors: list[FieldError]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.append(FieldError(path, "is not a date: give it as YYYY-MM-DD"))
        return None


def _version(found: Access, errors: list[FieldError]) -> int:
    version = record_id(found.field("expected_version"))
    if version is None:
        errors.append(FieldError("expected_version", "reload the page and try again", MISSING))
        return -1
    return version


def _grouped(errors: Sequence[FieldError]) -> dict[str, list[str]]:
    """Errors by the field the page shows them at (`chosen[1]` at `chosen`, an option's
    financial block at `options`)."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        key = error.path.split("[", 1)[0].split(".", 1)[0]
        if key == "checklist":
            key = error.path
        grouped.setdefault(key, []).append(error.message)
    return grouped


# --- opening --------------------------------------------------------------------------


def open_referral(request: Request) -> Response:
    """From the client page: a need's "Refer" (its service and the options shown beside it),
    or "Start a referral" with a reason typed."""
    found = access(request)
    state = web_state(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's rule names a client
    service = found.field("need_service").strip() or None
    reason = found.field("reason")
    if service is not None and service not in v.SERVICES:
        raise InvalidInput(
            [FieldError("need_service", "choose a need from the client page")], "referral"
        )
    view = drafting.open_from_options(
        state.write_uow(),
        found.actor,
        client.client_id,
        need_service=service,
        external_ids=found.fields("entry_id"),
        reason=reason,
        now=moment(),
    )
    target = request.app.url_path_for(
        "referral_page", client_id=client.client_id, referral_id=view.referral_id
    )
    return RedirectResponse(str(target), status_code=303)


# --- the referral page ----------------------------------------------------------------


def _page(
    request: Request,
    *,
    status: int = 200,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
    notice: str | None = None,
    citations: Sequence[Any] = (),
    results: Any = None,
    search: Mapping[str, Any] | None = None,
) -> Response:
    found = access(request)
    state = web_state(request)
    client_id, referral_id = _ids(request)
    shown = overview.referral_page(
        state.uow(),
        found.actor,
        client_id,
        referral_id,
        state.reads,
        settings=follow_up_settings(state),
        now=moment(),
    )
    view = shown.referral
    summary = view.transfer_summary or ""
    if view.status == "draft" and shown.writable and not summary:
        # The engine's findings offered as a start (the letter engineer's service).
        summary = letter.transfer_summary_start(
            state.uow(), found.actor, referral_id, state.reads, on=state.today()
        )
    today = state.today()
    return render(
        request,
        "referral.html",
        {
            "shown": shown,
            "r": view,
            "base": _base(request),
            "client_base": request.app.url_path_for("client_page", client_id=client_id),
            "errors": errors or {},
            "labels": FIELD_LABELS,
            "values": values or {},
            "notice": notice,
            "citations": citations,
            "summary": summary,
            "scopes": SCOPES,
            "scope_labels": SCOPE_LABELS,
            "checklist_labels": CHECKLIST_LABELS,
            "today": today,
            "consent_until": today + timedelta(days=CONSENT_DAYS),
            "follow_up": today + timedelta(days=FOLLOW_UP_DAYS),
            "services": [s for s in v.SERVICES if s != "crisis"],
            "results": results,
            "search": search or {},
        },
        status_code=status,
    )


def referral_page(request: Request) -> Response:
    return _page(request)


def _draft_values(found: Access) -> dict[str, Any]:
    return {
        "chosen": found.fields("chosen"),
        "ending_discussed": found.field("ending_discussed") == "on",
        "follow_up_on": found.field("follow_up_on"),
        "reason": found.field("reason"),
        "urgency": found.field("urgency"),
        "transfer_summary": found.field("transfer_summary"),
        "override_reason": found.field("override_reason"),
        "consent_scopes": found.fields("consent_scopes"),
        "consent_valid_until": found.field("consent_valid_until"),
    }


def save_referral(request: Request) -> Response:
    """The draft's one form: save it, and with `action=send` send it."""
    found = access(request)
    state = web_state(request)
    _, referral_id = _ids(request)
    values = _draft_values(found)
    errors: list[FieldError] = []
    version = _version(found, errors)
    chosen = []
    for i, raw in enumerate(values["chosen"]):
        option = record_id(raw)
        if option is None:
            errors.append(FieldError(f"chosen[{i}]", "choose an option from the list"))
        else:
            chosen.append(option)
    follow_up = _date(values["follow_up_on"], "follow_up_on", errors)
    until = _date(values["consent_valid_until"], "consent_valid_until", errors)
    has_checklist = found.field("has_checklist") == "1"
    changes = drafting.DraftChanges(
        chosen=chosen,
        ending_discussed=values["ending_discussed"] if has_checklist else None,
        follow_up_on=follow_up,
        transfer_summary=values["transfer_summary"] if found.form and "transfer_summary" in found.form else None,
        reason=values["reason"] if found.form and "reason" in found.form else None,
        urgency=values["urgency"] or None,
        override_reason=values["override_reason"] if found.form and "override_reason" in found.form else None,
        consent_scopes=values["consent_scopes"],
        consent_valid_until=until,
    )  # fmt: skip
    if errors:
        return _page(request, status=422, errors=_grouped(errors), values=values)
    try:
        saved = drafting.save_draft(
            state.write_uow(), found.actor, referral_id, changes, expected_version=version,
            now=moment(),
        )  # fmt: skip
    except Conflict:
        return _page(request, status=409, values=values, notice=STALE)
    except InvalidInput as refused:
        return _page(request, status=422, errors=_grouped(refused.errors), values=values)
    if found.field("action") != "send":
        flash(request, "Draft saved.")
        return RedirectResponse(_base(request), status_code=303)
    try:
        sent = sending.send_referral(
            state.write_uow(), found.actor, referral_id, expected_version=saved.version,
            now=moment(),
        )  # fmt: skip
    except Conflict:
        return _page(request, status=409, notice=STALE)
    except ReferralBlocked as blocked:
        return _page(
            request,
            status=422,
            errors=_grouped(blocked.errors),
            notice="Draft saved, but not sent: what stops it is listed below.",
            citations=blocked.citations,
        )
    message = f"Sent to {sent.chosen[0].name}. Follow it here until care is established."
    if sent.partner_id is not None:
        delivered = delivery.deliver(
            state.uow(), found.actor, referral_id, transport=partner_transport(request),
            now=moment(),
        )  # fmt: skip
        if not delivered.ok:
            message += " Their practice could not be reached just now; it is tried again."
    flash(request, message)
    return RedirectResponse(_base(request) + "#status", status_code=303)


def add_option(request: Request) -> Response:
    """Offer one more directory entry, found by the page's search."""
    found = access(request)
    state = web_state(request)
    _, referral_id = _ids(request)
    errors: list[FieldError] = []
    version = _version(found, errors)
    entry = found.field("entry_id").strip()
    if not entry:
        errors.append(FieldError("entry_id", "choose an entry from the search", MISSING))
    if errors:
        return _page(request, status=422, errors=_grouped(errors))
    try:
        drafting.add_entry(
            state.write_uow(), found.actor, referral_id, entry, expected_version=version
        )
    except Conflict:
        return _page(request, status=409, notice=STALE)
    flash(request, "Option added: choose it below to refer to it.")
    return RedirectResponse(_base(request) + "#options", status_code=303)


def search(request: Request) -> Response:
    """Search the directory for another option, from the client's record (a form: nothing
    clinical goes into an address)."""
    found = access(request)
    state = web_state(request)
    client_id, referral_id = _ids(request)
    service = found.field("service")
    waitlist = found.field("include_waitlist") == "on"
    asked = {"service": service, "include_waitlist": waitlist}
    try:
        results = overview.search_for_referral(
            state.uow(), found.actor, client_id, referral_id, service=service,
            include_waitlist=waitlist, today=state.today(),
        )  # fmt: skip
    except InvalidInput as refused:
        return _page(request, status=422, errors=_grouped(refused.errors), search=asked)
    return _page(request, results=results, search=asked)


def revoke_consent(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    _, referral_id = _ids(request)
    errors: list[FieldError] = []
    version = _version(found, errors)
    consent_id = record_id(found.field("consent_id"))
    if consent_id is None:
        errors.append(FieldError("consent", "choose the consent to revoke", MISSING))
    if errors or consent_id is None:
        return _page(request, status=422, errors=_grouped(errors))
    try:
        drafting.revoke_consent(
            state.write_uow(), found.actor, referral_id, consent_id, expected_version=version,
            now=moment(),
        )  # fmt: skip
    except Conflict:
        return _page(request, status=409, notice=STALE)
    flash(request, "Consent revoked: nothing more is shared under it.")
    return RedirectResponse(_base(request) + "#consents", status_code=303)


def record_step(request: Request) -> Response:
    """A next step: the sender's own (withdraw, no contact …), or the receiver's reported on
    their behalf when the receiver has no referwell."""
    found = access(request)
    state = web_state(request)
    client_id, referral_id = _ids(request)
    values = {
        "step": found.field("step"),
        "appointment_on": found.field("appointment_on"),
        "note": found.field("note"),
        "reported_by": found.field("reported_by"),
    }
    errors: list[FieldError] = []
    version = _version(found, errors)
    appointment = _date(values["appointment_on"], "appointment_on", errors)
    if errors:
        return _page(request, status=422, errors=_grouped(errors), values=values)
    shown = overview.referral_page(
        state.uow(), found.actor, client_id, referral_id, state.reads, now=moment()
    )
    if version != shown.referral.version:
        return _page(request, status=409, values=values, notice=STALE)
    try:
        drafting.record_next_step(
            state.write_uow(), found.actor, referral_id, values["step"],
            expected_version=version, appointment_on=appointment,
            note=values["note"] or None, reported_by=values["reported_by"] or None,
            legal=shown.steps, now=moment(),
        )  # fmt: skip
    except Conflict:
        return _page(request, status=409, values=values, notice=STALE)
    except InvalidInput as refused:
        grouped = _grouped(
            [FieldError("reason", e.message) if e.path == "reason" else e for e in refused.errors]
        )
        return _page(request, status=422, errors=grouped, values=values)
    message = "Recorded."
    if shown.referral.partner_id is not None:
        pushed = delivery.push_task(
            state.uow(), found.actor, referral_id, transport=partner_transport(request)
        )
        if not pushed.ok:
            message += " Their practice could not be told just now; its poll will ask again."
    flash(request, message)
    return RedirectResponse(_base(request) + "#status", status_code=303)


# --- the letter -----------------------------------------------------------------------


def _release(request: Request, *, export: bool) -> Any:
    found = access(request)
    state = web_state(request)
    client_id, referral_id = _ids(request)
    # The referral must be this client's: the page's own check, then the letter's.
    overview.referral_page(state.uow(), found.actor, client_id, referral_id, state.reads)
    return letter.referral_letter(
        state.uow(), found.actor, referral_id, state.reads, export=export, on=state.today()
    )


def letter_page(request: Request) -> Response:
    release = _release(request, export=False)
    return render(
        request,
        "referral_letter.html",
        {"letter": letter.letter_html(release, standalone=False), "base": _base(request)},
    )


def letter_pdf(request: Request) -> Response:
    release = _release(request, export=True)
    _, referral_id = _ids(request)
    return Response(
        letter.letter_pdf(release),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="referral-{referral_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


# --- the follow-up worklist -----------------------------------------------------------


def worklist(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    rows = overview.open_referrals(
        state.uow(),
        found.actor,
        state.reads,
        today=state.today(),
        settings=follow_up_settings(state),
        with_supervisees=True,
    )
    return render(
        request,
        "referrals.html",
        {
            "due": [row for row in rows if row.due],
            "rows": rows,
            "today": state.today(),
            "settings": follow_up_settings(state),
        },
    )
