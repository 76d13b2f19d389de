"""Safety rules (decision-rules.md, Safety): suicide risk and its downgrade, threats."""

from __future__ import annotations

import pytest

from ..builders import (
    actions_text,
    cites,
    day,
    event,
    evidence_text,
    finding_kinds,
    make_case,
    measure,
    needs,
    phq9,
    phq9_total,
    run,
    step,
    the_finding,
)

SUICIDE = "safety.suicide_risk"


def suicide(assessment: dict) -> dict:
    return the_finding(assessment, SUICIDE)


# --- triggers: PHQ-9 item 9 ---------------------------------------------------------------


@pytest.mark.parametrize(("item9", "fires"), [(0, False), (1, True), (2, True), (3, True)])
def test_item9_of_the_latest_phq9_at_one_or_more_triggers(item9: int, fires: bool) -> None:
    a = run(make_case(measures=[phq9(day(3), 14, item9=item9)]))
    assert (SUICIDE in finding_kinds(a)) is fires
    if fires:
        f = suicide(a)
        assert a["recommendation"] == "urgent_safety"
        assert f["recommendation"] == "urgent_safety"
        assert f["severity"] == "critical"
        assert cites(f, SUICIDE)
        assert day(3) in evidence_text(f)
        assert f"item 9 = {item9}" in evidence_text(f)


def test_item9_on_a_latest_phq9_however_old_triggers() -> None:
    a = run(make_case(measures=[phq9(day(400), 12, item9=1)]))
    f = suicide(a)
    assert f["recommendation"] == "urgent_safety"
    assert day(400) in evidence_text(f)


def test_an_earlier_phq9_with_item9_does_not_stand_in_for_the_latest() -> None:
    a = run(make_case(measures=[phq9(day(20), 20, item9=3), phq9(day(5), 12, item9=0)]))
    assert SUICIDE not in finding_kinds(a)


def test_a_total_only_latest_phq9_does_not_trigger_and_no_earlier_one_stands_in() -> None:
    a = run(make_case(measures=[phq9(day(20), 20, item9=3), phq9_total(day(5), 20)]))
    assert SUICIDE not in finding_kinds(a)
    assert measure(a, "PHQ-9")["item9"] is None


def test_latest_is_by_date_not_by_file_order() -> None:
    later_with_item9 = phq9(day(2), 12, item9=1)
    earlier_without = phq9(day(30), 12, item9=0)
    a = run(make_case(measures=[later_with_item9, earlier_without]))
    assert SUICIDE in finding_kinds(a)
    assert measure(a, "PHQ-9")["item9"] == 1
    b = run(make_case(measures=[phq9(day(2), 12, item9=0), phq9(day(30), 12, item9=2)]))
    assert SUICIDE not in finding_kinds(b)


def test_phq9s_on_the_same_date_keep_file_order_the_last_listed_is_latest() -> None:
    first, second = phq9(day(4), 12, item9=1), phq9(day(4), 12, item9=0)
    assert SUICIDE not in finding_kinds(run(make_case(measures=[first, second])))
    assert SUICIDE in finding_kinds(run(make_case(measures=[second, first])))


def test_item9_of_another_instrument_never_triggers() -> None:
    gad = {"instrument": "GAD-7", "date": day(2), "items": [3, 3, 3, 3, 3, 3, 3]}
    a = run(make_case(measures=[gad]))
    assert SUICIDE not in finding_kinds(a)


# --- triggers: events and the concern -------------------------------------------------------


@pytest.mark.parametrize("kind", ["suicidal_statement", "self_harm"])
@pytest.mark.parametrize(("days_before", "fires"), [(0, True), (29, True), (30, True), (31, False)])
def test_suicidal_events_trigger_within_the_30_day_window(
    kind: str, days_before: int, fires: bool
) -> None:
    a = run(make_case(events=[event(kind, days_before)]))
    assert (SUICIDE in finding_kinds(a)) is fires
    if fires:
        f = suicide(a)
        assert f["recommendation"] == "urgent_safety"
        assert day(days_before) in evidence_text(f)
        assert kind in evidence_text(f)


@pytest.mark.parametrize(("days_before", "fires"), [(20, True), (21, False)])
def test_the_suicide_event_window_is_a_setting(days_before: int, fires: bool) -> None:
    a = run(
        make_case(events=[event("self_harm", days_before)]),
        settings={"suicide_event_window_days": 20},
    )
    assert (SUICIDE in finding_kinds(a)) is fires
    assert a["settings"]["suicide_event_window_days"] == 20


@pytest.mark.parametrize(
    "kind", ["romantic_advance", "boundary_crossing", "threat_to_others", "threat_to_clinician"]
)
def test_other_events_are_not_suicide_triggers(kind: str) -> None:
    assert SUICIDE not in finding_kinds(run(make_case(events=[event(kind, 1)])))


def test_the_suicidality_concern_triggers_undated() -> None:
    a = run(make_case(concerns=["depression", "suicidality"]))
    f = suicide(a)
    assert f["recommendation"] == "urgent_safety"
    assert "suicidality" in evidence_text(f)


def test_suicidality_is_not_a_competence_matter() -> None:
    a = run(make_case(concerns=["suicidality"]))
    assert finding_kinds(a) == [SUICIDE]


def test_urgent_suicide_risk_actions_and_the_crisis_need() -> None:
    a = run(make_case(events=[event("suicidal_statement", 2)]))
    f = suicide(a)
    text = actions_text(f)
    assert "risk assessment" in text
    assert "c-ssrs" in text
    assert "safety plan" in text
    assert "988" in text
    assert "consult" in text
    assert "document" in text
    assert needs(a) == {
        "crisis": {
            "service": "crisis",
            "urgency": "urgent",
            "because": SUICIDE,
            "adjunct": True,
        }
    }


def test_several_triggers_give_one_finding_quoting_each() -> None:
    a = run(
        make_case(
            concerns=["suicidality"],
            measures=[phq9(day(3), 15, item9=2)],
            events=[event("suicidal_statement", 12), event("self_harm", 20)],
        )
    )
    f = suicide(a)
    text = evidence_text(f)
    for quoted in (day(3), day(12), day(20), "suicidality", "self_harm", "suicidal_statement"):
        assert quoted in text


# --- the downgrade ------------------------------------------------------------------------


def _downgrade_case(trigger_days: int, *steps: object, **more: object) -> dict:
    return make_case(
        events=[event("suicidal_statement", trigger_days)], steps_taken=list(steps), **more
    )


def _is_downgraded(a: dict) -> bool:
    f = suicide(a)
    if f["recommendation"] == "consult_first":
        assert f["severity"] == "warning"
        assert needs(a)["crisis"]["urgency"] == "routine"
        assert needs(a)["crisis"]["adjunct"] is True
        return True
    assert f["recommendation"] == "urgent_safety"
    assert f["severity"] == "critical"
    assert needs(a)["crisis"]["urgency"] == "urgent"
    return False


@pytest.mark.parametrize(("trigger_days", "downgraded"), [(7, False), (8, True), (20, True)])
def test_downgrade_needs_the_newest_trigger_older_than_7_days(
    trigger_days: int, downgraded: bool
) -> None:
    a = run(
        _downgrade_case(
            trigger_days,
            step("risk_assessment", trigger_days),
            step("safety_plan", trigger_days),
        )
    )
    assert _is_downgraded(a) is downgraded
    assert a["recommendation"] == ("consult_first" if downgraded else "urgent_safety")


def test_downgraded_finding_stays_with_monitoring_actions_and_quotes_the_steps() -> None:
    a = run(_downgrade_case(10, step("risk_assessment", 9), step("safety_plan", 8)))
    assert _is_downgraded(a)
    f = suicide(a)
    assert cites(f, SUICIDE)
    assert "monitor" in (f["summary"] + actions_text(f)).lower()
    text = evidence_text(f)
    assert day(10) in text
    assert day(9) in text
    assert day(8) in text


@pytest.mark.parametrize(
    "steps",
    [
        [step("risk_assessment", 8)],
        [step("safety_plan", 8)],
        [step("risk_assessment", 9), step("safety_plan", 8)],  # one step before the trigger
        [step("risk_assessment", 8), step("safety_plan", 30)],
        [step("risk_assessment"), step("safety_plan")],  # undated steps, dated trigger
        [step("risk_assessment", 8), step("safety_plan")],
        [step("supervision", 8), step("safety_plan", 8)],
    ],
)
def test_no_downgrade_without_both_steps_dated_on_or_after_the_trigger(steps: list) -> None:
    a = run(_downgrade_case(8, *steps))
    assert not _is_downgraded(a)


def test_the_most_recent_dated_trigger_is_the_one_steps_must_follow() -> None:
    events = [event("self_harm", 25), event("suicidal_statement", 12)]
    before_newest = make_case(
        events=events, steps_taken=[step("risk_assessment", 20), step("safety_plan", 20)]
    )
    assert not _is_downgraded(run(before_newest))
    after_newest = make_case(
        events=events, steps_taken=[step("risk_assessment", 12), step("safety_plan", 11)]
    )
    assert _is_downgraded(run(after_newest))


def test_item9_date_is_a_dated_trigger_for_the_downgrade() -> None:
    case = make_case(
        measures=[phq9(day(10), 14, item9=1)],
        events=[event("self_harm", 25)],
        steps_taken=[step("risk_assessment", 15), step("safety_plan", 15)],
    )
    assert not _is_downgraded(run(case))
    case["steps_taken"] = [step("risk_assessment", 10), step("safety_plan", 9)]
    assert _is_downgraded(run(case))


def test_newest_trigger_within_7_days_blocks_the_downgrade_even_after_older_steps() -> None:
    case = make_case(
        measures=[phq9(day(3), 14, item9=1)],
        events=[event("self_harm", 25)],
        steps_taken=[step("risk_assessment", 3), step("safety_plan", 3)],
    )
    assert not _is_downgraded(run(case))


@pytest.mark.parametrize(
    "steps",
    [
        [step("risk_assessment"), step("safety_plan")],
        [step("risk_assessment", 300), step("safety_plan", 0)],
        [step("risk_assessment"), step("safety_plan", 1)],
    ],
)
def test_when_every_trigger_is_undated_every_listed_step_counts(steps: list) -> None:
    a = run(make_case(concerns=["suicidality"], steps_taken=steps))
    assert _is_downgraded(a)


def test_undated_trigger_alone_needs_both_steps() -> None:
    a = run(make_case(concerns=["suicidality"], steps_taken=[step("risk_assessment")]))
    assert not _is_downgraded(a)


def test_an_undated_trigger_beside_a_dated_one_uses_the_dated_rules() -> None:
    base = {"concerns": ["suicidality"], "events": [event("suicidal_statement", 15)]}
    undated_steps = make_case(**base, steps_taken=[step("risk_assessment"), step("safety_plan")])
    assert not _is_downgraded(run(undated_steps))
    dated_steps = make_case(
        **base, steps_taken=[step("risk_assessment", 15), step("safety_plan", 14)]
    )
    assert _is_downgraded(run(dated_steps))


@pytest.mark.parametrize(
    "steps",
    [
        [step("risk_assessment", 30), step("risk_assessment", 9), step("safety_plan", 9)],
        [step("risk_assessment", 9), step("risk_assessment", 30), step("safety_plan", 9)],
        [step("risk_assessment"), step("risk_assessment", 9), step("safety_plan", 9)],
        [step("risk_assessment", 9), step("risk_assessment"), step("safety_plan", 9)],
    ],
)
def test_a_repeated_step_keeps_its_latest_date(steps: list) -> None:
    a = run(_downgrade_case(10, *steps))
    assert _is_downgraded(a)


@pytest.mark.parametrize(("trigger_days", "downgraded"), [(10, False), (11, True)])
def test_the_downgrade_age_is_a_setting(trigger_days: int, downgraded: bool) -> None:
    a = run(
        _downgrade_case(
            trigger_days, step("risk_assessment", trigger_days), step("safety_plan", trigger_days)
        ),
        settings={"suicide_downgrade_after_days": 10},
    )
    assert _is_downgraded(a) is downgraded
    assert a["settings"]["suicide_downgrade_after_days"] == 10


def test_an_event_outside_the_window_is_not_a_trigger_for_the_downgrade_either() -> None:
    # The old statement is no trigger; the recent item 9 is the newest (and only dated) one.
    case = make_case(
        measures=[phq9(day(9), 12, item9=1)],
        events=[event("suicidal_statement", 45)],
        steps_taken=[step("risk_assessment", 9), step("safety_plan", 9)],
    )
    f = suicide(run(case))
    assert day(45) not in evidence_text(f)
    assert _is_downgraded(run(case))


# --- threats ------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_before", "fires"), [(0, True), (30, True), (31, False)])
def test_threat_to_others_within_30_days_is_urgent(days_before: int, fires: bool) -> None:
    a = run(make_case(events=[event("threat_to_others", days_before)]))
    kinds = finding_kinds(a)
    assert ("safety.threat_to_others" in kinds) is fires
    if not fires:
        assert kinds == []
        assert a["recommendation"] == "continue"
        return
    f = the_finding(a, "safety.threat_to_others")
    assert a["recommendation"] == "urgent_safety"
    assert f["severity"] == "critical"
    assert cites(f, "safety.threat_to_others")
    assert day(days_before) in evidence_text(f)
    text = actions_text(f)
    assert "duty to warn" in text or "duty-to-warn" in text
    assert "victim" in text
    assert "document" in text
    # It does not by itself end therapy: no transfer need.
    assert a["referral_needs"] == []


@pytest.mark.parametrize(("days_before", "fires"), [(20, True), (21, False)])
def test_the_threat_window_is_a_setting(days_before: int, fires: bool) -> None:
    a = run(
        make_case(events=[event("threat_to_others", days_before)]),
        settings={"threat_window_days": 20},
    )
    assert ("safety.threat_to_others" in finding_kinds(a)) is fires


@pytest.mark.parametrize("days_before", [0, 31, 400])
def test_threat_to_clinician_however_old_recommends_refer(days_before: int) -> None:
    a = run(make_case(events=[event("threat_to_clinician", days_before)]))
    f = the_finding(a, "safety.threat_to_clinician")
    assert a["recommendation"] == "refer"
    assert f["recommendation"] == "refer"
    assert f["severity"] == "warning"
    assert cites(f, "safety.threat_to_clinician")
    assert day(days_before) in evidence_text(f)
    assert "safety" in actions_text(f)
    assert "pretermination" in actions_text(f)
    assert needs(a) == {
        "psychotherapy": {
            "service": "psychotherapy",
            "urgency": "routine",
            "because": "safety.threat_to_clinician",
            "adjunct": False,
        }
    }
    # A safety finding and a referral: the transfer duties apply.
    assert "abandonment_risk" in [c["kind"] for c in a["cautions"]]


def test_threat_to_clinician_carries_the_transfer_needs() -> None:
    a = run(
        make_case(
            client={"age": 15},
            concerns=["borderline_personality", "ocd"],
            clinician={"competencies": ["dbt", "erp", "adolescents", "cbt"]},
            events=[event("threat_to_clinician", 90)],
        )
    )
    got = needs(a)
    assert set(got) == {"psychotherapy", "dbt", "erp", "adolescents"}
    assert got["dbt"]["because"] == "borderline_personality"
    assert got["erp"]["because"] == "ocd"
    assert got["adolescents"]["because"] == "safety.threat_to_clinician"
    assert all(n["adjunct"] is False for n in got.values())


def test_safety_findings_come_first_and_suicide_risk_outranks_a_threat_to_clinician() -> None:
    a = run(
        make_case(
            concerns=["suicidality"],
            events=[event("threat_to_clinician", 50), event("threat_to_others", 2)],
        )
    )
    assert a["recommendation"] == "urgent_safety"
    assert finding_kinds(a)[:2] == [SUICIDE, "safety.threat_to_others"]
    assert finding_kinds(a)[2] == "safety.threat_to_clinician"
    got = needs(a)
    assert got["crisis"]["urgency"] == "urgent"
    assert got["psychotherapy"]["adjunct"] is False


@pytest.mark.parametrize(("days_before", "fires"), [(0, True), (14, True), (15, False)])
def test_the_window_at_its_floor_holds_the_last_fourteen_days(
    days_before: int, fires: bool
) -> None:
    a = run(
        make_case(events=[event("suicidal_statement", days_before)]),
        settings={"suicide_event_window_days": 14},
    )
    assert (SUICIDE in finding_kinds(a)) is fires


def test_crisis_need_is_because_of_the_suicidality_concern_when_it_caused_it() -> None:
    with_concern = run(make_case(concerns=["depression", "suicidality"]))
    assert needs(with_concern)["crisis"]["because"] == "suicidality"
    item9_only = run(make_case(measures=[phq9(day(3), 12, item9=1)]))
    assert needs(item9_only)["crisis"]["because"] == SUICIDE


# --- the steps taken, acknowledged before the downgrade -------------------------------------


def test_steps_taken_the_same_day_are_named_and_the_actions_turn_to_what_comes_next() -> None:
    """A PHQ-9 with item 9 = 2, a risk assessment and a safety plan the same day: still
    urgent (the rules say so for 7 days), but the finding says what was done, what comes
    next and until when it stays urgent."""
    a = run(
        make_case(
            measures=[phq9(day(2), 16, item9=2)],
            steps_taken=[step("risk_assessment", 2), step("safety_plan", 2)],
        )
    )
    f = suicide(a)
    assert a["recommendation"] == "urgent_safety"
    assert f["severity"] == "critical"
    assert f"steps_taken: risk_assessment ({day(2)})" in f["evidence"]
    assert f"steps_taken: safety_plan ({day(2)})" in f["evidence"]
    assert "assess the risk and make a safety plan now" not in f["summary"]
    until = day(2 - 7)  # seven days after the trigger, inclusive
    assert until in f["summary"]
    actions = actions_text(f)  # lower-case
    assert "keep the safety plan active" in actions
    assert "check in with the client within the next few days" in actions
    assert "reassess the risk at the next contact" in actions
    assert f"this stays urgent until {until}" in actions
    assert needs(a)["crisis"]["urgency"] == "urgent"


def test_one_step_alone_is_not_acknowledged() -> None:
    a = run(
        make_case(
            measures=[phq9(day(2), 16, item9=2)],
            steps_taken=[step("risk_assessment", 2)],
        )
    )
    f = suicide(a)
    assert f["summary"] == "Signs of suicide risk: assess the risk and make a safety plan now."


def test_steps_before_the_latest_trigger_do_not_count() -> None:
    a = run(
        make_case(
            measures=[phq9(day(2), 16, item9=2)],
            steps_taken=[step("risk_assessment", 5), step("safety_plan", 5)],
        )
    )
    assert "keep the safety plan active" not in actions_text(suicide(a))


@pytest.mark.parametrize(("back", "recommendation"), [(7, "urgent_safety"), (8, "consult_first")])
def test_it_stays_urgent_until_the_day_it_says_then_turns_to_consulting(
    back: int, recommendation: str
) -> None:
    a = run(
        make_case(
            measures=[phq9(day(back), 16, item9=2)],
            steps_taken=[step("risk_assessment", back), step("safety_plan", back)],
        )
    )
    assert suicide(a)["recommendation"] == recommendation
