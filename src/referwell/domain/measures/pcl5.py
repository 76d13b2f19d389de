"""PCL-5 (Weathers et al.; Blevins et al. 2015): PTSD symptoms, 20 items 0-4."""

from __future__ import annotations

from referwell.domain.measures.base import Instrument, Wording

# The standard PCL-5 (past month, no Criterion A). The paper form says "circle one of the
# numbers to the right"; on screen that reads "choose one of the answers". The column heading
# "In the past month, how much were you bothered by:" ends the stem, since each item
# completes it.
WORDING = Wording(
    instructions=(
        "Below is a list of problems that people sometimes have in response to a very stressful "
        "experience. Please read each problem carefully and then choose one of the answers to "
        "indicate how much you have been bothered by that problem in the past month. "
        "In the past month, how much were you bothered by:"
    ),
    items=(
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening "
        "again (as if you were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful "
        "experience (for example, heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, places, "
        "conversations, activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for "
        "example, having thoughts such as: I am bad, there is something seriously wrong with "
        "me, no one can be trusted, the world is completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
        "have loving feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        "Being “superalert” or watchful or on guard?",
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    answers=("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"),
    credit=(
        "PCL-5: Weathers, F.W., Litz, B.T., Keane, T.M., Palmieri, P.A., Marx, B.P., & "
        "Schnurr, P.P. (2013). The PTSD Checklist for DSM-5 (PCL-5). Scale available from the "
        "National Center for PTSD at www.ptsd.va.gov. In the public domain."
    ),
)

PCL5 = Instrument(
    code="PCL-5",
    title="PTSD Checklist for DSM-5",
    source="Weathers et al., National Center for PTSD; Blevins et al. 2015",
    item_count=20,
    item_max=4,
    bands=(),  # no empirical bands
    caseness_cutoff=33,
    caseness_label="probable PTSD (PCL-5 ≥ 33)",
    reliable_change=10,
    wording=WORDING,
)
