"""The ethics practice cards and the ProQOL 5 check-in in-process, on SQLite and PostgreSQL:
the profile's figures, answering and rating a card (multiple choice and recall), a
check-in scored, kept and drawn, the offer a high score makes (only with agreement), and
who may see a check-in's scores (its clinician; the supervisor only what is shared)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Engine, select

from referwell.db.case_parts import ClinicianFactor
from referwell.db.engine import make_session_factory
from referwell.db.growth.cards import CardReview, CardState
from referwell.db.growth.check_ins import ProqolCheckIn
from referwell.domain.growth.cards import MULTIPLE_CHOICE, RECALL, Card, introduction_order
from referwell.domain.growth.cards import load_bank as bank

from .conftest import WebClient, audit_entries
from .seed import TODAY, Seeded

CARD = re.compile(r'data-card="([^"]+)"')
DUE = re.compile(r"<dd data-due>(\d+)</dd>")
BURNOUT_REVERSED = (1, 4, 15, 17, 29)
BURNOUT_ITEMS = (1, 4, 8, 10, 15, 17, 19, 21, 26, 29)
STS_ITEMS = (2, 5, 7, 9, 11, 13, 14, 23, 25, 28)
CS_ITEMS = (3, 6, 12, 16, 18, 20, 22, 24, 27, 30)


def _first(kind: str) -> Card:
    return next(card for card in bank() if card.kind == kind)


def _wrong_choice(card: Card) -> int:
    return next(i for i in range(len(card.choices)) if not card.is_right(i))


def _answers(by_item: Mapping[int, int] | None = None, default: int = 3) -> dict[str, str]:
    """The check-in form: every item `default` but those given (item number -> answer)."""
    given = by_item or {}
    return {f"item{n}": str(given.get(n, default)) for n in range(1, 31)}


def _high_burnout() -> dict[str, str]:
    """Burnout 50 (every reversed item 1, the others 5), the rest 3: CS 30, STS 30."""
    return _answers({n: 1 if n in BURNOUT_REVERSED else 5 for n in BURNOUT_ITEMS})


def _check_ins(engine: Engine, user_id: int) -> list[ProqolCheckIn]:
    with make_session_factory(engine)() as session:
        return list(
            session.scalars(
                select(ProqolCheckIn)
                .where(ProqolCheckIn.user_id == user_id)
                .order_by(ProqolCheckIn.id)
            )
        )


def _burnout_noted(engine: Engine) -> set[int]:
    with make_session_factory(engine)() as session:
        return set(
            session.scalars(
                select(ClinicianFactor.client_id).where(
                    ClinicianFactor.code == "burnout", ClinicianFactor.in_error_at.is_(None)
                )
            )
        )


# --- the ethics practice cards -----------------------------------------------------------


def test_the_profile_shows_the_cards_due_and_links_the_pages(
    signed_in: Callable[[str | None], WebClient],
) -> None:
    clin = signed_in("clin")
    profile = clin.get("/profile").text
    due = re.search(r"<span data-cards-due>(\d+)</span>", profile)
    assert due is not None
    assert int(due.group(1)) == 10  # a first day: ten new cards
    assert 'href="/growth/cards"' in profile
    assert 'href="/growth/check-ins"' in profile
    assert "due this month" in profile

    page = clin.get("/growth/cards")
    assert page.status_code == 200
    match = DUE.search(page.text)
    assert match is not None
    assert int(match.group(1)) == 10
    shown = CARD.search(page.text)
    assert shown is not None
    assert shown.group(1) == introduction_order()[0]
    assert f"{len(bank())} cards on competence" in page.text
    # One card answered: one fewer due, on the profile too.
    card = bank()[0] if bank()[0].kind == RECALL else _first(RECALL)
    assert (
        clin.post_form("/growth/cards/review", {"card_id": card.id, "rating": "good"}).status_code
        == 303
    )
    profile = clin.get("/profile").text
    assert "<span data-cards-due>9</span>" in profile
    # An admin practises no cards and has no such section.
    admin = signed_in("admin")
    assert "data-cards-due" not in admin.get("/profile").text
    assert admin.get("/growth/cards").status_code == 403


def test_a_card_answered_right_and_rated(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    card = _first(MULTIPLE_CHOICE)
    assert card.answer_index is not None
    shown = clin.post_form(
        "/growth/cards/answer", {"card_id": card.id, "choice": str(card.answer_index)}
    )
    assert shown.status_code == 200
    assert f'data-card="{card.id}"' in shown.text
    assert "Right." in shown.text
    assert html.escape(card.explanation, quote=False) in shown.text
    for citation in card.citations:
        assert f"<cite>{citation.source} {citation.section}</cite>" in shown.text
    # The rating form carries the choice and offers the four ratings.
    assert f'name="choice" value="{card.answer_index}"' in shown.text
    for rating in ("again", "hard", "good", "easy"):
        assert f'name="rating" value="{rating}"' in shown.text
    # Nothing is saved until the card is rated.
    with make_session_factory(engine)() as session:
        assert session.scalar(select(CardReview)) is None

    rated = clin.post_form(
        "/growth/cards/review",
        {"card_id": card.id, "choice": str(card.answer_index), "rating": "easy"},
    )
    assert rated.status_code == 303
    assert rated.headers["location"] == "/growth/cards"
    with make_session_factory(engine)() as session:
        review = session.scalar(select(CardReview))
        assert review is not None
        assert (review.user_id, review.card_id) == (seeded.users["clin"], card.id)
        assert (review.rating, review.correct) == (4, True)
        state = session.scalar(select(CardState))
        assert state is not None
        # An easy first answer puts the card off for days, not minutes.
        assert (state.due.date() - review.reviewed_at.date()).days >= 1
    page = clin.get("/growth/cards").text
    assert "Saved. That card comes back" in page
    following = CARD.search(page)
    assert following is not None
    assert following.group(1) != card.id
    assert len(audit_entries(engine, action="card:review")) == 1


def test_a_wrong_choice_shows_the_answer_and_counts_as_forgotten(
    signed_in: Callable[[str | None], WebClient], engine: Engine
) -> None:
    clin = signed_in("clin")
    card = _first(MULTIPLE_CHOICE)
    wrong = _wrong_choice(card)
    shown = clin.post_form("/growth/cards/answer", {"card_id": card.id, "choice": str(wrong)})
    assert shown.status_code == 200
    assert "Not quite: the answer is" in shown.text
    assert html.escape(card.answer_text, quote=False) in shown.text
    assert "(your answer)" in shown.text
    assert "(the answer)" in shown.text
    # Only "again" is offered after a wrong answer ...
    assert 'name="rating" value="again"' in shown.text
    assert 'name="rating" value="easy"' not in shown.text
    # ... and a rating sent anyway does not change that.
    rated = clin.post_form(
        "/growth/cards/review", {"card_id": card.id, "choice": str(wrong), "rating": "easy"}
    )
    assert rated.status_code == 303
    with make_session_factory(engine)() as session:
        review = session.scalar(select(CardReview))
        assert review is not None
        assert (review.rating, review.correct) == (1, False)
        state = session.scalar(select(CardState))
        assert state is not None
        # Forgotten: it comes back within the hour.
        assert (state.due - review.reviewed_at).total_seconds() <= 3600


def test_a_recall_card_shows_its_answer_then_takes_a_rating(
    signed_in: Callable[[str | None], WebClient], engine: Engine
) -> None:
    clin = signed_in("clin")
    card = _first(RECALL)
    shown = clin.post_form("/growth/cards/answer", {"card_id": card.id})
    assert shown.status_code == 200
    assert "<strong>The answer:</strong>" in shown.text
    assert html.escape(card.answer_text, quote=False) in shown.text
    assert 'name="rating" value="hard"' in shown.text
    assert 'name="choice"' not in shown.text
    rated = clin.post_form("/growth/cards/review", {"card_id": card.id, "rating": "hard"})
    assert rated.status_code == 303
    with make_session_factory(engine)() as session:
        review = session.scalar(select(CardReview))
        assert review is not None
        assert (review.card_id, review.rating, review.correct) == (card.id, 2, None)
    # A rating that is none of the four is refused, and nothing more is saved.
    refused = clin.post_form("/growth/cards/review", {"card_id": card.id, "rating": "perfect"})
    assert refused.status_code == 422
    assert "Nothing was saved." in refused.text
    assert "again, hard, good or easy" in refused.text
    with make_session_factory(engine)() as session:
        assert len(session.scalars(select(CardReview)).all()) == 1


def test_an_answer_without_a_choice_is_asked_again(
    signed_in: Callable[[str | None], WebClient], engine: Engine
) -> None:
    clin = signed_in("clin")
    card = _first(MULTIPLE_CHOICE)
    again = clin.post_form("/growth/cards/answer", {"card_id": card.id})
    assert again.status_code == 422
    # The same card, asked again, with the message beside the choices.
    assert f'data-card="{card.id}"' in again.text
    assert 'id="choice-error"' in again.text
    assert "Choose an answer." in again.text
    assert 'aria-invalid="true"' in again.text
    out_of_range = clin.post_form(
        "/growth/cards/answer", {"card_id": card.id, "choice": str(len(card.choices))}
    )
    assert out_of_range.status_code == 422
    assert f"Choose one of the {len(card.choices)} answers." in out_of_range.text
    # A card the bank does not have is refused by its field, and nothing is written.
    unknown = clin.post_form("/growth/cards/answer", {"card_id": "no-such-card", "choice": "0"})
    assert unknown.status_code == 422
    assert "No such card" in unknown.text
    assert (
        clin.post_form("/growth/cards/review", {"card_id": card.id, "rating": "good"}).status_code
        == 422
    )
    with make_session_factory(engine)() as session:
        assert session.scalar(select(CardReview)) is None


def test_the_retention_chart_draws_the_weeks_recalled(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    first = clin.get("/growth/cards").text
    assert "The chart starts once you meet a card a second time." in first
    assert 'id="retention-data"' not in first
    now = datetime.now(UTC)
    this_monday = now.date() - timedelta(days=now.weekday())
    last_week = datetime.combine(this_monday - timedelta(days=5), time(9), tzinfo=UTC)
    # Last week: 3 of 4 answers to cards seen before recalled (one "again"); a first answer
    # (state_before new) does not count. This week: 1 of 1.
    with make_session_factory(engine)() as session:
        for minutes, rating, state_before in (
            (0, 3, 2),
            (1, 1, 2),
            (2, 4, 2),
            (3, 2, 1),
            (4, 1, 0),
        ):
            session.add(
                CardReview(
                    user_id=seeded.users["clin"], card_id=bank()[minutes].id, rating=rating,
                    correct=None, state_before=state_before,
                    reviewed_at=last_week + timedelta(minutes=minutes),
                )
            )  # fmt: skip
        session.add(
            CardReview(
                user_id=seeded.users["clin"], card_id=bank()[0].id, rating=3, correct=None,
                state_before=2, reviewed_at=now,
            )
        )  # fmt: skip
        session.commit()
    page = clin.get("/growth/cards").text
    chart = re.search(
        r'<script type="application/json" id="retention-data">(.*?)</script>', page, re.S
    )
    assert chart is not None
    drawn = json.loads(chart.group(1))
    assert drawn["series"][0]["data"][-2:] == [75, 100]
    assert drawn["labels"][-1] == this_monday.strftime("%d %b")
    assert all(value is None for value in drawn["series"][0]["data"][:-2])
    assert drawn["lines"] == [{"label": "FSRS aims at 90 %", "value": 90}]
    # The same in words, for a screen reader.
    assert "week of " in page
    assert "75 %" in page
    # Nobody else's chart shows them.
    assert 'id="retention-data"' not in signed_in("clin2").get("/growth/cards").text


# --- the monthly ProQOL 5 check-in -------------------------------------------------------


def test_a_check_in_is_scored_kept_and_drawn(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    first = clin.get("/growth/check-ins").text
    assert "Your first check-in starts the trend." in first
    assert 'name="item30"' in first
    assert "B. Hudnall Stamm" in first  # the credit the author asks for

    # CS: every item 5 -> 50 (high). Burnout: items 1 and 4 (reversed) at 5 -> 1 each, the
    # rest 3 -> 2 + 8 * 3 = 26 (moderate). STS: every item 2 -> 20 (low).
    answers = _answers({**dict.fromkeys(CS_ITEMS, 5), 1: 5, 4: 5, **dict.fromkeys(STS_ITEMS, 2)})
    saved = clin.post_form("/growth/check-ins", answers)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/growth/check-ins"
    [row] = _check_ins(engine, seeded.users["clin"])
    assert (row.compassion_satisfaction, row.burnout, row.secondary_traumatic_stress) == (
        50,
        26,
        20,
    )
    assert row.taken_on == TODAY
    assert row.shared_with_supervisor is False
    assert row.answers[0] == 5
    assert row.answers[1] == 2

    page = clin.get("/growth/check-ins").text
    assert "Check-in saved." in page
    assert re.search(
        rf'<tr data-check-in="{row.id}">.*?50 <span class="level level-high">high</span>'
        r'.*?26 <span class="level level-moderate">moderate</span>'
        r'.*?20 <span class="level level-low">low</span>.*?the date only',
        page,
        re.S,
    )
    chart = re.search(r'<script type="application/json" id="trend-data">(.*?)</script>', page, re.S)
    assert chart is not None
    drawn = json.loads(chart.group(1))
    assert [series["data"] for series in drawn["series"]] == [[50], [26], [20]]
    assert [line["value"] for line in drawn["lines"]] == [22, 42]
    # The form is gone until next month, and a second check-in is refused.
    assert 'name="item30"' not in page
    assert "The next check-in opens on" in page
    second = clin.post_form("/growth/check-ins", answers)
    assert second.status_code == 422
    assert "this month" in second.text
    assert len(_check_ins(engine, seeded.users["clin"])) == 1
    assert len(audit_entries(engine, action="check_in:create")) == 1
    # A calm result makes no offer to note burnout.
    assert "Your latest check-in scores high" not in page


def test_a_bad_check_in_names_each_item(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    answers = _answers()
    del answers["item3"]
    answers["item7"] = "9"
    answers["item11"] = "often"
    refused = clin.post_form("/growth/check-ins", answers)
    assert refused.status_code == 422
    assert "Nothing was saved." in refused.text
    for number, words in (
        (3, "Item 3 of the ProQOL-5 is missing"),
        (7, "Item 7 of the ProQOL-5 takes an answer from 1 to 5"),
        (11, "Item 11 of the ProQOL-5 takes an answer from 1 to 5"),
    ):
        assert f'id="proqol-item{number}-error"' in refused.text
        assert words in refused.text
    assert 'id="proqol-item4-error"' not in refused.text
    # The answers given stay chosen.
    assert re.search(r'name="item4" value="3" required checked', refused.text)
    assert _check_ins(engine, seeded.users["clin"]) == []


def test_a_calm_check_in_makes_no_offer(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    # Burnout 41, one below high: items 8, 10, 19, 21, 26 at 5 (25); the reversed items
    # 1, 4, 15 at 1, 2, 1 (5 + 4 + 5) and 17, 29 at 5 (1 + 1). STS 41: nine 4s and a 5.
    answers = _answers(
        {
            **dict.fromkeys((8, 10, 19, 21, 26), 5),
            1: 1,
            4: 2,
            15: 1,
            17: 5,
            29: 5,
            **dict.fromkeys(STS_ITEMS, 4),
            2: 5,
        }
    )
    saved = clin.post_form("/growth/check-ins", answers)
    assert saved.status_code == 303
    [row] = _check_ins(engine, seeded.users["clin"])
    assert (row.burnout, row.secondary_traumatic_stress) == (41, 41)
    page = clin.get("/growth/check-ins").text
    assert "Your latest check-in scores high" not in page
    assert "is high: see below" not in page
    assert "Nothing to decide" in clin.get("/growth/check-ins/burnout").text
    # Answering an offer that was never made adds nothing.
    answered = clin.post_form(
        "/growth/check-ins/burnout",
        {"check_in_id": str(row.id), "decision": "add", "agree": "yes"},
    )
    assert answered.status_code == 422
    assert _burnout_noted(engine) == set()
    assert _check_ins(engine, seeded.users["clin"])[0].burnout_offer is None


def test_a_high_score_offers_burnout_only_with_agreement(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    saved = clin.post_form("/growth/check-ins", _high_burnout())
    assert saved.status_code == 303
    [row] = _check_ins(engine, seeded.users["clin"])
    assert row.burnout == 50
    page = clin.get("/growth/check-ins").text
    assert "is high: see below" in page
    assert "Your latest check-in scores high" in page
    assert 'href="/growth/check-ins/burnout"' in page

    offer = clin.get("/growth/check-ins/burnout").text
    assert "Nothing is added unless you agree" in page
    assert 'name="agree" value="yes"' in offer
    before = _burnout_noted(engine)
    # "Add" without ticking the box adds nothing and says why.
    unticked = clin.post_form(
        "/growth/check-ins/burnout", {"check_in_id": str(row.id), "decision": "add"}
    )
    assert unticked.status_code == 422
    assert "Tick the box to agree" in unticked.text
    assert 'id="agree-error"' in unticked.text
    assert _burnout_noted(engine) == before
    assert _check_ins(engine, seeded.users["clin"])[0].burnout_offer is None

    agreed = clin.post_form(
        "/growth/check-ins/burnout",
        {"check_in_id": str(row.id), "decision": "add", "agree": "yes"},
    )
    assert agreed.status_code == 303
    noted = _burnout_noted(engine) - before
    clin_clients = {
        client_id
        for case_id, client_id in seeded.clients.items()
        if not case_id.startswith(("c2-", "b-"))
    }
    # Only this clinician's clients, and each of their open cases.
    assert noted
    assert noted <= clin_clients
    assert _check_ins(engine, seeded.users["clin"])[0].burnout_offer == "accepted"
    assert "Burnout is now noted on" in clin.get("/growth/check-ins").text
    # The offer is closed.
    assert "Your latest check-in scores high" not in clin.get("/growth/check-ins").text
    assert audit_entries(engine, action="check_in:burnout_offer")
    # The scores are in no case.
    some_client = next(iter(noted))
    case = clin.get(f"/api/v1/clients/{some_client}/case").json()
    assert "burnout" in case["clinician_factors"]
    assert "50" not in json.dumps(case.get("clinician_factors"))


def test_declining_the_offer_adds_nothing(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    assert clin.post_form("/growth/check-ins", _high_burnout()).status_code == 303
    [row] = _check_ins(engine, seeded.users["clin"])
    before = _burnout_noted(engine)
    # A tick with "no" still adds nothing: the decision is what counts.
    declined = clin.post_form(
        "/growth/check-ins/burnout",
        {"check_in_id": str(row.id), "decision": "decline", "agree": "yes"},
    )
    assert declined.status_code == 303
    assert _burnout_noted(engine) == before
    assert _check_ins(engine, seeded.users["clin"])[0].burnout_offer == "declined"
    page = clin.get("/growth/check-ins").text
    assert "Nothing was added to your clients&#39; records." in page
    assert "Your latest check-in scores high" not in page
    # Once declined, agreeing later is refused.
    late = clin.post_form(
        "/growth/check-ins/burnout",
        {"check_in_id": str(row.id), "decision": "add", "agree": "yes"},
    )
    assert late.status_code == 422
    assert _burnout_noted(engine) == before


def test_a_supervisor_sees_that_check_ins_happen_not_the_scores(
    signed_in: Callable[[str | None], WebClient],
    seeded: Seeded,
    engine: Engine,
    flush_reads: Callable[[], int],
) -> None:
    clin = signed_in("clin")
    # Distinctive sums: CS 37 (items 3.. at 4, one at 1 -> 9*4+1), burnout 50, STS 30.
    answers = _high_burnout()
    answers.update({f"item{n}": "4" for n in CS_ITEMS})
    answers["item3"] = "1"
    assert clin.post_form("/growth/check-ins", answers).status_code == 303
    [row] = _check_ins(engine, seeded.users["clin"])
    assert row.compassion_satisfaction == 37

    sup = signed_in("sup")
    seen = sup.get("/supervision/check-ins")
    assert seen.status_code == 200
    person = re.search(rf'<tr data-user="{seeded.users["clin"]}">(.*?)</tr>', seen.text, re.S)
    assert person is not None
    assert "20 Nov 2026" in person.group(1)
    assert "nothing shared" in person.group(1)
    for score in ("37", "50", "compassion satisfaction"):
        assert score not in person.group(1)
    # The clinician shares it: now the supervisor sees the scores.
    shared = clin.post_form(
        "/growth/check-ins/sharing", {"check_in_id": str(row.id), "share": "yes"}
    )
    assert shared.status_code == 303
    assert "now shared with your supervisor" in clin.get("/growth/check-ins").text
    person = re.search(
        rf'<tr data-user="{seeded.users["clin"]}">(.*?)</tr>',
        sup.get("/supervision/check-ins").text,
        re.S,
    )
    assert person is not None
    assert "compassion satisfaction 37 (moderate), burnout 50 (high)" in person.group(1)
    # And stops sharing: hidden again.
    assert (
        clin.post_form(
            "/growth/check-ins/sharing", {"check_in_id": str(row.id), "share": "no"}
        ).status_code
        == 303
    )
    person = re.search(
        rf'<tr data-user="{seeded.users["clin"]}">(.*?)</tr>',
        sup.get("/supervision/check-ins").text,
        re.S,
    )
    assert person is not None
    assert "37" not in person.group(1)
    assert len(audit_entries(engine, action="check_in:share")) == 2
    flush_reads()
    assert audit_entries(engine, action="check_in:read")


def test_nobody_else_can_share_or_see_a_check_in(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin = signed_in("clin")
    assert clin.post_form("/growth/check-ins", _high_burnout()).status_code == 303
    [row] = _check_ins(engine, seeded.users["clin"])
    for username in ("clin2", "sup", "other"):
        someone = signed_in(username)
        # Their own check-in page shows none of clin's.
        page = someone.get("/growth/check-ins").text
        assert f'data-check-in="{row.id}"' not in page
        assert "Your first check-in starts the trend." in page
        # Sharing it is "not found"; answering its offer too.
        share = someone.post_form(
            "/growth/check-ins/sharing", {"check_in_id": str(row.id), "share": "yes"}
        )
        assert share.status_code == 404, username
        offer = someone.post_form(
            "/growth/check-ins/burnout",
            {"check_in_id": str(row.id), "decision": "add", "agree": "yes"},
        )
        assert offer.status_code in (404, 422), username
    assert _check_ins(engine, seeded.users["clin"])[0].shared_with_supervisor is False
    assert _check_ins(engine, seeded.users["clin"])[0].burnout_offer is None
    # Clinicians who supervise no one, and admins, have no supervisor's view.
    assert signed_in("clin2").get("/supervision/check-ins").status_code == 403
    assert signed_in("admin").get("/supervision/check-ins").status_code == 403
    assert signed_in("admin").get("/growth/check-ins").status_code == 403
    # The supervisor of another practice's clinician sees nothing of clin (no one is theirs).
    sup_page = signed_in("sup").get("/supervision/check-ins").text
    assert f'data-user="{seeded.users["clin2"]}"' not in sup_page
