"""Every rule of decision-rules.md, one module per family; importing this registers them."""

from __future__ import annotations

from referwell.domain.rules import (  # noqa: F401 - imported to register their rules
    clinician,
    competence,
    engagement,
    ethics,
    medical,
    progress,
    relationship,
    safety,
)
from referwell.domain.rules.base import RULES, Result, Rule

# The order rules run in, and the order of findings within one recommendation:
# safety is always evaluated first (decision-rules.md); cross-cutting cautions last.
FAMILY_ORDER = (
    "safety", "competence", "medical", "progress", "engagement", "relationship",
    "clinician", "ethics", "cautions",
)  # fmt: skip
RULES.sort(key=lambda r: FAMILY_ORDER.index(r.family))

__all__ = ["FAMILY_ORDER", "RULES", "Result", "Rule"]
