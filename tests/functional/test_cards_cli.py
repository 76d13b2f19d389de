"""`referwell cards list` and `cards review` (a terminal session answered through standard
input), and `referwell measures score ProQOL-5`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from plain_words import codes_in
from referwell.cli.main import app
from referwell.db import migrate
from referwell.db.audit import AuditAction, os_user
from referwell.db.engine import make_engine, make_session_factory
from referwell.db.growth.cards import CardReview
from referwell.db.models import AuditEntry, Practice, User
from referwell.domain.citations import SECTIONS
from referwell.domain.growth.cards import introduction_order, load_bank

runner = CliRunner()


def test_cards_list_json_prints_every_card_with_its_citations() -> None:
    result = runner.invoke(app, ["cards", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    cards = json.loads(result.stdout)
    assert len(cards) == len(load_bank()) >= 80
    for card in cards:
        assert card["citations"], card["id"]
        for citation in card["citations"]:
            assert citation["section"] in SECTIONS[citation["source"]]
        assert card["kind"] in ("multiple_choice", "recall")
        if card["kind"] == "multiple_choice":
            assert card["choices"][card["answer"]] == card["answer_text"]


def test_cards_list_text_reads_in_words() -> None:
    result = runner.invoke(app, ["cards", "list"])
    assert result.exit_code == 0, result.output
    assert "Competence and its limits · multiple choice" in result.stdout
    assert "cites: ACA Code of Ethics 2014 A.11.a" in result.stdout
    assert codes_in(result.stdout.replace("\n", " ")) == []


def test_cards_list_refuses_an_unknown_format() -> None:
    result = runner.invoke(app, ["cards", "list", "--format", "yaml"])
    assert result.exit_code == 2
    assert 'unknown format "yaml"' in result.output


@pytest.fixture
def url(tmp_path: Path) -> str:
    """An empty practice with one clinician, `casey`, and one admin, `alex`."""
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        practice = Practice(name="Test practice")
        session.add_all(
            [
                User(practice=practice, username="casey", display_name="Casey", role="clinician"),
                User(practice=practice, username="alex", display_name="Alex", role="admin"),
            ]
        )
        session.commit()
    engine.dispose()
    return url


def _reviews(url: str) -> list[tuple[str, int, bool | None]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return [
                (r.card_id, r.rating, r.correct)
                for r in session.scalars(select(CardReview).order_by(CardReview.id))
            ]
    finally:
        engine.dispose()


def test_cards_review_in_the_terminal(url: str) -> None:
    first, second, third = (
        next(c for c in load_bank() if c.id == card_id) for card_id in introduction_order()[:3]
    )
    assert first.answer_index is not None
    assert second.answer_index is not None
    wrong = (second.answer_index + 1) % len(second.choices)
    typed = "\n".join(
        [
            "9",  # not a choice: asked again
            str(first.answer_index + 1),  # right
            "",  # rated good (the default)
            str(wrong + 1),  # wrong: rated again without asking
            "q",  # stop at the third card
        ]
    )
    result = runner.invoke(
        app, ["cards", "review", "--user", "casey", "--database", url], input=typed + "\n"
    )
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())  # as read, whatever the terminal's width
    assert first.question in shown
    assert "choose a number from 1 to" in shown
    assert "Right." in shown
    assert "Not quite." in shown
    assert f"The answer: {second.answer_text}" in shown
    assert third.question in shown
    assert "Reviewed 2 cards" in shown
    assert _reviews(url) == [(first.id, 3, True), (second.id, 1, False)]
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            entries = session.scalars(
                select(AuditEntry).where(AuditEntry.action == AuditAction.CARD_REVIEW.value)
            ).all()
    finally:
        engine.dispose()
    assert [(e.actor, e.actor_kind) for e in entries] == [(os_user(), "os_user")] * 2


def test_cards_review_stops_at_the_limit_and_asks_a_recall_rating_again(url: str) -> None:
    recall = next(c for c in load_bank() if c.answer_index is None)
    order = introduction_order()
    assert recall.id in order
    # Answer the first card whatever it is: a choice or Enter, then a rating.
    first = next(c for c in load_bank() if c.id == order[0])
    typed = f"{(first.answer_index or 0) + 1}\nsuperb\nhard\n"
    result = runner.invoke(
        app,
        ["cards", "review", "--user", "casey", "--limit", "1", "--database", url],
        input=typed,
    )
    assert result.exit_code == 0, result.output
    assert "answer again, hard, good or easy" in result.output
    assert "Reviewed 1 card;" in result.output
    assert _reviews(url)[0][1] == 2


@pytest.mark.parametrize("user", ["nobody", "alex"])
def test_cards_review_needs_a_clinician(url: str, user: str) -> None:
    result = runner.invoke(app, ["cards", "review", "--user", user, "--database", url], input="q\n")
    assert result.exit_code == 2
    assert f'no clinician or supervisor "{user}"' in result.output


def test_cards_review_needs_a_database(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    result = runner.invoke(app, ["cards", "review", "--user", "casey", "--database", missing])
    assert result.exit_code == 2
    assert not (tmp_path / "none.sqlite3").exists()


# ---- `referwell measures score ProQOL-5` ---------------------------------------------


def _items(changed: dict[int, int], rest: int = 3) -> str:
    return ",".join(str(changed.get(n, rest)) for n in range(1, 31))


def test_proqol_json_has_the_three_sums_and_levels() -> None:
    # Burnout 42: items 8, 10, 19 at 5 (+6 on 30), reversed items 1, 4, 15 answered 1
    # (each counts 5: +6); compassion satisfaction 22: eight items at 2 (−8 on 30).
    items = _items(
        {8: 5, 10: 5, 19: 5, 1: 1, 4: 1, 15: 1, **dict.fromkeys((3, 6, 12, 16, 18, 20, 22, 24), 2)}
    )
    result = runner.invoke(app, ["measures", "score", "ProQOL-5", items, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "instrument": "ProQOL-5",
        "subscales": {
            "compassion_satisfaction": {"score": 22, "level": "low"},
            "burnout": {"score": 42, "level": "high"},
            "secondary_traumatic_stress": {"score": 30, "level": "moderate"},
        },
    }


def test_proqol_text() -> None:
    result = runner.invoke(app, ["measures", "score", "proqol5", _items({})])
    assert result.exit_code == 0, result.output
    assert "compassion satisfaction: 30 of 50, moderate" in result.stdout
    assert "burnout: 30 of 50, moderate" in result.stdout
    assert "secondary traumatic stress: 30 of 50, moderate" in result.stdout


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (",".join(["3"] * 29), "items: ProQOL-5 takes 30 answers from 1 to 5; got 29 answers"),
        (_items({5: 0}), "items[4]: ProQOL-5 item 5 takes an answer from 1 to 5; got 0"),
        (_items({30: 6}), "items[29]: ProQOL-5 item 30 takes an answer from 1 to 5; got 6"),
    ],
)
def test_proqol_bad_answers_exit_2_naming_the_item(items: str, message: str) -> None:
    result = runner.invoke(app, ["measures", "score", "ProQOL-5", items])
    assert result.exit_code == 2
    assert message in result.output
