"""The codes of referwell's vocabulary, version 1 (docs/vocabulary.md lists them with meanings).

One vocabulary links the case, the rules, the directory and the referral. Codes
may be added; the codes of version 1 must never be renamed: case files, stored
records and other programs use them.
"""

from __future__ import annotations

from typing import Final

GENERAL_CONDITIONS: Final = (
    "depression", "anxiety", "panic", "social_anxiety", "grief", "stress", "adjustment",
    "relationship", "life_transition", "self_esteem", "anger", "insomnia", "phobia",
)  # fmt: skip
SPECIALIZED_CONDITIONS: Final = (
    "borderline_personality", "psychosis", "bipolar", "dissociative", "eating_disorder",
    "substance_use", "trauma_ptsd", "ocd", "neurocognitive",
)  # fmt: skip
RISK_CONDITIONS: Final = ("suicidality",)
CONDITIONS: Final = GENERAL_CONDITIONS + SPECIALIZED_CONDITIONS + RISK_CONDITIONS

MODALITIES: Final = (
    "cbt", "dbt", "mbt", "tfp", "schema_therapy", "act", "cpt", "pe", "emdr",
    "trauma_focused", "erp", "ipt", "psychodynamic", "person_centered", "mi",
    "family_based_treatment", "gottman", "eft",
)  # fmt: skip
SPECIALTY_AREAS: Final = (
    "psychosis", "bipolar", "dissociative", "eating_disorders", "addiction",
    "neuropsychology", "suicide_prevention",
)  # fmt: skip
POPULATIONS: Final = ("children", "adolescents", "adults", "older_adults", "couples", "family")
CARE_SETTINGS: Final = (
    "psychotherapy", "psychiatry", "primary_care", "coordinated_specialty_care", "crisis",
    "intensive_outpatient", "residential",
)  # fmt: skip
SERVICES: Final = MODALITIES + SPECIALTY_AREAS + POPULATIONS + CARE_SETTINGS

# Specialized condition codes that are not competencies: competence is expressed by
# the codes on the right (the decision rules' competence table, plus the two pointers
# the rules name for neurocognitive and suicidality).
COMPETENCE_FOR_CONDITION: Final[dict[str, tuple[str, ...]]] = {
    "borderline_personality": ("dbt", "mbt", "tfp", "schema_therapy"),
    "eating_disorder": ("eating_disorders", "family_based_treatment"),
    "substance_use": ("addiction",),
    "trauma_ptsd": ("trauma_focused", "cpt", "pe", "emdr"),
    "ocd": ("erp",),
    "neurocognitive": ("neuropsychology",),
    "suicidality": ("suicide_prevention",),
}
# A clinician's competencies: every service code plus the general condition codes
# (which describe and never gate). psychosis, bipolar and dissociative are specialty
# areas, so they are competencies under their own names.
COMPETENCIES: Final = tuple(dict.fromkeys(SERVICES + GENERAL_CONDITIONS))

EVENT_KINDS: Final = (
    "romantic_advance", "boundary_crossing", "threat_to_clinician", "threat_to_others",
    "suicidal_statement", "self_harm",
)  # fmt: skip
CLINICIAN_FACTORS: Final = (
    "values_conflict", "cultural_unfamiliarity", "similar_personal_issue", "strong_dislike",
    "burnout", "impairment",
)  # fmt: skip
REASONS: Final = (
    "personal_values", "cultural_unfamiliarity", "dislike", "competence", "not_benefiting",
    "attendance", "boundary", "countertransference", "impairment", "safety",
    "client_request", "goals_met", "other",
)  # fmt: skip
STEPS: Final = (
    "supervision", "consultation", "continuing_education", "personal_therapy", "broaching",
    "discussed_with_client", "treatment_adjusted", "boundary_discussion", "self_care",
    "risk_assessment", "safety_plan",
)  # fmt: skip
FINANCIAL_KINDS: Final = (
    "none", "referral_fee", "fee_split", "gift_of_value", "exclusive_reciprocal",
    "nominal_thanks",
)  # fmt: skip
PROHIBITED_FINANCIAL_KINDS: Final = (
    "referral_fee", "fee_split", "gift_of_value", "exclusive_reciprocal",
)  # fmt: skip

ATTENDANCE: Final = ("attended", "late", "no_show", "late_cancel", "cancelled")
ENGAGEMENT: Final = ("active", "low", "refuses_discussion")
FORMATS_OF_CARE: Final = ("individual", "couple", "family")
GOAL_STATUSES: Final = ("met", "progressing", "not_started", "dropped")
CLINICIAN_GENDERS: Final = ("female", "male", "nonbinary", "any")

FINDING_KINDS: Final = (
    "safety.suicide_risk", "safety.threat_to_others", "safety.threat_to_clinician",
    "competence.specialized_condition", "competence.population", "competence.in_training",
    "medical.unevaluated_symptoms", "medical.adjunct_care", "progress.not_on_track",
    "progress.deterioration", "progress.goals_met", "progress.client_request",
    "engagement.attendance", "engagement.participation", "relationship.romantic_advances",
    "relationship.boundary_crossing", "clinician.values_conflict",
    "clinician.cultural_unfamiliarity", "clinician.dislike", "clinician.countertransference",
    "clinician.burnout", "clinician.impairment", "ethics.financial_conflict",
)  # fmt: skip
CAUTION_KINDS: Final = (
    "reason.personal_values", "reason.cultural_unfamiliarity", "reason.dislike",
    "alternatives_not_tried", "financial_conflict", "abandonment_risk",
)  # fmt: skip

# Most pressing first (case-format.md).
RECOMMENDATIONS: Final = (
    "urgent_safety", "refer", "refer_adjunct", "consult_first", "plan_termination", "continue",
)  # fmt: skip
URGENCIES: Final = ("urgent", "soon", "routine")
SEVERITIES: Final = ("critical", "warning", "info")

# ISO 639-1 two-letter language codes.
LANGUAGES: Final = frozenset(
    [
        "aa",
        "ab",
        "ae",
        "af",
        "ak",
        "am",
        "an",
        "ar",
        "as",
        "av",
        "ay",
        "az",
        "ba",
        "be",
        "bg",
        "bi",
        "bm",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "ce",
        "ch",
        "co",
        "cr",
        "cs",
        "cu",
        "cv",
        "cy",
        "da",
        "de",
        "dv",
        "dz",
        "ee",
        "el",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fa",
        "ff",
        "fi",
        "fj",
        "fo",
        "fr",
        "fy",
        "ga",
        "gd",
        "gl",
        "gn",
        "gu",
        "gv",
        "ha",
        "he",
        "hi",
        "ho",
        "hr",
        "ht",
        "hu",
        "hy",
        "hz",
        "ia",
        "id",
        "ie",
        "ig",
        "ii",
        "ik",
        "io",
        "is",
        "it",
        "iu",
        "ja",
        "jv",
        "ka",
        "kg",
        "ki",
        "kj",
        "kk",
        "kl",
        "km",
        "kn",
        "ko",
        "kr",
        "ks",
        "ku",
        "kv",
        "kw",
        "ky",
        "la",
        "lb",
        "lg",
        "li",
        "ln",
        "lo",
        "lt",
        "lu",
        "lv",
        "mg",
        "mh",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "na",
        "nb",
        "nd",
        "ne",
        "ng",
        "nl",
        "nn",
        "no",
        "nr",
        "nv",
        "ny",
        "oc",
        "oj",
        "om",
        "or",
        "os",
        "pa",
        "pi",
        "pl",
        "ps",
        "pt",
        "qu",
        "rm",
        "rn",
        "ro",
        "ru",
        "rw",
        "sa",
        "sc",
        "sd",
        "se",
        "sg",
        "si",
        "sk",
        "sl",
        "sm",
        "sn",
        "so",
        "sq",
        "sr",
        "ss",
        "st",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "ti",
        "tk",
        "tl",
        "tn",
        "to",
        "tr",
        "ts",
        "tt",
        "tw",
        "ty",
        "ug",
        "uk",
        "ur",
        "uz",
        "ve",
        "vi",
        "vo",
        "wa",
        "wo",
        "xh",
        "yi",
        "yo",
        "za",
        "zh",
        "zu",
    ]
)


# English and native names of common languages, to suggest the code for a name.
LANGUAGE_NAMES: Final[dict[str, str]] = {
    "english": "en", "spanish": "es", "español": "es", "espanol": "es", "french": "fr",
    "français": "fr", "german": "de", "deutsch": "de", "italian": "it", "portuguese": "pt",
    "dutch": "nl", "russian": "ru", "ukrainian": "uk", "polish": "pl", "arabic": "ar",
    "hebrew": "he", "persian": "fa", "farsi": "fa", "turkish": "tr", "greek": "el",
    "hindi": "hi", "urdu": "ur", "bengali": "bn", "punjabi": "pa", "tamil": "ta",
    "chinese": "zh", "mandarin": "zh", "cantonese": "zh", "japanese": "ja", "korean": "ko",
    "vietnamese": "vi", "tagalog": "tl", "filipino": "tl", "thai": "th", "indonesian": "id",
    "malay": "ms", "swahili": "sw", "amharic": "am", "somali": "so", "haitian creole": "ht",
    "creole": "ht", "swedish": "sv", "norwegian": "no", "danish": "da", "finnish": "fi",
    "czech": "cs", "hungarian": "hu", "romanian": "ro", "serbian": "sr", "croatian": "hr",
    "bosnian": "bs", "albanian": "sq", "armenian": "hy", "nepali": "ne", "navajo": "nv",
    "yoruba": "yo", "igbo": "ig", "hausa": "ha", "pashto": "ps", "kurdish": "ku",
}  # fmt: skip


# 0 for the most pressing recommendation, 5 for `continue`.
RECOMMENDATION_RANK: Final[dict[str, int]] = {r: i for i, r in enumerate(RECOMMENDATIONS)}
