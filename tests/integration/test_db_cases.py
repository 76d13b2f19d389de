"""Cases go into the database and come back out in the case format."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.cases import (
    CaseExistsError,
    CaseImportError,
    ClientNotFoundError,
    case_dict_for_client,
    case_dicts_for_clients,
    import_case,
)
from referwell.db.models import Client, ClinicianCompetency, Practice, User
from referwell.domain.canonical import canonical_case
from referwell.services.assessing import assess
from shipped_examples import example_cases

EXAMPLES = example_cases()


def _import(session: Session, clinician: User, case: dict[str, Any], **options: Any) -> Client:
    return import_case(
        session, clinician.practice_id, clinician.id, case, display_name="Alex Example", **options
    )


def _as_of(case: dict[str, Any]) -> date | None:
    return date.fromisoformat(case["as_of"]) if "as_of" in case else None


def test_the_shipped_examples_are_there() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize(("name", "case"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_every_example_comes_back_as_it_went_in(
    session: Session, clinician: User, name: str, case: dict[str, Any]
) -> None:
    client = _import(session, clinician, copy.deepcopy(case))
    session.commit()
    session.expunge_all()  # read back from the database, not from the identity map

    exported = case_dict_for_client(session, client.id, _as_of(case))

    assert exported == canonical_case(case)
    # The examples are already canonical, so this is the file itself.
    assert exported == case
    # and it says the same to the engine
    assert assess(exported) == assess(case)


# A case that uses every field, with duplicates, undated steps, mixed order.
FULL_CASE: dict[str, Any] = {
    "format": "referwell.case/1",
    "id": "full-1",
    "as_of": "2026-11-20",
    "clinician": {
        "competencies": ["cbt", "adults", "cbt", "depression"],
        "in_training": ["dbt"],
    },
    "client": {
        "age": 41,
        "languages": ["en", "es", "en"],
        "postal_code": "80202",
        "insurance": ["aetna", "cigna"],
        "telehealth_ok": False,
        "preferences": {
            "clinician_gender": "female",
            "faith": "none",
            "sliding_scale": True,
            "in_person": False,
        },
        "current_care": ["psychiatry"],
        "engagement": "low",
        "wants_to_end": True,
    },
    "format_of_care": "couple",
    "concerns": ["depression", "substance_use", "depression"],
    "physical_symptoms": [
        {"symptom": "headaches", "medically_evaluated": True},
        {"symptom": "fatigue", "medically_evaluated": False},
    ],
    "measures": [
        {"instrument": "PHQ-9", "date": "2026-11-13", "items": [1, 1, 1, 1, 1, 1, 1, 1, 2]},
        {"instrument": "GAD-7", "date": "2026-09-11", "total": 14},
        {"instrument": "PHQ-9", "date": "2026-09-11", "total": 20},
    ],
    "sessions": [
        {"date": "2026-11-13", "attendance": "late"},
        {"date": "2026-09-11", "attendance": "attended"},
        {"date": "2026-10-02", "attendance": "no_show"},
    ],
    "events": [
        {"date": "2026-10-20", "kind": "self_harm", "discussed": True},
        {"date": "2026-10-01", "kind": "boundary_crossing"},
    ],
    "clinician_factors": ["burnout", "values_conflict"],
    "considering_referral_because": ["competence", "other", "competence"],
    "steps_taken": [
        "supervision",
        {"step": "risk_assessment", "date": "2026-10-21"},
        {"step": "supervision", "date": "2026-10-01"},
        {"step": "risk_assessment", "date": "2026-10-02"},
        "consultation",
        {"step": "safety_plan", "date": "2026-10-21"},
    ],
    "goals": [
        {"description": "fewer arguments", "status": "progressing"},
        {"status": "dropped"},
    ],
    "financial_arrangements": [{"with": "dbt-clinic-1", "kind": "nominal_thanks"}],
}


def test_normalize_states_the_ordering_rules() -> None:
    canonical = canonical_case(FULL_CASE)

    assert canonical["clinician"]["competencies"] == ["cbt", "adults", "depression"]
    assert canonical["client"]["languages"] == ["en", "es"]
    assert canonical["concerns"] == ["depression", "substance_use"]
    assert canonical["considering_referral_because"] == ["competence", "other"]
    assert [(m["instrument"], m["date"]) for m in canonical["measures"]] == [
        ("GAD-7", "2026-09-11"),
        ("PHQ-9", "2026-09-11"),
        ("PHQ-9", "2026-11-13"),
    ]
    assert [s["date"] for s in canonical["sessions"]] == ["2026-09-11", "2026-10-02", "2026-11-13"]
    assert canonical["events"][0] == {
        "date": "2026-10-01",
        "kind": "boundary_crossing",
        "discussed": False,
    }
    assert canonical["steps_taken"] == [
        {"step": "supervision", "date": "2026-10-01"},
        {"step": "risk_assessment", "date": "2026-10-21"},
        "consultation",
        {"step": "safety_plan", "date": "2026-10-21"},
    ]
    assert canonical["goals"] == [
        {"description": "fewer arguments", "status": "progressing"},
        {"status": "dropped"},
    ]
    assert canonical_case(canonical) == canonical


def test_normalize_leaves_out_defaults_and_empty_lists() -> None:
    case = {
        "format": "referwell.case/1",
        "id": "min",
        "clinician": {"competencies": ["cbt"], "in_training": []},
        "client": {"age": 30, "engagement": "active", "wants_to_end": False, "languages": []},
        "format_of_care": "individual",
        "concerns": [],
        "sessions": [],
        "steps_taken": [],
    }

    assert canonical_case(case) == {
        "format": "referwell.case/1",
        "id": "min",
        "clinician": {"competencies": ["cbt"]},
        "client": {"age": 30},
        "concerns": [],
    }


def test_a_case_using_every_field_round_trips(session: Session, clinician: User) -> None:
    client = _import(session, clinician, FULL_CASE, email="alex@example.invalid", phone="555-0100")
    session.commit()
    session.expunge_all()

    exported = case_dict_for_client(session, client.id, date(2026, 11, 20))
    assert exported == canonical_case(FULL_CASE)
    assert assess(exported) == assess(FULL_CASE)
    stored = session.get(Client, client.id)
    assert stored is not None
    assert stored.email == "alex@example.invalid"
    # A measure given as items also keeps its total, for charts and sorting.
    assert [(m.total, m.items is None) for m in stored.measures] == [
        (14, True),
        (20, True),
        (10, False),
    ]


def test_as_of_leaves_out_what_happened_after_it(session: Session, clinician: User) -> None:
    client = _import(session, clinician, FULL_CASE)

    case = case_dict_for_client(session, client.id, date(2026, 10, 1))

    assert case["as_of"] == "2026-10-01"
    assert [s["date"] for s in case["sessions"]] == ["2026-09-11"]
    assert [m["date"] for m in case["measures"]] == ["2026-09-11", "2026-09-11"]
    assert [e["date"] for e in case["events"]] == ["2026-10-01"]
    assert case["steps_taken"] == [{"step": "supervision", "date": "2026-10-01"}, "consultation"]


def test_without_as_of_the_case_has_none(session: Session, clinician: User) -> None:
    client = _import(session, clinician, FULL_CASE)

    case = case_dict_for_client(session, client.id)

    assert "as_of" not in case
    assert len(case["sessions"]) == 3


def test_competencies_come_from_the_clinician(
    session: Session, make_clinician: Callable[..., User]
) -> None:
    clinician = make_clinician()
    first = _import(session, clinician, dict(FULL_CASE, id="a"))
    second = _import(
        session, clinician, dict(FULL_CASE, id="b", clinician={"competencies": ["erp"]})
    )

    cases = case_dicts_for_clients(session, [first.id, second.id])

    # merge: the second case added erp to the clinician, whom both cases describe
    for case in cases.values():
        assert case["clinician"] == {
            "competencies": ["cbt", "adults", "depression", "erp"],
            "in_training": ["dbt"],
        }


def test_replace_and_keep_the_clinician_profile(session: Session, clinician: User) -> None:
    first = _import(session, clinician, dict(FULL_CASE, id="a"))
    _import(
        session,
        clinician,
        dict(FULL_CASE, id="b", clinician={"competencies": ["erp", "cbt"]}),
        clinician_profile="replace",
    )
    session.flush()
    # A profile lists codes in the order they joined it: cbt was there before erp.
    assert case_dict_for_client(session, first.id)["clinician"] == {"competencies": ["cbt", "erp"]}

    _import(
        session,
        clinician,
        dict(FULL_CASE, id="c", clinician={"competencies": ["mi"]}),
        clinician_profile="keep",
    )
    codes = session.scalars(
        select(ClinicianCompetency.code).where(ClinicianCompetency.user_id == clinician.id)
    ).all()
    assert sorted(codes) == ["cbt", "erp"]


def test_a_case_id_is_imported_once_per_practice(
    session: Session, make_clinician: Callable[..., User]
) -> None:
    clinician = make_clinician()
    client = _import(session, clinician, FULL_CASE)

    with pytest.raises(CaseExistsError) as raised:
        _import(session, clinician, FULL_CASE)
    assert raised.value.client_id == client.id

    # Another practice may hold a case with the same id.
    other = make_clinician(username="other")
    assert _import(session, other, FULL_CASE).id != client.id


def test_the_clinician_must_belong_to_the_practice(
    session: Session, make_clinician: Callable[..., User]
) -> None:
    clinician = make_clinician()
    elsewhere = session.scalar(select(Practice).where(Practice.id != clinician.practice_id))
    elsewhere = elsewhere or Practice(name="Elsewhere")
    session.add(elsewhere)
    session.flush()

    with pytest.raises(CaseImportError):
        import_case(session, elsewhere.id, clinician.id, FULL_CASE, display_name="X")


def test_an_unknown_client_is_reported(session: Session) -> None:
    with pytest.raises(ClientNotFoundError) as raised:
        case_dict_for_client(session, 999_999)
    assert raised.value.client_id == 999_999
