"""The ethics practice card bank: at least 80 cards over every topic, both kinds, each citing
sections that docs/ethics-and-law.md paraphrases (under the heading of the source cited),
and no code a person must not read."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from plain_words import codes_in
from referwell.domain.citations import REQUIRED, SECTIONS
from referwell.domain.growth.cards import (
    KINDS,
    MIN_BANK_SIZE,
    MULTIPLE_CHOICE,
    RECALL,
    TOPICS,
    BankError,
    bank_from,
    introduction_order,
    load_bank,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "ethics-and-law.md"
# The topics issue 12 names, in its words, and the bank's topic for each.
ISSUE_TOPICS = {
    "competence and its limits": "competence",
    "values and referral": "values",
    "culture and broaching": "culture",
    "termination and abandonment": "termination",
    "fees and payment for referrals": "fees",
    "duty to protect": "protect",
    "dual relationships and boundaries": "boundaries",
    "records and consent": "records",
}


def doc_blocks() -> list[str]:
    """docs/ethics-and-law.md cut at its `## ` headings."""
    return re.split(r"^## ", DOC.read_text(encoding="utf-8"), flags=re.M)[1:]


def in_the_doc(source: str, section: str) -> bool:
    """Whether the document lists `section` (in backticks) under a heading whose text names
    `source` (as "cited as `…`", or by name)."""
    return any(f"`{section}`" in block and source in block for block in doc_blocks())


def test_the_bank_has_at_least_80_cards_with_unique_ids() -> None:
    bank = load_bank()
    assert len(bank) >= MIN_BANK_SIZE >= 80
    assert len({card.id for card in bank}) == len(bank)


def test_every_topic_of_the_issue_has_cards_of_both_kinds() -> None:
    bank = load_bank()
    assert set(ISSUE_TOPICS.values()) == set(TOPICS)
    for words, topic in ISSUE_TOPICS.items():
        assert TOPICS[topic].lower() == words
        kinds = Counter(card.kind for card in bank if card.topic == topic)
        assert sum(kinds.values()) >= 10, (topic, kinds)
        assert set(kinds) == set(KINDS), (topic, kinds)


def test_every_card_cites_a_section_that_exists_in_the_ethics_and_law_document() -> None:
    for card in load_bank():
        assert card.citations, card.id
        for citation in card.citations:
            assert citation.section in SECTIONS[citation.source], (card.id, str(citation))
            assert in_the_doc(citation.source, citation.section), (card.id, str(citation))


def test_the_citation_table_is_the_documents() -> None:
    for source, sections in SECTIONS.items():
        for section in sections:
            assert in_the_doc(source, section), f"{source} {section}"
    # Every code section a rule must cite is one the cards may cite too.
    for citations in REQUIRED.values():
        for citation in citations:
            if citation.source in (
                "ACA Code of Ethics 2014",
                "APA Ethics Code",
                "NASW Code of Ethics",
            ):
                assert citation.section in SECTIONS[citation.source], str(citation)


def test_multiple_choice_cards_have_one_right_answer_among_distinct_choices() -> None:
    positions = Counter()
    for card in load_bank():
        if card.kind == MULTIPLE_CHOICE:
            assert len(card.choices) >= 3, card.id
            assert len(set(card.choices)) == len(card.choices), card.id
            assert card.answer_index is not None
            assert card.is_right(card.answer_index)
            assert card.answer_text == card.choices[card.answer_index]
            positions[card.answer_index] += 1
        else:
            assert card.kind == RECALL
            assert not card.choices, card.id
            assert card.answer_index is None, card.id
            assert len(card.answer_text) > 10, card.id
    # The right answer is not always in the same place.
    assert len(positions) >= 3
    assert max(positions.values()) < 0.5 * sum(positions.values())


def test_no_card_shows_a_code() -> None:
    for card in load_bank():
        text = " ".join([card.question, card.answer_text, card.explanation, *card.choices])
        assert codes_in(text) == [], card.id


def test_the_order_of_introduction_takes_the_topics_in_turn() -> None:
    order = introduction_order()
    assert sorted(order) == sorted(card.id for card in load_bank())
    first = [
        next(c for c in load_bank() if c.id == card_id).topic for card_id in order[: len(TOPICS)]
    ]
    assert first == list(TOPICS)


def test_as_dict_lists_the_citations() -> None:
    shown = load_bank()[0].as_dict()
    assert shown["citations"]
    assert {"source", "section"} == set(shown["citations"][0])
    assert {"id", "topic", "kind", "question", "answer_text", "explanation"} <= set(shown)


def _card(**changes: Any) -> dict[str, Any]:
    card: dict[str, Any] = {
        "id": "x-01",
        "topic": "fees",
        "kind": "multiple_choice",
        "question": "Q?",
        "choices": ["a", "b", "c"],
        "answer": 1,
        "explanation": "Because.",
        "citations": [{"source": "ACA Code of Ethics 2014", "section": "A.10.b"}],
    }
    card.update(changes)
    return card


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"topic": "gossip"}, "topic"),
        ({"kind": "essay"}, "kind"),
        ({"answer": 3}, "answer must be"),
        ({"choices": ["a", "a"]}, "choices"),
        ({"citations": []}, "citations"),
        ({"citations": [{"source": "ACA Code of Ethics 2014", "section": "Z.9"}]}, "does not list"),
        ({"citations": [{"source": "Someone 2020", "section": "A.10.b"}]}, "does not list"),
        ({"kind": "recall", "answer": "text"}, "no choices"),
        ({"question": " "}, "question"),
    ],
)
def test_a_broken_card_is_named(changes: dict[str, Any], words: str) -> None:
    cards = [_card(id=f"x-{n:02d}") for n in range(1, MIN_BANK_SIZE)]
    with pytest.raises(BankError, match=words):
        bank_from({"format": "referwell.cards/1", "cards": [*cards, _card(id="bad", **changes)]})


def test_a_bank_too_small_or_with_a_repeated_id_is_refused() -> None:
    with pytest.raises(BankError, match="at least 80"):
        bank_from({"format": "referwell.cards/1", "cards": [_card()]})
    cards = [_card(id=f"x-{n:02d}") for n in range(MIN_BANK_SIZE)]
    with pytest.raises(BankError, match="twice"):
        bank_from({"format": "referwell.cards/1", "cards": [*cards, _card(id="x-01")]})
