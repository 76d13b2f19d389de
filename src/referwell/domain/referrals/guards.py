"""What stops a referral from being sent: a financial arrangement that pays for referrals,
and a `reason.*` caution the clinician has not addressed (an override needs its reason)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from referwell.domain.citations import REQUIRED, Citation
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.vocabulary import FINANCIAL_KINDS

ALLOWED_FINANCIAL: Final = ("none", "nominal_thanks")
# The caution kinds that say a reason is not an ethical ground for referral.
REASON_CAUTIONS: Final = (
    "reason.personal_values",
    "reason.cultural_unfamiliarity",
    "reason.dislike",
)
# The same citations the engine's `ethics.financial_conflict` carries.
FINANCIAL_CITATIONS: Final[tuple[Citation, ...]] = REQUIRED["ethics.financial_conflict"]


@dataclass(frozen=True, slots=True)
class FinancialBlock:
    """Why a referral to this receiver cannot be sent, and the sources."""

    arrangement: str
    message: str
    citations: tuple[Citation, ...]


def financial_block(arrangement: str | None) -> FinancialBlock | None:
    """The block for an arrangement other than `none`/`nominal_thanks` (unknown or missing
    counts as `none`: the directory says nothing of one)."""
    if arrangement is None or arrangement in ALLOWED_FINANCIAL:
        return None
    kind = arrangement if arrangement in FINANCIAL_KINDS else f"unknown ({arrangement})"
    return FinancialBlock(
        arrangement=arrangement,
        message=(
            f"this receiver has a financial arrangement of kind {kind} that pays for "
            "referrals; a referral cannot go to them ("
            + "; ".join(str(c) for c in FINANCIAL_CITATIONS)
            + ")"
        ),
        citations=FINANCIAL_CITATIONS,
    )


class ReferralBlocked(InvalidInput):
    """The referral cannot be sent: the errors name what stops it; `citations` its sources."""

    def __init__(self, errors: list[FieldError], citations: tuple[Citation, ...] = ()) -> None:
        super().__init__(errors, what="referral")
        self.citations = citations


def require_no_financial_conflict(arrangement: str | None, path: str = "recipient") -> None:
    block = financial_block(arrangement)
    if block is not None:
        raise ReferralBlocked([FieldError(path, block.message)], block.citations)


def reason_cautions(cautions: Iterable[str]) -> tuple[str, ...]:
    """The `reason.*` cautions among `cautions` (kinds), in order, once each."""
    return tuple(dict.fromkeys(c for c in cautions if c in REASON_CAUTIONS))


def require_caution_override(cautions: Iterable[str], override_reason: str | None) -> None:
    """With a `reason.*` caution, going on needs an override with its reason."""
    found = reason_cautions(cautions)
    if found and not (override_reason and override_reason.strip()):
        raise ReferralBlocked(
            [
                FieldError(
                    "override_reason",
                    f"the assessment cautions that {', '.join(found)} is not an ethical "
                    "ground for referral: address the caution first (supervision, "
                    "consultation), or give the reason you go on",
                )
            ],
            tuple(c for k in found for c in REQUIRED[f"caution:{k}"]),
        )
