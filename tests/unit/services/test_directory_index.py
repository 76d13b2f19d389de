"""The in-memory directory index answers exactly as the reference matcher: over random
directories and queries, the same options in the same order with the same reasons, the same
counts of what each hard filter left out, the same number eligible."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import example, given, settings
from hypothesis import strategies as st

from referwell.domain.directory.matching import Options, Query, failed_filter, match
from referwell.domain.directory.model import Entry, Location
from referwell.services.directory.index import index_of

DENVER = (39.7392, -104.9903)
# Around Denver, a state line away, across the antimeridian and near a pole: the grid's edges.
CENTRES = ((39.7392, -104.9903), (41.14, -104.82), (0.0, 179.9), (0.0, -179.95), (89.5, 10.0))
SERVICES = (
    "dbt", "cbt", "emdr", "psychotherapy", "psychiatry", "primary_care", "crisis",
    "adolescents", "adults", "children", "older_adults", "couples", "eating_disorders",
)  # fmt: skip
STATES = ("CO", "WY", "NM")
ORGS = ("o1", "o2", "o3", "entry:e1")


@st.composite
def places(draw: st.DrawFn) -> Location:
    if draw(st.integers(0, 9)) == 0:
        return Location("80202", "CO", None, None)
    lat, lon = draw(st.sampled_from(CENTRES))
    dlat, dlon = draw(st.tuples(st.integers(-6000, 6000), st.integers(-8000, 8000)))
    lat = max(-90.0, min(90.0, lat + dlat / 10_000))
    lon = lon + dlon / 10_000
    if lon > 180:
        lon -= 360
    if lon < -180:
        lon += 360
    return Location(None, draw(st.sampled_from(STATES)), lat, lon)


@st.composite
def entries(draw: st.DrawFn, number: int) -> Entry:
    low = draw(st.none() | st.integers(0, 70))
    high = draw(st.none() | st.integers(low or 0, 90))
    return Entry(
        entry_id=f"e{number}" if draw(st.booleans()) else f"E{number:03d}",
        kind=draw(st.sampled_from(("practitioner", "program"))),
        name=f"Entry {number}",
        organization_id=draw(st.none() | st.sampled_from(ORGS)),
        services=frozenset(draw(st.sets(st.sampled_from(SERVICES), max_size=5))),
        age_min=low,
        age_max=high,
        languages=frozenset(draw(st.sets(st.sampled_from(("en", "es", "vi")), max_size=2))),
        insurance=frozenset(draw(st.sets(st.sampled_from(("aetna", "medicaid")), max_size=2))),
        sliding_scale=draw(st.none() | st.booleans()),
        locations=tuple(draw(st.lists(places(), max_size=3))),
        telehealth=draw(st.none() | st.booleans()),
        telehealth_states=draw(st.none() | st.frozensets(st.sampled_from(STATES), max_size=2)),
        accepting_new_clients=draw(st.none() | st.booleans()),
        waitlist_weeks=draw(st.none() | st.integers(0, 20)),
        financial_arrangement=draw(
            st.none() | st.sampled_from(("none", "nominal_thanks", "referral_fee", "fee_split"))
        ),
        gender=draw(st.none() | st.sampled_from(("female", "male"))),
        faiths=frozenset(draw(st.sets(st.sampled_from(("jewish", "christian")), max_size=1))),
    )


@st.composite
def directories(draw: st.DrawFn) -> list[Entry]:
    size = draw(st.integers(0, 20))
    made = [draw(entries(number)) for number in range(size)]
    unique: dict[str, Entry] = {}
    for entry in made:
        unique.setdefault(entry.entry_id, entry)
    return list(unique.values())


@st.composite
def queries(draw: st.DrawFn) -> Query:
    lat, lon = draw(st.sampled_from(CENTRES))
    placed = draw(st.integers(0, 9)) > 0
    return Query(
        services=frozenset(draw(st.sets(st.sampled_from(SERVICES), min_size=1, max_size=2))),
        age=draw(st.integers(0, 95) | st.sampled_from((-1, 140))),
        latitude=lat if placed else None,
        longitude=lon if placed else None,
        state=draw(st.none() | st.sampled_from((*STATES, "co"))),
        insurance=draw(st.frozensets(st.sampled_from(("aetna", "medicaid", "cigna")), max_size=2)),
        languages=draw(st.sampled_from(((), ("en",), ("es", "en"), ("vi",)))),
        telehealth_ok=draw(st.booleans()),
        include_waitlist=draw(st.booleans()),
        urgent=draw(st.booleans()),
        max_distance_km=draw(st.sampled_from((0.0, 10.0, 40.0, 150.0, 30000.0))),
        k=draw(st.integers(0, 6)),
        conflicted=draw(st.frozensets(st.sampled_from(("e1", "E002", "o2", "")), max_size=2)),
        clinician_gender=draw(st.none() | st.sampled_from(("female", "male", "any"))),
        faith=draw(st.none() | st.sampled_from(("Jewish", " christian "))),
        wants_sliding_scale=draw(st.booleans()),
        wants_in_person=draw(st.booleans()),
    )


def same(found: Options, expected: Options) -> None:
    assert found.as_dict() == expected.as_dict()
    assert dict(found.excluded) == dict(expected.excluded)
    assert found.eligible == expected.eligible
    assert [o.entry.entry_id for o in found.options] == [o.entry.entry_id for o in expected.options]


@settings(max_examples=250, deadline=None)
@given(directories(), queries())
def test_the_index_answers_exactly_as_the_reference_matcher(
    directory: list[Entry], query: Query
) -> None:
    same(index_of(directory).match(query), match(directory, query))


@settings(max_examples=100, deadline=None)
@given(directories(), queries())
def test_every_option_passes_every_hard_filter_and_none_eligible_is_missing(
    directory: list[Entry], query: Query
) -> None:
    found = index_of(directory).match(query)
    eligible = {e.entry_id for e in directory if failed_filter(e, query) is None}
    assert found.eligible == len(eligible)
    for option in found.options:
        assert option.entry.entry_id in eligible
    if len(found.options) < query.k:
        assert {o.entry.entry_id for o in found.options} == eligible


def base_entry(entry_id: str, **changes: object) -> Entry:
    made = Entry(
        entry_id=entry_id,
        kind="practitioner",
        name=f"Practitioner {entry_id}",
        organization_id="big",
        services=frozenset({"dbt", "adults"}),
        insurance=frozenset({"aetna"}),
        languages=frozenset({"en"}),
        locations=(Location("80012", "CO", 39.6989, -104.8376),),
        accepting_new_clients=True,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


@example(tie=3)
@given(st.integers(1, 8))
def test_ties_and_the_two_organization_rule_as_the_reference(tie: int) -> None:
    directory = [base_entry(f"p{i:02d}") for i in range(tie + 2)]
    directory.append(base_entry("solo", organization_id=None, insurance=frozenset()))
    query = Query(frozenset({"dbt"}), 30, *DENVER, "CO", frozenset({"aetna"}), ("en",), k=tie)
    found = index_of(directory).match(query)
    same(found, match(directory, query))
    if tie >= 2:
        assert found.options[-1].entry.entry_id == "solo"


def test_a_code_no_entry_offers_finds_nothing_and_counts_nothing() -> None:
    directory = [base_entry("a")]
    query = Query(frozenset({"neuropsychology"}), 30, *DENVER, "CO")
    found = index_of(directory).match(query)
    same(found, match(directory, query))
    assert found.options == ()


def test_sets_of_codes_asked_together_are_counted_and_kept() -> None:
    directory = [
        base_entry("a", services=frozenset({"dbt", "eating_disorders"})),
        base_entry("b", services=frozenset({"dbt"})),
        base_entry("c", services=frozenset({"eating_disorders", "cbt"}), age_min=30),
    ]
    index = index_of(directory)
    for age in (25, 35):
        query = Query(frozenset({"eating_disorders", "psychotherapy"}), age, *DENVER, "CO")
        same(index.match(query), match(directory, query))
        same(index.match(query), match(directory, query))  # the second time from its table


def test_entries_come_back_as_they_went_in() -> None:
    entry = base_entry(
        "x",
        telehealth=True,
        telehealth_states=frozenset({"CO", "WY"}),
        waitlist_weeks=4,
        accepting_new_clients=False,
        financial_arrangement="nominal_thanks",
        gender="female",
        faiths=frozenset({"jewish"}),
        sliding_scale=False,
        age_min=12,
        age_max=None,
    )
    assert list(index_of([entry]).entries()) == [entry]
