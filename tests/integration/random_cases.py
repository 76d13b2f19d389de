"""Random valid cases drawing every code of the format (for bulk-versus-single comparisons)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from referwell.domain import vocabulary as v
from referwell.domain.measures import INSTRUMENTS


def random_case(rng: random.Random, case_id: str, as_of: date) -> dict[str, Any]:
    def day(max_back: int = 400) -> str:
        return (as_of - timedelta(days=rng.randint(0, max_back))).isoformat()

    def some(codes: tuple[str, ...] | list[str], k: int) -> list[str]:
        return rng.sample(list(codes), rng.randint(0, min(k, len(codes))))

    measures = []
    for _ in range(rng.choice([0, 1, 2, 3, 6, 12])):
        code = rng.choice(["PHQ-9", "PHQ-9", "GAD-7", "GAD-7", "PHQ-15", "PCL-5"])
        inst = INSTRUMENTS[code]
        when = day(200) if rng.random() < 0.8 else as_of.isoformat()
        if rng.random() < 0.85:
            level = rng.random()
            items = [
                min(inst.item_max, max(0, round(rng.gauss(level * inst.item_max, 0.8))))
                for _ in range(inst.item_count)
            ]
            measures.append({"instrument": code, "date": when, "items": items})
        else:
            measures.append(
                {"instrument": code, "date": when, "total": rng.randint(0, inst.total_max)}
            )
    sessions = [
        {"date": day(200), "attendance": rng.choices(v.ATTENDANCE, [60, 10, 12, 10, 8])[0]}
        for _ in range(rng.choice([0, 1, 5, 10, 12, 20, 30]))
    ]
    events = [
        {"date": day(90), "kind": rng.choice(v.EVENT_KINDS), "discussed": rng.random() < 0.5}
        for _ in range(rng.choice([0, 0, 1, 2, 3]))
    ]
    steps: list[Any] = []
    for step in some(v.STEPS, 4):
        steps.append(step if rng.random() < 0.3 else {"step": step, "date": day(60)})
    case: dict[str, Any] = {
        "format": "referwell.case/1",
        "id": case_id,
        "as_of": as_of.isoformat(),
        "clinician": {"competencies": ["cbt", "adults", *some(v.COMPETENCIES, 3)]},
        "client": {
            "age": rng.choice([8, 12, 13, 16, 17, 18, 30, 45, 70]),
            "current_care": some(v.SERVICES, 2),
            "engagement": rng.choices(v.ENGAGEMENT, [85, 10, 5])[0],
            "wants_to_end": rng.random() < 0.1,
        },
        "format_of_care": rng.choices(v.FORMATS_OF_CARE, [85, 10, 5])[0],
        "concerns": some(v.CONDITIONS, 3),
        "physical_symptoms": [
            {
                "symptom": rng.choice(["fatigue", "headaches", "palpitations"]),
                "medically_evaluated": rng.random() < 0.5,
            }
            for _ in range(rng.choice([0, 0, 1, 2]))
        ],
        "measures": measures,
        "sessions": sessions,
        "events": events,
        "clinician_factors": some(v.CLINICIAN_FACTORS, 2) if rng.random() < 0.3 else [],
        "considering_referral_because": some(v.REASONS, 2) if rng.random() < 0.3 else [],
        "steps_taken": steps,
        "goals": [
            {"description": f"goal {i}", "status": rng.choice(v.GOAL_STATUSES)}
            for i in range(rng.choice([0, 1, 2, 3]))
        ],
        "financial_arrangements": [
            {"with": rng.choice(["clinic-a", "clinic-b"]), "kind": rng.choice(v.FINANCIAL_KINDS)}
            for _ in range(rng.choice([0, 0, 0, 1]))
        ],
    }
    if rng.random() < 0.5:
        case["clinician"]["in_training"] = some(v.COMPETENCIES, 2)
    return {k: val for k, val in case.items() if val != []}
