"""Every code of the vocabulary in plain words, for people (pages and the CLI's text output).

The JSON and the stored records keep their codes (docs/vocabulary.md); a person reads
`borderline personality disorder`, never `borderline_personality`. A label is a lower-case
phrase a clinician would say; it starts with a capital only when it starts with an
abbreviation or a proper noun, and `sentence` capitalises it at the start of a sentence.
An abbreviation carries its full name the first time, in the same label:
"DBT (dialectical behavior therapy)".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# The general conditions: a concern of the client, or a competency of the clinician
# (where they describe and never gate), read the same in both places.
_GENERAL_CONDITIONS: Final[Mapping[str, str]] = {
    "depression": "depression",
    "anxiety": "anxiety",
    "panic": "panic",
    "social_anxiety": "social anxiety",
    "grief": "grief",
    "stress": "stress",
    "adjustment": "adjustment difficulties",
    "relationship": "relationship difficulties",
    "life_transition": "life transitions",
    "self_esteem": "self-esteem",
    "anger": "anger",
    "insomnia": "insomnia",
    "phobia": "phobia",
}

_CONDITION: Final[Mapping[str, str]] = {
    **_GENERAL_CONDITIONS,
    "borderline_personality": "borderline personality disorder",
    "psychosis": "psychosis",
    "bipolar": "bipolar disorder",
    "dissociative": "dissociative disorder",
    "eating_disorder": "eating disorder",
    "substance_use": "substance use",
    "trauma_ptsd": "trauma or PTSD (post-traumatic stress disorder)",
    "ocd": "OCD (obsessive-compulsive disorder)",
    "neurocognitive": "neurocognitive disorder",
    "suicidality": "suicidal thinking",
}

_SERVICE: Final[Mapping[str, str]] = {
    # Modalities.
    "cbt": "CBT (cognitive behavioral therapy)",
    "dbt": "DBT (dialectical behavior therapy)",
    "mbt": "MBT (mentalization-based treatment)",
    "tfp": "TFP (transference-focused psychotherapy)",
    "schema_therapy": "schema therapy",
    "act": "ACT (acceptance and commitment therapy)",
    "cpt": "CPT (cognitive processing therapy)",
    "pe": "PE (prolonged exposure)",
    "emdr": "EMDR (eye movement desensitization and reprocessing)",
    "trauma_focused": "trauma-focused therapy",
    "erp": "ERP (exposure and response prevention)",
    "ipt": "IPT (interpersonal psychotherapy)",
    "psychodynamic": "psychodynamic therapy",
    "person_centered": "person-centered therapy",
    "mi": "MI (motivational interviewing)",
    "family_based_treatment": "family-based treatment",
    "gottman": "Gottman method couples therapy",
    "eft": "EFT (emotionally focused therapy)",
    # Specialty areas.
    "psychosis": "psychosis care",
    "bipolar": "bipolar disorder care",
    "dissociative": "dissociative disorder treatment",
    "eating_disorders": "eating disorder treatment",
    "addiction": "addiction treatment",
    "neuropsychology": "neuropsychological assessment",
    "suicide_prevention": "suicide prevention",
    # Populations and formats.
    "children": "therapy for children (under 13)",
    "adolescents": "therapy for adolescents (13 to 17)",
    "adults": "therapy for adults",
    "older_adults": "therapy for older adults (65 and over)",
    "couples": "couples therapy",
    "family": "family therapy",
    # Care settings and professions.
    "psychotherapy": "outpatient psychotherapy",
    "psychiatry": "psychiatric and medication evaluation",
    "primary_care": "primary care (a physician's evaluation)",
    "coordinated_specialty_care": "coordinated specialty care for first-episode psychosis",
    "crisis": "crisis services",
    "intensive_outpatient": "intensive outpatient program",
    "residential": "residential treatment",
}

_EVENT_KIND: Final[Mapping[str, str]] = {
    "romantic_advance": "romantic advance",
    "boundary_crossing": "boundary crossing",
    "threat_to_clinician": "threat to the clinician",
    "threat_to_others": "threat to others",
    "suicidal_statement": "suicidal statement",
    "self_harm": "self-harm",
}

# What the clinician notices in themselves.
_CLINICIAN_FACTOR: Final[Mapping[str, str]] = {
    "values_conflict": "a conflict of values with the client",
    "cultural_unfamiliarity": "unfamiliarity with the client's culture",
    "similar_personal_issue": "a personal issue like the client's",
    "strong_dislike": "strong dislike of the client",
    "burnout": "burnout",
    "impairment": "the clinician's own impairment",
}

# Why the clinician considers referral.
_REASON: Final[Mapping[str, str]] = {
    "personal_values": "personal values",
    "cultural_unfamiliarity": "unfamiliarity with the client's culture",
    "dislike": "dislike of the client",
    "competence": "the limits of competence",
    "not_benefiting": "the client is not benefiting",
    "attendance": "poor attendance",
    "boundary": "a boundary problem",
    "countertransference": "countertransference",
    "impairment": "the clinician's own impairment",
    "safety": "safety concerns",
    "client_request": "the client's request",
    "goals_met": "the goals are met",
    "other": "another reason",
}

_STEP: Final[Mapping[str, str]] = {
    "supervision": "supervision",
    "consultation": "consultation with a colleague",
    "continuing_education": "continuing education",
    "personal_therapy": "personal therapy",
    "broaching": "broaching culture or identity with the client",
    "discussed_with_client": "a discussion with the client",
    "treatment_adjusted": "an adjustment to the treatment",
    "boundary_discussion": "a discussion of boundaries",
    "self_care": "self-care",
    "risk_assessment": "a risk assessment",
    "safety_plan": "a safety plan",
}

_FINANCIAL_KIND: Final[Mapping[str, str]] = {
    "none": "none",
    "referral_fee": "a referral fee",
    "fee_split": "fee splitting",
    "gift_of_value": "a gift of value",
    "exclusive_reciprocal": "an exclusive reciprocal referral agreement",
    "nominal_thanks": "a nominal thank-you",
}

_ATTENDANCE: Final[Mapping[str, str]] = {
    "attended": "attended",
    "late": "attended late",
    "no_show": "no-show",
    "late_cancel": "late cancellation",
    "cancelled": "cancelled",
}

_ENGAGEMENT: Final[Mapping[str, str]] = {
    "active": "actively engaged",
    "low": "low engagement",
    "refuses_discussion": "refuses to discuss the work",
}

_FORMAT_OF_CARE: Final[Mapping[str, str]] = {
    "individual": "individual therapy",
    "couple": "couples therapy",
    "family": "family therapy",
}

_GOAL_STATUS: Final[Mapping[str, str]] = {
    "met": "met",
    "progressing": "in progress",
    "not_started": "not started",
    "dropped": "dropped",
}

_CLINICIAN_GENDER: Final[Mapping[str, str]] = {
    "female": "female",
    "male": "male",
    "nonbinary": "nonbinary",
    "any": "no preference",
}

# Short titles.
_FINDING_KIND: Final[Mapping[str, str]] = {
    "safety.suicide_risk": "suicide risk",
    "safety.threat_to_others": "threat to others",
    "safety.threat_to_clinician": "threat to the clinician",
    "competence.specialized_condition": "specialized condition outside competence",
    "competence.population": "age group or format outside competence",
    "competence.in_training": "competence still in training",
    "medical.unevaluated_symptoms": "physical symptoms not medically evaluated",
    "medical.adjunct_care": "concurrent care needed",
    "progress.not_on_track": "not on track",
    "progress.deterioration": "deterioration",
    "progress.goals_met": "goals met",
    "progress.client_request": "client wants to end",
    "engagement.attendance": "poor attendance",
    "engagement.participation": "low participation",
    "relationship.romantic_advances": "romantic advances",
    "relationship.boundary_crossing": "boundary crossing",
    "clinician.values_conflict": "values conflict",
    "clinician.cultural_unfamiliarity": "cultural unfamiliarity",
    "clinician.dislike": "dislike of the client",
    "clinician.countertransference": "countertransference",
    "clinician.burnout": "burnout",
    "clinician.impairment": "clinician impairment",
    "ethics.financial_conflict": "payment for referrals",
}

_CAUTION_KIND: Final[Mapping[str, str]] = {
    "reason.personal_values": "personal values as a reason",
    "reason.cultural_unfamiliarity": "cultural unfamiliarity as a reason",
    "reason.dislike": "dislike as a reason",
    "alternatives_not_tried": "alternatives not tried",
    "financial_conflict": "payment for referrals",
    "abandonment_risk": "risk of abandonment",
}

# As the web app's recommendation badges read, with a lower-case first word.
_RECOMMENDATION: Final[Mapping[str, str]] = {
    "urgent_safety": "urgent: safety",
    "refer": "refer",
    "refer_adjunct": "add a referral",
    "consult_first": "consult first",
    "plan_termination": "plan the ending",
    "continue": "continue",
}

_URGENCY: Final[Mapping[str, str]] = {
    "urgent": "urgent",
    "soon": "soon",
    "routine": "routine",
}

_SEVERITY: Final[Mapping[str, str]] = {
    "critical": "critical",
    "warning": "warning",
    "info": "for information",
}

# The severity band names of every instrument (docs/measures.md).
_BAND: Final[Mapping[str, str]] = {
    "minimal": "minimal",
    "mild": "mild",
    "moderate": "moderate",
    "moderately_severe": "moderately severe",
    "severe": "severe",
    "low": "low",
    "medium": "medium",
    "high": "high",
}

# The fields of RuleSettings (decision-rules.md, Settings).
_SETTING: Final[Mapping[str, str]] = {
    "suicide_event_window_days": "days a suicidal statement or self-harm counts as recent",
    "suicide_downgrade_after_days": "days after which suicide risk is downgraded, once assessed and planned for",
    "threat_window_days": "days a threat to others counts as urgent",
    "not_on_track_after_sessions": "attended sessions before a client can be not on track",
    "attendance_window": "recent sessions the attendance rule reads",
    "attendance_missed_threshold": "missed sessions that raise the attendance finding",
    "attendance_late_threshold": "late arrivals that raise the attendance finding",
}

# Every field path of the case format, as the validator names it without list indexes.
_FIELD: Final[Mapping[str, str]] = {
    "format": "case format",
    "id": "case identifier",
    "as_of": "date of the assessment",
    "clinician": "clinician",
    "clinician.competencies": "clinician's competencies",
    "clinician.in_training": "competencies in training",
    "client": "client",
    "client.age": "client's age",
    "client.languages": "client's languages",
    "client.postal_code": "client's postal code",
    "client.insurance": "client's insurance",
    "client.telehealth_ok": "telehealth acceptable",
    "client.preferences": "client's preferences",
    "client.preferences.clinician_gender": "preferred clinician gender",
    "client.preferences.faith": "preferred faith",
    "client.preferences.sliding_scale": "wants a sliding-scale fee",
    "client.preferences.in_person": "wants in-person sessions",
    "client.current_care": "client's current care",
    "client.engagement": "client's engagement",
    "client.wants_to_end": "client wants to end therapy",
    "format_of_care": "format of care",
    "concerns": "concerns",
    "physical_symptoms": "physical symptoms",
    "physical_symptoms.symptom": "symptom",
    "physical_symptoms.medically_evaluated": "medically evaluated",
    "measures": "questionnaire scores",
    "measures.instrument": "questionnaire",
    "measures.date": "date of the questionnaire",
    "measures.items": "item scores",
    "measures.total": "total score",
    "sessions": "sessions",
    "sessions.date": "date of the session",
    "sessions.attendance": "attendance",
    "events": "events",
    "events.date": "date of the event",
    "events.kind": "kind of event",
    "events.discussed": "discussed with the client",
    "clinician_factors": "what the clinician notices in themselves",
    "considering_referral_because": "reasons for considering referral",
    "steps_taken": "steps taken",
    "steps_taken.step": "step",
    "steps_taken.date": "date of the step",
    "goals": "goals",
    "goals.description": "goal",
    "goals.status": "status of the goal",
    "financial_arrangements": "financial arrangements",
    "financial_arrangements.with": "arrangement with",
    "financial_arrangements.kind": "kind of arrangement",
}

LABELS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        group: MappingProxyType(dict(table))
        for group, table in {
            "condition": _CONDITION,
            "service": _SERVICE,
            # Competencies that are not services: the general conditions. With "service"
            # this covers every competency.
            "competency": _GENERAL_CONDITIONS,
            "event_kind": _EVENT_KIND,
            "clinician_factor": _CLINICIAN_FACTOR,
            "reason": _REASON,
            "step": _STEP,
            "financial_kind": _FINANCIAL_KIND,
            "attendance": _ATTENDANCE,
            "engagement": _ENGAGEMENT,
            "format_of_care": _FORMAT_OF_CARE,
            "goal_status": _GOAL_STATUS,
            "clinician_gender": _CLINICIAN_GENDER,
            "finding_kind": _FINDING_KIND,
            "caution_kind": _CAUTION_KIND,
            "recommendation": _RECOMMENDATION,
            "urgency": _URGENCY,
            "severity": _SEVERITY,
            "band": _BAND,
            "setting": _SETTING,
            "field": _FIELD,
        }.items()
    }
)

# The codes whose label starts with the code itself in capitals, then its full name.
ABBREVIATIONS: Final[frozenset[str]] = frozenset(
    ["cbt", "dbt", "mbt", "tfp", "act", "cpt", "pe", "emdr", "erp", "ipt", "mi", "eft", "ocd"]
)


def label(group: str, code: str) -> str:
    """The plain-words label of `code` in `group`; KeyError names both when there is none.

    A competency is a service or a general condition, so group "competency" also looks in
    "service" and "condition".
    """
    table = LABELS.get(group)
    if table is None:
        raise KeyError(f'unknown label group "{group}" (asked for code "{code}")')
    found = table.get(code)
    if found is None and group == "competency":
        found = LABELS["service"].get(code) or LABELS["condition"].get(code)
    if found is None:
        raise KeyError(f'no label for code "{code}" in group "{group}"')
    return found


def sentence(text: str) -> str:
    """`text` with its first letter capitalised, as the start of a sentence.

    Only that letter changes, and only when no digit comes before it: abbreviations and the
    rest of the text stay as they are.
    """
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1 :]
        if char.isdigit():
            return text
    return text
