"""Use case: a synthetic practice from a seed, written to JSON Lines or to the database.

`synth_practice` describes the practice (staff and a lazy stream of clients);
`write_jsonl` writes its cases one a line in the case format;
`write_database` stores it with bulk inserts (SQLAlchemy Core, executemany in
batches), fast enough for 100,000 clients. The same seed, size and day give
byte-identical JSON Lines and identical database rows (ids included, in a
database holding no other practice; row timestamps are the synthetic intake
days, not the time of writing). Only the audit entries of the write carry the
real time: they record who made the practice and when.

Staff: clinicians (a mix of profiles, about one in five in training), one
supervisor for every eight clinicians, and one admin; usernames are
`s<seed>-clin00001`, `s<seed>-sup0001` and `s<seed>-admin`. Without a
password nobody can log in; with one, every staff member shares it.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, TYPE_CHECKING, Any, Final

from referwell.services.synthetic.cases import CaseGenerator, SyntheticClient
from referwell.services.synthetic.names import SyntheticClinician, invented_name, make_clinicians

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.orm import Session

    from referwell.db.uow import UnitOfWork
    from referwell.services.permissions import Operator

CLIENTS_PER_CLINICIAN: Final = 30
CLINICIANS_PER_SUPERVISOR: Final = 8
BATCH_CLIENTS: Final = 2000
AUDIT_IDS_PER_ENTRY: Final = 5000


class SynthError(ValueError):
    """The practice cannot be made as asked; `field` names the option to blame."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A user of the synthetic practice."""

    username: str
    display_name: str
    role: str
    competencies: tuple[str, ...] = ()
    in_training: tuple[str, ...] = ()
    supervisor: str | None = None


@dataclass(frozen=True)
class SyntheticPractice:
    """A practice described by its seed: staff now, clients generated when iterated."""

    name: str
    seed: int
    as_of: date
    client_count: int
    staff: tuple[StaffMember, ...]
    _clinicians: tuple[SyntheticClinician, ...] = field(repr=False)

    @property
    def prefix(self) -> str:
        return f"s{self.seed}"

    def clients(self) -> Iterator[SyntheticClient]:
        """The clients, in order; every call starts the same stream again."""
        return iter(
            CaseGenerator(
                seed=self.seed,
                clinicians=self._clinicians,
                as_of=self.as_of,
                count=self.client_count,
                prefix=self.prefix,
            )
        )

    def cases(self) -> Iterator[dict[str, Any]]:
        """The clients' cases in the case format (canonical form)."""
        return (client.case for client in self.clients())


@dataclass(frozen=True, slots=True)
class SynthStats:
    """What was written."""

    practice_id: int | None
    clients: int
    clinicians: int
    measures: int
    sessions: int


def synth_practice(
    clients: int, seed: int, *, clinicians: int | None = None, as_of: date | None = None
) -> SyntheticPractice:
    """The synthetic practice of `clients` clients for `seed` (clinicians: one per 30 clients)."""
    if clients < 1:
        raise SynthError(f"--clients: give a whole number of 1 or more; got {clients}", "clients")
    if seed < 0:
        raise SynthError(f"--seed: give a whole number of 0 or more; got {seed}", "seed")
    count = clinicians if clinicians is not None else math.ceil(clients / CLIENTS_PER_CLINICIAN)
    if count < 1:
        raise SynthError(
            f"--clinicians: give a whole number of 1 or more; got {count}", "clinicians"
        )
    day = as_of or date.today()
    prefix = f"s{seed}"
    rng = random.Random(f"staff-{seed}")  # noqa: S311 - seeded synthetic data, not secrets
    synthetic = make_clinicians(count, rng, prefix)
    supervisors = [
        StaffMember(f"{prefix}-sup{n:04d}", invented_name(rng), "supervisor")
        for n in range(1, math.ceil(count / CLINICIANS_PER_SUPERVISOR) + 1)
    ]
    staff = [
        *supervisors,
        *(
            StaffMember(
                clinician.key,
                clinician.display_name,
                "clinician",
                clinician.competencies,
                clinician.in_training,
                supervisors[number // CLINICIANS_PER_SUPERVISOR].username,
            )
            for number, clinician in enumerate(synthetic)
        ),
        StaffMember(f"{prefix}-admin", invented_name(rng), "admin"),
    ]
    return SyntheticPractice(
        name=f"Synthetic practice {seed}",
        seed=seed,
        as_of=day,
        client_count=clients,
        staff=tuple(staff),
        _clinicians=tuple(synthetic),
    )


# --- JSON Lines ----------------------------------------------------------------


def write_jsonl(
    practice: SyntheticPractice,
    stream: IO[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> SynthStats:
    """Write every case, one JSON object a line (compact, keys in the format's order)."""
    measures = sessions = written = 0
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for client in practice.clients():
        case = client.case
        stream.write(encode(case))
        stream.write("\n")
        measures += len(case.get("measures", ()))
        sessions += len(case.get("sessions", ()))
        written += 1
        if progress is not None and written % BATCH_CLIENTS == 0:
            progress(written)
    if progress is not None:
        progress(written)
    return SynthStats(None, written, len(practice._clinicians), measures, sessions)


# --- the database --------------------------------------------------------------


def password_hash_for(practice: SyntheticPractice, password: str) -> str:
    """An Argon2id hash of `password` with a salt derived from the seed: same seed, same hash."""
    from argon2.low_level import Type, hash_secret

    from referwell.services.accounts.signin import default_hasher

    hasher = default_hasher()  # the parameters sign-in expects: no rehash at first login
    salt = hashlib.sha256(f"referwell-synth-{practice.seed}".encode()).digest()[:16]
    return hash_secret(
        password.encode(),
        salt,
        time_cost=hasher.time_cost,
        memory_cost=hasher.memory_cost,
        parallelism=hasher.parallelism,
        hash_len=hasher.hash_len,
        type=Type.ID,
    ).decode("ascii")


def write_database(
    uow: UnitOfWork,
    practice: SyntheticPractice,
    *,
    actor: Operator,
    password: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SynthStats:
    """Store the practice in one transaction (all or nothing), audited with `actor`.

    Raises SynthError, having written nothing, when the practice's usernames are taken.
    """
    from sqlalchemy import insert, select

    from referwell.db.audit import AuditAction
    from referwell.db.models import Practice, User
    from referwell.services.auditing import audit_write
    from referwell.services.permissions import Permission, require_permission

    require_permission(actor, Permission.OPERATE)
    with uow:
        session = uow.session
        usernames = [member.username for member in practice.staff]
        taken = session.scalars(
            select(User.username).where(User.username.in_(usernames)).limit(1)
        ).all()
        if taken:
            raise SynthError(
                f"--seed: the database already holds the synthetic practice of seed "
                f"{practice.seed} (user {taken[0]!r}); choose another seed or a new database",
                "seed",
            )
        founded = _midnight(practice.as_of - timedelta(days=3 * 365))
        practice_id = session.execute(
            insert(_table(Practice)).returning(_table(Practice).c.id),
            [{"name": practice.name, "rule_settings": {}, "created_at": founded}],
        ).scalar_one()
        user_ids = _insert_staff(session, practice, practice_id, password, founded)
        audit_write(
            session,
            actor,
            AuditAction.USER_CREATE,
            target_type="user",
            target_ids=sorted(user_ids.values()),
        )
        # The clinicians' competencies are attested by the operator who made them, so that
        # they count as claimed (and the benchmarks' figures stay what they were).
        attested = _attest_staff(session, practice, user_ids, actor.audit_name)
        if attested:
            audit_write(
                session,
                actor,
                AuditAction.COMPETENCE_ATTEST,
                target_type="growth_verification",
                target_ids=attested,
            )

        writer = _BulkWriter(session, practice_id)
        batch: list[SyntheticClient] = []
        client_ids: list[int] = []
        for client in practice.clients():
            batch.append(client)
            if len(batch) == BATCH_CLIENTS:
                client_ids.extend(writer.write(batch, user_ids))
                batch = []
                if progress is not None:
                    progress(len(client_ids))
        if batch:
            client_ids.extend(writer.write(batch, user_ids))
        writer.flush()
        if progress is not None:
            progress(len(client_ids))
        # One audit entry per few thousand clients: the log names records, never content.
        for start in range(0, len(client_ids), AUDIT_IDS_PER_ENTRY):
            audit_write(
                session,
                actor,
                AuditAction.CLIENT_CREATE,
                target_type="client",
                target_ids=client_ids[start : start + AUDIT_IDS_PER_ENTRY],
            )
        uow.commit()
    return SynthStats(
        practice_id,
        len(client_ids),
        sum(1 for member in practice.staff if member.role == "clinician"),
        writer.measures,
        writer.sessions,
    )


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _insert_staff(
    session: Session,
    practice: SyntheticPractice,
    practice_id: int,
    password: str | None,
    created_at: datetime,
) -> dict[str, int]:
    """Insert supervisors first (clinicians name them), then the rest; ids by username."""
    from sqlalchemy import insert

    from referwell.db.models import ClinicianCompetency, ClinicianTraining, User

    hashed = password_hash_for(practice, password) if password else None
    users = _table(User)
    ids: dict[str, int] = {}
    for wave in (("supervisor",), ("clinician", "admin")):
        members = [member for member in practice.staff if member.role in wave]
        rows = [
            {
                "practice_id": practice_id,
                "username": member.username,
                "display_name": member.display_name,
                "password_hash": hashed,
                "role": member.role,
                "supervisor_id": ids[member.supervisor] if member.supervisor else None,
                "active": True,
                "created_at": created_at,
            }
            for member in members
        ]
        returned = session.execute(
            insert(users).returning(users.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        ids.update(zip((member.username for member in members), returned, strict=True))
    for model, attribute in (
        (ClinicianCompetency, "competencies"),
        (ClinicianTraining, "in_training"),
    ):
        rows = [
            {"user_id": ids[member.username], "code": code}
            for member in practice.staff
            for code in getattr(member, attribute)
        ]
        if rows:
            session.execute(insert(_table(model)), rows)
    return ids


def _attest_staff(
    session: Session, practice: SyntheticPractice, ids: dict[str, int], operator: str
) -> list[int]:
    """An attestation by `operator` of every competency the staff claim; the new rows' ids."""
    from sqlalchemy import insert

    from referwell.db.growth.models import Verification

    rows = [
        {
            "user_id": ids[member.username],
            "code": code,
            "kind": "attested",
            "by_name": operator,
            "day": practice.as_of,
            "created_at": _midnight(practice.as_of),
        }
        for member in practice.staff
        for code in member.competencies
    ]
    if not rows:
        return []
    table = _table(Verification)
    return list(
        session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )


class _BulkWriter:
    """Turns synthetic clients into rows and inserts them table by table, in batches."""

    PART_BATCH: Final = 50_000

    def __init__(self, session: Session, practice_id: int) -> None:
        from referwell.db import case_parts as parts
        from referwell.db.models import Client, Episode

        self.session = session
        self.practice_id = practice_id
        self.clients = _table(Client)
        self.tables: dict[str, Table] = {
            "concerns": _table(parts.Concern),
            "physical_symptoms": _table(parts.PhysicalSymptom),
            "measures": _table(parts.Measure),
            "sessions": _table(parts.TherapySession),
            "events": _table(parts.Event),
            "clinician_factors": _table(parts.ClinicianFactor),
            "considering_referral_because": _table(parts.ReferralReason),
            "steps_taken": _table(parts.StepTaken),
            "goals": _table(parts.Goal),
            "financial_arrangements": _table(parts.FinancialArrangement),
            "current_care": _table(parts.CurrentCare),
            "episodes": _table(Episode),
        }
        self.pending: dict[str, list[dict[str, Any]]] = {key: [] for key in self.tables}
        self.dates: dict[str, date] = {}
        self.measures = 0
        self.sessions = 0

    def _date(self, iso: str) -> date:
        day = self.dates.get(iso)
        if day is None:
            day = self.dates[iso] = date.fromisoformat(iso)
        return day

    def write(self, batch: list[SyntheticClient], user_ids: dict[str, int]) -> list[int]:
        """Insert a batch of clients (their parts are queued); the new client ids, in order."""
        from sqlalchemy import insert

        from referwell.db.cases import episode_start

        rows = []
        for synthetic in batch:
            person = synthetic.case["client"]
            intake = _midnight(synthetic.intake)
            rows.append(
                {
                    "practice_id": self.practice_id,
                    "clinician_id": user_ids[synthetic.clinician],
                    "external_id": synthetic.case["id"],
                    "display_name": synthetic.display_name,
                    "email": synthetic.email,
                    "phone": synthetic.phone,
                    "age": person["age"],
                    "languages": person.get("languages", []),
                    "postal_code": person.get("postal_code"),
                    "insurance": person.get("insurance", []),
                    "telehealth_ok": person.get("telehealth_ok"),
                    "preferences": person.get("preferences", {}),
                    "engagement": person.get("engagement", "active"),
                    "wants_to_end": person.get("wants_to_end", False),
                    "format_of_care": synthetic.case.get("format_of_care", "individual"),
                    "created_at": intake,
                    "updated_at": intake,
                    "case_version": 1,
                }
            )
        ids = list(
            self.session.execute(
                insert(self.clients).returning(self.clients.c.id, sort_by_parameter_order=True),
                rows,
            ).scalars()
        )
        for client_id, synthetic in zip(ids, batch, strict=True):
            self._queue_parts(client_id, synthetic.case)
            self.pending["episodes"].append(
                {
                    "client_id": client_id,
                    "opened_on": min(synthetic.intake, episode_start(synthetic.case)),
                }
            )
        if any(len(rows) >= self.PART_BATCH for rows in self.pending.values()):
            self.flush()
        return ids

    def _queue_parts(self, client_id: int, case: dict[str, Any]) -> None:
        pending = self.pending
        day = self._date
        pending["concerns"].extend({"client_id": client_id, "code": c} for c in case["concerns"])
        for entry in case.get("physical_symptoms", ()):
            pending["physical_symptoms"].append(
                {
                    "client_id": client_id,
                    "symptom": entry["symptom"],
                    "medically_evaluated": entry["medically_evaluated"],
                }
            )
        measures = case.get("measures", ())
        self.measures += len(measures)
        pending["measures"].extend(
            {
                "client_id": client_id,
                "instrument": entry["instrument"],
                "date": day(entry["date"]),
                "items": entry["items"],
                "total": sum(entry["items"]),
            }
            for entry in measures
        )
        sessions = case.get("sessions", ())
        self.sessions += len(sessions)
        pending["sessions"].extend(
            {"client_id": client_id, "date": day(entry["date"]), "attendance": entry["attendance"]}
            for entry in sessions
        )
        pending["events"].extend(
            {
                "client_id": client_id,
                "date": day(entry["date"]),
                "kind": entry["kind"],
                "discussed": entry["discussed"],
            }
            for entry in case.get("events", ())
        )
        for key in ("clinician_factors", "considering_referral_because"):
            pending[key].extend({"client_id": client_id, "code": c} for c in case.get(key, ()))
        pending["steps_taken"].extend(
            {"client_id": client_id, "step": entry, "date": None}
            if isinstance(entry, str)
            else {"client_id": client_id, "step": entry["step"], "date": day(entry["date"])}
            for entry in case.get("steps_taken", ())
        )
        pending["goals"].extend(
            {
                "client_id": client_id,
                "description": entry.get("description"),
                "status": entry["status"],
            }
            for entry in case.get("goals", ())
        )
        pending["financial_arrangements"].extend(
            {"client_id": client_id, "counterparty": entry["with"], "kind": entry["kind"]}
            for entry in case.get("financial_arrangements", ())
        )
        pending["current_care"].extend(
            {"client_id": client_id, "service": service}
            for service in case["client"].get("current_care", ())
        )

    def flush(self) -> None:
        """Insert every queued part row."""
        from sqlalchemy import insert

        for key, rows in self.pending.items():
            if rows:
                self.session.execute(insert(self.tables[key]), rows)
                self.pending[key] = []
