"""Engagement rules: attendance and participation. Never `refer` on attendance alone."""

from __future__ import annotations

from referwell.domain.phrases import Code, Day, Days, Phrase, Words, phrase
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
    first = Day(a.first_in_window) if a.first_in_window else Words("?", "?")
    last = Day(a.last_in_window) if a.last_in_window else Words("?", "?")
    evidence: list[Phrase] = []
    if missed:
        evidence.append(
            phrase(
                "sessions: {} {} or {} in the last {} scheduled sessions ({} to {}): {}",
                len(a.missed),
                Code("attendance", "no_show"),
                Code("attendance", "late_cancel"),
                a.scheduled,
                first,
                last,
                Days(a.missed),
                words="{0} missed (no-shows and late cancellations) in the last {3} scheduled "
                "sessions ({4} to {5}): {6}",
            )
        )
    if late:
        evidence.append(
            phrase(
                "sessions: {} late in the last {} scheduled sessions ({} to {}): {}",
                len(a.late),
                a.scheduled,
                first,
                last,
                Days(a.late),
                words="{} late arrivals in the last {} scheduled sessions ({} to {}): {}",
            )
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
            [
                phrase(
                    "client.engagement: {}",
                    Code("engagement", s.engagement),
                    words="the client's engagement: {}",
                )
            ],
            (
                "Discuss the work itself with the client: goals, fit, what is getting in the way.",
                "Take the next steps to supervision.",
            ),
        )
    ]
