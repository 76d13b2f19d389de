"""Matching a need to directory entries: every hard filter, the financial-conflict exclusion and
its count, telehealth licensing by state, the two-organization rule, the reasons, the ties; and
properties over random directories."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from referwell.domain.directory.geo import distance_km, rounded_km, valid_coordinates
from referwell.domain.directory.matching import (
    SCORE,
    Query,
    evaluate,
    failed_filter,
    match,
)
from referwell.domain.directory.model import Entry, Location
from referwell.domain.directory.needs import questions

DENVER = (39.7392, -104.9903)
BOULDER = Location("80302", "CO", 40.0150, -105.2705)  # about 39 km from Denver
AURORA = Location("80012", "CO", 39.6989, -104.8376)  # about 14 km from Denver
CHEYENNE = Location("82001", "WY", 41.1400, -104.8202)  # about 156 km


def entry(entry_id: str = "e1", **changes: object) -> Entry:
    made = Entry(
        entry_id=entry_id,
        kind="practitioner",
        name=f"Practitioner {entry_id}",
        organization_id=f"org-{entry_id}",
        services=frozenset({"dbt", "adolescents", "adults"}),
        age_min=None,
        age_max=None,
        languages=frozenset({"en"}),
        insurance=frozenset({"aetna"}),
        locations=(AURORA,),
        telehealth=False,
        telehealth_states=None,
        accepting_new_clients=True,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def query(**changes: object) -> Query:
    made = Query(
        services=frozenset({"dbt"}),
        age=30,
        latitude=DENVER[0],
        longitude=DENVER[1],
        state="CO",
        insurance=frozenset({"aetna"}),
        languages=("en",),
    )
    return replace(made, **changes)  # type: ignore[arg-type]


# --- the hard filters, one by one ----------------------------------------------------------


def test_the_service_must_be_offered_and_psychotherapy_is_any_modality() -> None:
    assert failed_filter(entry(services=frozenset({"cbt"})), query()) == "service"
    therapist = entry(services=frozenset({"cbt"}))
    assert failed_filter(therapist, query(services=frozenset({"psychotherapy"}))) is None
    assert (
        failed_filter(
            entry(services=frozenset({"psychiatry"})), query(services=frozenset({"psychotherapy"}))
        )
        == "service"
    )
    # Transfer needs together: one entry must offer them all.
    both = query(services=frozenset({"dbt", "eating_disorders"}))
    assert failed_filter(entry(), both) == "service"
    assert failed_filter(entry(services=frozenset({"dbt", "eating_disorders"})), both) is None


def test_age_populations_are_asked_of_the_age_not_as_services() -> None:
    teen = query(services=frozenset({"dbt", "adolescents"}), age=15)
    assert failed_filter(entry(services=frozenset({"dbt"}), age_min=12, age_max=18), teen) is None
    assert failed_filter(entry(services=frozenset({"dbt"}), age_min=18), teen) == "age"
    # No stated range: the population codes say the ages.
    assert failed_filter(entry(services=frozenset({"dbt", "adults"})), teen) == "age"
    assert failed_filter(entry(services=frozenset({"dbt", "adolescents"})), teen) is None
    # Adults with no upper limit serve older adults too.
    assert failed_filter(entry(services=frozenset({"dbt", "adults"})), query(age=80)) is None
    assert (
        failed_filter(entry(services=frozenset({"dbt", "adults"}), age_max=64), query(age=80))
        == "age"
    )


def test_an_unknown_age_range_passes_and_is_uncertain() -> None:
    option = evaluate(entry(services=frozenset({"dbt"})), query())
    assert option is not None
    assert [note.criterion for note in option.uncertain] == ["age"]


def test_intake_closed_passes_only_by_a_waitlist_the_clinician_allows_when_not_urgent() -> None:
    closed = entry(accepting_new_clients=False, waitlist_weeks=3)
    assert failed_filter(closed, query()) == "intake"
    assert failed_filter(closed, query(include_waitlist=True)) is None
    assert failed_filter(closed, query(include_waitlist=True, urgent=True)) == "intake"
    assert (
        failed_filter(entry(accepting_new_clients=False), query(include_waitlist=True)) == "intake"
    )
    unknown = evaluate(entry(accepting_new_clients=None), query())
    assert unknown is not None
    assert "intake" in [note.criterion for note in unknown.uncertain]


def test_in_person_within_the_distance_or_by_telehealth_licensed_in_the_clients_state() -> None:
    assert failed_filter(entry(locations=(BOULDER,)), query()) is None
    assert failed_filter(entry(locations=(BOULDER,)), query(max_distance_km=20)) == "reach"
    far = entry(locations=(CHEYENNE,), telehealth=True, telehealth_states=frozenset({"CO"}))
    assert failed_filter(far, query()) == "reach"  # the client does not accept telehealth
    assert failed_filter(far, query(telehealth_ok=True)) is None
    assert failed_filter(far, query(telehealth_ok=True, state="NM")) == "reach"
    unknown_states = replace(far, telehealth_states=None)
    assert failed_filter(unknown_states, query(telehealth_ok=True)) == "reach"
    option = evaluate(far, query(telehealth_ok=True))
    assert option is not None
    assert (option.distance_km, option.telehealth) == (None, True)


def test_a_financial_conflict_excludes_and_is_counted_with_its_reason() -> None:
    paying = entry("paying", financial_arrangement="referral_fee")
    thanks = entry("thanks", financial_arrangement="nominal_thanks")
    named_in_case = entry("named")
    elsewhere = entry("elsewhere", services=frozenset({"cbt"}), financial_arrangement="fee_split")
    found = match(
        [paying, thanks, named_in_case, elsewhere],
        query(conflicted=frozenset({"named"})),
    )
    assert [option.entry.entry_id for option in found.options] == ["thanks"]
    # Counted among the entries offering the service only.
    assert found.excluded["financial_conflict"] == 2
    assert found.as_dict()["excluded"]["financial_conflict"] == 2
    by_org = match(
        [entry("x", organization_id="org-bad")], query(conflicted=frozenset({"org-bad"}))
    )
    assert by_org.options == ()


def test_every_option_says_why_it_fits_criterion_by_criterion() -> None:
    option = evaluate(entry(age_min=18, sliding_scale=True, gender="female", faiths=frozenset({"jewish"})),
                      query(clinician_gender="female", faith="Jewish"))  # fmt: skip
    assert option is not None
    criteria = [note.criterion for note in option.fits]
    for criterion in (
        "service",
        "financial_conflict",
        "age",
        "intake",
        "reach",
        "insurance",
        "language",
        "clinician_gender",
        "faith",
    ):
        assert criterion in criteria, criterion
    texts = " ".join(note.text for note in option.fits)
    assert "DBT" in texts
    assert "km away" in texts
    assert option.score == (
        SCORE["capacity"][0] + 20 - int(option.distance_km // 2)  # type: ignore[operator]
        + SCORE["insurance"][0] + SCORE["language"][0] + SCORE["clinician_gender"][0]
        + SCORE["faith"][0]
    )  # fmt: skip


def test_ties_go_in_person_first_by_distance_then_by_entry_id() -> None:
    near = entry("b", locations=(AURORA,))
    also_near = entry("a", locations=(AURORA,))
    far = entry("c", locations=(BOULDER,))
    remote = entry("d", locations=(CHEYENNE,), telehealth=True, telehealth_states=frozenset({"CO"}))
    q = query(telehealth_ok=True)
    scores = {e.entry_id: evaluate(e, q).score for e in (near, also_near, far, remote)}  # type: ignore[union-attr]
    assert scores["a"] == scores["b"]
    found = match([remote, far, near, also_near], q)
    assert [o.entry.entry_id for o in found.options][:2] == ["a", "b"]
    assert match([remote, far, near, also_near], q) == found  # deterministic


def test_options_come_from_two_organizations_where_the_directory_has_them() -> None:
    one_org = [entry(f"p{i}", organization_id="big") for i in range(5)]
    lone = entry("solo", organization_id=None, insurance=frozenset(), locations=(BOULDER,))
    found = match([*one_org, lone], query(k=3))
    orgs = {o.entry.organization_key for o in found.options}
    assert len(found.options) == 3
    assert orgs == {"big", "entry:solo"}
    assert found.options[-1].entry.entry_id == "solo"
    only_one = match(one_org, query(k=3))
    assert {o.entry.organization_key for o in only_one.options} == {"big"}


def test_needs_become_questions_transfer_together_adjuncts_alone_crisis_as_resources() -> None:
    asked, crisis = questions(
        [
            {"service": "dbt", "because": "borderline_personality", "urgency": "routine", "adjunct": False},
            {"service": "adolescents", "because": "competence.population", "urgency": "routine", "adjunct": False},
            {"service": "primary_care", "because": "medical.unevaluated_symptoms", "urgency": "soon", "adjunct": True},
            {"service": "crisis", "because": "safety.suicide_risk", "urgency": "urgent", "adjunct": False},
        ]
    )  # fmt: skip
    assert [q.services for q in asked] == [
        frozenset({"dbt", "adolescents"}),
        frozenset({"primary_care"}),
    ]
    assert [q.adjunct for q in asked] == [False, True]
    assert crisis


def test_distances_are_haversine_on_a_sphere_of_6371_km_rounded_half_up() -> None:
    assert distance_km(0.0, 0.0, 0.0, 1.0) == 111.2
    assert rounded_km(12.25) == 12.3
    assert rounded_km(12.249) == 12.2
    assert not valid_coordinates(100.0, 101.0)
    assert valid_coordinates(*DENVER)


# --- properties over random directories ----------------------------------------------------

SERVICES = ("dbt", "cbt", "psychiatry", "primary_care", "adolescents", "adults", "eating_disorders")
PLACES = (AURORA, BOULDER, CHEYENNE, Location("80202", "CO", None, None))
STATES = ("CO", "WY", "NM")


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    low = draw(st.none() | st.integers(0, 70))
    high = None if low is None else draw(st.none() | st.integers(low, 90))
    return Entry(
        entry_id=f"e{draw(st.integers(0, 10_000))}",
        kind=draw(st.sampled_from(("practitioner", "program"))),
        name="x",
        organization_id=draw(st.none() | st.sampled_from(("o1", "o2", "o3"))),
        services=frozenset(draw(st.sets(st.sampled_from(SERVICES), max_size=4))),
        age_min=low,
        age_max=high,
        languages=frozenset(draw(st.sets(st.sampled_from(("en", "es")), max_size=2))),
        insurance=frozenset(draw(st.sets(st.sampled_from(("aetna", "medicaid")), max_size=2))),
        sliding_scale=draw(st.none() | st.booleans()),
        locations=tuple(draw(st.lists(st.sampled_from(PLACES), max_size=2))),
        telehealth=draw(st.none() | st.booleans()),
        telehealth_states=draw(st.none() | st.frozensets(st.sampled_from(STATES), max_size=2)),
        accepting_new_clients=draw(st.none() | st.booleans()),
        waitlist_weeks=draw(st.none() | st.integers(0, 20)),
        financial_arrangement=draw(
            st.none() | st.sampled_from(("none", "nominal_thanks", "referral_fee"))
        ),
    )


queries = st.builds(
    Query,
    services=st.frozensets(st.sampled_from(SERVICES), min_size=1, max_size=2),
    age=st.integers(5, 85),
    latitude=st.just(DENVER[0]),
    longitude=st.just(DENVER[1]),
    state=st.sampled_from(STATES),
    insurance=st.frozensets(st.sampled_from(("aetna", "medicaid")), max_size=1),
    languages=st.sampled_from(((), ("en",), ("es", "en"))),
    telehealth_ok=st.booleans(),
    include_waitlist=st.booleans(),
    urgent=st.booleans(),
    max_distance_km=st.sampled_from((10.0, 40.0, 200.0)),
    k=st.integers(1, 6),
)


POPULATION_RANGES = {"children": (0, 12), "adolescents": (13, 17), "adults": (18, 200)}
PROHIBITED = {"referral_fee", "fee_split", "gift_of_value", "exclusive_reciprocal"}


def hard_filters_by_hand(e: Entry, q: Query) -> dict[str, bool]:
    """Each hard filter of the issue, written again from the entry's fields (not through
    `failed_filter`), so the property checks the matcher against an independent reading."""
    wanted = {code for code in q.services if code not in POPULATION_RANGES}
    if e.age_min is not None or e.age_max is not None:
        ages: list[tuple[int, int]] = [(e.age_min or 0, 200 if e.age_max is None else e.age_max)]
    else:
        ages = [POPULATION_RANGES[c] for c in e.services if c in POPULATION_RANGES]
    in_person = any(
        place.latitude is not None
        and place.longitude is not None
        and q.latitude is not None
        and q.longitude is not None
        and distance_km(q.latitude, q.longitude, place.latitude, place.longitude)
        <= q.max_distance_km
        for place in e.locations
    )
    by_telehealth = bool(
        q.telehealth_ok and e.telehealth and q.state in (e.telehealth_states or ())
    )
    return {
        "service": wanted <= e.services,
        "financial_conflict": e.financial_arrangement not in PROHIBITED
        and e.entry_id not in q.conflicted
        and (e.organization_id or "") not in q.conflicted,
        "age": not ages or any(low <= q.age <= high for low, high in ages),
        "intake": e.accepting_new_clients is not False
        or (q.include_waitlist and not q.urgent and e.waitlist_weeks is not None),
        "reach": in_person or by_telehealth,
    }


@settings(max_examples=300, deadline=None)
@given(st.lists(entries(), max_size=25, unique_by=lambda e: e.entry_id), queries)
def test_every_option_passes_every_hard_filter_and_none_eligible_is_missing(
    directory: list[Entry], q: Query
) -> None:
    found = match(directory, q)
    eligible = [e for e in directory if all(hard_filters_by_hand(e, q).values())]
    assert {e.entry_id for e in eligible} == {
        e.entry_id for e in directory if failed_filter(e, q) is None
    }
    assert len(found.options) == min(q.k, len(eligible))
    for option in found.options:
        assert all(hard_filters_by_hand(option.entry, q).values()), option.entry
    if len(found.options) < q.k:
        assert {o.entry.entry_id for o in found.options} == {e.entry_id for e in eligible}
    # Best first: every option left out scores no higher than the last one kept, unless the
    # two-organization rule swapped it in.
    kept = {o.entry.entry_id for o in found.options}
    scores = [o.score for o in found.options]
    assert scores[: len(scores) - 1] == sorted(scores[: len(scores) - 1], reverse=True)
    left = [evaluate(e, q) for e in eligible if e.entry_id not in kept]
    if found.options and len(found.options) >= 2:
        assert all(o is not None and o.score <= found.options[-2].score for o in left)
