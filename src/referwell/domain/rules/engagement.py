"""Engagement rules: attendance and participation. Never `refer` on attendance alone."""

from __future__ import annotations

from referwell.domain.rules.base import Result, finding, rule
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary


@rule(
    "engagement.attendance",
    family="engagement",
    title="Attendance",
    description=(
        "Among the last scheduled sessions of the window, no_show plus late_cancel at or above "
        "the missed threshold, or late at or above the late threshold: consult_first. There is no "
        "evidence-based cut-off for closing a case on attendance."
    ),
    finding_kinds=("engagement.attendance",),
    settings=("attendance_window", "attendance_missed_threshold", "attendance_late_threshold"),
)
def attendance(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    a = s.attendance
    missed = len(a.missed) >= cfg.attendance_missed_threshold
    late = len(a.late) >= cfg.attendance_late_threshold
    if not (missed or late):
        return []
    span = (
        f"the last {a.scheduled} scheduled sessions "
        f"({a.first_in_window.isoformat() if a.first_in_window else '?'} to "
        f"{a.last_in_window.isoformat() if a.last_in_window else '?'})"
    )
    evidence = []
    if missed:
        evidence.append(
            f"sessions: {len(a.missed)} no_show or late_cancel in {span}: "
            + ", ".join(d.isoformat() for d in a.missed)
        )
    if late:
        evidence.append(
            f"sessions: {len(a.late)} late in {span}: " + ", ".join(d.isoformat() for d in a.late)
        )
    return [
        finding(
            "engagement.attendance",
            "consult_first",
            "A pattern of missed or late sessions: raise it with the client before anything else.",
            evidence,
            (
                "Raise the pattern with the client, without blame.",
                "Look for barriers: cost, transport, schedule, childcare, ambivalence about therapy.",
                "Reach out after every missed session.",
                "Review risk before any discharge; attendance alone is never a reason to refer.",
            ),
            trigger=max(a.missed + a.late) if missed or late else None,
        )
    ]


@rule(
    "engagement.participation",
    family="engagement",
    title="Participation",
    description="client.engagement low or refuses_discussion: consult_first.",
    finding_kinds=("engagement.participation",),
)
def participation(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    if s.engagement not in ("low", "refuses_discussion"):
        return []
    return [
        finding(
            "engagement.participation",
            "consult_first",
            "The client is not taking part in the work: discuss the work itself with them.",
            [f"client.engagement: {s.engagement}"],
            (
                "Discuss the work itself with the client: goals, fit, what is getting in the way.",
                "Take the next steps to supervision.",
            ),
        )
    ]
