"""The clinician's own monthly ProQOL 5 check-in and its trend; sharing a check-in with the
supervisor; the offer a high score makes; and the supervisor's view of whether their
supervisees check in (dates only, scores only where shared)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain.errors import InvalidInput
from referwell.domain.growth import proqol
from referwell.services.growth import check_ins as service
from referwell.web.formwords import form_errors
from referwell.web.guard import access, moment
from referwell.web.rendering import flash, render
from referwell.web.state import web_state

# What the questionnaire macro (_questionnaire.html) reads of an instrument.
FORM: Final = {
    "code": proqol.CODE,
    "title": proqol.TITLE,
    "item_min": proqol.ANSWER_MIN,
    "item_max": proqol.ANSWER_MAX,
    "item_count": proqol.NUMBER_OF_ITEMS,
}
SUBSCALES: Final = (
    ("compassion_satisfaction", "Compassion satisfaction"),
    ("burnout", "Burnout"),
    ("secondary_traumatic_stress", "Secondary traumatic stress"),
)


def trend_chart(check_ins: Sequence[service.CheckIn]) -> dict[str, Any]:
    """The three sums over the check-ins, with the cut scores, as growth.js reads it."""
    return {
        "labels": [c.taken_on.strftime("%b %Y") for c in check_ins],
        "y_min": 10,
        "y_max": 50,
        "y_title": "Sum (10 to 50)",
        "percent": False,
        "series": [
            {"label": name, "data": [getattr(c, code) for c in check_ins]}
            for code, name in SUBSCALES
        ],
        "lines": [
            {"label": f"Low: {proqol.LOW_AT_MOST} or less", "value": proqol.LOW_AT_MOST},
            {"label": f"High: {proqol.HIGH_FROM} or more", "value": proqol.HIGH_FROM},
        ],
    }


def _answers(request: Request) -> list[object]:
    """The 30 answers as sent: a number stays a number, anything else text (so the error can
    say what it was), a missing one empty."""
    found = access(request)
    answers: list[object] = []
    for number in range(1, proqol.NUMBER_OF_ITEMS + 1):
        value = found.field(f"item{number}").strip()
        answers.append(int(value) if value.isdigit() else value)
    return answers


def _page(
    request: Request,
    *,
    errors: Mapping[str, Sequence[str]] | None = None,
    given: Sequence[object] = (),
    status: int = 200,
) -> Response:
    state = web_state(request)
    actor = access(request).actor
    mine = service.own_check_ins(state.uow(), actor)
    today = state.today()
    return render(
        request,
        "check_ins.html",
        {
            "check_ins": mine,
            "newest_first": list(reversed(mine)),
            "this_month": service.this_months(mine, today),
            "next_opens": service.month_after(today),
            "offer": service.burnout_offer(state.uow(), actor),
            "chart": trend_chart(mine),
            "form": FORM,
            "wording": proqol.WORDING,
            "subscales": SUBSCALES,
            "errors": errors or {},
            "given": list(given),
            "high_from": proqol.HIGH_FROM,
            "low_at_most": proqol.LOW_AT_MOST,
        },
        status_code=status,
    )


def check_in_page(request: Request) -> Response:
    return _page(request)


def record(request: Request) -> Response:
    answers = _answers(request)
    state = web_state(request)
    try:
        made = service.record_check_in(
            state.write_uow(), access(request).actor, answers, today=state.today()
        )
    except InvalidInput as refused:
        return _page(request, errors=form_errors(refused.errors), given=answers, status=422)
    flash(
        request,
        "Check-in saved. Your scores are yours: your supervisor sees only that you checked in."
        + (
            " Your burnout or secondary traumatic stress is high: see below."
            if made.offer_open
            else ""
        ),
    )
    return RedirectResponse(request.app.url_path_for("check_ins"), status_code=303)


def _check_in_id(request: Request) -> int | None:
    value = access(request).field("check_in_id").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def sharing(request: Request) -> Response:
    found = access(request)
    share = found.field("share")
    if share not in ("yes", "no"):
        return _page(
            request,
            errors={"share": ["Say whether to share the check-in or not."]},
            status=422,
        )
    changed = service.set_sharing(
        web_state(request).write_uow(), found.actor, _check_in_id(request), shared=share == "yes"
    )
    flash(
        request,
        f"Your check-in of {changed.taken_on.isoformat()} is "
        + (
            "now shared with your supervisor."
            if changed.shared_with_supervisor
            else "yours alone again."
        ),
    )
    return RedirectResponse(request.app.url_path_for("check_ins"), status_code=303)


def offer_page(request: Request) -> Response:
    state = web_state(request)
    return render(
        request,
        "check_in_offer.html",
        {"offer": service.burnout_offer(state.uow(), access(request).actor), "errors": {}},
    )


def answer_offer(request: Request) -> Response:
    found = access(request)
    state = web_state(request)
    decision = found.field("decision")
    agree = decision == "add" and found.field("agree") == "yes"
    if decision not in ("add", "decline") or (decision == "add" and not agree):
        offer = service.burnout_offer(state.uow(), found.actor)
        message = (
            "Tick the box to agree before anything is added; or choose not to add it."
            if decision == "add"
            else "Choose whether to add it or not."
        )
        return render(
            request,
            "check_in_offer.html",
            {"offer": offer, "errors": {"agree": [message]}},
            status_code=422,
        )
    try:
        answered = service.answer_burnout_offer(
            state.write_uow(),
            found.actor,
            _check_in_id(request),
            agree=agree,
            today=state.today(),
            now=moment(),
        )
    except InvalidInput as refused:
        return render(
            request,
            "check_in_offer.html",
            {
                "offer": service.burnout_offer(state.uow(), found.actor),
                "errors": {
                    "agree": [e.message[:1].upper() + e.message[1:] + "." for e in refused.errors]
                },
            },
            status_code=422,
        )
    if not answered.agreed:
        flash(request, "Nothing was added to your clients' records.")
    else:
        count = len(answered.added)
        flash(
            request,
            f"Burnout is now noted on {count} of your open case{'s' if count != 1 else ''}; "
            "each was reassessed."
            + (
                f" {len(answered.refused)} could not be updated: open them to see why."
                if answered.refused
                else ""
            ),
        )
    return RedirectResponse(request.app.url_path_for("check_ins"), status_code=303)


def supervisees(request: Request) -> Response:
    state = web_state(request)
    listed = service.supervisees_check_ins(
        state.uow(), access(request).actor, today=state.today(), reads=state.reads
    )
    return render(
        request,
        "supervisee_check_ins.html",
        {"supervisees": listed, "months": service.MONTHS_SHOWN_TO_SUPERVISOR},
    )
