"""Safety rules: always evaluated first."""

from __future__ import annotations

from datetime import timedelta

from referwell.domain.findings import Need
from referwell.domain.phrases import Code, Day, Words, phrase
from referwell.domain.rules.base import Result, finding, rule
from referwell.domain.rules.needs import TRANSFER_ACTIONS, step_evidence, transfer_needs
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary


@rule(
    "safety.suicide_risk",
    family="safety",
    title="Suicide risk",
    description=(
        "Triggers: item 9 ≥ 1 on the latest PHQ-9 (by date, however old; a total-only PHQ-9 "
        "does not trigger), a suicidal_statement or self_harm event within the window, or "
        "suicidality among the concerns (undated). Recommends urgent_safety with the crisis "
        "resource as an urgent adjunct need. Once risk_assessment and safety_plan were both "
        "taken on or after the newest dated trigger it stays urgent_safety and says so: its "
        "evidence names the steps with their dates, its actions turn to what comes next and "
        "until when it stays urgent. Downgraded to consult_first (severity warning, crisis "
        "routine) when both steps followed the triggers (any listed step counts when every "
        "trigger is undated) and the newest dated trigger is older than the downgrade setting."
    ),
    finding_kinds=("safety.suicide_risk",),
    settings=("suicide_event_window_days", "suicide_downgrade_after_days"),
)
def suicide_risk(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    triggers = s.suicide_triggers
    if not triggers:
        return []
    dated = [t.date for t in triggers if t.date is not None]
    newest = max(dated) if dated else None

    def after_triggers(step: str) -> bool:
        if step not in s.steps:
            return False
        when = s.steps[step]
        if newest is None:
            return True
        return when is not None and when >= newest

    downgraded = (
        after_triggers("risk_assessment")
        and after_triggers("safety_plan")
        and (newest is None or (s.as_of - newest).days > cfg.suicide_downgrade_after_days)
    )
    evidence = [t.evidence for t in triggers]
    # `because` is the concern code where one caused the need, else the finding kind.
    because = "suicidality" if "suicidality" in s.concerns else "safety.suicide_risk"
    if downgraded:
        evidence += step_evidence(s, "risk_assessment", "safety_plan")
        return [
            finding(
                "safety.suicide_risk",
                "consult_first",
                "Suicide risk was assessed and a safety plan made after the last trigger; keep monitoring.",
                evidence,
                (
                    "Review the safety plan with the client at every session and update it when things change.",
                    "Repeat the PHQ-9 (item 9) and a brief risk screen at each session.",
                    "Keep crisis resources (988 in the US) in the client's hands.",
                    "Discuss the case in supervision or consultation and document the monitoring.",
                ),
                needs=[Need("crisis", because, "routine", adjunct=True)],
                severity="warning",
                trigger=newest,
            )
        ]
    if after_triggers("risk_assessment") and after_triggers("safety_plan") and newest is not None:
        # Done what the finding asks, but too recently to stand down: it stays urgent, and
        # says what was done and what comes next, and until when.
        until = newest + timedelta(days=cfg.suicide_downgrade_after_days)
        evidence += step_evidence(s, "risk_assessment", "safety_plan")
        return [
            finding(
                "safety.suicide_risk",
                "urgent_safety",
                phrase(
                    "Risk assessed and a safety plan made after the last trigger: keep the plan "
                    "active; urgent until {} unless new signs appear.",
                    Day(until),
                ),
                evidence,
                (
                    "Keep the safety plan active: the client has it, and knows whom to call.",
                    "Check in with the client within the next few days, between sessions.",
                    "Reassess the risk at the next contact: the PHQ-9 (item 9) and a brief risk screen.",
                    "Keep crisis resources (988 in the US) in the client's hands.",
                    phrase(
                        "This stays urgent until {}; a new sign (item 9 above 0 on a PHQ-9, a "
                        "suicidal statement, self-harm) makes it urgent again from that day.",
                        Day(until),
                    ),
                ),
                needs=[Need("crisis", because, "urgent", adjunct=True)],
                trigger=newest,
            )
        ]
    return [
        finding(
            "safety.suicide_risk",
            "urgent_safety",
            "Signs of suicide risk: assess the risk and make a safety plan now.",
            evidence,
            (
                "Do a structured suicide risk assessment now (for example the C-SSRS).",
                "Write a safety plan with the client: warning signs, coping steps, people to call, means restriction.",
                "Give crisis resources (988 Suicide & Crisis Lifeline in the US; local mobile crisis).",
                "Consult a supervisor or colleague today and document the assessment and the plan.",
                "Do not hand the client off abruptly: keep care continuous while risk is assessed.",
            ),
            needs=[Need("crisis", because, "urgent", adjunct=True)],
            trigger=newest,
        )
    ]


@rule(
    "safety.threat_to_others",
    family="safety",
    title="Threat to others",
    description=(
        "A threat_to_others event within the threat window recommends urgent_safety; it does not "
        "by itself end therapy. Older threats yield nothing."
    ),
    finding_kinds=("safety.threat_to_others",),
    settings=("threat_window_days",),
)
def threat_to_others(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    if not s.threats_to_others:
        return []
    evidence = [
        phrase(
            "events: {} on {}{}",
            Code("event_kind", "threat_to_others"),
            Day(e.date),
            Words(" (discussed with the client)", ", discussed with the client")
            if e.discussed
            else "",
            words="{} on {}{}",
        )
        for e in s.threats_to_others
    ]
    return [
        finding(
            "safety.threat_to_others",
            "urgent_safety",
            "A recent threat to harm others: judge its seriousness and any duty to warn or protect.",
            evidence,
            (
                "Judge how serious and foreseeable the danger is and whether a victim is identifiable.",
                "Check your jurisdiction's duty-to-warn or duty-to-protect law (Tarasoff and the state's statute).",
                "Consult a supervisor or an attorney today.",
                "Document the threat, your assessment and every step taken; this does not by itself end therapy.",
            ),
            trigger=max(e.date for e in s.threats_to_others),
        )
    ]


@rule(
    "safety.threat_to_clinician",
    family="safety",
    title="Threat to the clinician",
    description=(
        "Any threat_to_clinician event, however old, recommends refer with the transfer needs: "
        "ending is permitted when the clinician is in jeopardy of harm."
    ),
    finding_kinds=("safety.threat_to_clinician",),
)
def threat_to_clinician(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    if not s.threats_to_clinician:
        return []
    return [
        finding(
            "safety.threat_to_clinician",
            "refer",
            "The client has threatened the clinician: ending this relationship is permitted.",
            [
                phrase(
                    "events: {} on {}",
                    Code("event_kind", "threat_to_clinician"),
                    Day(e.date),
                    words="{} on {}",
                )
                for e in s.threats_to_clinician
            ],
            (
                "Put your own safety first: do not meet alone, and tell your practice and supervisor.",
                "End with pretermination counselling where it is safe to do so.",
                *TRANSFER_ACTIONS[1:],
                "Document the threat and consult a supervisor or attorney.",
            ),
            needs=transfer_needs(s, "safety.threat_to_clinician"),
            trigger=max(e.date for e in s.threats_to_clinician),
        )
    ]
