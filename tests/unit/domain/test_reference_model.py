"""The engine against a second reading of decision-rules.md (`reference.py`), over drawn cases.

Findings are compared as a multiset of (kind, recommendation, severity); needs service by
service, `because` included (the reading takes findings in the rules' section order within
one recommendation, safety first).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referwell import assess
from referwell.domain.settings import RuleSettings

from ..strategies import cases
from .reference import read

SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        # From the safety floors up: no setting goes below them.
        "suicide_event_window_days": st.integers(14, 40),
        "suicide_downgrade_after_days": st.integers(7, 20),
        "threat_window_days": st.integers(14, 40),
        "not_on_track_after_sessions": st.integers(1, 12),
        "attendance_window": st.integers(1, 12),
        "attendance_missed_threshold": st.integers(1, 4),
        "attendance_late_threshold": st.integers(1, 4),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), SETTINGS)
def test_the_engine_agrees_with_a_second_reading_of_the_rules(
    drawn: tuple[dict[str, Any], date], custom: dict[str, int]
) -> None:
    case, today = drawn
    engine = assess(case, settings=custom, today=today)
    reading = read(case, today, RuleSettings().as_dict() | custom)

    assert engine["recommendation"] == reading.recommendation
    assert Counter(
        (f["kind"], f["recommendation"], f["severity"]) for f in engine["findings"]
    ) == Counter((f.kind, f.recommendation, f.severity) for f in reading.findings)
    assert sorted(c["kind"] for c in engine["cautions"]) == sorted(reading.cautions)
    got = {n["service"]: n for n in engine["referral_needs"]}
    assert set(got) == set(reading.needs)
    for service, need in reading.needs.items():
        assert got[service]["urgency"] == need["urgency"], service
        assert got[service]["adjunct"] == need["adjunct"], service
        assert got[service]["because"] == need["because"], service
