"""Use case: the demo practice that `make demo` serves.

Three clinicians with different competencies (a CBT generalist in training in
EMDR, a DBT and trauma clinician, a child and family clinician in training in
couples work), a supervisor over them, an admin, and 60 clients that between
them, assessed on the demo day, yield every finding kind and every caution
kind of the vocabulary (`demo_cases`). Every date counts back from the demo
day, so the demo reads the same whenever it is seeded. The demo practice's
`created_at` holds the demo day (`demo_seeded_on` reads it back), so that
`referwell demo` can say later from which day the dates count back.

The logins are for the demo only and are printed by `referwell demo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from referwell.db.uow import UnitOfWork
from referwell.services.permissions import Operator, Permission, require_permission
from referwell.services.synthetic.demo_cases import (
    DEMO_CLIENTS,
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoUser,
    demo_cases,
)

__all__ = [
    "DEMO_CLIENTS",
    "DEMO_PASSWORD",
    "DEMO_PRACTICE",
    "DEMO_USERS",
    "DemoSeed",
    "DemoUser",
    "demo_cases",
    "demo_is_needed",
    "demo_seeded_on",
    "only_the_demo",
    "seed_demo",
]

DEMO_PRACTICE: Final = "Riverbend Counselling (demo)"


@dataclass(frozen=True, slots=True)
class DemoSeed:
    """What `seed_demo` did: the practice it made (None when the database held one already),
    whether the demo practice is there (made now or before), the day its dates count back
    from (None without a demo practice), and the logins."""

    practice_id: int | None
    clients: int
    demo_present: bool = True
    users: tuple[DemoUser, ...] = DEMO_USERS
    seeded_on: date | None = None

    @property
    def seeded(self) -> bool:
        return self.practice_id is not None


def demo_is_needed(uow: UnitOfWork) -> bool:
    """Whether the database holds no practice yet (the demo seeds only an empty database)."""
    from sqlalchemy import select

    from referwell.db.models import Practice

    with uow:
        return uow.session.scalar(select(Practice.id).limit(1)) is None


def demo_seeded_on(uow: UnitOfWork) -> date | None:
    """The demo day of the demo practice in the database: the day its dates count back
    from; None when the database holds no demo practice."""
    from sqlalchemy import select

    from referwell.db.models import Practice

    with uow:
        created = uow.session.scalar(
            select(Practice.created_at).where(Practice.name == DEMO_PRACTICE).limit(1)
        )
    return None if created is None else _day_of(created)


def only_the_demo(uow: UnitOfWork) -> bool:
    """Whether the database holds no practice but the demo's (or none at all)."""
    from sqlalchemy import select

    from referwell.db.models import Practice

    with uow:
        other = uow.session.scalar(
            select(Practice.id).where(Practice.name != DEMO_PRACTICE).limit(1)
        )
    return other is None


def _created_at(day: date | None) -> datetime:
    """When the demo practice is made, as stored: now, or noon of `day` (local time)."""
    if day is None:
        return datetime.now(UTC)
    return datetime(day.year, day.month, day.day, 12).astimezone().astimezone(UTC)


def _day_of(created_at: datetime) -> date:
    """The local day of a stored time (the demo day of a `created_at` from `_created_at`)."""
    if created_at.tzinfo is None:  # stored naive means UTC
        created_at = created_at.replace(tzinfo=UTC)
    return created_at.astimezone().date()


def seed_demo(uow: UnitOfWork, *, actor: Operator, today: date | None = None) -> DemoSeed:
    """Create the demo practice in an empty database, audited with `actor`; committed.

    When the database already holds a practice, nothing is written and the
    result's `practice_id` is None.
    """
    from sqlalchemy import select

    from referwell.db.audit import AuditAction
    from referwell.db.cases import import_case
    from referwell.db.models import ClinicianCompetency, ClinicianTraining, Practice, User
    from referwell.domain.caseformat import parse_case
    from referwell.services.accounts.signin import default_hasher
    from referwell.services.auditing import audit_write
    from referwell.services.synthetic.competence_demo import (
        seed_competence_evidence,
        seed_supervision_records,
    )
    from referwell.services.synthetic.growth_demo import seed_growth_demo

    require_permission(actor, Permission.OPERATE)
    created_at = _created_at(today)
    day = _day_of(created_at)
    hasher = default_hasher()
    cases = demo_cases(day)
    with uow:
        session = uow.session
        if session.scalar(select(Practice.id).limit(1)) is not None:
            present = session.scalar(
                select(Practice.created_at).where(Practice.name == DEMO_PRACTICE).limit(1)
            )
            if present is None:
                return DemoSeed(None, 0, demo_present=False)
            return DemoSeed(None, 0, seeded_on=_day_of(present))
        practice = Practice(name=DEMO_PRACTICE, rule_settings={}, created_at=created_at)
        session.add(practice)
        users: dict[str, User] = {}
        supervisor = None
        for demo_user in sorted(DEMO_USERS, key=lambda u: u.role != "supervisor"):
            user = User(
                practice=practice,
                username=demo_user.username,
                display_name=demo_user.display_name,
                password_hash=hasher.hash(demo_user.password),
                role=demo_user.role,
                supervisor=supervisor if demo_user.role == "clinician" else None,
            )
            user.competencies = [ClinicianCompetency(code=c) for c in demo_user.competencies]
            user.in_training = [ClinicianTraining(code=c) for c in demo_user.in_training]
            if demo_user.role == "supervisor":
                supervisor = user
            users[demo_user.username] = user
            session.add(user)
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.USER_CREATE,
            target_type="user",
            target_ids=sorted(user.id for user in users.values()),
        )
        # The evidence each claimed competency rests on, so that every claim counts as before.
        seed_competence_evidence(session, actor, users, day)
        client_ids: list[int] = []
        for username, display_name, case in cases:
            parse_case(case, today=day)  # the demo's own cases: a failure here is a bug
            client = import_case(
                session,
                practice.id,
                users[username].id,
                case,
                display_name=display_name,
                email=_email(display_name, len(client_ids) + 1),
                phone=f"+1 303 555-01{len(client_ids) % 100:02d}",
                clinician_profile="keep",
            )
            client_ids.append(client.id)
        audit_write(
            session,
            actor,
            AuditAction.CLIENT_CREATE,
            target_type="client",
            target_ids=client_ids,
        )
        # Check-ins and ethics practice of the demo's clinicians (their own, not clients').
        seed_growth_demo(session, {name: user.id for name, user in users.items()}, day)
        # Supervision records beside the written cases' supervision steps.
        seed_supervision_records(
            session,
            actor,
            [
                (cid, username, case)
                for cid, (username, _, case) in zip(client_ids, cases, strict=True)
            ],
            users,
        )
        # The directory near the demo's clients, so that their referral needs show options.
        _seed_directory(session)
        # Referrals in every state of the loop (issue 11), each of its own client.
        _seed_referrals(
            session, actor, practice_id=practice.id, client_ids=client_ids, cases=cases,
            users=users, day=day,
        )  # fmt: skip
        uow.commit()
        return DemoSeed(practice.id, len(client_ids), seeded_on=day)


def _seed_referrals(
    session: Any,
    actor: Operator,
    *,
    practice_id: int,
    client_ids: list[int],
    cases: Any,
    users: dict[str, Any],
    day: date,
) -> None:
    """One referral in every state, for the last clients of the demo (each its own client,
    taken in turn from each clinician), offering the directory's entries for the need."""
    from sqlalchemy import select

    from referwell.db.directory.models import DirectoryEntry, DirectoryService
    from referwell.services.synthetic.referral_demo import DEMO_REFERRALS, seed_demo_referrals

    entries: dict[str, list[Any]] = {}
    for code, entry in session.execute(
        select(DirectoryService.code, DirectoryEntry)
        .join(DirectoryEntry, DirectoryEntry.id == DirectoryService.entry_id)
        .where(DirectoryEntry.financial_arrangement.is_(None))
        .order_by(DirectoryEntry.id)
    ).all():
        entries.setdefault(code, []).append(entry)
    by_clinician: dict[str, list[tuple[int, int]]] = {}
    for client_id, (username, _, _) in zip(client_ids, cases, strict=True):
        by_clinician.setdefault(username, []).append((client_id, users[username].id))
    queues = [list(reversed(owned)) for owned in by_clinician.values()]  # the last first
    chosen: list[tuple[int, int]] = []
    while len(chosen) < len(DEMO_REFERRALS) and any(queues):
        chosen += [queue.pop(0) for queue in queues if queue]
    seed_demo_referrals(
        session, actor, practice_id, chosen[: len(DEMO_REFERRALS)], entries=entries, day=day
    )


def _email(display_name: str, number: int) -> str:
    return f"{display_name.lower().replace(' ', '.')}.{number}@example.org"


def _seed_directory(session: Any) -> None:
    """The demo's small directory around Denver, where its clients live; only into an empty
    directory (an imported one is left as it is)."""
    from sqlalchemy import select

    from referwell.db.directory.models import DirectoryEntry
    from referwell.db.directory.repository import save_entries, start_import
    from referwell.services.synthetic.directory import SYNTHETIC_FORMAT, demo_directory

    if session.scalar(select(DirectoryEntry.id).limit(1)) is not None:
        return
    record = start_import(session, SYNTHETIC_FORMAT, "referwell demo")
    written = save_entries(session, demo_directory(), import_id=record.id)
    record.report = {"format": SYNTHETIC_FORMAT, "counts": {"entries": written}}
