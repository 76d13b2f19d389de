"""The sources the rules cite (ethics-and-law.md, measures.md), spelled as the rules' table spells them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Citation:
    source: str
    section: str

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "section": self.section}

    def __str__(self) -> str:
        return f"{self.source} {self.section}"


ACA: Final = "ACA Code of Ethics 2014"
APA: Final = "APA Ethics Code"
NASW: Final = "NASW Code of Ethics"


def cite(source: str, *sections: str) -> tuple[Citation, ...]:
    return tuple(Citation(source, s) for s in sections)


SIMON_2013: Final = Citation("Simon et al. 2013", "PHQ-9 item 9")
TARASOFF: Final = Citation("Tarasoff v. Regents 1976", "17 Cal.3d 425")
SHIMOKAWA_2010: Final = Citation("Shimokawa et al. 2010", "routine outcome monitoring")
BAKER_2009: Final = Citation("Baker 2009", "Monitor on Psychology 40(2)")
COLORADO: Final = Citation("C.R.S.", "12-245-224")
KROENKE_2002: Final = Citation("Kroenke et al. 2002", "PHQ-15")

# The citations each finding and caution kind must carry at least (decision-rules.md).
REQUIRED: Final[dict[str, tuple[Citation, ...]]] = {
    "safety.suicide_risk": (*cite(ACA, "B.2.a"), SIMON_2013),
    "safety.threat_to_others": (TARASOFF, *cite(ACA, "B.2.a")),
    "safety.threat_to_clinician": (*cite(ACA, "A.11.c"), *cite(APA, "10.10(b)")),
    "competence.specialized_condition": (
        *cite(ACA, "A.11.a", "C.2.a"),
        *cite(APA, "2.01(a)"),
        *cite(NASW, "1.16(a)"),
    ),
    "competence.population": (*cite(ACA, "C.2.a"), *cite(APA, "2.01(b)")),
    "competence.in_training": (*cite(ACA, "C.2.b"), *cite(APA, "2.01(c)")),
    "medical.unevaluated_symptoms": (*cite(ACA, "A.1.a"), *cite(NASW, "1.16(a)")),
    "medical.adjunct_care": (*cite(ACA, "A.1.a"), *cite(NASW, "1.16(a)")),
    "progress.not_on_track": (*cite(ACA, "C.2.d", "A.11.c"), SHIMOKAWA_2010),
    "progress.deterioration": (*cite(ACA, "A.11.c"), *cite(APA, "10.10(a)"), SHIMOKAWA_2010),
    "progress.goals_met": (*cite(ACA, "A.11.c"), *cite(APA, "10.10(a)")),
    "progress.client_request": (*cite(ACA, "A.2.b"), *cite(NASW, "1.17(b)")),
    "engagement.attendance": cite(ACA, "A.1.c"),
    "engagement.participation": cite(ACA, "A.1.c"),
    "relationship.romantic_advances": (*cite(ACA, "A.5.a"), *cite(APA, "10.05")),
    "relationship.boundary_crossing": (*cite(ACA, "A.6"), *cite(APA, "3.05")),
    "clinician.values_conflict": cite(ACA, "A.4.b", "A.11.b"),
    "clinician.cultural_unfamiliarity": (*cite(ACA, "C.2.a"), *cite(APA, "2.01(b)")),
    "clinician.dislike": (*cite(APA, "2.06(b)"), BAKER_2009),
    "clinician.countertransference": (*cite(ACA, "C.2.g"), *cite(APA, "2.06(b)")),
    "clinician.burnout": (*cite(ACA, "C.2.g"), *cite(APA, "2.06(b)")),
    "clinician.impairment": (*cite(ACA, "C.2.g"), *cite(APA, "2.06(b)")),
    "ethics.financial_conflict": (
        *cite(ACA, "A.10.b"),
        *cite(APA, "6.07"),
        *cite(NASW, "1.16(c)"),
        COLORADO,
    ),
    "caution:reason.personal_values": cite(ACA, "A.11.b"),
    "caution:reason.cultural_unfamiliarity": (*cite(APA, "2.01(b)"), *cite(ACA, "C.2.a")),
    "caution:reason.dislike": (BAKER_2009,),
    "caution:alternatives_not_tried": (*cite(ACA, "A.11.b"), *cite(APA, "2.06(b)")),
    "caution:financial_conflict": cite(ACA, "A.10.b"),
    "caution:abandonment_risk": (
        *cite(ACA, "A.11.c", "A.12"),
        *cite(APA, "10.10(c)"),
        *cite(NASW, "1.17(b)"),
    ),
}

# Every section docs/ethics-and-law.md paraphrases, by its source as cited there: what the
# ethics practice cards (domain/growth) may cite. A test holds each one to the document.
SECTIONS: Final[dict[str, tuple[str, ...]]] = {
    ACA: (
        "A.1.a", "A.1.b", "A.1.c", "A.2.a", "A.2.b", "A.4.b", "A.5.a", "A.5.c", "A.6",
        "A.10.b", "A.11.a", "A.11.b", "A.11.c", "A.11.d", "A.12", "B.2.a", "C.2.a", "C.2.b",
        "C.2.d", "C.2.g", "F.1.a",
    ),
    APA: (
        "2.01(a)", "2.01(b)", "2.01(c)", "2.01(d)", "2.02", "2.03", "2.06(a)", "2.06(b)",
        "3.04", "3.05", "6.07", "10.05", "10.08", "10.09", "10.10(a)", "10.10(b)", "10.10(c)",
    ),
    NASW: ("1.04", "1.15", "1.16(a)", "1.16(b)", "1.16(c)", "1.17(a)", "1.17(b)", "1.17(d)"),
    COLORADO.source: (COLORADO.section,),
    "Maryland COMAR": ("10.58.03.06D",),
    "AAMFT Code of Ethics": ("7.1",),
    "ABA Model Rule": ("7.2(b)",),
    "US Anti-Kickback Statute": ("42 U.S.C. 1320a-7b(b)",),
    "Stark law": ("42 U.S.C. 1395nn",),
    TARASOFF.source: (TARASOFF.section,),
    BAKER_2009.source: (BAKER_2009.section,),
}  # fmt: skip
