"""The directory index built from the database (SQLite and PostgreSQL) answers as the reference
over the entries read back; the process's index is built again when the directory changes;
searching a case's needs, crisis included."""

from __future__ import annotations

import random
from dataclasses import replace

from sqlalchemy.orm import Session

from referwell.db.directory.repository import load_entries, save_entries, start_import
from referwell.db.uow import UnitOfWork
from referwell.domain.caseformat import parse_case
from referwell.domain.directory.matching import Query, match
from referwell.services.directory.loading import IndexCache, load_index
from referwell.services.directory.search import search_case
from referwell.services.permissions import Operator
from referwell.services.synthetic.directory import demo_directory, synth_directory, zip_centres


def test_the_index_from_the_database_answers_as_the_reference(session: Session) -> None:
    save_entries(session, [*synth_directory(3000, 11), *demo_directory()])
    session.flush()
    index = load_index(session)
    entries = load_entries(session)
    assert index.size == len(entries) == 3000 + len(demo_directory())
    rng = random.Random(5)
    centres = zip_centres()
    services = ("psychotherapy", "dbt", "emdr", "psychiatry", "crisis", "primary_care")
    for number in range(60):
        centre = rng.choice(centres) if number % 3 else None
        query = Query(
            frozenset({rng.choice(services), rng.choice(("adolescents", "adults"))}),
            rng.randint(8, 80),
            centre.latitude if centre else 39.7491,
            centre.longitude if centre else -104.9946,
            centre.state if centre else "CO",
            frozenset({rng.choice(("payer-prairie", "payer-medway"))}),
            ("en",),
            telehealth_ok=rng.random() < 0.5,
            include_waitlist=rng.random() < 0.5,
            max_distance_km=rng.choice((25.0, 40.0, 400.0)),
        )
        found, expected = index.match(query), match(entries, query)
        assert found.as_dict() == expected.as_dict()
        assert found.eligible == expected.eligible


def test_the_index_is_built_again_when_the_directory_changes(session: Session) -> None:
    cache = IndexCache()
    save_entries(session, demo_directory()[:5])
    session.flush()
    first = cache.current(session)
    assert cache.current(session) is first
    record = start_import(session, "synthetic", "test")
    save_entries(session, demo_directory()[5:8], import_id=record.id)
    session.flush()
    second = cache.current(session)
    assert second is not first
    assert second.size == 8


def test_a_case_is_answered_need_by_need_and_crisis_with_resources(
    session: Session, uow: UnitOfWork
) -> None:
    save_entries(session, demo_directory())
    session.flush()
    case = parse_case(
        {
            "format": "referwell.case/1",
            "id": "c1",
            "as_of": "2026-11-20",
            "clinician": {"competencies": ["cbt", "adults"]},
            "client": {"age": 15, "postal_code": "80202", "insurance": ["payer-prairie"]},
            "concerns": ["borderline_personality"],
            "financial_arrangements": [{"with": "demo-org-2", "kind": "referral_fee"}],
        }
    )
    needs = [
        {"service": "dbt", "because": "borderline_personality", "urgency": "routine", "adjunct": False},
        {"service": "adolescents", "because": "competence.population", "urgency": "routine", "adjunct": False},
        {"service": "primary_care", "because": "medical.unevaluated_symptoms", "urgency": "soon", "adjunct": True},
        {"service": "crisis", "because": "safety.suicide_risk", "urgency": "urgent", "adjunct": False},
    ]  # fmt: skip
    found = search_case(uow, Operator("tests"), case, needs, cache=IndexCache())
    assert [a.question.services for a in found.answers] == [
        frozenset({"dbt", "adolescents"}),
        frozenset({"primary_care"}),
    ]
    dbt = found.answers[0].options
    assert dbt.options, "the demo directory offers DBT to adolescents near 80202"
    assert all(o.entry.organization_id != "demo-org-2" for o in dbt.options)
    # The case's arrangement with demo-org-2 excludes both its DBT entries (demo-002, and
    # demo-072 for adults: the conflict is asked before the age) and counts them; without
    # the arrangement the same question lists demo-002.
    assert dbt.excluded["financial_conflict"] == 2
    assert dbt.as_dict()["excluded"]["financial_conflict"] == 2
    free = replace(case, financial_arrangements=())
    unconflicted = search_case(uow, Operator("tests"), free, needs, cache=IndexCache())
    listed_free = unconflicted.answers[0].options
    assert "demo-002" in [o.entry.entry_id for o in listed_free.options]
    assert listed_free.excluded.get("financial_conflict", 0) == 0
    listed = found.as_list()
    assert [item["format"] for item in listed] == [
        "referwell.options/1",
        "referwell.options/1",
        "referwell.crisis_resources/1",
    ]
    crisis = listed[-1]
    assert crisis["national"][0]["name"].startswith("988")
    assert crisis["local"], "the demo directory has crisis services near 80202"
