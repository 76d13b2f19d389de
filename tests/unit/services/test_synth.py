"""Synthetic practices: valid, canonical, realistic in their shares, complete, reproducible."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from collections import Counter
from datetime import date
from functools import cache
from typing import Any

import pytest

from referwell.domain import vocabulary as v
from referwell.domain.assessment import assess_case
from referwell.domain.canonical import canonical_case
from referwell.domain.caseformat import parse_case
from referwell.services.synthetic.names import COVERAGE, FIRST_NAMES, LAST_NAMES
from referwell.services.synthetic.practice import SynthError, synth_practice, write_jsonl

AS_OF = date(2026, 11, 20)


@cache
def practice_cases(clients: int, seed: int = 11) -> list[dict[str, Any]]:
    return list(synth_practice(clients, seed, as_of=AS_OF).cases())


def test_every_case_validates_and_is_already_canonical() -> None:
    for case in practice_cases(2000):
        parsed = parse_case(case)
        assert parsed.as_of == AS_OF
        assert canonical_case(case) == case, case["id"]


def test_shares_follow_the_measures_document() -> None:
    """About 20 % drop out, 5-10 % reliably deteriorate, improvers outnumber the rest."""
    cases = practice_cases(5000)
    deteriorated = improved = dropped_out = item9 = 0
    for case in cases:
        assessment = assess_case(parse_case(case)).as_dict()
        progress = [m for m in assessment["measures"] if m["instrument"] in ("PHQ-9", "GAD-7")]
        if any(m["reliable_deterioration"] for m in progress):
            deteriorated += 1
        elif any(m["reliable_improvement"] for m in progress):
            improved += 1
        sessions = case.get("sessions", [])
        # A dropout: the last scheduled sessions missed, and nothing for weeks since.
        if (
            sessions
            and sessions[-1]["attendance"] in ("no_show", "late_cancel")
            and (AS_OF - date.fromisoformat(sessions[-1]["date"])).days > 14
        ):
            dropped_out += 1
        if any(m["instrument"] == "PHQ-9" and m["items"][8] > 0 for m in case.get("measures", [])):
            item9 += 1
    count = len(cases)
    assert 0.05 <= deteriorated / count <= 0.10
    assert 0.15 <= dropped_out / count <= 0.25
    assert improved > 3 * deteriorated
    assert 0.02 <= item9 / count <= 0.15


def test_about_twenty_questionnaires_and_sessions_a_client() -> None:
    cases = practice_cases(5000)
    measures = sum(len(case.get("measures", [])) for case in cases) / len(cases)
    sessions = sum(len(case.get("sessions", [])) for case in cases) / len(cases)
    assert 17 <= measures <= 23
    assert 17 <= sessions <= 23


def test_attendance_patterns_and_every_recommendation_appear() -> None:
    cases = practice_cases(2000)
    attendance = Counter(s["attendance"] for case in cases for s in case.get("sessions", []))
    assert set(attendance) == set(v.ATTENDANCE)
    assert attendance["attended"] > 0.7 * sum(attendance.values())
    recommendations = Counter(assess_case(parse_case(c)).recommendation for c in cases)
    assert set(recommendations) == set(v.RECOMMENDATIONS)


@pytest.mark.parametrize("clients", [len(COVERAGE), 100, 1000])
def test_every_code_appears_somewhere(clients: int) -> None:
    cases = practice_cases(clients)
    seen: dict[str, set[str]] = {
        "events": {e["kind"] for c in cases for e in c.get("events", [])},
        "factors": {f for c in cases for f in c.get("clinician_factors", [])},
        "reasons": {r for c in cases for r in c.get("considering_referral_because", [])},
        "concerns": {k for c in cases for k in c["concerns"]},
        "finance": {a["kind"] for c in cases for a in c.get("financial_arrangements", [])},
        "formats": {c.get("format_of_care", "individual") for c in cases},
        "goals": {g["status"] for c in cases for g in c.get("goals", [])},
        "engagement": {c["client"].get("engagement", "active") for c in cases},
    }
    assert seen["events"] == set(v.EVENT_KINDS)
    assert seen["factors"] == set(v.CLINICIAN_FACTORS)
    assert seen["reasons"] == set(v.REASONS)
    assert set(v.SPECIALIZED_CONDITIONS) | {"suicidality"} <= seen["concerns"]
    assert seen["finance"] == set(v.FINANCIAL_KINDS)
    assert seen["formats"] == set(v.FORMATS_OF_CARE)
    assert seen["goals"] == set(v.GOAL_STATUSES)
    assert seen["engagement"] == set(v.ENGAGEMENT)
    ages = [c["client"]["age"] for c in cases]
    assert min(ages) < 13
    assert any(13 <= age <= 17 for age in ages)
    assert max(ages) >= 65
    assert any(not s["medically_evaluated"] for c in cases for s in c.get("physical_symptoms", []))
    assert any(
        m["items"][8] > 0
        for c in cases
        for m in c.get("measures", [])
        if m["instrument"] == "PHQ-9"
    )


def test_prohibited_arrangements_are_rare() -> None:
    cases = practice_cases(5000)
    prohibited = sum(
        1
        for case in cases
        if any(
            a["kind"] in v.PROHIBITED_FINANCIAL_KINDS
            for a in case.get("financial_arrangements", [])
        )
    )
    assert 4 <= prohibited <= 0.01 * len(cases)


def test_names_and_contacts_are_invented() -> None:
    practice = synth_practice(300, 5, as_of=AS_OF)
    for client in practice.clients():
        first, last = client.display_name.split(" ")
        assert first in FIRST_NAMES
        assert last in LAST_NAMES
        assert client.email.endswith("@example.org")
        assert "555-01" in client.phone
    for member in practice.staff:
        assert member.username.startswith("s5-")


def _jsonl(clients: int, seed: int, **options: Any) -> bytes:
    stream = io.StringIO()
    write_jsonl(synth_practice(clients, seed, as_of=AS_OF, **options), stream)
    return stream.getvalue().encode()


def test_same_seed_same_bytes_and_another_seed_other_data() -> None:
    assert _jsonl(300, 1) == _jsonl(300, 1)
    assert _jsonl(300, 1) != _jsonl(300, 2)
    lines = _jsonl(300, 1).decode().splitlines()
    assert len(lines) == 300
    assert json.loads(lines[0])["id"] == "s1-000001"


def test_same_seed_same_bytes_whatever_the_hash_seed() -> None:
    """Nothing depends on set or dict order that changes with PYTHONHASHSEED."""
    code = (
        "import sys, datetime; from referwell.services.synthetic.practice import synth_practice, write_jsonl;"
        "write_jsonl(synth_practice(400, 9, as_of=datetime.date(2026, 11, 20)), sys.stdout)"
    )
    digests = {
        hashlib.sha256(
            subprocess.run(
                [sys.executable, "-c", code],
                env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"},
                capture_output=True,
                check=True,
            ).stdout
        ).hexdigest()
        for hash_seed in ("0", "1", "4242")
    }
    assert len(digests) == 1


def test_clinicians_default_to_one_per_thirty_clients_with_supervisors_and_an_admin() -> None:
    practice = synth_practice(100, 3, as_of=AS_OF)
    roles = Counter(member.role for member in practice.staff)
    assert roles == {"clinician": 4, "supervisor": 1, "admin": 1}
    assert any(member.in_training for member in practice.staff)
    supervisors = {m.username for m in practice.staff if m.role == "supervisor"}
    assert all(m.supervisor in supervisors for m in practice.staff if m.role == "clinician")


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"clients": 0, "seed": 1}, "clients"),
        ({"clients": 5, "seed": -1}, "seed"),
        ({"clients": 5, "seed": 1, "clinicians": 0}, "clinicians"),
    ],
)
def test_bad_sizes_are_refused_naming_the_option(options: dict[str, Any], field: str) -> None:
    with pytest.raises(SynthError) as raised:
        synth_practice(**options)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"--{field}:")
