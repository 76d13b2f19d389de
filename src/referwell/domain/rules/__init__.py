"""Every rule of decision-rules.md, one module per family; importing this registers them in order."""

from __future__ import annotations

from referwell.domain.rules import (  # noqa: F401 - imported to register, safety first
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

__all__ = ["RULES", "Result", "Rule"]
