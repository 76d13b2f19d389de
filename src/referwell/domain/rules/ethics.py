"""Ethics rule: payment for referrals, and the cross-cutting cautions."""

from __future__ import annotations

from collections.abc import Sequence

from referwell.domain.findings import Caution, Finding
from referwell.domain.phrases import Code, Codes, Names, Phrase, Quote, phrase
from referwell.domain.rules.base import Result, caution, finding, rule
from referwell.domain.rules.clinician import stated_reason
from referwell.domain.settings import RuleSettings
from referwell.domain.summary import CaseSummary
from referwell.domain.vocabulary import PROHIBITED_FINANCIAL_KINDS


@rule(
    "ethics.financial_conflict",
    family="ethics",
    title="Payment for referrals",
    description=(
        "Any arrangement of kind referral_fee, fee_split, gift_of_value or exclusive_reciprocal "
        "yields the finding (severity critical, consult_first) and the caution financial_conflict; "
        "nominal_thanks yields neither."
    ),
    finding_kinds=("ethics.financial_conflict",),
    caution_kinds=("financial_conflict",),
)
def financial_conflict(s: CaseSummary, cfg: RuleSettings) -> list[Result]:
    bad = [(w, k) for w, k in s.financial if k in PROHIBITED_FINANCIAL_KINDS]
    if not bad:
        return []
    evidence = [
        phrase(
            "financial_arrangements: {} with {}",
            Code("financial_kind", kind),
            Quote(who),
            words="an arrangement with {1}: {0}",
        )
        for who, kind in bad
    ]
    who = Names(tuple(dict.fromkeys(w for w, _ in bad)))
    return [
        finding(
            "ethics.financial_conflict",
            "consult_first",
            "An arrangement pays for referrals: it must end, and no referral may go to its party.",
            evidence,
            (
                phrase("Do not refer this client to {}; matching excludes them.", who),
                "End the arrangement: payment for sending a client is prohibited (fee splitting, kickbacks, exclusive reciprocal deals).",
                "Consult your licensing board's rules or an attorney and document the steps.",
            ),
            severity="critical",
        ),
        caution(
            "financial_conflict",
            phrase("A referral to {} cannot be sent while an arrangement pays for referrals.", who),
            (
                "Choose receiving professionals with no financial arrangement for referrals.",
                "Disclose any remaining non-exclusive arrangement to the client.",
            ),
            evidence,
        ),
    ]


_ALTERNATIVE_REASONS = (
    "personal_values", "cultural_unfamiliarity", "dislike", "not_benefiting", "attendance",
    "boundary", "countertransference", "impairment",
)  # fmt: skip
_ALTERNATIVES = ("supervision", "consultation", "personal_therapy")


@rule(
    "caution.alternatives_not_tried",
    family="cautions",
    title="Alternatives not tried",
    description=(
        "A stated reason among personal_values, cultural_unfamiliarity, dislike, not_benefiting, "
        "attendance, boundary, countertransference, impairment; none of supervision, consultation, "
        "personal_therapy taken; and no safety or competence finding recommends urgent_safety or "
        "refer."
    ),
    caution_kinds=("alternatives_not_tried",),
    after=True,
)
def alternatives_not_tried(
    s: CaseSummary, findings: Sequence[Finding], recommendation: str
) -> list[Caution]:
    stated = [r for r in s.reasons if r in _ALTERNATIVE_REASONS]
    if not stated or any(step in s.steps for step in _ALTERNATIVES):
        return []
    if any(
        f.kind.startswith(("safety.", "competence."))
        and f.recommendation in ("urgent_safety", "refer")
        for f in findings
    ):
        return []
    return [
        caution(
            "alternatives_not_tried",
            "Before a referral on these grounds, the alternatives come first: supervision, consultation, your own therapy.",
            (
                "Take the case to supervision or consult a colleague before deciding on referral.",
                "Consider your own therapy where your reaction to the client is part of the problem.",
                "Talk honestly with the client about what is not working.",
            ),
            [stated_reason(r) for r in stated]
            + [
                phrase(
                    "steps_taken: none of {}",
                    Codes("step", _ALTERNATIVES, conjunction="or"),
                    words="not yet taken: {}",
                )
            ],
        )
    ]


@rule(
    "caution.abandonment_risk",
    family="cautions",
    title="Abandonment risk",
    description=(
        "The top-level recommendation is refer and the client is at caseness or a safety finding "
        "exists: the caution lists the transfer duties."
    ),
    caution_kinds=("abandonment_risk",),
    after=True,
)
def abandonment_risk(
    s: CaseSummary, findings: Sequence[Finding], recommendation: str
) -> list[Caution]:
    if recommendation != "refer":
        return []
    safety = [f.kind for f in findings if f.kind.startswith("safety.")]
    if not (s.at_caseness or safety):
        return []
    evidence: list[Phrase] = [
        *s.caseness_evidence(),
        *(
            phrase("finding: {}", Code("finding_kind", k), words="finding: {}")
            for k in dict.fromkeys(safety)
        ),
    ]
    return [
        caution(
            "abandonment_risk",
            "The client still needs care: a referral must not feel like abandonment.",
            (
                "Hold pretermination counselling before the last session.",
                "Offer at least two referral options where the directory has them.",
                "Get the client's consent to release information to the receiving professional.",
                "Send a transfer summary.",
                "Follow up until the first appointment with the new professional is confirmed.",
            ),
            evidence,
        )
    ]
