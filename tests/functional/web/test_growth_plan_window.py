"""The growth plan and the team's view read the referral needs of the last 12 months'
assessments, on SQLite and PostgreSQL: a client counts once per need, an assessment older
than 12 months or of another clinician's client does not count, and the supervisor sees
the team's needs by clinician; the referrals opened in the window count too, once per client,
never when entered in error."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, select

from referwell.db.engine import make_session_factory
from referwell.db.models import StoredAssessment

from .conftest import WebClient
from .seed import TODAY, Seeded

NEED = "dbt"
OLD_NEED = "emdr"


def _clients(page: str, need: str, css: str) -> int:
    """How many clients the page counts for a need (0 when it does not list it)."""
    row = re.search(rf'<tr data-need="{need}">\s*<th scope="row">[^<]*</th>\s*<td>(\d+)', page)
    if row is None:
        assert f'data-need="{need}"' not in page, (need, css)
        return 0
    return int(row.group(1))


def _store(engine: Engine, client_id: int, days_ago: int, service: str) -> None:
    with make_session_factory(engine)() as session:
        session.add(
            StoredAssessment(
                client_id=client_id,
                as_of=TODAY - timedelta(days=days_ago),
                case_version=0,
                rules_version="test",
                settings={},
                result={"referral_needs": [{"service": service, "urgency": "routine"}]},
                display=None,
                recommendation="refer",
                recommendation_rank=3,
            )
        )
        session.commit()


def _clients_needing(engine: Engine, service: str) -> set[int]:
    """The clients whose stored assessments already carry this need (the examples' own)."""
    with make_session_factory(engine)() as session:
        return {
            row.client_id
            for row in session.scalars(select(StoredAssessment))
            if any(n.get("service") == service for n in row.result.get("referral_needs", []))
        }


def test_the_plan_counts_the_needs_of_the_last_twelve_months(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    clin, sup = signed_in("clin"), signed_in("sup")
    before = clin.get("/growth").text
    team_before = sup.get("/growth/team").text
    dbt, emdr = _clients(before, NEED, "plan"), _clients(before, OLD_NEED, "plan")
    team_dbt = _clients(team_before, NEED, "team")

    needing = _clients_needing(engine, NEED)
    ex01, ex02, ex03 = (seeded.clients[f"ex0{n}"] for n in (1, 2, 3))
    # Three of clin's clients needed DBT within the year; one of them twice (counts once).
    for client_id, days_ago in ((ex01, 30), (ex02, 200), (ex03, 364), (ex03, 10)):
        _store(engine, client_id, days_ago, NEED)
    # Older than 12 months: not counted; another clinician's client: not clin's.
    _store(engine, ex01, 366, OLD_NEED)
    _store(engine, seeded.clients["c2-a"], 30, NEED)

    after = clin.get("/growth").text
    mine = {seeded.clients[f"ex0{n}"] for n in range(1, 9)}
    assert dbt == len(needing & mine)
    assert _clients(after, NEED, "plan") == len((needing & mine) | {ex01, ex02, ex03})
    assert _clients(after, OLD_NEED, "plan") == emdr
    row = re.search(rf'<tr data-need="{NEED}">(.*?)</tr>', after, re.S)
    assert row is not None
    assert "Intensive training" in row.group(1) or "training hours" in row.group(1)

    # The supervisor's team view: clin is theirs, clin2 is not.
    team = sup.get("/growth/team").text
    assert team_dbt == len(needing & mine)  # sup's team: clin's clients (sup has none)
    assert _clients(team, NEED, "team") == len((needing & mine) | {ex01, ex02, ex03})
    by_clinician = re.search(
        rf'<tr data-need="{NEED}">.*?<td>.*?</td>\s*<td>(.*?)</td>', team, re.S
    )
    assert by_clinician is not None
    assert "Clin Testperson" in by_clinician.group(1)
    assert "Clin2 Testperson" not in team
    assert "Who is in training for what" in team
    # Only supervisors have the team's view.
    assert clin.get("/growth/team").status_code == 403


def _refer(
    engine: Engine, seeded: Seeded, client: str, service: str, *, days_ago: int,
    status: str = "requested",
) -> None:  # fmt: skip
    from datetime import UTC, datetime, time

    from referwell.db.referrals.models import Referral

    when = datetime.combine(TODAY - timedelta(days=days_ago), time(12), tzinfo=UTC)
    with make_session_factory(engine)() as session:
        session.add(
            Referral(
                practice_id=seeded.practice_id,
                direction="outgoing",
                client_id=seeded.clients[client],
                clinician_id=seeded.users["clin"],
                need_service=service,
                status=status,
                business_status="entered_in_error" if status == "entered-in-error" else "sent",
                created_by="user:clin",
                created_at=when,
                updated_at=when,
            )
        )
        session.commit()


def test_the_plan_counts_the_referrals_opened_in_the_last_twelve_months(
    signed_in: Callable[[str | None], WebClient], seeded: Seeded, engine: Engine
) -> None:
    service = "eating_disorders"
    clin = signed_in("clin")
    before = _clients(clin.get("/growth").text, service, "plan")
    assessed = _clients_needing(engine, service)
    _refer(engine, seeded, "ex04", service, days_ago=20)
    _refer(engine, seeded, "ex04", service, days_ago=5)  # the same client again: counted once
    _refer(engine, seeded, "ex05", service, days_ago=400)  # older than 12 months
    _refer(engine, seeded, "ex06", service, days_ago=10, status="entered-in-error")
    after = _clients(clin.get("/growth").text, service, "plan")
    new = {seeded.clients["ex04"]} - assessed
    assert new, "ex04 must not already need it, or the referral would change nothing"
    assert after == before + len(new)
