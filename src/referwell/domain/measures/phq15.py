"""PHQ-15 (Kroenke et al. 2002): somatic symptom burden, 15 items 0-2."""

from __future__ import annotations

from referwell.domain.measures.base import Band, Instrument, Wording
from referwell.domain.measures.phq9 import PHQ_CREDIT

# The standalone PHQ-15 form. Items 14 and 15 (tiredness, sleep) come from the PHQ-9's
# depression module, where they are asked over 2 weeks and scored 0-2 ("more than half the
# days" and "nearly every day" both 2); on this form they are asked like the rest.
WORDING = Wording(
    instructions=(
        "During the past 4 weeks, how much have you been bothered by any of the following problems?"
    ),
    items=(
        "Stomach pain",
        "Back pain",
        "Pain in your arms, legs, or joints (knees, hips, etc.)",
        "Menstrual cramps or other problems with your periods",
        "Headaches",
        "Chest pain",
        "Dizziness",
        "Fainting spells",
        "Feeling your heart pound or race",
        "Shortness of breath",
        "Pain or problems during sexual intercourse",
        "Constipation, loose bowels, or diarrhea",
        "Nausea, gas, or indigestion",
        "Feeling tired or having low energy",
        "Trouble sleeping",
    ),
    answers=("Not bothered at all", "Bothered a little", "Bothered a lot"),
    credit=PHQ_CREDIT,
    note="Item 4 (menstrual cramps or other problems with your periods) is for women only.",
)

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
    wording=WORDING,
)

# Medium or high somatic burden argues for a medical evaluation; it adds evidence to
# the medical rule and never changes a recommendation by itself.
SOMATIC_EVIDENCE_FROM = 10
