"""A second, independent reading of decision-rules.md, written from the text alone.

It decides the finding kinds with their recommendations and severities, the caution kinds and
the merged referral needs, straight from a decoded (valid) case. The property tests compare it
with the engine over drawn cases: where they differ, one of them misreads the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

ORDER = ("urgent_safety", "refer", "refer_adjunct", "consult_first", "plan_termination", "continue")
ROWS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "borderline_personality": (("dbt", "mbt", "tfp", "schema_therapy"), ("dbt",), ()),
    "psychosis": (("psychosis",), ("coordinated_specialty_care", "psychiatry"), ("psychiatry",)),
    "bipolar": (("bipolar",), ("psychiatry",), ("psychiatry",)),
    "dissociative": (("dissociative",), ("dissociative",), ()),
    "eating_disorder": (
        ("eating_disorders", "family_based_treatment"),
        ("eating_disorders",),
        ("primary_care",),
    ),
    "substance_use": (("addiction",), ("addiction",), ()),
    "trauma_ptsd": (("trauma_focused", "cpt", "pe", "emdr"), ("trauma_focused",), ()),
    "ocd": (("erp",), ("erp",), ()),
}
CUTOFF = {"PHQ-9": 10, "GAD-7": 8}
RELIABLE = {"PHQ-9": 6, "GAD-7": 4}
CLINICIAN = (
    # kind, factor, reason, caution
    ("clinician.values_conflict", "values_conflict", "personal_values", "reason.personal_values"),
    (
        "clinician.cultural_unfamiliarity",
        "cultural_unfamiliarity",
        "cultural_unfamiliarity",
        "reason.cultural_unfamiliarity",
    ),
    ("clinician.dislike", "strong_dislike", "dislike", "reason.dislike"),
    ("clinician.countertransference", "similar_personal_issue", "countertransference", None),
    ("clinician.burnout", "burnout", None, None),
)
ALTERNATIVE_REASONS = {
    "personal_values", "cultural_unfamiliarity", "dislike", "not_benefiting", "attendance",
    "boundary", "countertransference", "impairment",
}  # fmt: skip
ALTERNATIVES = ("supervision", "consultation", "personal_therapy")
PROHIBITED = {"referral_fee", "fee_split", "gift_of_value", "exclusive_reciprocal"}


@dataclass
class Found:
    kind: str
    recommendation: str
    severity: str = ""
    needs: list[tuple[str, str, str, bool]] = field(
        default_factory=list
    )  # service, because, urgency, adjunct


@dataclass
class Reading:
    recommendation: str
    findings: list[Found]
    cautions: list[str]
    needs: dict[str, dict[str, Any]]


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _severity(kind: str, recommendation: str) -> str:
    if recommendation == "urgent_safety" or kind == "ethics.financial_conflict":
        return "critical"
    if recommendation in ("continue", "plan_termination"):
        return "info"
    return "warning"


def read(case: dict[str, Any], today: date, settings: dict[str, int]) -> Reading:
    s = settings
    as_of = _d(case["as_of"]) if "as_of" in case else today
    client = case["client"]
    concerns = list(dict.fromkeys(case["concerns"]))
    competencies = set(case["clinician"]["competencies"])
    in_training = set(case["clinician"].get("in_training", []))
    current_care = set(client.get("current_care", []))
    reasons = list(dict.fromkeys(case.get("considering_referral_because", [])))
    factors = set(case.get("clinician_factors", []))
    steps: dict[str, date | None] = {}
    for entry in case.get("steps_taken", []):
        code, when = (entry, None) if isinstance(entry, str) else (entry["step"], _d(entry["date"]))
        known = steps.get(code)
        steps[code] = max(known, when) if known and when else (when or known)
    measures = sorted(case.get("measures", []), key=lambda m: _d(m["date"]))
    sessions = sorted(case.get("sessions", []), key=lambda x: _d(x["date"]))
    events = sorted(case.get("events", []), key=lambda e: _d(e["date"]))

    def total(m: dict[str, Any]) -> int:
        return sum(m["items"]) if "items" in m else m["total"]

    scores: dict[str, list[dict[str, Any]]] = {}
    for m in measures:
        scores.setdefault(m["instrument"], []).append(m)
    courses = {
        code: (total(scores[code][0]), total(scores[code][-1]))
        for code in ("PHQ-9", "GAD-7")
        if len(scores.get(code, [])) >= 2
    }
    at_caseness = any(
        total(scores[code][-1]) >= CUTOFF[code] for code in ("PHQ-9", "GAD-7") if code in scores
    )
    falls = [c for c, (a, b) in courses.items() if a - b >= RELIABLE[c]]
    rises = [c for c, (a, b) in courses.items() if b - a >= RELIABLE[c]]
    improvement = bool(falls) and not rises
    recovery = any(a >= CUTOFF[c] for c, (a, _) in courses.items()) and all(
        b < CUTOFF[c] for c, (_, b) in courses.items()
    )
    population = []
    if client["age"] < 13:
        population.append("children")
    elif client["age"] < 18:
        population.append("adolescents")
    fmt = case.get("format_of_care", "individual")
    if fmt == "couple":
        population.append("couples")
    elif fmt == "family":
        population.append("family")

    def transfer(kind: str) -> list[tuple[str, str, str, bool]]:
        out = [("psychotherapy", kind, "routine", False)]
        for concern in concerns:
            if concern in ROWS:
                out += [(n, concern, "routine", False) for n in ROWS[concern][1]]
        out += [(p, kind, "routine", False) for p in population]
        return out

    found: list[Found] = []

    # Safety
    triggers: list[date | None] = []
    if "PHQ-9" in scores:
        latest = scores["PHQ-9"][-1]
        if "items" in latest and latest["items"][8] >= 1:
            triggers.append(_d(latest["date"]))
    for e in events:
        recent = (as_of - _d(e["date"])).days <= s["suicide_event_window_days"]
        if e["kind"] in ("suicidal_statement", "self_harm") and recent:
            triggers.append(_d(e["date"]))
    if "suicidality" in concerns:
        triggers.append(None)
    if triggers:
        dated = [t for t in triggers if t is not None]
        newest = max(dated) if dated else None

        def after(code: str) -> bool:
            if code not in steps:
                return False
            if newest is None:
                return True
            when = steps[code]
            return when is not None and when >= newest

        down = (
            after("risk_assessment")
            and after("safety_plan")
            and (newest is None or (as_of - newest).days > s["suicide_downgrade_after_days"])
        )
        rec = "consult_first" if down else "urgent_safety"
        found.append(
            Found(
                "safety.suicide_risk",
                rec,
                "warning" if down else "critical",
                [
                    (
                        "crisis",
                        # the concern code where one caused the need, else the finding kind
                        "suicidality" if "suicidality" in concerns else "safety.suicide_risk",
                        "routine" if down else "urgent",
                        True,
                    )
                ],
            )
        )
    if any(
        e["kind"] == "threat_to_others" and (as_of - _d(e["date"])).days <= s["threat_window_days"]
        for e in events
    ):
        found.append(Found("safety.threat_to_others", "urgent_safety"))
    if any(e["kind"] == "threat_to_clinician" for e in events):
        found.append(
            Found(
                "safety.threat_to_clinician", "refer", needs=transfer("safety.threat_to_clinician")
            )
        )

    # Competence
    for concern in concerns:
        if concern not in ROWS:
            continue
        competent_with, need, _ = ROWS[concern]
        if competencies & set(competent_with):
            continue
        if in_training & set(competent_with):
            found.append(Found("competence.in_training", "continue"))
        else:
            found.append(
                Found(
                    "competence.specialized_condition",
                    "refer",
                    needs=[(n, concern, "routine", False) for n in need],
                )
            )
    for code in population:
        if code in competencies:
            continue
        if code in in_training:
            found.append(Found("competence.in_training", "continue"))
        else:
            found.append(
                Found(
                    "competence.population",
                    "refer",
                    needs=[(code, "competence.population", "routine", False)],
                )
            )
    for concern in concerns:
        if concern == "neurocognitive":
            adjuncts: tuple[str, ...] = ("neuropsychology", "primary_care")
        elif concern in ROWS:
            adjuncts = ROWS[concern][2]
        else:
            continue
        missing = [a for a in adjuncts if a not in current_care]
        if missing:
            found.append(
                Found(
                    "medical.adjunct_care",
                    "refer_adjunct",
                    needs=[(a, concern, "routine", True) for a in missing],
                )
            )

    # Medical
    if any(not p["medically_evaluated"] for p in case.get("physical_symptoms", [])):
        found.append(
            Found(
                "medical.unevaluated_symptoms",
                "refer_adjunct",
                needs=[("primary_care", "medical.unevaluated_symptoms", "routine", True)],
            )
        )

    # Progress
    escalate = "treatment_adjusted" in steps and "supervision" in steps
    if rises:
        kind = "progress.deterioration"
        found.append(
            Found(kind, "refer", needs=transfer(kind)) if escalate else Found(kind, "consult_first")
        )
    attended = sum(1 for x in sessions if x["attendance"] in ("attended", "late"))
    if attended >= s["not_on_track_after_sessions"] and courses and at_caseness and not improvement:
        kind = "progress.not_on_track"
        found.append(
            Found(kind, "refer", needs=transfer(kind)) if escalate else Found(kind, "consult_first")
        )
    goals = [g for g in case.get("goals", []) if g["status"] != "dropped"]
    present = [c for c in ("PHQ-9", "GAD-7") if c in scores]
    by_goals = bool(goals) and all(g["status"] == "met" for g in goals)
    by_recovery = bool(present) and all(c in courses for c in present) and recovery and improvement
    if by_goals or by_recovery:
        found.append(Found("progress.goals_met", "plan_termination"))
    if client.get("wants_to_end", False):
        found.append(Found("progress.client_request", "plan_termination"))

    # Engagement
    window = sessions[-s["attendance_window"] :]
    missed = sum(1 for x in window if x["attendance"] in ("no_show", "late_cancel"))
    late = sum(1 for x in window if x["attendance"] == "late")
    if missed >= s["attendance_missed_threshold"] or late >= s["attendance_late_threshold"]:
        found.append(Found("engagement.attendance", "consult_first"))
    if client.get("engagement", "active") in ("low", "refuses_discussion"):
        found.append(Found("engagement.participation", "consult_first"))

    # The relationship
    advances = [e for e in events if e["kind"] == "romantic_advance"]
    if advances:
        persist = len(advances) >= 2 and (
            any(e.get("discussed", False) for e in advances[:-1]) or "boundary_discussion" in steps
        )
        kind = "relationship.romantic_advances"
        if not persist:
            found.append(Found(kind, "continue"))
        elif "supervision" in steps:
            found.append(Found(kind, "refer", needs=transfer(kind)))
        else:
            found.append(Found(kind, "consult_first"))
    if any(e["kind"] == "boundary_crossing" for e in events):
        found.append(Found("relationship.boundary_crossing", "consult_first"))

    # The clinician
    cautions: list[str] = []
    for kind, factor, reason, caution in CLINICIAN:
        if factor in factors or (reason is not None and reason in reasons):
            found.append(Found(kind, "consult_first"))
            if caution is not None and reason in reasons:
                cautions.append(caution)
    if "impairment" in factors or "impairment" in reasons:
        kind = "clinician.impairment"
        if any(a in steps for a in ALTERNATIVES):
            found.append(Found(kind, "refer", needs=transfer(kind)))
        else:
            found.append(Found(kind, "consult_first"))

    # Ethics
    if any(f["kind"] in PROHIBITED for f in case.get("financial_arrangements", [])):
        found.append(Found("ethics.financial_conflict", "consult_first"))
        cautions.append("financial_conflict")

    for f in found:
        f.severity = f.severity or _severity(f.kind, f.recommendation)
    found.sort(key=lambda f: ORDER.index(f.recommendation))
    top = found[0].recommendation if found else "continue"

    if (
        any(r in ALTERNATIVE_REASONS for r in reasons)
        and not any(a in steps for a in ALTERNATIVES)
        and not any(
            f.kind.startswith(("safety.", "competence."))
            and f.recommendation in ("urgent_safety", "refer")
            for f in found
        )
    ):
        cautions.append("alternatives_not_tried")
    if top == "refer" and (at_caseness or any(f.kind.startswith("safety.") for f in found)):
        cautions.append("abandonment_risk")

    needs: dict[str, dict[str, Any]] = {}
    for f in found:
        for service, because, urgency, adjunct in f.needs:
            known = needs.get(service)
            if known is None:
                needs[service] = {
                    "service": service,
                    "urgency": urgency,
                    "because": because,
                    "adjunct": adjunct,
                }
                continue
            rank = ("urgent", "soon", "routine")
            if rank.index(urgency) < rank.index(known["urgency"]):
                known["urgency"] = urgency
            known["adjunct"] = known["adjunct"] and adjunct
    return Reading(top, found, cautions, needs)
