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
    """A scheduled session and what became of it (`sessions[]`)."""

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
        """The case in its canonical form (`referwell.domain.canonical`)."""
        from referwell.domain.canonical import canonical_case

        c = self.client
        preferences = None
        if c.preferences is not None:
            p = c.preferences
            preferences = {
                "clinician_gender": p.clinician_gender,
                "faith": p.faith,
                "sliding_scale": p.sliding_scale,
                "in_person": p.in_person,
            }
        return canonical_case(
            {
                "format": CASE_FORMAT,
                "id": self.id,
                "as_of": self.as_of if self.as_of_given else None,
                "clinician": {
                    "competencies": self.clinician.competencies,
                    "in_training": self.clinician.in_training,
                },
                "client": {
                    "age": c.age,
                    "languages": c.languages,
                    "postal_code": c.postal_code,
                    "insurance": c.insurance,
                    "telehealth_ok": c.telehealth_ok,
                    "preferences": preferences,
                    "current_care": c.current_care,
                    "engagement": c.engagement,
                    "wants_to_end": c.wants_to_end,
                },
                "format_of_care": self.format_of_care,
                "concerns": self.concerns,
                "physical_symptoms": [
                    {"symptom": s.symptom, "medically_evaluated": s.medically_evaluated}
                    for s in self.physical_symptoms
                ],
                "measures": [
                    {"instrument": m.instrument, "date": m.date, "items": m.items, "total": m.total}
                    for m in self.measures
                ],
                "sessions": [{"date": s.date, "attendance": s.attendance} for s in self.sessions],
                "events": [
                    {"date": e.date, "kind": e.kind, "discussed": e.discussed} for e in self.events
                ],
                "clinician_factors": self.clinician_factors,
                "considering_referral_because": self.considering_referral_because,
                "steps_taken": [
                    {"step": step, "date": when} if when is not None else step
                    for step, when in self.steps_taken.items()
                ],
                "goals": [{"description": g.description, "status": g.status} for g in self.goals],
                "financial_arrangements": [
                    {"with": f.with_, "kind": f.kind} for f in self.financial_arrangements
                ],
            }
        )
