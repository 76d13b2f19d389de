"""Which of the steps a clinician records from a finding its actions call for: supervision,
consultation. A finding (or caution) whose actions name either gets a form on the client
page that records it in one go, as the dated step the rules read (`steps_taken`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

SUPERVISION: Final = "supervision"
CONSULTATION: Final = "consultation"
RECORDED_STEPS: Final = (SUPERVISION, CONSULTATION)

_CALLS: Final = (
    (SUPERVISION, re.compile(r"\bsupervis", re.IGNORECASE)),
    (CONSULTATION, re.compile(r"\bconsult", re.IGNORECASE)),
)


def steps_called_for(actions: Iterable[str]) -> tuple[str, ...]:
    """The steps among supervision and consultation that these actions (as written for
    people or in the JSON) call for, in that order; empty when they call for neither."""
    text = " ".join(actions)
    return tuple(step for step, pattern in _CALLS if pattern.search(text))
