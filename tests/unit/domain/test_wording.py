"""Each built-in questionnaire's wording as the client reads it: the stem, every item's text,
the answer labels, and the authors' credit line."""

from __future__ import annotations

import pytest

from referwell.domain.measures import INSTRUMENTS, PCL5, PHQ9, PHQ15
from referwell.domain.measures.base import Instrument, Wording
from referwell.domain.measures.phq9 import SUICIDE_ITEM

CODES = sorted(INSTRUMENTS)


def wording(code: str) -> Wording:
    found = INSTRUMENTS[code].wording
    assert found is not None, f"{code} has no wording"
    return found


def texts(code: str) -> list[str]:
    w = wording(code)
    return [w.instructions, *w.items, *w.answers, w.credit, *([w.note] if w.note else [])]


@pytest.mark.parametrize("code", CODES)
def test_every_instrument_has_its_wording(code: str) -> None:
    assert isinstance(INSTRUMENTS[code].wording, Wording)


@pytest.mark.parametrize("code", CODES)
def test_one_text_per_item(code: str) -> None:
    assert len(wording(code).items) == INSTRUMENTS[code].item_count


@pytest.mark.parametrize("code", CODES)
def test_one_label_per_answer_value(code: str) -> None:
    inst = INSTRUMENTS[code]
    assert len(wording(code).answers) == inst.item_max - inst.item_min + 1


@pytest.mark.parametrize("code", CODES)
def test_every_text_is_plain_words(code: str) -> None:
    for text in texts(code):
        assert isinstance(text, str)
        assert text, f"{code} has an empty text"
        assert text == text.strip(), f"{code}: {text!r} has surrounding space"
        assert "_" not in text, f"{code}: {text!r} reads like a vocabulary code"
        assert "  " not in text, f"{code}: {text!r} has a double space"


@pytest.mark.parametrize("code", CODES)
def test_items_and_answers_are_distinct(code: str) -> None:
    w = wording(code)
    assert len(set(w.items)) == len(w.items)
    assert len(set(w.answers)) == len(w.answers)


@pytest.mark.parametrize("code", CODES)
def test_credit_is_given(code: str) -> None:
    assert wording(code).credit.strip()


def test_phq_family_credit_names_the_authors_and_the_permission() -> None:
    for code in ("PHQ-9", "GAD-7", "PHQ-15"):
        credit = wording(code).credit
        for name in ("Spitzer", "Williams", "Kroenke", "Pfizer"):
            assert name in credit
        assert "No permission required to reproduce, translate, display or distribute" in credit


def test_pcl5_credit_names_the_authors_and_the_public_domain() -> None:
    credit = wording("PCL-5").credit
    for name in ("Weathers", "Litz", "Keane", "Palmieri", "Marx", "Schnurr"):
        assert name in credit
    assert "National Center for PTSD" in credit
    assert "public domain" in credit


@pytest.mark.parametrize("code", CODES)
def test_answer_label_at_both_ends(code: str) -> None:
    inst = INSTRUMENTS[code]
    w = wording(code)
    assert inst.answer_label(inst.item_min) == w.answers[0]
    assert inst.answer_label(inst.item_max) == w.answers[-1]
    for value in range(inst.item_min, inst.item_max + 1):
        assert inst.answer_label(value) == w.answers[value - inst.item_min]


@pytest.mark.parametrize("code", CODES)
def test_answer_label_refuses_a_value_outside_the_range(code: str) -> None:
    inst = INSTRUMENTS[code]
    for value in (inst.item_min - 1, inst.item_max + 1):
        with pytest.raises(ValueError, match=rf"{inst.code}.* {inst.item_min} to {inst.item_max}"):
            inst.answer_label(value)


def test_answer_label_refuses_what_is_not_a_whole_number() -> None:
    with pytest.raises(ValueError, match=r"PHQ-9 .*0 to 3; got the boolean true"):
        PHQ9.answer_label(True)


def test_answer_label_without_wording_says_so() -> None:
    bare = Instrument(
        code="X-1",
        title="A test instrument",
        source="none",
        item_count=1,
        item_max=1,
        bands=(),
        caseness_cutoff=1,
        caseness_label="none",
        reliable_change=None,
    )
    assert bare.wording is None
    with pytest.raises(ValueError, match="X-1 has no client wording"):
        bare.answer_label(0)


def test_the_answer_labels() -> None:
    frequency = ("Not at all", "Several days", "More than half the days", "Nearly every day")
    assert wording("PHQ-9").answers == frequency
    assert wording("GAD-7").answers == frequency
    assert wording("PHQ-15").answers == (
        "Not bothered at all",
        "Bothered a little",
        "Bothered a lot",
    )
    assert wording("PCL-5").answers == (
        "Not at all",
        "A little bit",
        "Moderately",
        "Quite a bit",
        "Extremely",
    )
    assert PHQ9.answer_label(3) == "Nearly every day"
    assert PHQ15.answer_label(1) == "Bothered a little"
    assert PCL5.answer_label(2) == "Moderately"


def test_the_stems() -> None:
    assert wording("PHQ-9").instructions == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert wording("GAD-7").instructions == (
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )
    assert "past 4 weeks" in wording("PHQ-15").instructions
    pcl5 = wording("PCL-5").instructions
    assert "a very stressful experience" in pcl5
    assert "past month" in pcl5


def test_phq9_item_9_asks_about_death_and_self_harm() -> None:
    item = wording("PHQ-9").items[SUICIDE_ITEM - 1].lower()
    assert "better off dead" in item
    assert "hurting yourself" in item


def test_spot_checked_item_texts() -> None:
    assert wording("PHQ-9").items[0] == "Little interest or pleasure in doing things"
    assert wording("GAD-7").items[0] == "Feeling nervous, anxious, or on edge"
    assert wording("GAD-7").items[6] == "Feeling afraid, as if something awful might happen"
    assert wording("PCL-5").items[0] == (
        "Repeated, disturbing, and unwanted memories of the stressful experience?"
    )
    assert wording("PCL-5").items[19] == "Trouble falling or staying asleep?"


def test_phq15_keeps_the_standard_order() -> None:
    items = [item.lower() for item in wording("PHQ-15").items]
    starts = (
        "stomach pain",
        "back pain",
        "pain in your arms, legs, or joints",
        "menstrual cramps",
        "headaches",
        "chest pain",
        "dizziness",
        "fainting spells",
        "feeling your heart pound or race",
        "shortness of breath",
        "pain or problems during sexual intercourse",
        "constipation, loose bowels, or diarrhea",
        "nausea, gas, or indigestion",
        "feeling tired or having low energy",
        "trouble sleeping",
    )
    assert len(items) == len(starts)
    for number, (item, start) in enumerate(zip(items, starts, strict=True), start=1):
        assert item.startswith(start), f"PHQ-15 item {number}: {item!r}"


def test_phq15_says_the_menstrual_item_is_for_women_only() -> None:
    w = wording("PHQ-15")
    assert "women only" in w.note
    assert "menstrual" in w.note.lower()
