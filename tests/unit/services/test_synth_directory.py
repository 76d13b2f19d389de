"""The synthetic national directory (`referwell synth directory --providers N --seed S`): same
seed, same directory; real ZIP code centres across the country; the shares its docstring and
docs/matching.md state, within what 20,000 draws allow."""

from __future__ import annotations

from functools import cache

import pytest

from referwell.domain import vocabulary as v
from referwell.domain.directory.model import Entry
from referwell.services.directory.places import zip_centre
from referwell.services.synthetic.directory import synth_directory, zip_centres

N = 20_000


@cache
def directory() -> tuple[Entry, ...]:
    return tuple(synth_directory(N, 7))


def share(predicate) -> float:  # type: ignore[no-untyped-def]
    return sum(1 for entry in directory() if predicate(entry)) / N


def test_same_seed_same_directory_and_another_seed_another() -> None:
    assert tuple(synth_directory(500, 3)) == tuple(synth_directory(500, 3))
    assert tuple(synth_directory(500, 3)) != tuple(synth_directory(500, 4))
    assert len({entry.entry_id for entry in directory()}) == N


def test_places_are_real_zip_centres_of_the_states_and_dc() -> None:
    places = [place for entry in directory() for place in entry.locations]
    assert places
    for place in places[:2000]:
        assert place.postal_code is not None
        centre = zip_centre(place.postal_code)
        assert centre is not None
        latitude, longitude, state = centre
        assert (place.latitude, place.longitude, place.state) == (latitude, longitude, state)
    states = {place.state for place in places}
    assert len(states) == 51  # uniform over ZIP codes: every state and DC drawn
    # Uniform over ZIP codes: a state's share of places follows its share of ZIP codes.
    centres = zip_centres()
    for state in ("TX", "CA", "NY"):
        expected = sum(1 for c in centres if c.state == state) / len(centres)
        found = sum(1 for p in places if p.state == state) / len(places)
        assert found == pytest.approx(expected, abs=0.01), state


@pytest.mark.parametrize(
    ("what", "predicate", "expected", "within"),
    [
        ("programs", lambda e: e.kind == "program", 1 / 8, 0.02),
        ("telehealth", lambda e: e.telehealth is True, 2 / 3, 0.05),
        ("spanish", lambda e: "es" in e.languages, 1 / 7, 0.03),
        ("insurance unknown", lambda e: not e.insurance, 1 / 10, 0.03),
        ("waitlist", lambda e: e.accepting_new_clients is False, 1 / 4, 0.04),
        ("intake unknown", lambda e: e.accepting_new_clients is None, 1 / 5, 0.04),
        ("payment for referrals", lambda e: e.prohibited_arrangement, 1 / 100, 0.005),
        ("cbt", lambda e: "cbt" in e.services, 1 / 2, 0.12),
        ("dbt", lambda e: "dbt" in e.services, 1 / 11, 0.04),
    ],
)
def test_the_shares_are_those_documented(what, predicate, expected, within) -> None:  # type: ignore[no-untyped-def]
    assert share(predicate) == pytest.approx(expected, abs=within), what


def test_telehealth_is_licensed_in_the_practitioners_own_state_or_not_stated() -> None:
    offering = [e for e in directory() if e.telehealth]
    unstated = sum(1 for e in offering if e.telehealth_states is None) / len(offering)
    assert unstated == pytest.approx(1 / 12, abs=0.03)
    for entry in offering:
        if entry.telehealth_states is not None and entry.locations:
            assert {p.state for p in entry.locations} & entry.telehealth_states
    assert any(e.telehealth_states and len(e.telehealth_states) > 1 for e in offering)


def test_every_code_offered_is_a_service_of_the_vocabulary() -> None:
    offered = {code for entry in directory() for code in entry.services}
    assert offered <= set(v.SERVICES)
    for code in ("psychiatry", "eating_disorders", "primary_care", "crisis", "residential"):
        assert code in offered, code
