"""GAD-7 (Spitzer et al. 2006): generalised anxiety, 7 items 0-3."""

from __future__ import annotations

from referwell.domain.measures.base import Band, Instrument, Wording
from referwell.domain.measures.phq9 import FREQUENCY_ANSWERS, PHQ_CREDIT

WORDING = Wording(
    instructions="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=(
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    answers=FREQUENCY_ANSWERS,
    credit=PHQ_CREDIT,
)

GAD7 = Instrument(
    code="GAD-7",
    title="Generalized Anxiety Disorder-7",
    source="Spitzer et al. 2006, Arch Intern Med 166:1092",
    item_count=7,
    item_max=3,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    caseness_cutoff=8,
    caseness_label="at caseness (GAD-7 ≥ 8, NHS Talking Therapies)",
    reliable_change=4,
    wording=WORDING,
)
