"""The compact summary the rules read, built once per case.

Per instrument the first and latest scores and the outcome words; attendance
counts in the window; the dated triggers; steps with their dates; the
clinician's competencies. Rules never walk the raw lists, so a whole practice
can be summarised in bulk (by SQL) and handed to the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from referwell.domain.case import Case, Event
from referwell.domain.measures import INSTRUMENTS, PROGRESS_INSTRUMENTS
from referwell.domain.measures.outcomes import Course, Outcome, outcome
from referwell.domain.phrases import Code, Day, Phrase, phrase
from referwell.domain.settings import RuleSettings


@dataclass(frozen=True, slots=True)
class Score:
    date: date
    total: int
    item9: int | None = None  # PHQ-9 only; None when given as a total


@dataclass(frozen=True, slots=True)
class InstrumentSummary:
    instrument: str
    first: Score
    latest: Score
    count: int

    @property
    def course(self) -> Course:
        return Course(self.instrument, self.first.total, self.latest.total, self.count)

    @property
    def change(self) -> int | None:
        return self.latest.total - self.first.total if self.count >= 2 else None


@dataclass(frozen=True, slots=True)
class Trigger:
    """A reason for the suicide-risk finding; `date` None for an undated one (a concern)."""

    date: date | None
    evidence: Phrase


@dataclass(frozen=True, slots=True)
class Attendance:
    """The last `window` scheduled sessions (by date) and every attended one."""

    window: int
    scheduled: int  # sessions in the window (fewer than `window` early in treatment)
    missed: tuple[date, ...]  # no_show and late_cancel in the window
    late: tuple[date, ...]
    attended_total: int  # attended or late, over the whole case
    first_in_window: date | None = None
    last_in_window: date | None = None


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case_id: str
    as_of: date
    age: int
    format_of_care: str
    concerns: tuple[str, ...]
    competencies: frozenset[str]
    in_training: frozenset[str]
    current_care: frozenset[str]
    engagement: str
    wants_to_end: bool
    instruments: dict[str, InstrumentSummary]
    attendance: Attendance
    suicide_triggers: tuple[Trigger, ...]
    threats_to_others: tuple[Event, ...]  # within the threat window
    threats_to_clinician: tuple[Event, ...]  # however old
    romantic_advances: tuple[Event, ...]  # date order, ties in file order
    boundary_crossings: tuple[Event, ...]
    steps: dict[str, date | None]
    factors: frozenset[str]
    reasons: tuple[str, ...]
    unevaluated_symptoms: tuple[str, ...]
    goals: tuple[tuple[str, str | None], ...]  # (status, description); dropped goals left out
    financial: tuple[tuple[str, str], ...]  # (with, kind)

    # Outcome words over PHQ-9 and GAD-7, the instruments the progress rules read;
    # worked out once, when the summary is made (several rules read them).
    progress_outcome: Outcome = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "progress_outcome",
            outcome(
                self.instruments[code].course
                for code in PROGRESS_INSTRUMENTS
                if code in self.instruments
            ),
        )

    @property
    def at_caseness(self) -> bool:
        """Latest PHQ-9 ≥ 10 or latest GAD-7 ≥ 8."""
        for code in PROGRESS_INSTRUMENTS:
            found = self.instruments.get(code)
            if found is not None and INSTRUMENTS[code].is_case(found.latest.total):
                return True
        return False

    def caseness_evidence(self) -> list[Phrase]:
        out = []
        for code in PROGRESS_INSTRUMENTS:
            found = self.instruments.get(code)
            if found is not None and INSTRUMENTS[code].is_case(found.latest.total):
                out.append(
                    phrase(
                        "measures: latest {} {} on {} (caseness from {})",
                        code,
                        found.latest.total,
                        Day(found.latest.date),
                        INSTRUMENTS[code].caseness_cutoff,
                        words="latest {}: {} on {}, at caseness (from {})",
                    )
                )
        return out


def summarize_attendance(
    sessions: Sequence[tuple[date, str]], window: int, attended_total: int | None = None
) -> Attendance:
    """`sessions` in date order (ties in file order); reads the last `window`."""
    recent = sessions[-window:] if window > 0 else []
    if attended_total is None:
        attended_total = sum(1 for _, a in sessions if a in ("attended", "late"))
    return Attendance(
        window=window,
        scheduled=len(recent),
        missed=tuple(d for d, a in recent if a in ("no_show", "late_cancel")),
        late=tuple(d for d, a in recent if a == "late"),
        attended_total=attended_total,
        first_in_window=recent[0][0] if recent else None,
        last_in_window=recent[-1][0] if recent else None,
    )


def suicide_triggers(
    latest_phq9: Score | None,
    events: Iterable[Event],
    concerns: Iterable[str],
    as_of: date,
    settings: RuleSettings,
) -> tuple[Trigger, ...]:
    """Item 9 of the latest PHQ-9, recent suicidal statements and self-harm, the concern."""
    out = []
    if latest_phq9 is not None and latest_phq9.item9 is not None and latest_phq9.item9 >= 1:
        out.append(
            Trigger(
                latest_phq9.date,
                phrase(
                    "measures: the latest PHQ-9 ({}) has item 9 = {}",
                    Day(latest_phq9.date),
                    latest_phq9.item9,
                    words="the latest PHQ-9 ({}) scores {} on item 9 (thoughts of being better "
                    "off dead or of hurting oneself)",
                ),
            )
        )
    window = settings.suicide_event_window_days
    for event in events:
        if (
            event.kind in ("suicidal_statement", "self_harm")
            and (as_of - event.date).days <= window
        ):
            out.append(
                Trigger(
                    event.date,
                    phrase(
                        "events: {} on {} ({} days before as_of)",
                        Code("event_kind", event.kind),
                        Day(event.date),
                        (as_of - event.date).days,
                        words="{} on {} ({} days before the assessment day)",
                    ),
                )
            )
    if "suicidality" in concerns:
        out.append(
            Trigger(
                None,
                phrase("concerns: {}", Code("condition", "suicidality"), words="concern: {}"),
            )
        )
    return tuple(out)


def summarize(case: Case, settings: RuleSettings) -> CaseSummary:
    """The summary of one validated case."""
    firsts: dict[str, Score] = {}
    latests: dict[str, Score] = {}
    counts: dict[str, int] = {}
    for m in case.measures:  # date order
        score = Score(m.date, m.total, m.item9)
        firsts.setdefault(m.instrument, score)
        latests[m.instrument] = score
        counts[m.instrument] = counts.get(m.instrument, 0) + 1
    return summary_of(
        case_id=case.id,
        as_of=case.as_of,
        age=case.client.age,
        format_of_care=case.format_of_care,
        concerns=case.concerns,
        competencies=case.clinician.competencies,
        in_training=case.clinician.in_training,
        current_care=case.client.current_care,
        engagement=case.client.engagement,
        wants_to_end=case.client.wants_to_end,
        instruments={
            code: InstrumentSummary(code, firsts[code], latests[code], counts[code])
            for code in INSTRUMENTS
            if code in counts
        },
        attendance=summarize_attendance(
            [(s.date, s.attendance) for s in case.sessions], settings.attendance_window
        ),
        events=case.events,
        steps=case.steps_taken,
        factors=case.clinician_factors,
        reasons=case.considering_referral_because,
        symptoms=((s.symptom, s.medically_evaluated) for s in case.physical_symptoms),
        goals=((g.status, g.description) for g in case.goals),
        financial=((f.with_, f.kind) for f in case.financial_arrangements),
        settings=settings,
    )


def summary_of(
    *,
    case_id: str,
    as_of: date,
    age: int,
    format_of_care: str,
    concerns: Iterable[str],
    competencies: Iterable[str],
    in_training: Iterable[str],
    current_care: Iterable[str],
    engagement: str,
    wants_to_end: bool,
    instruments: dict[str, InstrumentSummary],
    attendance: Attendance,
    events: Sequence[Event],
    steps: dict[str, date | None],
    factors: Iterable[str],
    reasons: Iterable[str],
    symptoms: Iterable[tuple[str, bool]],
    goals: Iterable[tuple[str, str | None]],
    financial: Iterable[tuple[str, str]],
    settings: RuleSettings,
) -> CaseSummary:
    """The summary from a case's parts, read from a case file or in bulk from the database.

    What the rules see of the parts is selected here, for both paths: each concern and
    reason once, the suicide-risk triggers, threats to others within the threat window,
    advances and boundary crossings, the physical symptoms no physician has looked at, the
    goals that are not dropped. `events` are in date order (ties in file order); the
    instruments' first and latest scores and the attendance window come ready-made.
    """
    concerns = tuple(dict.fromkeys(concerns))
    latest_phq9 = instruments["PHQ-9"].latest if "PHQ-9" in instruments else None
    threat_window = settings.threat_window_days
    return CaseSummary(
        case_id=case_id,
        as_of=as_of,
        age=age,
        format_of_care=format_of_care,
        concerns=concerns,
        competencies=frozenset(competencies),
        in_training=frozenset(in_training),
        current_care=frozenset(current_care),
        engagement=engagement,
        wants_to_end=wants_to_end,
        instruments=instruments,
        attendance=attendance,
        suicide_triggers=suicide_triggers(latest_phq9, events, concerns, as_of, settings),
        threats_to_others=tuple(
            e
            for e in events
            if e.kind == "threat_to_others" and (as_of - e.date).days <= threat_window
        ),
        threats_to_clinician=tuple(e for e in events if e.kind == "threat_to_clinician"),
        romantic_advances=tuple(e for e in events if e.kind == "romantic_advance"),
        boundary_crossings=tuple(e for e in events if e.kind == "boundary_crossing"),
        steps=steps,
        factors=frozenset(factors),
        reasons=tuple(dict.fromkeys(reasons)),
        unevaluated_symptoms=tuple(symptom for symptom, evaluated in symptoms if not evaluated),
        goals=tuple((status, description) for status, description in goals if status != "dropped"),
        financial=tuple(financial),
    )
