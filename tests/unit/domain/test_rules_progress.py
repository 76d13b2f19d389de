"""Progress rules (decision-rules.md, Progress; measures.md): deterioration, not on track,
goals met (by goals or by reliable recovery) and the client's wish to end."""

from __future__ import annotations

import pytest

from ..builders import (
    actions_text,
    attended,
    cites,
    day,
    evidence_text,
    finding_kinds,
    gad7,
    make_case,
    needs,
    pcl5,
    phq9,
    phq9_total,
    run,
    sessions,
    step,
    the_finding,
)

DETERIORATION = "progress.deterioration"
NOT_ON_TRACK = "progress.not_on_track"
GOALS_MET = "progress.goals_met"
CLIENT_REQUEST = "progress.client_request"


# --- deterioration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "latest", "fires"), [(8, 13, False), (8, 14, True), (0, 24, True)]
)
def test_phq9_reliable_deterioration_is_a_rise_of_six(first: int, latest: int, fires: bool) -> None:
    a = run(make_case(measures=[phq9(day(60), first), phq9(day(3), latest)]))
    assert (DETERIORATION in finding_kinds(a)) is fires
    if fires:
        f = the_finding(a, DETERIORATION)
        assert f["recommendation"] == "consult_first"
        assert f["severity"] == "warning"
        assert cites(f, DETERIORATION)
        assert day(60) in evidence_text(f)
        assert day(3) in evidence_text(f)
        assert "supervision" in actions_text(f)


@pytest.mark.parametrize(("first", "latest", "fires"), [(2, 5, False), (2, 6, True)])
def test_gad7_reliable_deterioration_is_a_rise_of_four(
    first: int, latest: int, fires: bool
) -> None:
    a = run(make_case(measures=[gad7(day(60), first), gad7(day(3), latest)]))
    assert (DETERIORATION in finding_kinds(a)) is fires


def test_a_single_score_has_no_outcome() -> None:
    a = run(make_case(measures=[phq9_total(day(3), 27)]))
    assert DETERIORATION not in finding_kinds(a)
    assert NOT_ON_TRACK not in finding_kinds(a)


def test_first_and_latest_by_date_whatever_lies_between_or_the_file_order() -> None:
    ms = [phq9(day(3), 15), phq9(day(30), 24), phq9(day(90), 9)]  # latest listed first
    a = run(make_case(measures=ms))
    assert DETERIORATION in finding_kinds(a)  # 9 -> 15
    b = run(make_case(measures=[phq9(day(90), 9), phq9(day(30), 24), phq9(day(3), 14)]))
    assert DETERIORATION not in finding_kinds(b)  # 9 -> 14, the peak between does not count


def test_pcl5_and_phq15_rises_are_not_progress_deterioration() -> None:
    a = run(make_case(measures=[pcl5(day(60), 10), pcl5(day(3), 60)]))
    assert finding_kinds(a) == []


@pytest.mark.parametrize(
    ("steps", "recommendation"),
    [
        ([], "consult_first"),
        (["treatment_adjusted"], "consult_first"),
        (["supervision"], "consult_first"),
        (["treatment_adjusted", "consultation"], "consult_first"),
        (["treatment_adjusted", "supervision"], "refer"),
    ],
)
def test_deterioration_escalates_after_treatment_adjusted_and_supervision(
    steps: list, recommendation: str
) -> None:
    a = run(make_case(measures=[phq9(day(60), 10), phq9(day(3), 18)], steps_taken=steps))
    f = the_finding(a, DETERIORATION)
    assert f["recommendation"] == recommendation
    if recommendation == "refer":
        assert a["recommendation"] == "refer"
        assert needs(a)["psychotherapy"] == {
            "service": "psychotherapy",
            "urgency": "routine",
            "because": DETERIORATION,
            "adjunct": False,
        }
        assert "treatment_adjusted" in evidence_text(f)
    else:
        assert a["referral_needs"] == []


def test_escalated_deterioration_carries_the_transfer_needs() -> None:
    a = run(
        make_case(
            concerns=["depression", "trauma_ptsd"],
            clinician={"competencies": ["cbt", "cpt"]},
            measures=[phq9(day(60), 10), phq9(day(3), 18)],
            steps_taken=[step("treatment_adjusted", 20), step("supervision", 10)],
        )
    )
    assert set(needs(a)) == {"psychotherapy", "trauma_focused"}
    assert needs(a)["trauma_focused"]["because"] == "trauma_ptsd"


# --- not on track --------------------------------------------------------------------------


def _not_on_track_case(
    n_sessions: int = 8, first: int = 15, latest: int = 14, **more: object
) -> dict:
    """At caseness without reliable improvement, after `n_sessions` attended sessions."""
    return make_case(
        **{
            "sessions": attended(n_sessions),
            "measures": [phq9(day(70), first), phq9(day(3), latest)],
            **more,
        }
    )


@pytest.mark.parametrize(("n", "fires"), [(7, False), (8, True), (12, True)])
def test_not_on_track_from_eight_attended_sessions(n: int, fires: bool) -> None:
    a = run(_not_on_track_case(n))
    assert (NOT_ON_TRACK in finding_kinds(a)) is fires
    if fires:
        f = the_finding(a, NOT_ON_TRACK)
        assert a["recommendation"] == "consult_first"
        assert f["recommendation"] == "consult_first"
        assert f["severity"] == "warning"
        assert cites(f, NOT_ON_TRACK)
        assert str(n) in evidence_text(f)
        text = actions_text(f)
        assert "where they see therapy going" in text or "therapy going" in text
        assert "alliance" in text
        assert "medication" in text
        assert "supervision" in text


def test_late_counts_as_attended_other_attendance_does_not() -> None:
    seven_and_late = sessions(*["attended"] * 7, "late")
    assert NOT_ON_TRACK in finding_kinds(run(_not_on_track_case(0, sessions=seven_and_late)))
    for other in ("no_show", "late_cancel", "cancelled"):
        seven = sessions(*["attended"] * 7, other)
        assert NOT_ON_TRACK not in finding_kinds(run(_not_on_track_case(0, sessions=seven)))


def test_not_on_track_counts_sessions_over_the_whole_case_not_the_attendance_window() -> None:
    many = sessions(*["attended"] * 8, *["cancelled"] * 10)
    assert NOT_ON_TRACK in finding_kinds(run(_not_on_track_case(0, sessions=many)))


@pytest.mark.parametrize(("latest", "fires"), [(9, False), (10, True)])
def test_not_on_track_needs_phq9_caseness(latest: int, fires: bool) -> None:
    a = run(_not_on_track_case(first=latest + 2, latest=latest))
    assert (NOT_ON_TRACK in finding_kinds(a)) is fires


@pytest.mark.parametrize(("latest", "fires"), [(7, False), (8, True)])
def test_not_on_track_needs_gad7_caseness(latest: int, fires: bool) -> None:
    a = run(
        make_case(sessions=attended(8), measures=[gad7(day(70), latest + 1), gad7(day(3), latest)])
    )
    assert (NOT_ON_TRACK in finding_kinds(a)) is fires


@pytest.mark.parametrize(("first", "latest", "fires"), [(20, 14, False), (20, 15, True)])
def test_reliable_improvement_stops_not_on_track(first: int, latest: int, fires: bool) -> None:
    a = run(_not_on_track_case(first=first, latest=latest))
    assert (NOT_ON_TRACK in finding_kinds(a)) is fires


def test_not_on_track_needs_an_instrument_with_an_outcome() -> None:
    a = run(make_case(sessions=attended(12), measures=[phq9(day(3), 20)]))
    assert NOT_ON_TRACK not in finding_kinds(a)


def test_a_reliable_rise_on_one_measure_cancels_improvement_on_the_other() -> None:
    a = run(
        make_case(
            sessions=attended(8),
            measures=[phq9(day(70), 20), phq9(day(3), 12), gad7(day(70), 5), gad7(day(3), 9)],
        )
    )
    assert NOT_ON_TRACK in finding_kinds(a)
    assert DETERIORATION in finding_kinds(a)


def test_caseness_from_a_single_gad7_with_a_phq9_outcome() -> None:
    # At caseness: the latest GAD-7 >= 8; the PHQ-9 gives the outcome (no reliable fall).
    a = run(
        make_case(
            sessions=attended(8),
            measures=[phq9(day(70), 9), phq9(day(3), 8), gad7(day(3), 12)],
        )
    )
    assert NOT_ON_TRACK in finding_kinds(a)


@pytest.mark.parametrize(("n", "fires"), [(3, False), (4, True)])
def test_the_session_count_is_a_setting(n: int, fires: bool) -> None:
    a = run(_not_on_track_case(n), settings={"not_on_track_after_sessions": 4})
    assert (NOT_ON_TRACK in finding_kinds(a)) is fires
    assert a["settings"]["not_on_track_after_sessions"] == 4


@pytest.mark.parametrize(
    ("steps", "recommendation"),
    [
        (["supervision"], "consult_first"),
        (["treatment_adjusted"], "consult_first"),
        (["treatment_adjusted", "supervision"], "refer"),
    ],
)
def test_not_on_track_escalates_like_deterioration(steps: list, recommendation: str) -> None:
    a = run(_not_on_track_case(steps_taken=steps))
    f = the_finding(a, NOT_ON_TRACK)
    assert f["recommendation"] == recommendation
    assert a["recommendation"] == recommendation
    if recommendation == "refer":
        assert needs(a)["psychotherapy"]["because"] == NOT_ON_TRACK
        # at caseness and referred: the transfer duties apply
        assert "abandonment_risk" in [c["kind"] for c in a["cautions"]]


# --- goals met -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "fires"),
    [
        (["met"], True),
        (["met", "met"], True),
        (["met", "dropped"], True),
        (["met", "progressing"], False),
        (["met", "not_started"], False),
        (["dropped"], False),
        (["dropped", "dropped"], False),
        ([], False),
    ],
)
def test_goals_met_when_every_goal_not_dropped_is_met(statuses: list, fires: bool) -> None:
    goals = [{"description": f"goal {i}", "status": s} for i, s in enumerate(statuses)]
    a = run(make_case(goals=goals))
    assert (GOALS_MET in finding_kinds(a)) is fires
    if fires:
        f = the_finding(a, GOALS_MET)
        assert a["recommendation"] == "plan_termination"
        assert f["recommendation"] == "plan_termination"
        assert f["severity"] == "info"
        assert cites(f, GOALS_MET)
        assert "goal 0" in evidence_text(f)
        text = actions_text(f)
        assert "ending" in text
        assert "relapse" in text
        assert "door" in text or "come back" in text
        assert a["referral_needs"] == []
    else:
        assert a["recommendation"] == "continue"


def test_goals_without_descriptions_still_count() -> None:
    a = run(make_case(goals=[{"status": "met"}]))
    assert GOALS_MET in finding_kinds(a)


@pytest.mark.parametrize(
    ("first", "latest", "fires"),
    [
        (15, 9, True),  # case at first, below at last, fall of 6
        (14, 9, False),  # recovery but a fall of 5 only
        (16, 10, False),  # fall of 6 but still at caseness
        (9, 2, False),  # fall of 7 but never a case: no recovery
        (24, 0, True),
    ],
)
def test_goals_met_by_reliable_recovery_on_phq9(first: int, latest: int, fires: bool) -> None:
    a = run(make_case(measures=[phq9(day(60), first), phq9(day(3), latest)]))
    assert (GOALS_MET in finding_kinds(a)) is fires
    if fires:
        f = the_finding(a, GOALS_MET)
        assert day(60) in evidence_text(f)
        assert day(3) in evidence_text(f)


@pytest.mark.parametrize(
    ("first", "latest", "fires"), [(11, 7, True), (11, 8, False), (10, 7, False), (7, 3, False)]
)
def test_goals_met_by_reliable_recovery_on_gad7(first: int, latest: int, fires: bool) -> None:
    a = run(make_case(measures=[gad7(day(60), first), gad7(day(3), latest)]))
    assert (GOALS_MET in finding_kinds(a)) is fires


def test_reliable_recovery_needs_every_present_progress_instrument_to_have_two_scores() -> None:
    phq = [phq9(day(60), 18), phq9(day(3), 6)]
    assert GOALS_MET in finding_kinds(run(make_case(measures=phq)))
    one_gad = run(make_case(measures=[*phq, gad7(day(3), 3)]))
    assert GOALS_MET not in finding_kinds(one_gad)
    two_gad = run(make_case(measures=[*phq, gad7(day(60), 5), gad7(day(3), 3)]))
    assert GOALS_MET in finding_kinds(two_gad)


def test_reliable_recovery_needs_every_measure_below_caseness_at_last() -> None:
    a = run(
        make_case(measures=[phq9(day(60), 18), phq9(day(3), 6), gad7(day(60), 9), gad7(day(3), 8)])
    )
    assert GOALS_MET not in finding_kinds(a)


def test_reliable_recovery_fails_on_a_reliable_rise_elsewhere() -> None:
    a = run(
        make_case(measures=[phq9(day(60), 18), phq9(day(3), 6), gad7(day(60), 2), gad7(day(3), 6)])
    )
    assert GOALS_MET not in finding_kinds(a)
    assert DETERIORATION in finding_kinds(a)


def test_recovery_with_one_measure_falling_reliably_and_the_other_steady() -> None:
    a = run(
        make_case(measures=[phq9(day(60), 18), phq9(day(3), 6), gad7(day(60), 5), gad7(day(3), 5)])
    )
    assert GOALS_MET in finding_kinds(a)


def test_pcl5_does_not_count_for_recovery() -> None:
    a = run(make_case(measures=[phq9(day(60), 18), phq9(day(3), 6), pcl5(day(3), 70)]))
    assert GOALS_MET in finding_kinds(a)


def test_recovery_with_a_total_only_phq9() -> None:
    a = run(make_case(measures=[phq9_total(day(60), 18), phq9_total(day(3), 6)]))
    assert GOALS_MET in finding_kinds(a)


def test_goals_met_and_deterioration_together_consult_comes_first() -> None:
    a = run(make_case(goals=[{"status": "met"}], measures=[phq9(day(60), 5), phq9(day(3), 11)]))
    assert finding_kinds(a) == [DETERIORATION, GOALS_MET]
    assert a["recommendation"] == "consult_first"


# --- the client asks to end ----------------------------------------------------------------


def test_client_request_plans_the_ending_without_a_need() -> None:
    a = run(make_case(client={"wants_to_end": True}))
    f = the_finding(a, CLIENT_REQUEST)
    assert a["recommendation"] == "plan_termination"
    assert f["recommendation"] == "plan_termination"
    assert f["severity"] == "info"
    assert cites(f, CLIENT_REQUEST)
    assert "wants_to_end" in evidence_text(f)
    assert "referral option" not in actions_text(f)
    assert a["referral_needs"] == []


def test_wants_to_end_false_yields_nothing() -> None:
    assert finding_kinds(run(make_case(client={"wants_to_end": False}))) == []


@pytest.mark.parametrize(
    ("measures", "at_caseness"),
    [
        ([phq9(day(3), 10)], True),
        ([phq9(day(3), 9)], False),
        ([gad7(day(3), 8)], True),
        ([gad7(day(3), 7)], False),
        ([phq9(day(30), 20), phq9(day(3), 9)], False),  # the latest decides
        ([phq9(day(3), 4), gad7(day(3), 8)], True),
    ],
)
def test_client_request_at_caseness_offers_referral_options(
    measures: list, at_caseness: bool
) -> None:
    a = run(make_case(client={"wants_to_end": True}, measures=measures))
    f = the_finding(a, CLIENT_REQUEST)
    assert ("referral option" in actions_text(f)) is at_caseness
    assert a["referral_needs"] == []
    assert a["recommendation"] == "plan_termination"
