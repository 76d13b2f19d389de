"""Small builders for hand-written cases: a base case plus overrides, and readers of the result.

Every case is as of AS_OF; `day(n)` is the date n days before it, so a window edge
reads as `day(30)` (inside a 30-day window) and `day(31)` (outside).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from referwell import assess

AS_OF = "2026-11-20"
AS_OF_DATE = date.fromisoformat(AS_OF)

BASE_CASE: dict[str, Any] = {
    "format": "referwell.case/1",
    "id": "t-case",
    "as_of": AS_OF,
    "clinician": {"competencies": ["cbt", "depression", "anxiety", "adults"]},
    "client": {"age": 34},
    "concerns": ["depression"],
}

# The citation table of decision-rules.md, typed out again here (not imported from the
# engine) so a citation dropped from the engine's table fails a test.
ACA = "ACA Code of Ethics 2014"
APA = "APA Ethics Code"
NASW = "NASW Code of Ethics"
CITATION_TABLE: dict[str, list[tuple[str, str]]] = {
    "safety.suicide_risk": [(ACA, "B.2.a"), ("Simon et al. 2013", "PHQ-9 item 9")],
    "safety.threat_to_others": [("Tarasoff v. Regents 1976", "17 Cal.3d 425"), (ACA, "B.2.a")],
    "safety.threat_to_clinician": [(ACA, "A.11.c"), (APA, "10.10(b)")],
    "competence.specialized_condition": [
        (ACA, "A.11.a"),
        (ACA, "C.2.a"),
        (APA, "2.01(a)"),
        (NASW, "1.16(a)"),
    ],
    "competence.population": [(ACA, "C.2.a"), (APA, "2.01(b)")],
    "competence.in_training": [(ACA, "C.2.b"), (APA, "2.01(c)")],
    "medical.unevaluated_symptoms": [(ACA, "A.1.a"), (NASW, "1.16(a)")],
    "medical.adjunct_care": [(ACA, "A.1.a"), (NASW, "1.16(a)")],
    "progress.not_on_track": [
        (ACA, "C.2.d"),
        (ACA, "A.11.c"),
        ("Shimokawa et al. 2010", "routine outcome monitoring"),
    ],
    "progress.deterioration": [
        (ACA, "A.11.c"),
        (APA, "10.10(a)"),
        ("Shimokawa et al. 2010", "routine outcome monitoring"),
    ],
    "progress.goals_met": [(ACA, "A.11.c"), (APA, "10.10(a)")],
    "progress.client_request": [(ACA, "A.2.b"), (NASW, "1.17(b)")],
    "engagement.attendance": [(ACA, "A.1.c")],
    "engagement.participation": [(ACA, "A.1.c")],
    "relationship.romantic_advances": [(ACA, "A.5.a"), (APA, "10.05")],
    "relationship.boundary_crossing": [(ACA, "A.6"), (APA, "3.05")],
    "clinician.values_conflict": [(ACA, "A.4.b"), (ACA, "A.11.b")],
    "clinician.cultural_unfamiliarity": [(ACA, "C.2.a"), (APA, "2.01(b)")],
    "clinician.dislike": [(APA, "2.06(b)"), ("Baker 2009", "Monitor on Psychology 40(2)")],
    "clinician.countertransference": [(ACA, "C.2.g"), (APA, "2.06(b)")],
    "clinician.burnout": [(ACA, "C.2.g"), (APA, "2.06(b)")],
    "clinician.impairment": [(ACA, "C.2.g"), (APA, "2.06(b)")],
    "ethics.financial_conflict": [
        (ACA, "A.10.b"),
        (APA, "6.07"),
        (NASW, "1.16(c)"),
        ("C.R.S.", "12-245-224"),
    ],
    "caution:reason.personal_values": [(ACA, "A.11.b")],
    "caution:reason.cultural_unfamiliarity": [(APA, "2.01(b)"), (ACA, "C.2.a")],
    "caution:reason.dislike": [("Baker 2009", "Monitor on Psychology 40(2)")],
    "caution:alternatives_not_tried": [(ACA, "A.11.b"), (APA, "2.06(b)")],
    "caution:financial_conflict": [(ACA, "A.10.b")],
    "caution:abandonment_risk": [
        (ACA, "A.11.c"),
        (ACA, "A.12"),
        (APA, "10.10(c)"),
        (NASW, "1.17(b)"),
    ],
}

RECOMMENDATION_ORDER = (
    "urgent_safety",
    "refer",
    "refer_adjunct",
    "consult_first",
    "plan_termination",
    "continue",
)


def day(days_before: int) -> str:
    """The date `days_before` days before AS_OF, as YYYY-MM-DD."""
    return (AS_OF_DATE - timedelta(days=days_before)).isoformat()


def make_case(**overrides: Any) -> dict[str, Any]:
    """BASE_CASE with overrides: `client` and `clinician` merge into the base, the rest replace.

    A value of None removes the key.
    """
    case = copy.deepcopy(BASE_CASE)
    for key, value in overrides.items():
        if key in ("client", "clinician") and isinstance(value, Mapping):
            merged = {**case[key], **copy.deepcopy(dict(value))}
            case[key] = {k: v for k, v in merged.items() if v is not None}
        elif value is None:
            case.pop(key, None)
        else:
            case[key] = copy.deepcopy(value)
    return case


def spread(total: int, count: int, top: int) -> list[int]:
    """`count` item scores from 0 to `top` that add up to `total` (front-loaded)."""
    if not 0 <= total <= count * top:
        raise ValueError(f"cannot spread {total} over {count} items of 0-{top}")
    items = []
    left = total
    for _ in range(count):
        take = min(top, left)
        items.append(take)
        left -= take
    return items


def phq9(when: str, total: int, item9: int = 0) -> dict[str, Any]:
    """A PHQ-9 given as items, adding up to `total`, with item 9 as given."""
    return {"instrument": "PHQ-9", "date": when, "items": [*spread(total - item9, 8, 3), item9]}


def phq9_total(when: str, total: int) -> dict[str, Any]:
    return {"instrument": "PHQ-9", "date": when, "total": total}


def gad7(when: str, total: int) -> dict[str, Any]:
    return {"instrument": "GAD-7", "date": when, "items": spread(total, 7, 3)}


def phq15(when: str, total: int) -> dict[str, Any]:
    return {"instrument": "PHQ-15", "date": when, "items": spread(total, 15, 2)}


def pcl5(when: str, total: int) -> dict[str, Any]:
    return {"instrument": "PCL-5", "date": when, "items": spread(total, 20, 4)}


def sessions(*attendance: str, last: int = 0, every: int = 7) -> list[dict[str, str]]:
    """Sessions in date order, the last `last` days before AS_OF, one every `every` days."""
    n = len(attendance)
    return [
        {"date": day(last + every * (n - 1 - i)), "attendance": a} for i, a in enumerate(attendance)
    ]


def attended(n: int, last: int = 0) -> list[dict[str, str]]:
    return sessions(*(["attended"] * n), last=last)


def event(kind: str, days_before: int, *, discussed: bool | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"date": day(days_before), "kind": kind}
    if discussed is not None:
        out["discussed"] = discussed
    return out


def step(code: str, days_before: int | None = None) -> str | dict[str, str]:
    return code if days_before is None else {"step": code, "date": day(days_before)}


def run(case: Mapping[str, Any], settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The assessment object for a case given as decoded data."""
    return assess(dict(case), settings=settings)


def finding_kinds(assessment: Mapping[str, Any]) -> list[str]:
    return [f["kind"] for f in assessment["findings"]]


def caution_kinds(assessment: Mapping[str, Any]) -> list[str]:
    return [c["kind"] for c in assessment["cautions"]]


def findings_of(assessment: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in assessment["findings"] if f["kind"] == kind]


def the_finding(assessment: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """The one finding of `kind`; fails when there is none or several."""
    found = findings_of(assessment, kind)
    assert len(found) == 1, f"expected one {kind} finding; got {finding_kinds(assessment)}"
    return found[0]


def the_caution(assessment: Mapping[str, Any], kind: str) -> dict[str, Any]:
    found = [c for c in assessment["cautions"] if c["kind"] == kind]
    assert len(found) == 1, f"expected one {kind} caution; got {caution_kinds(assessment)}"
    return found[0]


def needs(assessment: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """referral_needs by service (and a check that each service appears once)."""
    listed = [n["service"] for n in assessment["referral_needs"]]
    assert len(listed) == len(set(listed)), f"a service listed twice: {listed}"
    return {n["service"]: n for n in assessment["referral_needs"]}


def measure(assessment: Mapping[str, Any], instrument: str) -> dict[str, Any]:
    found = [m for m in assessment["measures"] if m["instrument"] == instrument]
    assert len(found) == 1, f"expected one {instrument} entry; got {assessment['measures']}"
    return found[0]


def evidence_text(item: Mapping[str, Any]) -> str:
    return "\n".join(item.get("evidence", []))


def actions_text(item: Mapping[str, Any]) -> str:
    return "\n".join(item["actions"]).lower()


def cites(item: Mapping[str, Any], kind: str) -> bool:
    """Whether a finding or caution carries every citation the table requires for `kind`."""
    given = {(c["source"], c["section"]) for c in item["citations"]}
    return set(CITATION_TABLE[kind]) <= given
