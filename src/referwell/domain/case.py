"""The case model: what a validated case file holds, ready for the rules.

Built only by `referwell.domain.caseformat.parse_case`, which has checked every
field; lists of dated entries are sorted by date (ties keep file order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

CASE_FORMAT = "referwell.case/1"


@dataclass(frozen=True, slots=True)
class Measure:
    instrument: str
    date: date
    total: int
    items: tuple[int, ...] | None
    index: int  # position in the case file, for evidence

    @property
    def item9(self) -> int | None:
        """PHQ-9 item 9, or None when only a total was given."""
        return self.items[8] if self.items is not None and self.instrument == "PHQ-9" else None


@dataclass(frozen=True, slots=True)
class TherapySession:
    date: date
    attendance: str


@dataclass(frozen=True, slots=True)
class Event:
    date: date
    kind: str
    discussed: bool = False


@dataclass(frozen=True, slots=True)
class PhysicalSymptom:
    symptom: str
    medically_evaluated: bool


@dataclass(frozen=True, slots=True)
class Goal:
    status: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class FinancialArrangement:
    with_: str
    kind: str


@dataclass(frozen=True, slots=True)
class Preferences:
    clinician_gender: str | None = None
    faith: str | None = None
    sliding_scale: bool | None = None
    in_person: bool | None = None


@dataclass(frozen=True, slots=True)
class Clinician:
    competencies: tuple[str, ...]
    in_training: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Client:
    age: int
    languages: tuple[str, ...] = ()
    postal_code: str | None = None
    insurance: tuple[str, ...] = ()
    telehealth_ok: bool | None = None
    preferences: Preferences | None = None
    current_care: tuple[str, ...] = ()
    engagement: str = "active"
    wants_to_end: bool = False


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    as_of: date
    clinician: Clinician
    client: Client
    concerns: tuple[str, ...]
    format_of_care: str = "individual"
    physical_symptoms: tuple[PhysicalSymptom, ...] = ()
    measures: tuple[Measure, ...] = ()
    sessions: tuple[TherapySession, ...] = ()
    events: tuple[Event, ...] = ()
    clinician_factors: tuple[str, ...] = ()
    considering_referral_because: tuple[str, ...] = ()
    # step code -> its latest date, or None when it was listed without one
    steps_taken: dict[str, date | None] = field(default_factory=dict)
    goals: tuple[Goal, ...] = ()
    financial_arrangements: tuple[FinancialArrangement, ...] = ()
    as_of_given: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The case in the shared format (canonical: sorted lists, repeated codes once)."""
        client: dict[str, Any] = {"age": self.client.age}
        c = self.client
        if c.languages:
            client["languages"] = list(c.languages)
        if c.postal_code is not None:
            client["postal_code"] = c.postal_code
        if c.insurance:
            client["insurance"] = list(c.insurance)
        if c.telehealth_ok is not None:
            client["telehealth_ok"] = c.telehealth_ok
        if c.preferences is not None:
            p = c.preferences
            prefs = {
                k: v
                for k, v in (
                    ("clinician_gender", p.clinician_gender),
                    ("faith", p.faith),
                    ("sliding_scale", p.sliding_scale),
                    ("in_person", p.in_person),
                )
                if v is not None
            }
            client["preferences"] = prefs
        if c.current_care:
            client["current_care"] = list(c.current_care)
        if c.engagement != "active":
            client["engagement"] = c.engagement
        if c.wants_to_end:
            client["wants_to_end"] = True
        clinician: dict[str, Any] = {"competencies": list(self.clinician.competencies)}
        if self.clinician.in_training:
            clinician["in_training"] = list(self.clinician.in_training)
        out: dict[str, Any] = {"format": CASE_FORMAT, "id": self.id}
        if self.as_of_given:
            out["as_of"] = self.as_of.isoformat()
        out["clinician"] = clinician
        out["client"] = client
        if self.format_of_care != "individual":
            out["format_of_care"] = self.format_of_care
        out["concerns"] = list(self.concerns)
        optional: list[tuple[str, list[Any]]] = [
            (
                "physical_symptoms",
                [
                    {"symptom": s.symptom, "medically_evaluated": s.medically_evaluated}
                    for s in self.physical_symptoms
                ],
            ),
            (
                "measures",
                [
                    {"instrument": m.instrument, "date": m.date.isoformat()}
                    | ({"items": list(m.items)} if m.items is not None else {"total": m.total})
                    for m in self.measures
                ],
            ),
            (
                "sessions",
                [{"date": s.date.isoformat(), "attendance": s.attendance} for s in self.sessions],
            ),
            (
                "events",
                [
                    {"date": e.date.isoformat(), "kind": e.kind, "discussed": e.discussed}
                    for e in self.events
                ],
            ),
            ("clinician_factors", list(self.clinician_factors)),
            ("considering_referral_because", list(self.considering_referral_because)),
            (
                "steps_taken",
                [
                    step if when is None else {"step": step, "date": when.isoformat()}
                    for step, when in self.steps_taken.items()
                ],
            ),
            (
                "goals",
                [
                    {"status": g.status}
                    | ({"description": g.description} if g.description is not None else {})
                    for g in self.goals
                ],
            ),
            (
                "financial_arrangements",
                [{"with": f.with_, "kind": f.kind} for f in self.financial_arrangements],
            ),
        ]
        for key, value in optional:
            if value:
                out[key] = value
        return out
