"""GAD-7 (Spitzer et al. 2006): generalised anxiety, 7 items 0-3."""

from __future__ import annotations

from referwell.domain.measures.base import Band, Instrument

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
)
