"""PHQ-15 (Kroenke et al. 2002): somatic symptom burden, 15 items 0-2."""

from __future__ import annotations

from referwell.domain.measures.base import Band, Instrument

PHQ15 = Instrument(
    code="PHQ-15",
    title="Patient Health Questionnaire-15",
    source="Kroenke et al. 2002, Psychosom Med",
    item_count=15,
    item_max=2,
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "low"),
        Band(10, 14, "medium"),
        Band(15, 30, "high"),
    ),
    caseness_cutoff=10,
    caseness_label="medium or high somatic symptom burden (PHQ-15 ≥ 10)",
    reliable_change=None,
)

# Medium or high somatic burden argues for a medical evaluation; it adds evidence to
# the medical rule and never changes a recommendation by itself.
SOMATIC_EVIDENCE_FROM = 10
