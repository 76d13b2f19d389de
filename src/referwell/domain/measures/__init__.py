"""The instruments referwell scores, one module each, and the outcome words over them."""

from __future__ import annotations

from typing import Final

from referwell.domain.measures.base import Band, Instrument
from referwell.domain.measures.gad7 import GAD7
from referwell.domain.measures.pcl5 import PCL5
from referwell.domain.measures.phq9 import PHQ9
from referwell.domain.measures.phq15 import PHQ15

INSTRUMENTS: Final[dict[str, Instrument]] = {i.code: i for i in (PHQ9, GAD7, PHQ15, PCL5)}
# The progress rules read these two only (decision-rules.md, Progress).
PROGRESS_INSTRUMENTS: Final = ("PHQ-9", "GAD-7")

__all__ = [
    "GAD7",
    "INSTRUMENTS",
    "PCL5",
    "PHQ9",
    "PHQ15",
    "PROGRESS_INSTRUMENTS",
    "Band",
    "Instrument",
]
