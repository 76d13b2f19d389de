"""The ethics practice page: the next card due, its answer and why, how well it was known,
and the retention chart. Every answer posts; nothing is in the address."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.growth.cards import TOPICS, Card, load_bank
from referwell.services.growth import ethics_cards as service
from referwell.services.permissions import CLINICAL_ROLES, Person
from referwell.web.guard import access, moment
from referwell.web.rendering import flash, render
from referwell.web.state import web_state

RATING_BUTTONS = (
    ("again", "Again", "I did not know it"),
    ("hard", "Hard", "I knew it, with effort"),
    ("good", "Good", "I knew it"),
    ("easy", "Easy", "I knew it at once"),
)


def _by_field(errors: Sequence[FieldError]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.path, []).append(
            error.message[:1].upper() + error.message[1:] + "."
        )
    return grouped


def retention_chart(weeks: Sequence[service.WeekRetention]) -> dict[str, Any]:
    """The weekly retention as the growth charts read it (growth.js)."""
    return {
        "labels": [week.week_start.strftime("%d %b") for week in weeks],
        "y_max": 100,
        "y_title": "Recalled",
        "percent": True,
        "series": [
            {
                "label": "Cards recalled (of those seen before)",
                "data": [None if w.share is None else round(100 * w.share) for w in weeks],
            }
        ],
        "lines": [{"label": "FSRS aims at 90 %", "value": 90}],
    }


def _page(
    request: Request,
    *,
    card: Card | None = None,
    new: bool = False,
    revealed: Mapping[str, Any] | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    status: int = 200,
) -> Response:
    state = web_state(request)
    actor = access(request).actor
    now = moment()
    if card is None and revealed is None:
        found = service.next_card(state.uow(), actor, now)
        if found is not None:
            card, new = found.card, found.new
    weeks = service.retention_by_week(state.uow(), actor, now)
    return render(
        request,
        "ethics_cards.html",
        {
            "overview": service.overview(state.uow(), actor, now),
            "card": card,
            "new": new,
            "revealed": revealed,
            "errors": errors or {},
            "weeks": weeks,
            "chart": retention_chart(weeks),
            "has_retention": any(week.answers for week in weeks),
            "topics": [
                (name, sum(1 for c in load_bank() if c.topic == code))
                for code, name in TOPICS.items()
            ],
            "ratings": RATING_BUTTONS,
        },
        status_code=status,
    )


def practice_page(request: Request) -> Response:
    return _page(request)


def answer(request: Request) -> Response:
    """Show the answer to the card just answered (nothing is saved until it is rated)."""
    found = access(request)
    try:
        card = service.card_for_answer(found.field("card_id"))
    except InvalidInput as refused:
        return _page(request, errors=_by_field(refused.errors), status=422)
    try:
        choice = service.parse_choice(card, found.field("choice"))
    except InvalidInput as refused:
        return _page(request, card=card, errors=_by_field(refused.errors), status=422)
    revealed = {"choice": choice, "right": None if choice is None else card.is_right(choice)}
    return _page(request, card=card, revealed=revealed)


def review(request: Request) -> Response:
    """Save how well the card was known; FSRS schedules it, and the next card follows."""
    found = access(request)
    try:
        card = service.card_for_answer(found.field("card_id"))
        choice = service.parse_choice(card, found.field("choice"))
        reviewed = service.review_card(
            web_state(request).write_uow(),
            found.actor,
            card.id,
            rating=found.field("rating"),
            now=moment(),
            choice=choice,
        )
    except InvalidInput as refused:
        return _page(request, errors=_by_field(refused.errors), status=422)
    when = reviewed.due.strftime("%d %b %Y, %H:%M UTC")
    flash(request, f"Saved. That card comes back {when}.")
    return RedirectResponse(request.app.url_path_for("ethics_cards"), status_code=303)


def profile_summary(request: Request, actor: Person, now: datetime) -> dict[str, Any] | None:
    """What the profile page shows of one's ethics practice and check-ins (clinicians and
    supervisors; None for an admin): the cards due now, and this month's check-in."""
    if actor.role not in CLINICAL_ROLES:
        return None
    from referwell.services.growth import check_ins

    state = web_state(request)
    mine = check_ins.own_check_ins(state.uow(), actor)
    return {
        "cards_due": service.cards_due(state.uow(), actor, now),
        "this_month": check_ins.this_months(mine, state.today()),
        "last": mine[-1] if mine else None,
    }
