"""`referwell cards`: the ethics practice cards: list them, or review the ones due in the
terminal, as a clinician of the practice database (the same schedule as the web app's
practice page)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from referwell.cli.common import (
    DatabaseOption,
    database_url,
    err,
    fail,
    operator,
    out,
    refuse,
    require_head,
    unit_of_work,
)
from referwell.cli.helpstyle import App
from referwell.domain.errors import InvalidInput

if TYPE_CHECKING:
    from referwell.domain.growth.cards import Card

cards_app = App(help="Ethics practice cards: list them, or review the ones due.")

STOP = ("q", "quit", "stop")


def _citations(card: Card) -> str:
    return "; ".join(str(citation) for citation in card.citations)


@cards_app.command("list")
def list_command(
    output: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="text, or json: every card with its citations.", metavar="FORMAT"
        ),
    ] = "text",
) -> None:
    """Print every card of the bank: its topic, kind, question, answer and citations."""
    from referwell.domain.growth.cards import load_bank

    if output not in ("text", "json"):
        fail(f'--format: unknown format "{output}"; use "text" or "json"')
    bank = load_bank()
    if output == "json":
        sys.stdout.write(json.dumps([card.as_dict() for card in bank], ensure_ascii=False) + "\n")
        return
    for card in bank:
        out.print(f"[bold]{card.id}[/bold]  {card.topic_name} · {card.kind_name}")
        out.print(f"  {card.question}", markup=False)
        for number, choice in enumerate(card.choices, start=1):
            mark = "*" if card.is_right(number - 1) else " "
            out.print(f"   {mark}{number}. {choice}", markup=False)
        if not card.choices:
            out.print(f"  answer: {card.answer_text}", markup=False)
        out.print(f"  cites: {_citations(card)}", markup=False)
        out.print()


def _ask(prompt: str, default: str = "") -> str:
    """One answer from the terminal; end of input reads as stopping."""
    try:
        answer: str = typer.prompt(prompt, default=default, show_default=bool(default))
    except (EOFError, typer.Abort):
        return "q"
    return answer.strip().lower()


def _rating() -> str:
    """How well the card was known, asked until it is one of the four (or q)."""
    from referwell.services.growth.scheduling import RATINGS

    while True:
        rating = _ask("How well did you know it? again, hard, good or easy", default="good")
        if rating in STOP or rating in RATINGS.values():
            return rating
        err.print("answer again, hard, good or easy (or q to stop)", markup=False)


def _show_answer(card: Card) -> None:
    out.print(f"The answer: {card.answer_text}", markup=False)
    out.print(card.explanation, markup=False)
    out.print(f"Cites: {_citations(card)}", markup=False)


@cards_app.command("review")
def review_command(
    user: Annotated[
        str,
        typer.Option(
            "--user",
            help="The username of the clinician whose cards these are.",
            metavar="USERNAME",
        ),
    ],
    limit: Annotated[
        int, typer.Option("--limit", help="Stop after this many cards.", metavar="N", min=1)
    ] = 20,
    database: DatabaseOption = None,
) -> None:
    """Review the cards due, one at a time: answer, see the answer and why, say how well you
    knew it.

    A multiple-choice card takes the number of a choice; a wrong one comes back soon. A
    recall card shows its answer when you press Enter. Then say how well you knew it (again,
    hard, good or easy) and FSRS schedules the card. Type q to stop; each answer is saved
    as it is given, and audited with the operating-system user as the actor.
    """
    from datetime import UTC, datetime

    from referwell.domain.growth.cards import MULTIPLE_CHOICE
    from referwell.services.errors import NotFound
    from referwell.services.growth import ethics_cards

    url = database_url(database)
    require_head(url)
    actor = operator()
    uow = unit_of_work(url)
    done = 0
    while done < limit:
        now = datetime.now(UTC)
        try:
            found = ethics_cards.next_card(uow, actor, now, username=user)
        except NotFound:
            fail(f'--user: no clinician or supervisor "{user}" in the database')
        if found is None:
            break
        card = found.card
        out.print()
        out.print(
            f"[bold]{card.topic_name}[/bold] · {card.kind_name}{' · new' if found.new else ''}"
        )
        out.print(card.question, markup=False)
        choice: int | None = None
        if card.kind == MULTIPLE_CHOICE:
            for number, text in enumerate(card.choices, start=1):
                out.print(f"  {number}. {text}", markup=False)
            while choice is None:
                answer = _ask(f"Your answer (1-{len(card.choices)}, q to stop)")
                if answer in STOP:
                    break
                if answer.isdigit() and 1 <= int(answer) <= len(card.choices):
                    choice = int(answer) - 1
                else:
                    err.print(f"choose a number from 1 to {len(card.choices)}", markup=False)
            if choice is None:
                break
            out.print("Right." if card.is_right(choice) else "Not quite.", markup=False)
        elif _ask("Think of your answer, then press Enter (q to stop)", default="") in STOP:
            break
        _show_answer(card)
        rating = "again"
        if choice is None or card.is_right(choice):
            rating = _rating()
            if rating in STOP:
                break
        try:
            reviewed = ethics_cards.review_card(
                uow, actor, card.id, rating=rating, now=now, choice=choice, username=user
            )
        except InvalidInput as exc:
            refuse(exc)
        done += 1
        out.print(f"Next time: {reviewed.due.strftime('%Y-%m-%d %H:%M')} UTC", markup=False)
    summary = ethics_cards.overview(uow, actor, datetime.now(UTC), username=user)
    out.print()
    out.print(
        f"Reviewed {done} card{'s' if done != 1 else ''}; {summary.due} due now"
        + (
            f"; the next falls due {summary.next_due.strftime('%Y-%m-%d %H:%M')} UTC"
            if summary.due == 0 and summary.next_due is not None
            else ""
        )
        + ".",
        markup=False,
    )
