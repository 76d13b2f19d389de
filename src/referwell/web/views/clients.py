"""The client page and its forms: a questionnaire, a session, an event, a factor, a step, a goal,
and "considering referral".

Each form posts to its own route. Success: htmx gets the page again (it
swaps the client's part in), a plain browser is sent back to the page. A
refusal re-renders the page with status 422 and every error beside its field;
nothing was saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.db.uow import UnitOfWork
from referwell.domain import vocabulary as v
from referwell.domain.errors import SAME_DAY_AGAIN, FieldError
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.recording import one_year_before
from referwell.services.clients import entries as records
from referwell.services.clients.record import client_record
from referwell.services.permissions import Person
from referwell.services.referrals.overview import client_referrals
from referwell.web.formwords import form_message
from referwell.web.guard import Access, access
from referwell.web.rendering import flash, render
from referwell.web.state import web_state
from referwell.web.views import growth_records

_WHOLE_NUMBER = re.compile(r"-?\d{1,6}")
_TRUE = frozenset({"on", "true", "1", "yes"})

CHOICES = {
    "instruments": tuple(INSTRUMENTS.values()),
    "attendance": v.ATTENDANCE,
    "event_kinds": v.EVENT_KINDS,
    "clinician_factors": v.CLINICIAN_FACTORS,
    "steps": v.STEPS,
    "goal_statuses": v.GOAL_STATUSES,
    "reasons": v.REASONS,
}


# The blank forms are the same for every client of a day but for two values, so they are
# rendered once a day with placeholders: rendering every questionnaire's items and answers
# (some 200 radio buttons) per page view would be most of the page's cost otherwise.
_BASE_PLACEHOLDER = "/__referwell_client__"
_CSRF_PLACEHOLDER = "__referwell_csrf__"


@lru_cache(maxsize=4)
def _blank_forms(templates: jinja2.Environment, today: date) -> str:
    return templates.get_template("_client_forms.html").render(
        base=_BASE_PLACEHOLDER,
        csrf=_CSRF_PLACEHOLDER,
        today=today,
        earliest=one_year_before(today),
        form=None,
        errors={},
        values={},
        choices=CHOICES,
    )


def blank_forms(templates: jinja2.Environment, today: date) -> Callable[[str, str], Markup]:
    """The blank forms of a client's page, for the template: `blank_forms(base_url, csrf)`."""
    cached = _blank_forms(templates, today)

    def fill(base: str, csrf: str) -> Markup:
        return Markup(  # noqa: S704 - rendered by Jinja with autoescape; both values escaped
            cached.replace(_BASE_PLACEHOLDER, str(escape(base))).replace(
                _CSRF_PLACEHOLDER, str(escape(csrf))
            )
        )

    return fill


def number(value: str) -> Any:
    """A form value as a whole number when it is one; None when empty; else as typed (the
    validator then says what is wrong with it)."""
    stripped = value.strip()
    if not stripped:
        return None
    return int(stripped) if _WHOLE_NUMBER.fullmatch(stripped) else value


def checkbox(value: str) -> Any:
    if value == "":
        return False
    return True if value.lower() in _TRUE else value


def optional(value: str) -> str | None:
    return value if value.strip() else None


def client_page(request: Request) -> Response:
    return _page(request)


def _page(
    request: Request,
    *,
    status: int = 200,
    form: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    values: Mapping[str, Any] | None = None,
    other_errors: Sequence[FieldError] = (),
) -> Response:
    found = access(request)
    state = web_state(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's rule names a client
    record = client_record(
        state.uow(),
        found.actor,
        client.client_id,
        today=state.today(),
        reads=state.reads,
        writes=state.write_uow(),
    )
    return render(
        request,
        "client.html",
        {
            "record": record,
            "choices": CHOICES,
            "form": form,
            "errors": errors or {},
            "values": values or {},
            "other_errors": other_errors,
            "today": state.today(),
            "earliest": one_year_before(state.today()),
            "blank_forms": blank_forms(state.templates, state.today()),
            # Supervision and consultation recorded from a finding (`growth_records`).
            **growth_records.client_context(request, client.client_id),
            # The client's referrals (issue 11), each linking to its page.
            "referrals": client_referrals(state.uow(), found.actor, client.client_id),
        },
        status_code=status,
    )


Write = Callable[[UnitOfWork, Person, int, date], records.Saved]


def _save(
    request: Request, form: str, values: Mapping[str, Any], write: Write, notice: str
) -> Response:
    found = access(request)
    state = web_state(request)
    client = found.permit.client
    assert client is not None  # noqa: S101 - the route's rule names a client
    try:
        saved = write(state.write_uow(), found.actor, client.client_id, state.today())
    except records.RecordRefused as refused:
        if any(error.kind == SAME_DAY_AGAIN for error in refused.errors):
            values = {**values, "ask_same_day": True}
        mine, others = refused.entry_errors()
        worded = {
            local: [form_message(refused.section, local, error) for error in errors]
            for local, errors in mine.items()
        }
        return _page(
            request, status=422, form=form, errors=worded, values=values, other_errors=others
        )
    flash(request, notice if saved.changed else "Nothing new: that was already recorded.")
    if request.headers.get("hx-request"):
        return _page(request, form=form)
    # To the confirmation, which sits just above the recommendation (and above the cautions
    # after "considering referral"), so that both are in view.
    target = request.app.url_path_for("client_page", client_id=client.client_id)
    return RedirectResponse(f"{target}#saved", status_code=303)


def _items(found: Access, instrument: str) -> list[Any]:
    known = INSTRUMENTS.get(instrument)
    if known is not None:
        count = known.item_count
    else:
        count = 0
        while found.field(f"item{count + 1}"):
            count += 1
    return [number(found.field(f"item{index}")) for index in range(1, count + 1)]


def add_measure(request: Request) -> Response:
    found = access(request)
    instrument = found.field("instrument")
    day = optional(found.field("date"))  # an empty date is a missing one
    items = _items(found, instrument)
    confirm = checkbox(found.field("confirm_same_day")) is True
    values = {"instrument": instrument, "date": found.field("date"), "items": items}
    return _save(
        request,
        f"measure-{instrument}" if instrument in INSTRUMENTS else "measure",
        values,
        lambda uow, actor, client_id, today: records.add_measure(
            uow,
            actor,
            client_id,
            today=today,
            instrument=instrument,
            day=day,
            items=items,
            confirm_same_day=confirm,
        ),
        "Questionnaire saved; the assessment is updated.",
    )


def add_session(request: Request) -> Response:
    found = access(request)
    values = {"date": found.field("date"), "attendance": found.field("attendance")}
    return _save(
        request,
        "session",
        values,
        lambda uow, actor, client_id, today: records.add_session(
            uow,
            actor,
            client_id,
            today=today,
            day=optional(values["date"]),
            attendance=values["attendance"],
        ),
        "Session saved; the assessment is updated.",
    )


def add_event(request: Request) -> Response:
    found = access(request)
    values = {
        "date": found.field("date"),
        "kind": found.field("kind"),
        "discussed": checkbox(found.field("discussed")),
    }
    return _save(
        request,
        "event",
        values,
        lambda uow, actor, client_id, today: records.add_event(
            uow,
            actor,
            client_id,
            today=today,
            day=optional(values["date"]),
            kind=values["kind"],
            discussed=values["discussed"],
        ),
        "Event saved; the assessment is updated.",
    )


def add_factor(request: Request) -> Response:
    code = access(request).field("code")
    return _save(
        request,
        "factor",
        {"code": code},
        lambda uow, actor, client_id, today: records.add_clinician_factor(
            uow, actor, client_id, today=today, code=code
        ),
        "Saved; the assessment is updated.",
    )


def add_step(request: Request) -> Response:
    found = access(request)
    step = found.field("step")
    day = optional(found.field("date"))
    return _save(
        request,
        "step",
        {"step": step, "date": day or ""},
        lambda uow, actor, client_id, today: records.add_step(
            uow, actor, client_id, today=today, step=step, day=day
        ),
        "Step saved; the assessment is updated.",
    )


def add_goal(request: Request) -> Response:
    found = access(request)
    description = optional(found.field("description"))
    status = found.field("status")
    return _save(
        request,
        "goal",
        {"description": description or "", "status": status},
        lambda uow, actor, client_id, today: records.add_goal(
            uow, actor, client_id, today=today, status=status, description=description
        ),
        "Goal saved; the assessment is updated.",
    )


def consider_referral(request: Request) -> Response:
    reason = access(request).field("reason")
    return _save(
        request,
        "referral",
        {"reason": reason},
        lambda uow, actor, client_id, today: records.consider_referral(
            uow, actor, client_id, today=today, reason=reason
        ),
        "Reason recorded. Read the cautions below before anything else.",
    )
