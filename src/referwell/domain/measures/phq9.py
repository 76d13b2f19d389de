"""PHQ-9 (Kroenke, Spitzer & Williams 2001): depression, 9 items 0-3."""

from __future__ import annotations

from referwell.domain.measures.base import Band, Instrument, Wording

# The footer every PHQ-family form carries (PHQ-9, PHQ-15, GAD-7); the GAD-7 shares it.
PHQ_CREDIT = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)

FREQUENCY_ANSWERS = ("Not at all", "Several days", "More than half the days", "Nearly every day")

WORDING = Wording(
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    answers=FREQUENCY_ANSWERS,
    credit=PHQ_CREDIT,
)

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
    wording=WORDING,
)

# Item 9: thoughts of being better off dead or of hurting oneself.
SUICIDE_ITEM = 9
