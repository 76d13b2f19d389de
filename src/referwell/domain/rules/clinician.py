"""Rules about the clinician: values, culture, dislike, countertransference, burnout, impairment.

Each fires on its clinician factor or on the matching stated reason; the caution
that the reason is not a ground for referral needs the stated reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from referwell.domain.phrases import Code, Phrase, phrase
from referwell.domain.rules.base import Result, caution, finding, rule
from referwell.domain.rules.needs import TRANSFER_ACTIONS, step_evidence, transfer_needs
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary


def stated_reason(reason: str) -> Phrase:
    """Evidence that the clinician gave `reason` for considering referral."""
    return phrase(
        "considering_referral_because: {}",
        Code("reason", reason),
        words="your reason for considering referral: {}",
    )


def _fires(s: CaseSummary, factor: str, reason: str | None) -> list[Phrase]:
    evidence = []
    if factor in s.factors:
        evidence.append(
            phrase(
                "clinician_factors: {}",
                Code("clinician_factor", factor),
                words="what you notice in yourself: {}",
            )
        )
    if reason is not None and reason in s.reasons:
        evidence.append(stated_reason(reason))
    return evidence


def _consult(
    s: CaseSummary,
    *,
    kind: str,
    factor: str,
    reason: str | None,
    summary: str,
    actions: Sequence[str],
    caution_kind: str | None = None,
    caution_summary: str = "",
    caution_actions: Sequence[str] = (),
) -> list[Result]:
    evidence = _fires(s, factor, reason)
    if not evidence:
        return []
    out: list[Result] = [finding(kind, "consult_first", summary, evidence, actions)]
    if caution_kind is not None and reason is not None and reason in s.reasons:
        out.append(
            caution(
                caution_kind,
                caution_summary,
                caution_actions,
                [stated_reason(reason)],
            )
        )
    return out


@rule(
    "clinician.values_conflict",
    family="clinician",
    title="Values conflict",
    description="values_conflict or the reason personal_values: consult_first; the reason adds the caution reason.personal_values.",
    finding_kinds=("clinician.values_conflict",),
    caution_kinds=("reason.personal_values",),
)
def values_conflict(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    return _consult(
        s,
        kind="clinician.values_conflict",
        factor="values_conflict",
        reason="personal_values",
        summary="The clinician's own values conflict with the client's: bracket them; this is not a ground for referral.",
        actions=(
            "Bracket your values: keep the client's goals at the centre of the work.",
            "Take the conflict to supervision.",
            "Consider your own therapy and training on value-based conflicts.",
        ),
        caution_kind="reason.personal_values",
        caution_summary="Referring solely because of your personal values is not ethical (ACA A.11.b).",
        caution_actions=(
            "Do not refer on this ground; seek supervision and training instead.",
            "Work on bracketing your values so they are not imposed on the client.",
        ),
    )


@rule(
    "clinician.cultural_unfamiliarity",
    family="clinician",
    title="Unfamiliarity with the client's culture",
    description="cultural_unfamiliarity (factor or reason): consult_first; the reason adds the caution reason.cultural_unfamiliarity.",
    finding_kinds=("clinician.cultural_unfamiliarity",),
    caution_kinds=("reason.cultural_unfamiliarity",),
)
def cultural_unfamiliarity(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    return _consult(
        s,
        kind="clinician.cultural_unfamiliarity",
        factor="cultural_unfamiliarity",
        reason="cultural_unfamiliarity",
        summary="The clinician is unfamiliar with the client's culture: build the competence; this alone is no ground for referral.",
        actions=(
            "Raise culture and identity openly with the client (broaching).",
            "Read and take continuing education on the client's culture.",
            "Consult a colleague experienced with this culture.",
        ),
        caution_kind="reason.cultural_unfamiliarity",
        caution_summary="Unfamiliarity with a client's culture is never a ground for referral by itself.",
        caution_actions=(
            "Do not refer on this ground; build multicultural competence through training and consultation.",
            "Broach culture with the client and learn from them what matters.",
        ),
    )


@rule(
    "clinician.dislike",
    family="clinician",
    title="Dislike of the client",
    description="strong_dislike or the reason dislike: consult_first; the reason adds the caution reason.dislike.",
    finding_kinds=("clinician.dislike",),
    caution_kinds=("reason.dislike",),
)
def dislike(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    return _consult(
        s,
        kind="clinician.dislike",
        factor="strong_dislike",
        reason="dislike",
        summary="The clinician dislikes the client: look at what the reaction says about the work.",
        actions=(
            "Take the reaction to supervision.",
            "Look at what the reaction tells you about the client's relationships and the work.",
            "Attend to your own self-care.",
        ),
        caution_kind="reason.dislike",
        caution_summary="Disliking a client is not a ground for referral; it is material for supervision.",
        caution_actions=(
            "Do not refer on this ground; explore the reaction in supervision first.",
            "Find something in the client you can respect and work from there.",
        ),
    )


@rule(
    "clinician.countertransference",
    family="clinician",
    title="Countertransference",
    description="similar_personal_issue or the reason countertransference: consult_first.",
    finding_kinds=("clinician.countertransference",),
)
def countertransference(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    return _consult(
        s,
        kind="clinician.countertransference",
        factor="similar_personal_issue",
        reason="countertransference",
        summary="The client's issue echoes the clinician's own life: watch the countertransference.",
        actions=(
            "Take the countertransference to supervision.",
            "Consider your own therapy.",
            "Weigh honestly whether your experience helps or hurts this client.",
        ),
    )


@rule(
    "clinician.burnout",
    family="clinician",
    title="Burnout",
    description="The factor burnout (no matching reason): consult_first.",
    finding_kinds=("clinician.burnout",),
)
def burnout(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    return _consult(
        s,
        kind="clinician.burnout",
        factor="burnout",
        reason=None,
        summary="The clinician is burning out: look after your capacity before it affects the client.",
        actions=(
            "Attend to self-care and rest.",
            "Review your workload with your supervisor or practice.",
            "Consider your own therapy.",
        ),
    )


@rule(
    "clinician.impairment",
    family="clinician",
    title="Impairment",
    description=(
        "impairment (factor or reason): refer (transfer needs) once supervision, consultation or "
        "personal_therapy is in steps_taken; otherwise consult_first."
    ),
    finding_kinds=("clinician.impairment",),
)
def impairment(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    evidence = _fires(s, "impairment", "impairment")
    if not evidence:
        return []
    tried = step_evidence(s, "supervision", "consultation", "personal_therapy")
    if tried:
        return [
            finding(
                "clinician.impairment",
                "refer",
                "The clinician's own condition prevents competent care and the alternatives were tried: transfer care.",
                evidence + tried,
                (
                    "Limit or suspend your work with this client as your supervisor advises.",
                    *TRANSFER_ACTIONS,
                ),
                needs=transfer_needs(s, "clinician.impairment"),
            )
        ]
    return [
        finding(
            "clinician.impairment",
            "consult_first",
            "The clinician's own condition may compromise care: consult before anything else.",
            evidence,
            (
                "Consult a supervisor or colleague now about whether to limit or suspend the work.",
                "Seek your own therapy or care.",
                "If impairment persists after that, transfer care with pretermination counselling.",
            ),
        )
    ]
