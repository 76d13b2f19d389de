"""Relationship rules (decision-rules.md, The relationship): romantic advances, boundary crossings."""

from __future__ import annotations

import pytest

from ..builders import (
    actions_text,
    cites,
    day,
    event,
    evidence_text,
    make_case,
    needs,
    run,
    step,
    the_finding,
)

ROMANTIC = "relationship.romantic_advances"
BOUNDARY = "relationship.boundary_crossing"


def _advances(*events: dict, steps: list | None = None) -> dict:
    a = run(make_case(events=list(events), steps_taken=steps or []))
    return the_finding(a, ROMANTIC) | {"_assessment": a}


def test_a_single_advance_continues_with_info_severity() -> None:
    f = _advances(event("romantic_advance", 10))
    assert f["recommendation"] == "continue"
    assert f["severity"] == "info"
    assert cites(f, ROMANTIC)
    assert day(10) in evidence_text(f)
    text = actions_text(f)
    assert "transference" in text
    assert "boundary" in text
    assert "document" in text
    assert f["_assessment"]["recommendation"] == "continue"


@pytest.mark.parametrize(
    ("events", "steps", "recommendation"),
    [
        # two advances, none discussed, no boundary discussion: not persisting
        ([event("romantic_advance", 20), event("romantic_advance", 10)], [], "continue"),
        # a discussed advance followed by another: persisting
        (
            [event("romantic_advance", 20, discussed=True), event("romantic_advance", 10)],
            [],
            "consult_first",
        ),
        # only the last one discussed: nothing follows it
        (
            [event("romantic_advance", 20), event("romantic_advance", 10, discussed=True)],
            [],
            "continue",
        ),
        # boundary_discussion in steps_taken with two advances: persisting
        (
            [event("romantic_advance", 20), event("romantic_advance", 10)],
            ["boundary_discussion"],
            "consult_first",
        ),
        # boundary_discussion with a single advance: not persisting (needs two or more)
        ([event("romantic_advance", 10)], ["boundary_discussion"], "continue"),
        (
            [event("romantic_advance", 10, discussed=True)],
            ["boundary_discussion", "supervision"],
            "continue",
        ),
        # persisting and supervision: refer
        (
            [event("romantic_advance", 20, discussed=True), event("romantic_advance", 10)],
            ["supervision"],
            "refer",
        ),
        (
            [event("romantic_advance", 20), event("romantic_advance", 10)],
            [step("boundary_discussion", 15), step("supervision", 12)],
            "refer",
        ),
        # supervision without persistence: still continue
        (
            [event("romantic_advance", 20), event("romantic_advance", 10)],
            ["supervision"],
            "continue",
        ),
        # consultation is not supervision
        (
            [event("romantic_advance", 20, discussed=True), event("romantic_advance", 10)],
            ["consultation"],
            "consult_first",
        ),
    ],
)
def test_persistence_and_escalation(events: list, steps: list, recommendation: str) -> None:
    f = _advances(*events, steps=steps)
    assert f["recommendation"] == recommendation
    assert f["severity"] == ("info" if recommendation == "continue" else "warning")
    a = f["_assessment"]
    assert a["recommendation"] == recommendation
    if recommendation == "refer":
        assert needs(a) == {
            "psychotherapy": {
                "service": "psychotherapy",
                "urgency": "routine",
                "because": ROMANTIC,
                "adjunct": False,
            }
        }
    else:
        assert a["referral_needs"] == []


def test_date_order_decides_what_follows_not_file_order() -> None:
    later_discussed = event("romantic_advance", 5, discussed=True)
    earlier = event("romantic_advance", 25)
    # Listed discussed-first, but by date the discussed advance is the last one.
    assert _advances(later_discussed, earlier)["recommendation"] == "continue"
    earlier_discussed = event("romantic_advance", 25, discussed=True)
    later = event("romantic_advance", 5)
    assert _advances(later, earlier_discussed)["recommendation"] == "consult_first"


def test_ties_keep_file_order() -> None:
    discussed = event("romantic_advance", 7, discussed=True)
    plain = event("romantic_advance", 7)
    assert _advances(discussed, plain)["recommendation"] == "consult_first"
    assert _advances(plain, discussed)["recommendation"] == "continue"


def test_other_events_do_not_count_as_following_advances() -> None:
    f = _advances(event("romantic_advance", 20, discussed=True), event("boundary_crossing", 10))
    assert f["recommendation"] == "continue"


def test_persisting_advances_evidence_quotes_each_date() -> None:
    f = _advances(
        event("romantic_advance", 30, discussed=True),
        event("romantic_advance", 16),
        event("romantic_advance", 2),
    )
    for n in (30, 16, 2):
        assert day(n) in evidence_text(f)


def test_persisting_after_supervision_carries_the_transfer_needs() -> None:
    a = run(
        make_case(
            client={"age": 16},
            clinician={"competencies": ["cbt", "adolescents"]},
            concerns=["eating_disorder"],
            events=[event("romantic_advance", 20, discussed=True), event("romantic_advance", 3)],
            steps_taken=["supervision"],
        )
    )
    assert the_finding(a, ROMANTIC)["recommendation"] == "refer"
    got = needs(a)
    assert {"psychotherapy", "eating_disorders", "adolescents", "primary_care"} == set(got)
    assert got["primary_care"]["adjunct"] is True  # the concern's adjunct need
    assert got["eating_disorders"]["adjunct"] is False


@pytest.mark.parametrize("discussed", [None, False, True])
def test_any_boundary_crossing_consults_first(discussed: bool | None) -> None:
    a = run(make_case(events=[event("boundary_crossing", 100, discussed=discussed)]))
    f = the_finding(a, BOUNDARY)
    assert a["recommendation"] == "consult_first"
    assert f["recommendation"] == "consult_first"
    assert f["severity"] == "warning"
    assert cites(f, BOUNDARY)
    assert day(100) in evidence_text(f)
    text = actions_text(f)
    assert "risk" in text
    assert "document" in text
    assert "consult" in text


def test_one_boundary_finding_quotes_every_crossing() -> None:
    a = run(make_case(events=[event("boundary_crossing", 40), event("boundary_crossing", 4)]))
    f = the_finding(a, BOUNDARY)
    assert day(40) in evidence_text(f)
    assert day(4) in evidence_text(f)
