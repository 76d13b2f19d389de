"""Engagement rules (decision-rules.md, Engagement): attendance and participation."""

from __future__ import annotations

import pytest

from ..builders import (
    actions_text,
    cites,
    day,
    evidence_text,
    finding_kinds,
    make_case,
    run,
    sessions,
    the_finding,
)

ATTENDANCE = "engagement.attendance"
PARTICIPATION = "engagement.participation"


def _fires(*attendance: str, settings: dict | None = None) -> bool:
    a = run(make_case(sessions=sessions(*attendance)), settings=settings)
    return ATTENDANCE in finding_kinds(a)


@pytest.mark.parametrize(
    ("pattern", "fires"),
    [
        (["no_show", "no_show"], False),
        (["no_show", "no_show", "no_show"], True),
        (["no_show", "late_cancel", "no_show"], True),
        (["late_cancel", "late_cancel", "late_cancel"], True),
        (["late_cancel", "late_cancel"], False),
        (["cancelled", "cancelled", "cancelled", "cancelled"], False),
        (["no_show", "no_show", "cancelled"], False),
        (["late", "late"], False),
        (["late", "late", "late"], True),
        (["late", "late", "no_show", "no_show"], False),  # the two counts are not added
    ],
)
def test_missed_and_late_thresholds(pattern: list, fires: bool) -> None:
    padded = ["attended"] * (10 - len(pattern)) + pattern
    assert _fires(*padded) is fires


def test_the_finding_consults_first_and_quotes_the_dates() -> None:
    attendance = ["attended"] * 5 + ["no_show", "attended", "late_cancel", "no_show", "attended"]
    listed = sessions(*attendance)
    a = run(make_case(sessions=listed))
    f = the_finding(a, ATTENDANCE)
    assert a["recommendation"] == "consult_first"
    assert f["recommendation"] == "consult_first"
    assert f["severity"] == "warning"
    assert cites(f, ATTENDANCE)
    text = evidence_text(f)
    for entry in listed:
        if entry["attendance"] in ("no_show", "late_cancel"):
            assert entry["date"] in text
    actions = actions_text(f)
    assert "barrier" in actions
    assert "risk" in actions
    assert "outreach" in actions or "reach out" in actions


@pytest.mark.parametrize(
    ("older", "recent", "fires"),
    [
        # the third missed session is the 10th most recent: inside the window
        (["attended"] * 5, ["no_show"] + ["attended"] * 7 + ["no_show", "no_show"], True),
        # the third missed session is the 11th most recent: outside
        (["no_show"], ["attended"] * 8 + ["no_show", "no_show"], False),
        (["no_show"] * 6, ["attended"] * 10, False),
    ],
)
def test_the_window_is_the_last_ten_scheduled_sessions(
    older: list, recent: list, fires: bool
) -> None:
    assert _fires(*older, *recent) is fires


def test_sessions_are_read_in_date_order_not_file_order() -> None:
    listed = sessions(*["no_show"] * 3, *["attended"] * 10)
    assert not _fires(*[s["attendance"] for s in listed])
    shuffled = list(reversed(listed))  # three old no-shows listed last
    assert ATTENDANCE not in finding_kinds(run(make_case(sessions=shuffled)))
    recent_missed = sessions(*["attended"] * 10, *["no_show"] * 3)
    assert ATTENDANCE in finding_kinds(run(make_case(sessions=list(reversed(recent_missed)))))


def test_a_short_case_counts_what_it_has() -> None:
    assert _fires("no_show", "no_show", "no_show")


@pytest.mark.parametrize(
    ("settings", "pattern", "fires"),
    [
        (
            {"attendance_window": 4},
            ["no_show", "no_show", "attended", "attended", "no_show"],
            False,
        ),
        ({"attendance_window": 5}, ["no_show", "no_show", "attended", "attended", "no_show"], True),
        ({"attendance_missed_threshold": 2}, ["no_show", "late_cancel"], True),
        ({"attendance_missed_threshold": 4}, ["no_show"] * 3, False),
        ({"attendance_late_threshold": 1}, ["late"], True),
        ({"attendance_late_threshold": 5}, ["late"] * 4, False),
    ],
)
def test_window_and_thresholds_are_settings(settings: dict, pattern: list, fires: bool) -> None:
    padded = ["attended"] * 3 + pattern
    assert _fires(*padded, settings=settings) is fires


@pytest.mark.parametrize("n_missed", [3, 10, 40])
def test_attendance_alone_never_recommends_refer(n_missed: int) -> None:
    a = run(
        make_case(
            sessions=sessions(*["no_show"] * n_missed),
            considering_referral_because=["attendance"],
            steps_taken=["supervision", "discussed_with_client"],
        )
    )
    assert finding_kinds(a) == [ATTENDANCE]
    assert a["recommendation"] == "consult_first"
    assert a["referral_needs"] == []


@pytest.mark.parametrize("engagement", ["low", "refuses_discussion"])
def test_low_participation_consults_first(engagement: str) -> None:
    a = run(make_case(client={"engagement": engagement}))
    f = the_finding(a, PARTICIPATION)
    assert a["recommendation"] == "consult_first"
    assert f["severity"] == "warning"
    assert cites(f, PARTICIPATION)
    assert engagement in evidence_text(f)
    assert "supervision" in actions_text(f)


def test_active_engagement_yields_nothing() -> None:
    assert finding_kinds(run(make_case(client={"engagement": "active"}))) == []


def test_attendance_finding_evidence_names_the_window_span() -> None:
    listed = sessions(*["attended"] * 7, "late", "late", "late", last=2)
    f = the_finding(run(make_case(sessions=listed)), ATTENDANCE)
    assert day(2) in evidence_text(f)


def test_sessions_on_one_date_keep_file_order_for_the_window() -> None:
    same_day = "2026-11-13"
    missed_first = ["no_show"] * 3 + ["attended"] * 8
    missed_last = ["attended"] * 8 + ["no_show"] * 3
    first = run(make_case(sessions=[{"date": same_day, "attendance": a} for a in missed_first]))
    last = run(make_case(sessions=[{"date": same_day, "attendance": a} for a in missed_last]))
    assert ATTENDANCE not in finding_kinds(first)  # the first listed falls out of the last 10
    assert ATTENDANCE in finding_kinds(last)
