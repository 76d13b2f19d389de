"""A client's case in and out of the database, in the case format (`referwell.case/1`).

`import_case` stores a validated case; `read_cases` reads cases back, one
client or many, in a fixed number of queries (one per part of the case) and
gives each in the canonical form of `referwell.domain.canonical`, so that

    read_case(s, import_case(s, …, case).id, as_of).case == canonical_case(case)

for any valid `case` whose `as_of` is `as_of`. Every reader of a stored case
(the client page, the API, exports, the freshness of stored assessments, the
writes that validate the whole case) goes through `read_cases`. The clinician's
codes come from their profile, in the order they joined it: the claims that count on the
case's day are its `competencies`, the others join its `in_training`
(`db.growth.counting`, which the bulk path reads too).

Read for a given `as_of`, a case leaves out what is dated after that day
(measures, sessions, events, dated steps), so that it is valid for that day.
A case never holds an entry marked entered in error (`case_parts.Correctable`):
those stay in the record, for the page to show struck through (`read_entries`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Final, Literal, TypeVar

from sqlalchemy import Date, bindparam, select
from sqlalchemy.orm import Session, object_session

from referwell.db import case_parts as parts
from referwell.db.audit import os_user
from referwell.db.base import utcnow
from referwell.db.growth.counting import attest_codes, clinician_codes
from referwell.db.growth.models import Verification
from referwell.db.models import Client, ClinicianCompetency, ClinicianTraining, Episode, User
from referwell.domain.canonical import (
    DEFAULT_ENGAGEMENT,
    DEFAULT_FORMAT_OF_CARE,
    canonical_case,
)
from referwell.domain.case import CASE_FORMAT

ProfileUpdate = Literal["merge", "replace", "keep"]
# Clients read per round of queries: well below any database's limit of bound values.
READ_CHUNK: Final = 2000


class ClientNotFoundError(LookupError):
    """No client has this id."""

    def __init__(self, client_id: int) -> None:
        super().__init__(f"no client {client_id}")
        self.client_id = client_id


class CaseImportError(ValueError):
    """A case cannot be stored as asked (not a format error: cases come in validated)."""


class CaseExistsError(CaseImportError):
    """The practice already has a client with this case id."""

    def __init__(self, external_id: str, client_id: int) -> None:
        super().__init__(f"case {external_id!r} is already client {client_id}")
        self.external_id = external_id
        self.client_id = client_id


def new_external_id() -> str:
    """A fresh case id for a client created in referwell rather than imported."""
    return f"rw-{secrets.token_hex(5)}"


# --- reading -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a case as the database holds it: its key in the case format, the table,
    the columns read (after `client_id`), their order, the date column that leaves an
    entry out after `as_of` (None: an undated part), the entry a row becomes, and whether
    an entry without a date (a step) is always in."""

    key: str
    model: Any
    columns: tuple[Any, ...]
    order: tuple[Any, ...]
    dated: Any
    entry: Callable[..., Any]
    undated_kept: bool = False
    # Where the entries go: a key of the case, or (`client`) of the case's `client` object.
    within_client: bool = False


def _measure_entry(instrument: str, day: date, items: list[int] | None, total: int) -> Any:
    return {"instrument": instrument, "date": day, "items": items, "total": total}


PARTS: Final[tuple[Part, ...]] = (
    Part(
        "concerns",
        parts.Concern,
        (parts.Concern.code,),
        (parts.Concern.id,),
        None,
        lambda code: code,
    ),
    Part(
        "physical_symptoms",
        parts.PhysicalSymptom,
        (parts.PhysicalSymptom.symptom, parts.PhysicalSymptom.medically_evaluated),
        (parts.PhysicalSymptom.id,),
        None,
        lambda symptom, evaluated: {"symptom": symptom, "medically_evaluated": evaluated},
    ),
    Part(
        "measures",
        parts.Measure,
        (parts.Measure.instrument, parts.Measure.date, parts.Measure.items, parts.Measure.total),
        (parts.Measure.date, parts.Measure.id),
        parts.Measure.date,
        _measure_entry,
    ),
    Part(
        "sessions",
        parts.TherapySession,
        (parts.TherapySession.date, parts.TherapySession.attendance),
        (parts.TherapySession.date, parts.TherapySession.id),
        parts.TherapySession.date,
        lambda day, attendance: {"date": day, "attendance": attendance},
    ),
    Part(
        "events",
        parts.Event,
        (parts.Event.date, parts.Event.kind, parts.Event.discussed),
        (parts.Event.date, parts.Event.id),
        parts.Event.date,
        lambda day, kind, discussed: {"date": day, "kind": kind, "discussed": discussed},
    ),
    Part(
        "clinician_factors",
        parts.ClinicianFactor,
        (parts.ClinicianFactor.code,),
        (parts.ClinicianFactor.id,),
        None,
        lambda code: code,
    ),
    Part(
        "considering_referral_because",
        parts.ReferralReason,
        (parts.ReferralReason.code,),
        (parts.ReferralReason.id,),
        None,
        lambda code: code,
    ),
    Part(
        "steps_taken",
        parts.StepTaken,
        (parts.StepTaken.step, parts.StepTaken.date),
        (parts.StepTaken.id,),
        parts.StepTaken.date,
        lambda step, day: step if day is None else {"step": step, "date": day},
        undated_kept=True,
    ),
    Part(
        "goals",
        parts.Goal,
        (parts.Goal.status, parts.Goal.description),
        (parts.Goal.id,),
        None,
        lambda status, description: {"description": description, "status": status},
    ),
    Part(
        "financial_arrangements",
        parts.FinancialArrangement,
        (parts.FinancialArrangement.counterparty, parts.FinancialArrangement.kind),
        (parts.FinancialArrangement.id,),
        None,
        lambda counterparty, kind: {"with": counterparty, "kind": kind},
    ),
    Part(
        "current_care",
        parts.CurrentCare,
        (parts.CurrentCare.service,),
        (parts.CurrentCare.id,),
        None,
        lambda service: service,
        within_client=True,
    ),
)
PARTS_BY_KEY: Final[Mapping[str, Part]] = {part.key: part for part in PARTS}


def part_query(part: Part, clients: Callable[[Any], Any], as_of: Any) -> Any:
    """The rows of one part for the clients `clients(column)` selects, none in error and
    nothing dated after `as_of` (a date or a bound parameter, when given): `client_id`
    first, then the part's columns, in client order and then the part's own order."""
    conditions = [clients(part.model.client_id), part.model.in_error_at.is_(None)]
    if as_of is not None and part.dated is not None:
        on_or_before = part.dated <= as_of
        conditions.append(
            part.dated.is_(None) | on_or_before if part.undated_kept else on_or_before
        )
    return (
        select(part.model.client_id, *part.columns)
        .where(*conditions)
        .order_by(part.model.client_id, *part.order)
    )


@dataclass(frozen=True, slots=True)
class StoredCase:
    """A client's case as the database holds it, with the client's own columns."""

    client_id: int
    practice_id: int
    clinician_id: int
    external_id: str
    display_name: str
    case_version: int
    case: dict[str, Any]  # canonical


def read_cases(
    session: Session, client_ids: Iterable[int], as_of: date | None = None
) -> dict[int, StoredCase]:
    """The cases of these clients (those that exist), by client id; with `as_of`, each as of
    that day. One query for the clients, one per part of the case, two for the
    clinicians' codes and their evidence: per round of `READ_CHUNK` clients."""
    ids = list(dict.fromkeys(client_ids))
    found: dict[int, StoredCase] = {}
    for start in range(0, len(ids), READ_CHUNK):
        found.update(_read_chunk(session, ids[start : start + READ_CHUNK], as_of))
    return found


def read_case(session: Session, client_id: int, as_of: date | None = None) -> StoredCase:
    """One client's case; `ClientNotFoundError` when there is no such client."""
    found = read_cases(session, [client_id], as_of)
    if client_id not in found:
        raise ClientNotFoundError(client_id)
    return found[client_id]


def case_dict_for_client(
    session: Session, client_id: int, as_of: date | None = None
) -> dict[str, Any]:
    """The client's case document (`read_case(...).case`)."""
    return read_case(session, client_id, as_of).case


def case_dicts_for_clients(
    session: Session, client_ids: Iterable[int], as_of: date | None = None
) -> dict[int, dict[str, Any]]:
    """The case documents of several clients by client id (`read_cases`)."""
    return {
        client_id: stored.case
        for client_id, stored in read_cases(session, client_ids, as_of).items()
    }


_CLIENT_COLUMNS: Final = (
    Client.id,
    Client.practice_id,
    Client.clinician_id,
    Client.external_id,
    Client.display_name,
    Client.case_version,
    Client.age,
    Client.languages,
    Client.postal_code,
    Client.insurance,
    Client.telehealth_ok,
    Client.preferences,
    Client.engagement,
    Client.wants_to_end,
    Client.format_of_care,
)


@cache
def _statements(one: bool, dated: bool) -> tuple[Any, dict[str, Any]]:
    """The reader's statements, built once: for one client (`== :ids`) or several
    (`IN :ids`), with or without `:as_of`. Building a statement costs more than running
    it, and a client page reads a case on every view."""

    def wanted(column: Any) -> Any:
        return column == bindparam("ids") if one else column.in_(bindparam("ids", expanding=True))

    clients = select(*_CLIENT_COLUMNS).where(wanted(Client.id))
    as_of = bindparam("as_of", type_=Date) if dated else None
    parts_read = {part.key: part_query(part, wanted, as_of) for part in PARTS}
    return clients, parts_read


def _read_chunk(session: Session, ids: Sequence[int], as_of: date | None) -> dict[int, StoredCase]:
    if not ids:
        return {}
    one = len(ids) == 1
    read_clients, read_parts = _statements(one, as_of is not None)
    params: dict[str, Any] = {"ids": ids[0] if one else list(ids), "as_of": as_of}
    clients = session.execute(read_clients, params).all()
    if not clients:
        return {}
    # The claims that count on the case's day, and the others as in training (`db.growth`).
    codes = clinician_codes(session, {row.clinician_id for row in clients}, as_of or date.today())
    entries: dict[str, dict[int, list[Any]]] = {}
    for part in PARTS:
        by_client: dict[int, list[Any]] = {}
        entry = part.entry
        for client_id, *values in session.execute(read_parts[part.key], params):
            by_client.setdefault(client_id, []).append(entry(*values))
        entries[part.key] = by_client
    out = {}
    for row in clients:
        document: dict[str, Any] = {
            "format": CASE_FORMAT,
            "id": row.external_id,
            "as_of": as_of,
            "clinician": {
                "competencies": list(codes.get(row.clinician_id, ((), ()))[0]),
                "in_training": list(codes.get(row.clinician_id, ((), ()))[1]),
            },
            "client": {
                "age": row.age,
                "languages": row.languages or [],
                "postal_code": row.postal_code,
                "insurance": row.insurance or [],
                "telehealth_ok": row.telehealth_ok,
                "preferences": row.preferences or {},
                "current_care": entries["current_care"].get(row.id, []),
                "engagement": row.engagement,
                "wants_to_end": row.wants_to_end,
            },
            "format_of_care": row.format_of_care,
        }
        for part in PARTS:
            if not part.within_client:
                document[part.key] = entries[part.key].get(row.id, [])
        out[row.id] = StoredCase(
            client_id=row.id,
            practice_id=row.practice_id,
            clinician_id=row.clinician_id,
            external_id=row.external_id,
            display_name=row.display_name,
            case_version=row.case_version,
            case=canonical_case(document),
        )
    return out


# --- import ------------------------------------------------------------------


def import_case(
    session: Session,
    practice_id: int,
    clinician_id: int,
    case: Mapping[str, Any],
    *,
    display_name: str,
    email: str | None = None,
    phone: str | None = None,
    clinician_profile: ProfileUpdate = "merge",
    opened_on: date | None = None,
    import_id: int | None = None,
    attested_by: str | None = None,
) -> Client:
    """Store a validated case as a new client of `clinician_id`; flushed, not committed.

    The case's `clinician` codes describe the clinician: `merge` adds the ones
    the clinician lacks to their profile, `replace` makes the profile exactly
    the case's, `keep` leaves the profile alone; with `merge` and `replace`, the
    case's competencies are attested by `attested_by` (else the operating-system
    login), so that they count as the case says. The case's `id` becomes the
    client's `external_id`, unique within the practice. The client's episode of care opens
    on `opened_on`, or on the case's earliest dated entry (`episode_start`). A client
    written by a running import carries its `import_id` (`db.imports`).
    """
    canonical = canonical_case(case)
    clinician = session.get(User, clinician_id)
    if clinician is None or clinician.practice_id != practice_id:
        raise CaseImportError(f"no clinician {clinician_id} in practice {practice_id}")
    existing = session.scalar(
        select(Client.id).where(
            Client.practice_id == practice_id, Client.external_id == canonical["id"]
        )
    )
    if existing is not None:
        raise CaseExistsError(canonical["id"], existing)

    _update_profile(clinician, canonical["clinician"], clinician_profile, attested_by)
    client = Client(
        practice_id=practice_id,
        clinician=clinician,
        external_id=canonical["id"],
        display_name=display_name,
        email=email,
        phone=phone,
        import_id=import_id,
    )
    _set_case(client, canonical)
    client.episodes = [Episode(opened_on=opened_on or episode_start(canonical))]
    session.add(client)
    session.flush()
    return client


def episode_start(case: Mapping[str, Any]) -> date:
    """The day a case's episode of care opened, as far as the case tells: its earliest dated
    entry, else its `as_of`, else today."""
    days = [
        date.fromisoformat(entry["date"])
        for key in ("measures", "sessions", "events", "steps_taken")
        for entry in case.get(key, [])
        if isinstance(entry, Mapping) and entry.get("date")
    ]
    if case.get("as_of"):
        days.append(date.fromisoformat(str(case["as_of"])))
    return min(days) if days else utcnow().date()


def update_clinician_profile(
    session: Session,
    clinician_id: int,
    case: Mapping[str, Any],
    how: ProfileUpdate,
    *,
    attested_by: str | None = None,
) -> list[Verification]:
    """What `import_case` does to the clinician's profile with `clinician_profile=how`, alone
    (an import in batches does it in its last transaction); flushed by the next flush. The
    attestations it made (for the caller to audit)."""
    clinician = session.get(User, clinician_id)
    if clinician is None:
        raise CaseImportError(f"no clinician {clinician_id}")
    return _update_profile(clinician, canonical_case(case)["clinician"], how, attested_by)


def _update_profile(
    clinician: User, codes: Mapping[str, list[str]], how: ProfileUpdate, attested_by: str | None
) -> list[Verification]:
    """Merge or replace the clinician's codes with the case's; the competencies the case
    lists are attested by whoever imports it (`attested_by`, else the operating-system
    login), so that they count and the case reads back as it came in."""
    if how == "keep":
        return []
    for attribute, model, wanted in (
        ("competencies", ClinicianCompetency, codes["competencies"]),
        ("in_training", ClinicianTraining, codes.get("in_training", [])),
    ):
        rows: list[Any] = getattr(clinician, attribute)
        by_code = {row.code: row for row in rows}
        if how == "merge":
            rows.extend(model(code=code) for code in wanted if code not in by_code)
        else:
            # Reuse the rows that stay: the flush inserts before it deletes, and
            # a new row for a code still present would break its unique key.
            setattr(
                clinician, attribute, [by_code.get(code) or model(code=code) for code in wanted]
            )
    session = object_session(clinician)
    if session is None:  # pragma: no cover - the clinician was read through a session
        raise CaseImportError(f"clinician {clinician.id} is not in a session")
    return attest_codes(
        session,
        clinician.id,
        codes["competencies"],
        by=attested_by or os_user(),
        on=utcnow().date(),
    )


def _set_case(client: Client, case: Mapping[str, Any]) -> None:
    """Write a canonical case onto a client and its parts."""
    person = case["client"]
    client.age = person["age"]
    client.languages = list(person.get("languages", []))
    client.postal_code = person.get("postal_code")
    client.insurance = list(person.get("insurance", []))
    client.telehealth_ok = person.get("telehealth_ok")
    client.preferences = dict(person.get("preferences", {}))
    old_care = {row.service: row for row in client.current_care if row.in_error_at is None}
    client.current_care = [
        old_care.get(service) or parts.CurrentCare(service=service)
        for service in person.get("current_care", [])
    ]
    client.engagement = person.get("engagement", DEFAULT_ENGAGEMENT)
    client.wants_to_end = person.get("wants_to_end", False)
    client.format_of_care = case.get("format_of_care", DEFAULT_FORMAT_OF_CARE)

    client.concerns = _keep_or_make(client.concerns, case["concerns"], parts.Concern)
    client.clinician_factors = _keep_or_make(
        client.clinician_factors, case.get("clinician_factors", []), parts.ClinicianFactor
    )
    client.referral_reasons = _keep_or_make(
        client.referral_reasons, case.get("considering_referral_because", []), parts.ReferralReason
    )
    old_steps = {step.step: step for step in client.steps_taken}
    steps: list[parts.StepTaken] = []
    for entry in case.get("steps_taken", []):
        code, day = (entry, None) if isinstance(entry, str) else (entry["step"], entry["date"])
        step = old_steps.get(code) or parts.StepTaken(step=code)
        step.date = date.fromisoformat(day) if day else None
        steps.append(step)
    client.steps_taken = steps

    client.physical_symptoms = [
        parts.PhysicalSymptom(
            symptom=entry["symptom"], medically_evaluated=entry["medically_evaluated"]
        )
        for entry in case.get("physical_symptoms", [])
    ]
    client.measures = [
        parts.Measure(
            instrument=entry["instrument"],
            date=date.fromisoformat(entry["date"]),
            items=list(entry["items"]) if "items" in entry else None,
            total=sum(entry["items"]) if "items" in entry else entry["total"],
        )
        for entry in case.get("measures", [])
    ]
    client.sessions = [
        parts.TherapySession(date=date.fromisoformat(entry["date"]), attendance=entry["attendance"])
        for entry in case.get("sessions", [])
    ]
    client.events = [
        parts.Event(
            date=date.fromisoformat(entry["date"]), kind=entry["kind"], discussed=entry["discussed"]
        )
        for entry in case.get("events", [])
    ]
    client.goals = [
        parts.Goal(description=entry.get("description"), status=entry["status"])
        for entry in case.get("goals", [])
    ]
    client.financial_arrangements = [
        parts.FinancialArrangement(counterparty=entry["with"], kind=entry["kind"])
        for entry in case.get("financial_arrangements", [])
    ]


_CodeRow = TypeVar("_CodeRow", parts.Concern, parts.ClinicianFactor, parts.ReferralReason)


def _keep_or_make(
    rows: list[_CodeRow], codes: Sequence[str], model: type[_CodeRow]
) -> list[_CodeRow]:
    """Rows for `codes`, reusing existing ones (their unique key forbids insert-then-delete)."""
    existing = {row.code: row for row in rows}
    return [existing.get(code) or model(code=code) for code in codes]
