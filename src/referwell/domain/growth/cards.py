"""The ethics practice cards: a bank written for referwell from docs/ethics-and-law.md and
docs/decision-rules.md, shipped as `cards.json` beside this module.

Each card has an id, a topic, a kind (multiple choice, or recall: think of the
answer, then see it), the question, the choices and the answer's position (multiple
choice) or the answer's text (recall), an explanation, and the code sections or
statutes it rests on, each one of `domain.citations.SECTIONS`. `load_bank` reads and
checks the file once; a card that breaks a rule is a bug, and says which.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from referwell.domain.citations import SECTIONS, Citation

BANK_FORMAT: Final = "referwell.cards/1"
MULTIPLE_CHOICE: Final = "multiple_choice"
RECALL: Final = "recall"
KINDS: Final = (MULTIPLE_CHOICE, RECALL)
KIND_NAMES: Final[Mapping[str, str]] = {MULTIPLE_CHOICE: "multiple choice", RECALL: "recall"}

# The topics of issue 12, in the order the bank introduces them, with their names in words.
TOPICS: Final[Mapping[str, str]] = {
    "competence": "Competence and its limits",
    "values": "Values and referral",
    "culture": "Culture and broaching",
    "termination": "Termination and abandonment",
    "fees": "Fees and payment for referrals",
    "protect": "Duty to protect",
    "boundaries": "Dual relationships and boundaries",
    "records": "Records and consent",
}
MIN_BANK_SIZE: Final = 80


@dataclass(frozen=True, slots=True)
class Card:
    """One practice card."""

    id: str
    topic: str
    kind: str
    question: str
    choices: tuple[str, ...]
    # Multiple choice: the position of the right choice (from 0); recall: None.
    answer_index: int | None
    answer_text: str
    explanation: str
    citations: tuple[Citation, ...]

    @property
    def topic_name(self) -> str:
        return TOPICS[self.topic]

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    def is_right(self, choice: int) -> bool:
        """Whether `choice` (a position from 0) is the right answer of a multiple-choice card."""
        return self.answer_index is not None and choice == self.answer_index

    def as_dict(self) -> dict[str, Any]:
        """The card as `referwell cards list --format json` prints it."""
        data: dict[str, Any] = {
            "id": self.id,
            "topic": self.topic,
            "kind": self.kind,
            "question": self.question,
        }
        if self.kind == MULTIPLE_CHOICE:
            data["choices"] = list(self.choices)
            data["answer"] = self.answer_index
        data["answer_text"] = self.answer_text
        data["explanation"] = self.explanation
        data["citations"] = [c.as_dict() for c in self.citations]
        return data


class BankError(ValueError):
    """The shipped card bank breaks a rule of its format: a bug, named by card and field."""


def card_from(raw: Mapping[str, Any]) -> Card:
    """A card from its JSON object; BankError naming the card and the field when it is wrong."""
    card_id = raw.get("id")
    where = f"card {card_id!r}"
    if not isinstance(card_id, str) or not card_id:
        raise BankError(f"{where}: id must be a non-empty string")
    topic, kind = raw.get("topic"), raw.get("kind")
    if topic not in TOPICS:
        raise BankError(f"{where}: topic {topic!r} is not one of {', '.join(TOPICS)}")
    if kind not in KINDS:
        raise BankError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    texts = {name: raw.get(name) for name in ("question", "explanation")}
    for name, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise BankError(f"{where}: {name} must be a non-empty string")
    answer = raw.get("answer")
    choices: tuple[str, ...] = ()
    if kind == MULTIPLE_CHOICE:
        listed = raw.get("choices")
        if not isinstance(listed, list) or len(listed) < 2 or len(set(listed)) != len(listed):
            raise BankError(f"{where}: choices must be a list of at least 2 different strings")
        if not all(isinstance(choice, str) and choice.strip() for choice in listed):
            raise BankError(f"{where}: every choice must be a non-empty string")
        choices = tuple(listed)
        if type(answer) is not int or not 0 <= answer < len(choices):
            raise BankError(
                f"{where}: answer must be the right choice's position, 0 to {len(choices) - 1}"
            )
        answer_index: int | None = answer
        answer_text = choices[answer]
    else:
        if "choices" in raw:
            raise BankError(f"{where}: a recall card has no choices")
        if not isinstance(answer, str) or not answer.strip():
            raise BankError(f"{where}: a recall card's answer is its text")
        answer_index, answer_text = None, answer
    cited = raw.get("citations")
    if not isinstance(cited, list) or not cited:
        raise BankError(f"{where}: citations must list at least one {{source, section}}")
    citations = []
    for entry in cited:
        source = entry.get("source") if isinstance(entry, dict) else None
        section = entry.get("section") if isinstance(entry, dict) else None
        if section not in SECTIONS.get(str(source), ()):
            raise BankError(
                f"{where}: cites {source} {section}, which docs/ethics-and-law.md does not list"
            )
        citations.append(Citation(str(source), str(section)))
    return Card(
        id=card_id,
        topic=str(topic),
        kind=str(kind),
        question=str(texts["question"]),
        choices=choices,
        answer_index=answer_index,
        answer_text=answer_text,
        explanation=str(texts["explanation"]),
        citations=tuple(citations),
    )


def bank_from(data: Mapping[str, Any]) -> tuple[Card, ...]:
    """Every card of a bank document, checked: the format, each card, unique ids, the size."""
    if data.get("format") != BANK_FORMAT:
        raise BankError(f"format must be {BANK_FORMAT!r}; got {data.get('format')!r}")
    raw_cards = data.get("cards")
    if not isinstance(raw_cards, list):
        raise BankError("cards must be a list")
    cards = tuple(card_from(raw) for raw in raw_cards)
    seen: set[str] = set()
    for card in cards:
        if card.id in seen:
            raise BankError(f"card {card.id!r} appears twice")
        seen.add(card.id)
    if len(cards) < MIN_BANK_SIZE:
        raise BankError(f"the bank holds {len(cards)} cards; it needs at least {MIN_BANK_SIZE}")
    return cards


@cache
def load_bank() -> tuple[Card, ...]:
    """The shipped bank, in file order (read once)."""
    text = (
        resources.files("referwell.domain.growth")
        .joinpath("cards.json")
        .read_text(encoding="utf-8")
    )
    return bank_from(json.loads(text))


@cache
def cards_by_id() -> Mapping[str, Card]:
    return {card.id: card for card in load_bank()}


def card_named(card_id: str) -> Card | None:
    """The card with this id, or None."""
    return cards_by_id().get(card_id)


@cache
def introduction_order() -> tuple[str, ...]:
    """The order new cards are introduced in: one of each topic in turn, so that a first
    session already touches every topic."""
    by_topic: dict[str, list[str]] = {topic: [] for topic in TOPICS}
    for card in load_bank():
        by_topic[card.topic].append(card.id)
    order: list[str] = []
    longest = max(len(ids) for ids in by_topic.values())
    for position in range(longest):
        order.extend(ids[position] for ids in by_topic.values() if position < len(ids))
    return tuple(order)


def cards_of(ids: Sequence[str]) -> list[Card]:
    """The cards with these ids, in that order (unknown ids left out)."""
    known = cards_by_id()
    return [known[card_id] for card_id in ids if card_id in known]
