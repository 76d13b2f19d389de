"""What counts as a code a person must not read: shared by the page and CLI tests.

A code of the vocabulary with `_` or `.` in it (`borderline_personality`,
`safety.suicide_risk`), a rule setting's name, a lower-case abbreviation code as a
whole word (`dbt`, `erp`), or a case-format field path (`as_of`, `items[8]`). Free
text the clinician typed, shown in quotes, is the clinician's own.
"""

from __future__ import annotations

import re

from referwell.domain import vocabulary as v
from referwell.domain.labels import ABBREVIATIONS
from referwell.domain.settings import RuleSettings

GROUPS = (
    v.CONDITIONS, v.SERVICES, v.EVENT_KINDS, v.CLINICIAN_FACTORS, v.REASONS, v.STEPS,
    v.FINANCIAL_KINDS, v.ATTENDANCE, v.ENGAGEMENT, v.FORMATS_OF_CARE, v.GOAL_STATUSES,
    v.CLINICIAN_GENDERS, v.FINDING_KINDS, v.CAUTION_KINDS, v.RECOMMENDATIONS, v.URGENCIES,
    v.SEVERITIES, tuple(RuleSettings().as_dict()),
)  # fmt: skip
MARKED_CODES = sorted(
    {code for group in GROUPS for code in group if "_" in code or "." in code},
    key=len,
    reverse=True,
)
# `act` is also an English word ("act on risk now"); its abbreviation reads "ACT (…)".
ABBREVIATION = re.compile(r"\b(" + "|".join(sorted(ABBREVIATIONS - {"act"})) + r")\b")
FIELD_PATHS = re.compile(r"\b(?:as_of|items\[\d+\]|[a-z_]+\.[a-z_]+\[\d+\])")


QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”')


def codes_in(text: str) -> list[str]:
    """The codes a person would read in `text` (sorted, each once)."""
    text = QUOTED.sub('""', text)
    found = [code for code in MARKED_CODES if code in text]
    found += ABBREVIATION.findall(text)
    found += FIELD_PATHS.findall(text)
    return sorted(set(found))
