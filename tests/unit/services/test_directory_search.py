"""A search's place: the client's state for telehealth licensing comes from the postal code
through the `zipcodes` package (offline); a state given apart wins; an unknown state never
passes the telehealth route."""

from __future__ import annotations

from referwell.domain.directory.matching import failed_filter, match
from referwell.domain.directory.model import Entry, Location
from referwell.services.directory.search import place_of, query_for

MIAMI = Location("33101", "FL", 25.7791, -80.1978)  # thousands of km from Cheyenne


def remote(entry_id: str, states: frozenset[str] | None) -> Entry:
    return Entry(
        entry_id, "practitioner", f"Remote {entry_id}", services=frozenset({"dbt"}),
        locations=(MIAMI,), telehealth=True, telehealth_states=states,
        accepting_new_clients=True,
    )  # fmt: skip


def test_the_clients_state_comes_from_the_zip_code() -> None:
    cheyenne = place_of("82001")
    assert cheyenne.state == "WY"
    assert cheyenne.latitude is not None
    assert abs(cheyenne.latitude - 41.14) < 0.2
    assert place_of("82001-1234").state == "WY"
    assert place_of("82001", "Colorado").state == "CO"  # given apart, it wins
    assert place_of("00000").state is None


def test_telehealth_passes_only_where_the_entry_is_licensed_in_the_zip_codes_state() -> None:
    wyoming = remote("wy", frozenset({"WY"}))
    colorado = remote("co", frozenset({"CO"}))
    unknown = remote("unknown", None)
    asked = query_for(["dbt"], age=30, postal_code="82001", telehealth=True)

    assert asked.state == "WY"
    assert failed_filter(wyoming, asked) is None
    assert failed_filter(colorado, asked) == "reach"
    assert failed_filter(unknown, asked) == "reach"  # licensure is the law
    found = match([wyoming, colorado, unknown], asked)
    assert [(o.entry.entry_id, o.distance_km, o.telehealth) for o in found.options] == [
        ("wy", None, True)
    ]
    assert found.excluded["reach"] == 2
    # Without telehealth accepted, nothing that far passes.
    assert match([wyoming], query_for(["dbt"], age=30, postal_code="82001")).options == ()
    # A state given apart is the one licensure is asked of.
    in_colorado = query_for(["dbt"], age=30, postal_code="82001", state="CO", telehealth=True)
    assert [o.entry.entry_id for o in match([wyoming, colorado], in_colorado).options] == ["co"]
