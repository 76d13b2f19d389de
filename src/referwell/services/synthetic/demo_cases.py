"""The demo practice's people: its staff, and its 60 clients dated back from the demo day.

Thirty-three clients are written here, each to show one thing the engine
decides; between them, assessed on the demo day, they yield every finding kind
and every caution kind of the vocabulary. The other 27 are ordinary synthetic
clients (`cases`), so the caseload looks like a caseload. Names are
invented.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from referwell.domain.case import CASE_FORMAT
from referwell.services.synthetic.cases import CaseGenerator
from referwell.services.synthetic.names import SyntheticClinician, invented_name

DEMO_PASSWORD: Final = "referwell-demo"  # noqa: S105 - the demo's published password
DEMO_CLIENTS: Final = 60
DEMO_SEED: Final = 2026
_SCENARIO: Final = re.compile(r"s\d\d_")


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A login of the demo practice, and what it shows."""

    username: str
    display_name: str
    role: str
    about: str
    competencies: tuple[str, ...] = ()
    in_training: tuple[str, ...] = ()
    password: str = DEMO_PASSWORD


DEMO_USERS: Final = (
    DemoUser(
        "casey",
        "Casey Thornbury",
        "clinician",
        "CBT generalist for adults, in training in EMDR",
        ("cbt", "act", "mi", "adults", "older_adults", "depression", "anxiety", "panic",
         "social_anxiety", "insomnia", "stress", "grief"),
        ("emdr",),
    ),
    DemoUser(
        "dana",
        "Dana Wrenfield",
        "clinician",
        "DBT and trauma clinician for adults and adolescents",
        ("dbt", "cbt", "cpt", "pe", "trauma_focused", "suicide_prevention", "adults",
         "adolescents"),
    ),
    DemoUser(
        "robin",
        "Robin Ashcombe",
        "clinician",
        "child and family clinician, in training in couples work",
        ("cbt", "family_based_treatment", "children", "adolescents", "family", "anxiety",
         "depression"),
        ("couples",),
    ),
    DemoUser("morgan", "Morgan Vale", "supervisor", "supervises Casey, Dana and Robin"),
    DemoUser("alex", "Alex Penhallow", "admin", "manages users and the rule settings"),
)  # fmt: skip


def demo_cases(today: date) -> list[tuple[str, str, dict[str, Any]]]:
    """Every demo client as (clinician username, display name, case), dated back from `today`."""
    rng = random.Random(DEMO_SEED)  # noqa: S311 - seeded synthetic data, not secrets
    profiles = {user.username: user for user in DEMO_USERS}
    written = _Scenarios(today).all()
    out: list[tuple[str, str, dict[str, Any]]] = []
    for number, (username, body) in enumerate(written, start=1):
        user = profiles[username]
        case = _case(f"demo-{number:02d}", today, user, body)
        out.append((username, _name(rng), case))
    clinicians = [
        SyntheticClinician(u.username, u.display_name, u.competencies, u.in_training)
        for u in DEMO_USERS
        if u.role == "clinician"
    ]
    generator = CaseGenerator(
        seed=DEMO_SEED,
        clinicians=clinicians,
        as_of=today,
        count=DEMO_CLIENTS - len(written),
        prefix="demo-s",
    )
    for synthetic in generator:
        out.append((synthetic.clinician, synthetic.display_name, synthetic.case))
    return out


def _name(rng: random.Random) -> str:
    return invented_name(rng)


def _case(case_id: str, today: date, user: DemoUser, body: dict[str, Any]) -> dict[str, Any]:
    clinician: dict[str, Any] = {"competencies": list(user.competencies)}
    if user.in_training:
        clinician["in_training"] = list(user.in_training)
    case: dict[str, Any] = {
        "format": CASE_FORMAT,
        "id": case_id,
        "as_of": today.isoformat(),
        "clinician": clinician,
    }
    case.update(body)
    case.setdefault("concerns", [])
    return case


class _Scenarios:
    """The written clients: each method returns (clinician, case body without the clinician)."""

    def __init__(self, today: date) -> None:
        self.today = today

    def all(self) -> list[tuple[str, dict[str, Any]]]:
        methods: list[Callable[[], tuple[str, dict[str, Any]]]] = [
            getattr(self, name) for name in sorted(vars(type(self))) if _SCENARIO.match(name)
        ]
        return [method() for method in methods]

    # -- helpers -----------------------------------------------------------------

    def day(self, days_before: int) -> str:
        return (self.today - timedelta(days=days_before)).isoformat()

    def weekly(self, *attendance: str, last: int = 3, every: int = 7) -> list[dict[str, str]]:
        """Sessions, oldest first, the last one `last` days ago."""
        count = len(attendance)
        return [
            {"date": self.day(last + every * (count - 1 - i)), "attendance": a}
            for i, a in enumerate(attendance)
        ]

    def attended(self, count: int, last: int = 3) -> list[dict[str, str]]:
        return self.weekly(*(["attended"] * count), last=last)

    def phq9(self, days_before: int, total: int, item9: int = 0) -> dict[str, Any]:
        return {
            "instrument": "PHQ-9",
            "date": self.day(days_before),
            "items": [*_spread(total - item9, 8, 3), item9],
        }

    def gad7(self, days_before: int, total: int) -> dict[str, Any]:
        return {"instrument": "GAD-7", "date": self.day(days_before), "items": _spread(total, 7, 3)}

    def phq15(self, days_before: int, total: int) -> dict[str, Any]:
        return {
            "instrument": "PHQ-15",
            "date": self.day(days_before),
            "items": _spread(total, 15, 2),
        }

    def pcl5(self, days_before: int, total: int) -> dict[str, Any]:
        return {
            "instrument": "PCL-5",
            "date": self.day(days_before),
            "items": _spread(total, 20, 4),
        }

    def event(self, kind: str, days_before: int, *, discussed: bool = False) -> dict[str, Any]:
        return {"date": self.day(days_before), "kind": kind, "discussed": discussed}

    def step(self, code: str, days_before: int) -> dict[str, str]:
        return {"step": code, "date": self.day(days_before)}

    @staticmethod
    def adult(age: int = 34, **more: Any) -> dict[str, Any]:
        return {"age": age, "languages": ["en"], "postal_code": "80202", **more}

    # -- Casey: CBT generalist for adults, in training in EMDR ------------------------

    def s01_phq9_item9(self) -> tuple[str, dict[str, Any]]:
        """PHQ-9 item 9 answered 2 a week ago: act on risk now."""
        return "casey", {
            "client": self.adult(29, insurance=["payer-harborline"], telehealth_ok=True),
            "concerns": ["depression"],
            "measures": [self.phq9(56, 17), self.phq9(28, 15), self.phq9(7, 16, item9=2)],
            "sessions": self.attended(8, last=7),
        }

    def s02_threat_to_others(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(41),
            "concerns": ["anger", "stress"],
            "measures": [self.phq9(35, 11), self.phq9(7, 10)],
            "sessions": self.attended(6, last=4),
            "events": [self.event("threat_to_others", 4, discussed=True)],
        }

    def s03_borderline_outside_competence(self) -> tuple[str, dict[str, Any]]:
        """BPD with a CBT generalist: refer to DBT; at caseness, so mind abandonment."""
        return "casey", {
            "client": self.adult(26, insurance=["payer-summitcare"]),
            "concerns": ["depression", "borderline_personality"],
            "measures": [self.phq9(42, 18), self.phq9(7, 15)],
            "sessions": self.attended(6, last=7),
            "considering_referral_because": ["competence"],
        }

    def s04_adolescent_outside_competence(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": {"age": 15, "languages": ["en"], "postal_code": "80202"},
            "concerns": ["anxiety"],
            "measures": [self.gad7(14, 12)],
            "sessions": self.attended(2, last=5),
        }

    def s05_trauma_in_training(self) -> tuple[str, dict[str, Any]]:
        """PTSD while the clinician trains in EMDR under supervision: go on, and say so."""
        return "casey", {
            "client": self.adult(38),
            "concerns": ["trauma_ptsd", "insomnia"],
            "measures": [self.pcl5(49, 44), self.pcl5(7, 36), self.phq9(49, 12), self.phq9(7, 9)],
            "sessions": self.attended(7, last=7),
            "steps_taken": [self.step("supervision", 10)],
        }

    def s06_unevaluated_fatigue(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(47),
            "concerns": ["depression"],
            "physical_symptoms": [
                {"symptom": "fatigue", "medically_evaluated": False},
                {"symptom": "headaches", "medically_evaluated": True},
            ],
            "measures": [self.phq9(21, 14), self.phq15(21, 12), self.phq9(7, 13)],
            "sessions": self.attended(3, last=7),
        }

    def s07_neurocognitive(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(74),
            "concerns": ["depression", "neurocognitive"],
            "measures": [self.phq9(28, 12), self.phq9(7, 11)],
            "sessions": self.attended(4, last=7),
        }

    def s08_not_on_track(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(34, insurance=["payer-bluefen"]),
            "concerns": ["depression"],
            "measures": [self.phq9(66, 16), self.phq9(38, 15), self.phq9(10, 16)],
            "sessions": self.attended(10, last=3),
            "goals": [{"description": "return to work", "status": "not_started"}],
        }

    def s09_wants_to_end(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(52, wants_to_end=True),
            "concerns": ["grief"],
            "measures": [self.phq9(35, 14), self.phq9(7, 12)],
            "sessions": self.attended(5, last=7),
            "considering_referral_because": ["client_request"],
        }

    def s10_boundary_crossing(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(44),
            "concerns": ["social_anxiety"],
            "measures": [self.gad7(42, 11), self.gad7(7, 9)],
            "sessions": self.attended(6, last=7),
            "events": [self.event("boundary_crossing", 10)],
        }

    def s11_values_conflict(self) -> tuple[str, dict[str, Any]]:
        """Wanting to refer over one's own values, with nothing tried first: two cautions."""
        return "casey", {
            "client": self.adult(36),
            "concerns": ["relationship", "anxiety"],
            "measures": [self.gad7(28, 10), self.gad7(7, 9)],
            "sessions": self.attended(4, last=7),
            "clinician_factors": ["values_conflict"],
            "considering_referral_because": ["personal_values"],
        }

    def s12_countertransference(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(58),
            "concerns": ["grief"],
            "measures": [self.phq9(28, 13), self.phq9(7, 11)],
            "sessions": self.attended(4, last=7),
            "clinician_factors": ["similar_personal_issue"],
            "steps_taken": [self.step("supervision", 6)],
        }

    def s13_impairment_after_alternatives(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(31),
            "concerns": ["depression", "panic"],
            "measures": [self.phq9(42, 17), self.phq9(7, 15)],
            "sessions": self.attended(6, last=7),
            "clinician_factors": ["impairment"],
            "considering_referral_because": ["impairment"],
            "steps_taken": [self.step("supervision", 20), self.step("personal_therapy", 12)],
        }

    def s14_referral_fee(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(39),
            "concerns": ["insomnia", "stress"],
            "measures": [self.phq9(21, 9), self.phq9(7, 8)],
            "sessions": self.attended(3, last=7),
            "financial_arrangements": [{"with": "Lanternfield Clinic", "kind": "referral_fee"}],
        }

    def s15_improving(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(27, telehealth_ok=True),
            "concerns": ["depression", "anxiety"],
            "measures": [
                self.phq9(56, 16),
                self.gad7(56, 12),
                self.phq9(28, 12),
                self.phq9(3, 10),
                self.gad7(3, 9),
            ],
            "sessions": self.attended(8, last=3),
            "goals": [
                {"description": "sleep through the night", "status": "met"},
                {"description": "reconnect with friends", "status": "progressing"},
            ],
        }

    def s16_recovered(self) -> tuple[str, dict[str, Any]]:
        return "casey", {
            "client": self.adult(45),
            "concerns": ["panic"],
            "measures": [self.phq9(70, 13), self.gad7(70, 14), self.phq9(7, 4), self.gad7(7, 3)],
            "sessions": self.attended(10, last=7),
            "goals": [
                {"description": "fewer panic attacks", "status": "met"},
                {"description": "feel able to leave the house", "status": "met"},
            ],
            "considering_referral_because": ["goals_met"],
        }

    # -- Dana: DBT and trauma, adults and adolescents -----------------------------------

    def s17_suicidality_downgraded(self) -> tuple[str, dict[str, Any]]:
        """Known suicidal thinking with a risk assessment and a safety plan: monitor, consult."""
        return "dana", {
            "client": self.adult(24, current_care=["psychiatry"]),
            "concerns": ["borderline_personality", "suicidality"],
            "measures": [self.phq9(42, 19), self.phq9(7, 14)],
            "sessions": self.weekly(*["attended"] * 12, last=2, every=4),
            "steps_taken": [self.step("risk_assessment", 30), self.step("safety_plan", 30)],
        }

    def s18_threat_to_clinician(self) -> tuple[str, dict[str, Any]]:
        return "dana", {
            "client": self.adult(33),
            "concerns": ["trauma_ptsd", "anger"],
            "measures": [self.phq9(49, 15), self.pcl5(49, 48), self.phq9(14, 14)],
            "sessions": self.attended(6, last=14),
            "events": [self.event("threat_to_clinician", 20, discussed=False)],
            "considering_referral_because": ["safety"],
        }

    def s19_deterioration(self) -> tuple[str, dict[str, Any]]:
        return "dana", {
            "client": self.adult(40),
            "concerns": ["trauma_ptsd", "depression"],
            "measures": [
                self.phq9(42, 11),
                self.gad7(42, 8),
                self.phq9(21, 14),
                self.phq9(3, 18),
                self.gad7(3, 13),
            ],
            "sessions": self.attended(6, last=3),
        }

    def s20_deterioration_after_adjusting(self) -> tuple[str, dict[str, Any]]:
        return "dana", {
            "client": self.adult(50),
            "concerns": ["depression"],
            "measures": [self.phq9(70, 12), self.phq9(35, 15), self.phq9(7, 19)],
            "sessions": self.attended(10, last=7),
            "steps_taken": [self.step("treatment_adjusted", 30), self.step("supervision", 21)],
            "considering_referral_because": ["not_benefiting"],
        }

    def s21_romantic_advances_persist(self) -> tuple[str, dict[str, Any]]:
        return "dana", {
            "client": self.adult(35),
            "concerns": ["adjustment"],
            "sessions": self.attended(8, last=5),
            "events": [
                self.event("romantic_advance", 40, discussed=True),
                self.event("romantic_advance", 12),
            ],
            "steps_taken": [self.step("supervision", 30), self.step("boundary_discussion", 40)],
            "considering_referral_because": ["boundary"],
        }

    def s22_romantic_advance_once(self) -> tuple[str, dict[str, Any]]:
        return "dana", {
            "client": self.adult(28),
            "concerns": ["self_esteem"],
            "sessions": self.attended(5, last=5),
            "events": [self.event("romantic_advance", 9)],
        }

    def s23_cultural_unfamiliarity(self) -> tuple[str, dict[str, Any]]:
        return "dana", {
            "client": self.adult(30, languages=["vi", "en"]),
            "concerns": ["trauma_ptsd", "life_transition"],
            "measures": [self.pcl5(21, 40), self.pcl5(7, 38)],
            "sessions": self.attended(3, last=7),
            "clinician_factors": ["cultural_unfamiliarity"],
            "considering_referral_because": ["cultural_unfamiliarity"],
        }

    def s24_burnout(self) -> tuple[str, dict[str, Any]]:
        return "dana", {
            "client": self.adult(43),
            "concerns": ["borderline_personality"],
            "measures": [self.phq9(35, 12), self.phq9(7, 11)],
            "sessions": self.attended(5, last=7),
            "clinician_factors": ["burnout"],
            "steps_taken": [self.step("self_care", 5)],
        }

    def s25_bipolar(self) -> tuple[str, dict[str, Any]]:
        return "dana", {
            "client": self.adult(37),
            "concerns": ["bipolar", "depression"],
            "measures": [self.phq9(14, 13)],
            "sessions": self.attended(2, last=7),
            "considering_referral_because": ["competence"],
        }

    def s26_self_harm(self) -> tuple[str, dict[str, Any]]:
        return "dana", {
            "client": {"age": 16, "languages": ["en"], "postal_code": "80202"},
            "concerns": ["depression"],
            "measures": [self.phq9(28, 14), self.phq9(7, 15, item9=1)],
            "sessions": self.attended(4, last=3),
            "events": [self.event("self_harm", 3, discussed=True)],
        }

    # -- Robin: children, adolescents and families; in training in couples ---------------

    def s27_attendance(self) -> tuple[str, dict[str, Any]]:
        return "robin", {
            "client": {"age": 9, "languages": ["es", "en"], "postal_code": "80202"},
            "format_of_care": "family",
            "concerns": ["anxiety"],
            "sessions": self.weekly(
                "attended",
                "attended",
                "no_show",
                "attended",
                "late_cancel",
                "attended",
                "no_show",
                "cancelled",
                "attended",
                "no_show",
                last=2,
            ),
            "considering_referral_because": ["attendance"],
        }

    def s28_refuses_discussion(self) -> tuple[str, dict[str, Any]]:
        return "robin", {
            "client": {
                "age": 14,
                "languages": ["en"],
                "postal_code": "80202",
                "engagement": "refuses_discussion",
            },
            "concerns": ["depression", "anger"],
            "measures": [self.phq9(28, 12), self.phq9(7, 12)],
            "sessions": self.attended(4, last=7),
        }

    def s29_dislike(self) -> tuple[str, dict[str, Any]]:
        return "robin", {
            "client": {"age": 16, "languages": ["en"], "postal_code": "80202"},
            "concerns": ["anger"],
            "sessions": self.attended(4, last=7),
            "clinician_factors": ["strong_dislike"],
            "considering_referral_because": ["dislike"],
        }

    def s30_goals_met(self) -> tuple[str, dict[str, Any]]:
        return "robin", {
            "client": {"age": 11, "languages": ["en"], "postal_code": "80202"},
            "format_of_care": "family",
            "concerns": ["anxiety", "phobia"],
            "measures": [self.gad7(70, 11), self.gad7(7, 4)],
            "sessions": self.attended(10, last=7),
            "goals": [
                {"description": "go back to school", "status": "met"},
                {"description": "sleep in own room", "status": "met"},
                {"description": "join a club", "status": "dropped"},
            ],
        }

    def s31_couple_in_training(self) -> tuple[str, dict[str, Any]]:
        return "robin", {
            "client": self.adult(38),
            "format_of_care": "couple",
            "concerns": ["relationship"],
            "sessions": self.attended(3, last=7),
            "steps_taken": [self.step("supervision", 8)],
        }

    def s32_eating_disorder(self) -> tuple[str, dict[str, Any]]:
        return "robin", {
            "client": {"age": 15, "languages": ["en"], "postal_code": "80202"},
            "format_of_care": "family",
            "concerns": ["eating_disorder", "anxiety"],
            "measures": [self.gad7(21, 12), self.gad7(7, 10)],
            "sessions": self.attended(3, last=7),
            "goals": [{"description": "eat regular meals", "status": "progressing"}],
        }

    def s33_child_improving(self) -> tuple[str, dict[str, Any]]:
        return "robin", {
            "client": {"age": 8, "languages": ["en"], "postal_code": "80202"},
            "format_of_care": "family",
            "concerns": ["anxiety"],
            "measures": [self.gad7(42, 12), self.gad7(7, 9)],
            "sessions": self.attended(6, last=7),
            "goals": [{"description": "sleep in own room", "status": "progressing"}],
        }


def _spread(total: int, count: int, top: int) -> list[int]:
    """`count` item answers from 0 to `top` adding up to `total`, spread evenly."""
    items = [total // count] * count
    for index in range(total % count):
        items[index] += 1
    if max(items) > top:
        raise ValueError(f"cannot spread {total} over {count} items of 0-{top}")
    return items
