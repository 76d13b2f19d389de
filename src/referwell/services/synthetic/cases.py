"""The synthetic case generator: invented people with realistic courses of treatment, from a seed.

Shares follow docs/measures.md: about 20 % of clients drop out, about
5-10 % reliably deteriorate, most improve (some slowly), some do not respond;
a few answer PHQ-9 item 9 above zero; attendance ranges from reliable to
erratic. A coverage schedule makes sure every event kind, clinician factor,
reason, specialized concern, population, format of care and financial
arrangement appears at least once in any practice of 52 clients or more
(`names.COVERAGE`).

Every case is in the canonical form of the case format (the form
`referwell.domain.canonical.canonical_case` returns), so a case comes back out of the
database exactly as it went in. Names, e-mail addresses and telephone numbers
are invented: names from `names`, addresses at example.org (RFC 2606),
numbers in 555-0100…0199 (reserved for fiction).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from referwell.domain import vocabulary as v
from referwell.domain.case import CASE_FORMAT
from referwell.services.synthetic.course import TreatmentCourse
from referwell.services.synthetic.names import (
    AREA_CODES,
    CONDITION_OF_COMPETENCE,
    COUNTERPARTIES,
    FIRST_NAMES,
    GOALS,
    LAST_NAMES,
    PAYERS,
    SYMPTOMS,
    SyntheticClinician,
    coverage_plan,
)


@dataclass(frozen=True, slots=True)
class SyntheticClient:
    """One invented client: contact details, the clinician's key and the case."""

    clinician: str
    display_name: str
    email: str
    phone: str
    intake: date
    case: dict[str, Any]


_GENERAL_WEIGHTS: Final = {
    "depression": 30, "anxiety": 26, "panic": 6, "social_anxiety": 6, "grief": 5, "stress": 9,
    "adjustment": 5, "relationship": 6, "life_transition": 3, "self_esteem": 4, "anger": 3,
    "insomnia": 5, "phobia": 2,
}  # fmt: skip
_GENERAL: Final = tuple(_GENERAL_WEIGHTS)
_GENERAL_CUM: Final = tuple(
    sum(list(_GENERAL_WEIGHTS.values())[: i + 1]) for i in range(len(_GENERAL))
)
# (attended, late, cancelled, no_show, late_cancel) cumulative shares per attendance pattern.
_ATTENDANCE_PATTERNS: Final = (
    (0.90, 0.94, 0.98, 0.99, 1.0),  # reliable
    (0.68, 0.75, 0.83, 0.93, 1.0),  # erratic
    (0.60, 0.93, 0.96, 0.98, 1.0),  # often late
)
_ATTENDANCE_NAMES: Final = ("attended", "late", "cancelled", "no_show", "late_cancel")
_PATTERN_COUNT: Final = 48


class _Patterns:
    """Item answers adding up to each possible total, drawn once: choosing one is one random call."""

    def __init__(self, rng: random.Random) -> None:
        self.phq8 = self._table(rng, 8, 3)  # PHQ-9 without item 9
        self.gad7 = self._table(rng, 7, 3)
        self.phq15 = self._table(rng, 15, 2)
        self.pcl5 = self._table(rng, 20, 4)

    @staticmethod
    def _table(rng: random.Random, count: int, top: int) -> list[list[tuple[int, ...]]]:
        table = []
        for total in range(count * top + 1):
            patterns = []
            for _ in range(_PATTERN_COUNT):
                items = [0] * count
                for _ in range(total):
                    open_items = [i for i in range(count) if items[i] < top]
                    items[rng.choice(open_items)] += 1
                patterns.append(tuple(items))
            table.append(patterns)
        return table


class CaseGenerator:
    """Generates the clients of one synthetic practice, one after another, from one seed."""

    def __init__(
        self,
        *,
        seed: int,
        clinicians: Sequence[SyntheticClinician],
        as_of: date,
        count: int,
        prefix: str,
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - seeded synthetic data, not secrets
        self.patterns = _Patterns(random.Random(f"patterns-{seed}"))  # noqa: S311 - seeded synthetic data, not secrets
        self.clinicians = clinicians
        self.as_of = as_of
        self.count = count
        self.prefix = prefix
        self.coverage = coverage_plan(count)
        self._iso: dict[int, str] = {}

    def __iter__(self) -> Iterator[SyntheticClient]:
        for index in range(self.count):
            yield self.client(index)

    def _day(self, days_before: int) -> str:
        ordinal = self.as_of.toordinal() - days_before
        iso = self._iso.get(ordinal)
        if iso is None:
            iso = self._iso[ordinal] = date.fromordinal(ordinal).isoformat()
        return iso

    # --- one client -------------------------------------------------------------

    def client(self, index: int) -> SyntheticClient:
        """The client at `index` (clients must be drawn in order: one random stream)."""
        rng = self.rng
        forced = tuple(self.coverage.get(index, ()))
        clinician = self.clinicians[index % len(self.clinicians)]
        competencies = set(clinician.competencies)

        age, format_of_care = self._population(competencies, forced)
        concerns = self._concerns(competencies, clinician.in_training, forced)
        plan = TreatmentCourse.draw(rng)
        symptoms = self._symptoms(forced)
        sessions, attended_days = self._sessions(plan)
        measures, item9_days = self._measures(
            plan, attended_days, concerns, risk=2 if "item9" in forced else plan.item9_risk,
            with_phq15=bool(symptoms) and rng.random() < 0.7,
        )  # fmt: skip
        first_day = plan.last + plan.cadence * (plan.scheduled - 1)  # days before as_of
        events = self._events(forced, first_day, plan.last)
        factors, reasons = self._factors_and_reasons(forced, plan, concerns, competencies, events)
        steps = self._steps(
            plan,
            concerns=concerns,
            events=events,
            factors=factors,
            reasons=reasons,
            item9_days=item9_days,
            first_day=first_day,
        )

        case: dict[str, Any] = {
            "format": CASE_FORMAT,
            "id": f"{self.prefix}-{index + 1:06d}",
            "as_of": self.as_of.isoformat(),
        }
        clinician_part: dict[str, Any] = {"competencies": list(clinician.competencies)}
        if clinician.in_training:
            clinician_part["in_training"] = list(clinician.in_training)
        case["clinician"] = clinician_part
        case["client"] = self._person(age, concerns, plan, forced)
        if format_of_care != "individual":
            case["format_of_care"] = format_of_care
        case["concerns"] = concerns
        optional = {
            "physical_symptoms": symptoms,
            "measures": measures,
            "sessions": sessions,
            "events": events,
            "clinician_factors": factors,
            "considering_referral_because": reasons,
            "steps_taken": steps,
            "goals": self._goals(plan, forced),
            "financial_arrangements": self._finance(forced),
        }
        case.update((key, value) for key, value in optional.items() if value)

        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        return SyntheticClient(
            clinician=clinician.key,
            display_name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}.{index + 1}@example.org",
            phone=f"+1 {rng.choice(AREA_CODES)} 555-01{rng.randrange(100):02d}",
            intake=self.as_of - timedelta(days=first_day),
            case=case,
        )

    def _person(
        self, age: int, concerns: list[str], plan: TreatmentCourse, forced: tuple[str, ...]
    ) -> dict[str, Any]:
        """The case's `client` part."""
        rng = self.rng
        person: dict[str, Any] = {"age": age}
        roll = rng.random()
        if roll < 0.80:
            person["languages"] = ["en"]
        elif roll < 0.88:
            person["languages"] = ["es"]
        elif roll < 0.93:
            person["languages"] = ["en", "es"]
        else:
            person["languages"] = [rng.choice(("fr", "vi", "zh", "ar", "pt", "ru", "ko", "tl"))]
        person["postal_code"] = f"8{rng.randrange(10000):04d}"
        if rng.random() < 0.7:
            person["insurance"] = [rng.choice(PAYERS)]
        roll = rng.random()
        if roll < 0.9:
            person["telehealth_ok"] = roll < 0.7
        if rng.random() < 0.25:
            preferences: dict[str, Any] = {"clinician_gender": rng.choice(v.CLINICIAN_GENDERS)}
            if rng.random() < 0.3:
                preferences["sliding_scale"] = True
            if rng.random() < 0.5:
                preferences["in_person"] = rng.random() < 0.5
            person["preferences"] = preferences
        current_care = self._current_care(concerns)
        if current_care:
            person["current_care"] = current_care
        roll = rng.random()
        if "engagement:refuses_discussion" in forced or roll < 0.01:
            person["engagement"] = "refuses_discussion"
        elif "engagement:low" in forced or roll < 0.05 or (plan.dropout and roll < 0.15):
            person["engagement"] = "low"
        if "wants_to_end" in forced or (plan.active and rng.random() < 0.03):
            person["wants_to_end"] = True
        return person

    def _population(self, competencies: set[str], forced: tuple[str, ...]) -> tuple[int, str]:
        rng = self.rng
        if "population:children" in forced:
            group = "children"
        elif "population:adolescents" in forced:
            group = "adolescents"
        elif "population:older_adults" in forced:
            group = "older_adults"
        elif "children" in competencies:
            group = rng.choices(("children", "adolescents", "adults"), (40, 45, 15))[0]
        elif "adolescents" in competencies:
            group = rng.choices(("adolescents", "adults", "older_adults"), (20, 75, 5))[0]
        else:
            older = 10 if "older_adults" in competencies else 4
            group = rng.choices(
                ("adults", "older_adults", "adolescents", "children"), (98 - older, older, 1.5, 0.5)
            )[0]
        age = {
            "children": lambda: rng.randint(6, 12),
            "adolescents": lambda: rng.randint(13, 17),
            "adults": lambda: rng.randint(18, 64),
            "older_adults": lambda: rng.randint(65, 88),
        }[group]()
        if "format:couple" in forced:
            return max(age, 18), "couple"
        if "format:family" in forced:
            return age, "family"
        if "couples" in competencies and age >= 18 and rng.random() < 0.6:
            return age, "couple"
        if "family" in competencies and age < 18 and rng.random() < 0.5:
            return age, "family"
        roll = rng.random()
        if roll < 0.005:
            return max(age, 18), "couple"
        if roll < 0.008:
            return age, "family"
        return age, "individual"

    def _concerns(
        self, competencies: set[str], in_training: tuple[str, ...], forced: tuple[str, ...]
    ) -> list[str]:
        rng = self.rng
        concerns: list[str] = []
        for _ in range(rng.choices((1, 2, 3), (50, 35, 15))[0]):
            code = _GENERAL[_pick(rng, _GENERAL_CUM)]
            if code not in concerns:
                concerns.append(code)
        specialties = [
            CONDITION_OF_COMPETENCE[c] for c in sorted(competencies) if c in CONDITION_OF_COMPETENCE
        ]
        if specialties and rng.random() < 0.35:
            concerns.append(rng.choice(specialties))
        # A clinician in training takes some clients of that kind, under supervision.
        learning = [CONDITION_OF_COMPETENCE[c] for c in in_training if c in CONDITION_OF_COMPETENCE]
        if learning and rng.random() < 0.2:
            concerns.append(rng.choice(learning))
        if rng.random() < 0.03:
            concerns.append(rng.choice(v.SPECIALIZED_CONDITIONS))
        if rng.random() < 0.012:
            concerns.append("suicidality")
        for feature in forced:
            if feature.startswith("concern:"):
                concerns.append(feature.removeprefix("concern:"))
        return list(dict.fromkeys(concerns))

    def _current_care(self, concerns: list[str]) -> list[str]:
        rng = self.rng
        care = []
        serious = "bipolar" in concerns or "psychosis" in concerns
        if rng.random() < (0.6 if serious else 0.05):
            care.append("psychiatry")
        if rng.random() < (0.5 if "eating_disorder" in concerns else 0.08):
            care.append("primary_care")
        if "neurocognitive" in concerns and rng.random() < 0.3:
            care.append("neuropsychology")
        return care

    def _sessions(self, plan: TreatmentCourse) -> tuple[list[dict[str, str]], list[int]]:
        """The scheduled sessions, oldest first, and the days (before as_of) someone came."""
        rng = self.rng
        cumulative = _ATTENDANCE_PATTERNS[plan.attendance]
        sessions = []
        attended: list[int] = []
        for number in range(plan.scheduled):
            days_before = plan.last + plan.cadence * (plan.scheduled - 1 - number)
            if plan.dropout and number >= plan.scheduled - plan.missed_at_end:
                outcome = "no_show" if rng.random() < 0.7 else "late_cancel"
            elif number == 0:
                outcome = "attended"  # the intake
            else:
                outcome = _ATTENDANCE_NAMES[_pick(rng, cumulative)]
            sessions.append({"date": self._day(days_before), "attendance": outcome})
            if outcome in ("attended", "late"):
                attended.append(days_before)
        return sessions, attended

    def _measures(
        self,
        plan: TreatmentCourse,
        attended: list[int],
        concerns: list[str],
        *,
        risk: int,
        with_phq15: bool,
    ) -> tuple[list[dict[str, Any]], list[int]]:
        """Questionnaires at attended sessions, and the days PHQ-9 item 9 was above zero."""
        rng = self.rng
        patterns = self.patterns
        measures: list[dict[str, Any]] = []
        item9_days: list[int] = []
        if not attended:
            return measures, item9_days
        count = len(attended)
        phq9 = plan.phq9_path(count, rng)
        gad_start = min(21, max(0, round(plan.start * 0.75) + rng.randint(-2, 2)))
        with_pcl5 = "trauma_ptsd" in concerns
        for number, days_before in enumerate(attended):
            day = self._day(days_before)
            last = number == count - 1
            if number == 0 or last or rng.random() < 0.85:
                total = phq9[number]
                item9 = 0
                if risk == 1 and rng.random() < 0.3:
                    item9 = 1
                elif risk == 2 and (last or rng.random() < 0.7):
                    item9 = rng.choice((1, 1, 2, 3))
                # Items 1-8 hold at most 24: a higher total needs item 9.
                item9 = max(min(item9, total), total - 24)
                if item9:
                    item9_days.append(days_before)
                rest = patterns.phq8[total - item9][rng.randrange(_PATTERN_COUNT)]
                measures.append({"instrument": "PHQ-9", "date": day, "items": [*rest, item9]})
            if number == 0 or last or number % 4 == 0:
                gad = min(21, max(0, round(gad_start + (phq9[number] - plan.start) * 0.75)))
                items = patterns.gad7[gad][rng.randrange(_PATTERN_COUNT)]
                measures.append({"instrument": "GAD-7", "date": day, "items": list(items)})
            if with_phq15 and (number == 0 or last):
                easing = 3 if number and plan.improving else 0
                total = max(0, rng.randint(4, 16) - easing)
                items = patterns.phq15[total][rng.randrange(_PATTERN_COUNT)]
                measures.append({"instrument": "PHQ-15", "date": day, "items": list(items)})
            if with_pcl5 and (number == 0 or last or number % 6 == 0):
                total = min(80, max(0, round(phq9[number] * 2.4) + rng.randint(0, 10)))
                items = patterns.pcl5[total][rng.randrange(_PATTERN_COUNT)]
                measures.append({"instrument": "PCL-5", "date": day, "items": list(items)})
        return measures, item9_days

    def _events(
        self, forced: tuple[str, ...], first_day: int, last_day: int
    ) -> list[dict[str, Any]]:
        rng = self.rng
        kinds: list[str] = []
        roll = rng.random()
        # suicidal_statement 1.5 %, self_harm 1 %, threat_to_others 0.4 %,
        # threat_to_clinician 0.2 %, romantic_advance 0.8 %, boundary_crossing 1.5 %.
        for kind, upto in (
            ("suicidal_statement", 0.015),
            ("self_harm", 0.025),
            ("threat_to_others", 0.029),
            ("threat_to_clinician", 0.031),
            ("romantic_advance", 0.039),
            ("boundary_crossing", 0.054),
        ):
            if roll < upto:
                kinds.append(kind)
                break
        kinds.extend(f.removeprefix("event:") for f in forced if f.startswith("event:"))
        events: list[tuple[int, dict[str, Any]]] = []
        # Events happen during the course, or up to a few weeks after the last session.
        newest = max(0, last_day - 21)
        for kind in kinds:
            repeats = (
                rng.choice((2, 2, 3)) if kind == "romantic_advance" and rng.random() < 0.6 else 1
            )
            for _ in range(repeats):
                days_before = rng.randint(newest, max(newest, first_day))
                events.append(
                    (
                        days_before,
                        {
                            "date": self._day(days_before),
                            "kind": kind,
                            "discussed": rng.random() < 0.6,
                        },
                    )
                )
        events.sort(key=lambda pair: -pair[0])  # oldest first; stable
        return [event for _, event in events]

    def _factors_and_reasons(
        self,
        forced: tuple[str, ...],
        plan: TreatmentCourse,
        concerns: list[str],
        competencies: set[str],
        events: list[dict[str, Any]],
    ) -> tuple[list[str], list[str]]:
        rng = self.rng
        factors = [f.removeprefix("factor:") for f in forced if f.startswith("factor:")]
        if rng.random() < 0.06:
            factors.append(rng.choices(v.CLINICIAN_FACTORS, (20, 20, 25, 10, 20, 5))[0])
        reasons = [r.removeprefix("reason:") for r in forced if r.startswith("reason:")]
        matching = {
            "values_conflict": "personal_values",
            "cultural_unfamiliarity": "cultural_unfamiliarity",
            "strong_dislike": "dislike",
            "similar_personal_issue": "countertransference",
            "impairment": "impairment",
        }
        for factor in factors:
            if factor in matching and rng.random() < 0.5:
                reasons.append(matching[factor])
        kinds = {event["kind"] for event in events}
        for reason, chance in (
            ("not_benefiting", 0.12 if plan.kind in ("non", "deteriorate") else 0.0),
            ("attendance", 0.15 if plan.attendance == 1 else 0.0),
            ("competence", 0.3 if _outside_competence(concerns, competencies) else 0.0),
            ("boundary", 0.3 if kinds & {"boundary_crossing", "romantic_advance"} else 0.0),
            ("safety", 0.3 if kinds & {"threat_to_clinician", "threat_to_others"} else 0.0),
            ("goals_met", 0.2 if plan.completed else 0.0),
            ("other", 0.003),
        ):
            if chance and rng.random() < chance:
                reasons.append(reason)
        return list(dict.fromkeys(factors)), list(dict.fromkeys(reasons))

    def _steps(
        self,
        plan: TreatmentCourse,
        *,
        concerns: list[str],
        events: list[dict[str, Any]],
        factors: list[str],
        reasons: list[str],
        item9_days: list[int],
        first_day: int,
    ) -> list[str | dict[str, str]]:
        rng = self.rng
        steps: dict[str, int | None] = {}

        def take(step: str, chance: float, after: int) -> None:
            """Maybe take `step`, `after` or fewer days before as_of (mostly dated)."""
            if step in steps or rng.random() >= chance:
                return
            steps[step] = None if rng.random() < 0.15 else rng.randint(0, max(0, after))

        newest_trigger = min(
            [
                *item9_days[-1:],
                *(
                    self._days_before(e["date"])
                    for e in events
                    if e["kind"] in ("suicidal_statement", "self_harm")
                ),
            ],
            default=None,
        )
        if newest_trigger is not None or "suicidality" in concerns:
            after = newest_trigger if newest_trigger is not None else first_day
            if rng.random() < 0.6:
                day = rng.randint(max(0, after - 3), after)
                steps["risk_assessment"] = day
                steps["safety_plan"] = day
        if reasons or factors:
            take("supervision", 0.5, first_day)
            take("consultation", 0.3, first_day)
            take("personal_therapy", 0.1, first_day)
        if plan.kind == "deteriorate":
            take("treatment_adjusted", 0.4, first_day)
            take("supervision", 0.4, first_day)
        kinds = {event["kind"] for event in events}
        if "romantic_advance" in kinds:
            take("boundary_discussion", 0.5, first_day)
        if "cultural_unfamiliarity" in factors:
            take("broaching", 0.4, first_day)
            take("continuing_education", 0.2, first_day)
        if "burnout" in factors:
            take("self_care", 0.5, first_day)
        take("discussed_with_client", 0.05, first_day)
        return [
            step if days is None else {"step": step, "date": self._day(days)}
            for step, days in steps.items()
        ]

    def _days_before(self, iso: str) -> int:
        return self.as_of.toordinal() - date.fromisoformat(iso).toordinal()

    def _goals(self, plan: TreatmentCourse, forced: tuple[str, ...]) -> list[dict[str, Any]]:
        rng = self.rng
        if "goals" not in forced and rng.random() >= 0.65:
            return []
        goals = []
        for description in rng.sample(GOALS, rng.choice((1, 1, 2, 2, 3))):
            if rng.random() < 0.08:
                status = "dropped"
            elif plan.completed:
                status = "met" if rng.random() < 0.85 else "progressing"
            elif plan.improving:
                status = rng.choices(("met", "progressing"), (35, 65))[0]
            else:
                status = rng.choices(("progressing", "not_started", "met"), (60, 35, 5))[0]
            goal: dict[str, Any] = {"description": description} if rng.random() < 0.9 else {}
            goal["status"] = status
            goals.append(goal)
        if "goals" in forced:  # every status, once in the practice
            goals = [
                {"description": "feel able to leave the house", "status": "met"},
                {"description": "sleep through the night", "status": "progressing"},
                {"status": "not_started"},
                {"description": "go back to school", "status": "dropped"},
            ]
        return goals

    def _symptoms(self, forced: tuple[str, ...]) -> list[dict[str, Any]]:
        rng = self.rng
        if "symptom" not in forced and rng.random() >= 0.08:
            return []
        symptoms = [
            {"symptom": symptom, "medically_evaluated": rng.random() < 0.55}
            for symptom in rng.sample(SYMPTOMS, rng.choice((1, 1, 2)))
        ]
        if "symptom" in forced:
            symptoms[0]["medically_evaluated"] = False
        return symptoms

    def _finance(self, forced: tuple[str, ...]) -> list[dict[str, str]]:
        rng = self.rng
        kinds = [f.removeprefix("finance:") for f in forced if f.startswith("finance:")]
        if rng.random() < 0.04:
            kinds.append(rng.choices(v.FINANCIAL_KINDS, (45, 4, 4, 4, 3, 40))[0])
        return [{"with": rng.choice(COUNTERPARTIES), "kind": kind} for kind in kinds]


def _pick(rng: random.Random, cumulative: Sequence[float]) -> int:
    """An index drawn by cumulative weights (the last of which is the total)."""
    roll = rng.random() * cumulative[-1]
    for index, upto in enumerate(cumulative):
        if roll < upto:
            return index
    return len(cumulative) - 1


def _outside_competence(concerns: list[str], competencies: set[str]) -> bool:
    for concern in concerns:
        needed = v.COMPETENCE_FOR_CONDITION.get(concern) or (
            (concern,) if concern in ("psychosis", "bipolar", "dissociative") else ()
        )
        if needed and not competencies.intersection(needed):
            return True
    return False
