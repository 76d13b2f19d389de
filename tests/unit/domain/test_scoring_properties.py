"""Hypothesis properties of the instruments' scoring (issue 4): totals in range, bands
monotone in the total, change symmetric."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referwell.domain.errors import InvalidInput
from referwell.domain.measures import INSTRUMENTS
from referwell.domain.measures.outcomes import reliable_change_index
from referwell.domain.measures.scoring import parse_answers, score

CODES = sorted(INSTRUMENTS)


@st.composite
def administrations(draw: st.DrawFn) -> tuple[str, list[int]]:
    code = draw(st.sampled_from(CODES))
    inst = INSTRUMENTS[code]
    items = draw(
        st.lists(st.integers(0, inst.item_max), min_size=inst.item_count, max_size=inst.item_count)
    )
    return code, items


@settings(max_examples=300, deadline=None)
@given(administrations())
def test_totals_are_the_sum_and_within_range(admin: tuple[str, list[int]]) -> None:
    code, items = admin
    result = score(code, items)
    assert result.total == sum(items)
    assert 0 <= result.total <= INSTRUMENTS[code].total_max
    assert result.caseness == (result.total >= INSTRUMENTS[code].caseness_cutoff)
    if code == "PHQ-9":
        assert result.flags["item9"] == items[8]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CODES), st.data())
def test_band_and_caseness_are_monotone_in_the_total(code: str, data: st.DataObject) -> None:
    inst = INSTRUMENTS[code]
    low = data.draw(st.integers(0, inst.total_max))
    high = data.draw(st.integers(low, inst.total_max))
    names = [b.name for b in inst.bands]
    if names:
        assert names.index(inst.severity(low)) <= names.index(inst.severity(high))
    else:
        assert inst.severity(low) is None
        assert inst.severity(high) is None
    assert not (inst.is_case(low) and not inst.is_case(high))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CODES), st.data())
def test_change_is_symmetric(code: str, data: st.DataObject) -> None:
    inst = INSTRUMENTS[code]
    a = data.draw(st.integers(0, inst.total_max))
    b = data.draw(st.integers(0, inst.total_max))
    assert inst.reliable_improvement(a, b) == inst.reliable_deterioration(b, a)
    if inst.reliable_change is not None:
        assert not (inst.reliable_improvement(a, b) and inst.reliable_deterioration(a, b))


@settings(max_examples=300, deadline=None)
@given(
    st.floats(0, 100),
    st.floats(0, 100),
    st.floats(0.5, 30),
    st.floats(0, 0.99),
)
def test_rci_is_antisymmetric(x1: float, x2: float, sd: float, r: float) -> None:
    forward = reliable_change_index(x1, x2, sd, r)
    backward = reliable_change_index(x2, x1, sd, r)
    assert forward.rci == pytest.approx(-backward.rci)
    assert forward.reliable == backward.reliable


@settings(max_examples=200, deadline=None)
@given(administrations(), st.data())
def test_an_answer_out_of_range_names_its_item_and_the_range(
    admin: tuple[str, list[int]], data: st.DataObject
) -> None:
    code, items = admin
    inst = INSTRUMENTS[code]
    index = data.draw(st.integers(0, inst.item_count - 1))
    items[index] = data.draw(st.sampled_from([-1, inst.item_max + 1, inst.item_max + 7]))
    with pytest.raises(InvalidInput) as info:
        score(code, parse_answers(",".join(str(i) for i in items)))
    error = info.value.errors[0]
    assert error.path == f"items[{index}]"
    assert f"item {index + 1} takes a score from 0 to {inst.item_max}" in error.message
