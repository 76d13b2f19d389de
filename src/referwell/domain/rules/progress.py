"""Progress rules over PHQ-9 and GAD-7 (measures.md), goals and the client's wish to end."""

from __future__ import annotations

from datetime import date

from referwell.domain.measures import PROGRESS_INSTRUMENTS
from referwell.domain.phrases import Day, Phrase, phrase
from referwell.domain.rules.base import Result, finding, rule
from referwell.domain.rules.needs import TRANSFER_ACTIONS, step_evidence, transfer_needs
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary


def _course_evidence(s: CaseSummary) -> list[Phrase]:
    out = []
    for code in PROGRESS_INSTRUMENTS:
        found = s.instruments.get(code)
        if found is None or found.count < 2:
            continue
        out.append(
            phrase(
                "measures: {} {} on {} → {} on {} (change {}, {} scores)",
                code,
                found.first.total,
                Day(found.first.date),
                found.latest.total,
                Day(found.latest.date),
                f"{found.latest.total - found.first.total:+d}",
                found.count,
                words="{}: {} on {}, then {} on {} (a change of {} over {} scores)",
            )
        )
    return out


def _latest_score_date(s: CaseSummary) -> date | None:
    dates = [s.instruments[c].latest.date for c in PROGRESS_INSTRUMENTS if c in s.instruments]
    return max(dates) if dates else None


def _escalates(s: CaseSummary) -> bool:
    return "treatment_adjusted" in s.steps and "supervision" in s.steps


@rule(
    "progress.deterioration",
    family="progress",
    title="Reliable deterioration",
    description=(
        "A reliable rise from first to latest score (PHQ-9 ≥ 6 or GAD-7 ≥ 4) recommends "
        "consult_first; with treatment_adjusted and supervision both in steps_taken, refer "
        "(transfer needs: a fresh view or a higher level of care)."
    ),
    finding_kinds=("progress.deterioration",),
)
def deterioration(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    if not s.progress_outcome.reliable_deterioration:
        return []
    evidence = _course_evidence(s)
    if _escalates(s):
        return [
            finding(
                "progress.deterioration",
                "refer",
                "The client is reliably worse although treatment was adjusted under supervision: transfer care.",
                evidence + step_evidence(s, "treatment_adjusted", "supervision"),
                (
                    "Refer for a fresh view or a higher level of care (intensive outpatient, psychiatry).",
                    *TRANSFER_ACTIONS,
                    "Review risk before the transfer.",
                ),
                needs=transfer_needs(s, "progress.deterioration"),
                trigger=_latest_score_date(s),
            )
        ]
    return [
        finding(
            "progress.deterioration",
            "consult_first",
            "The client is reliably worse than at the start: review the treatment now.",
            evidence,
            (
                "Review risk, including PHQ-9 item 9, at the next session.",
                "Ask the client how they see therapy going; review alliance, motivation and supports.",
                "Take the case to supervision and adjust the treatment; consider a medication evaluation.",
            ),
            trigger=_latest_score_date(s),
        )
    ]


@rule(
    "progress.not_on_track",
    family="progress",
    title="Not on track",
    description=(
        "At least the setting's number of attended sessions (late counts), at least one of PHQ-9 "
        "and GAD-7 with an outcome, at caseness, and no reliable improvement: consult_first; "
        "with treatment_adjusted and supervision both taken, refer (transfer needs)."
    ),
    finding_kinds=("progress.not_on_track",),
    settings=("not_on_track_after_sessions",),
)
def not_on_track(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    attended = s.attendance.attended_total
    result = s.progress_outcome
    if (
        attended < cfg.not_on_track_after_sessions
        or not result.instruments
        or not s.at_caseness
        or result.reliable_improvement
    ):
        return []
    evidence = [
        phrase(
            "sessions: {} attended (not on track from {})",
            attended,
            cfg.not_on_track_after_sessions,
            words="{} sessions attended (a client can be not on track from {})",
        ),
        *_course_evidence(s),
        *s.caseness_evidence(),
    ]
    if _escalates(s):
        return [
            finding(
                "progress.not_on_track",
                "refer",
                "No reliable improvement although treatment was adjusted under supervision: transfer care.",
                evidence + step_evidence(s, "treatment_adjusted", "supervision"),
                (
                    "Refer for a fresh view, another modality or a higher level of care.",
                    *TRANSFER_ACTIONS,
                ),
                needs=transfer_needs(s, "progress.not_on_track"),
                trigger=_latest_score_date(s),
            )
        ]
    return [
        finding(
            "progress.not_on_track",
            "consult_first",
            f"After {attended} sessions the client is still at caseness without reliable improvement.",
            evidence,
            (
                "Ask the client where they see therapy going and what would help.",
                "Review the alliance, motivation, outside supports and the need for a medication evaluation.",
                "Take the case to supervision and adjust the treatment plan.",
            ),
            trigger=_latest_score_date(s),
        )
    ]


@rule(
    "progress.goals_met",
    family="progress",
    title="Goals met",
    description=(
        "At least one goal that is not dropped and every such goal met; or reliable recovery over "
        "the case's PHQ-9 and GAD-7, each of which has an outcome: plan_termination."
    ),
    finding_kinds=("progress.goals_met",),
)
def goals_met(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    evidence: list[Phrase] = []
    if s.goals and all(status == "met" for status, _ in s.goals):
        described = "; ".join(f'"{d}"' if d else "(no description)" for _, d in s.goals)
        evidence.append(
            phrase(
                "goals: all {} not dropped are met: {}",
                len(s.goals),
                described,
                words="all {} goals that were not dropped are met: {}",
            )
        )
    present = [c for c in PROGRESS_INSTRUMENTS if c in s.instruments]
    if (
        present
        and all(s.instruments[c].count >= 2 for c in present)
        and s.progress_outcome.reliable_recovery
    ):
        evidence.append(
            phrase(
                "measures: reliable recovery over {}",
                " and ".join(present),
                words="reliable recovery on {}",
            )
        )
        evidence.extend(_course_evidence(s))
    if not evidence:
        return []
    return [
        finding(
            "progress.goals_met",
            "plan_termination",
            "The work is done: plan the ending with the client.",
            evidence,
            (
                "Talk the ending through with the client and agree on the last sessions.",
                "Write a relapse-prevention plan together: early signs, what helps, whom to call.",
                "Leave the door open: tell the client how to come back if they need to.",
            ),
        )
    ]


@rule(
    "progress.client_request",
    family="progress",
    title="The client wants to end",
    description=(
        "client.wants_to_end recommends plan_termination; at caseness, offer referral options too "
        "(the client's right to end; no abandonment). No referral need."
    ),
    finding_kinds=("progress.client_request",),
)
def client_request(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    if not s.wants_to_end:
        return []
    actions = [
        "Respect the client's right to end; talk through their reasons and what they got from the work.",
        "Plan the last session and how the client can come back.",
    ]
    evidence: list[Phrase] = [
        phrase("client.wants_to_end: true", words="the client has asked to end therapy")
    ]
    if s.at_caseness:
        evidence += s.caseness_evidence()
        actions.append(
            "The client is still at caseness: offer referral options they can use now or later."
        )
    return [
        finding(
            "progress.client_request",
            "plan_termination",
            "The client has asked to end therapy: plan the ending with them.",
            evidence,
            actions,
        )
    ]
