"""PHQ-9 (Kroenke, Spitzer & Williams 2001): depression, 9 items 0-3."""

from __future__ import annotations

from referwell.domain.measures.base import Band, Instrument

PHQ9 = Instrument(
    code="PHQ-9",
    title="Patient Health Questionnaire-9",
    source="Kroenke, Spitzer & Williams 2001, J Gen Intern Med 16:606",
    item_count=9,
    item_max=3,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately_severe"),
        Band(20, 27, "severe"),
    ),
    caseness_cutoff=10,
    caseness_label="at caseness (PHQ-9 ≥ 10, NHS Talking Therapies)",
    reliable_change=6,
)

# Item 9: thoughts of being better off dead or of hurting oneself.
SUICIDE_ITEM = 9
