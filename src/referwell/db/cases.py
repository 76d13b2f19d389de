"""A client's case in and out of the database, in the shared case format (`referwell.case/1`).

`import_case` stores a validated case; `case_dict_for_client` builds one back.
Both go through the canonical form of `normalize_case`, so that

    case_dict_for_client(s, import_case(s, …, case).id, as_of) == normalize_case(case)

for any valid `case` whose `as_of` is `as_of`. The canonical form:

- lists of codes (`competencies`, `in_training`, `languages`, `insurance`,
  `current_care`, `concerns`, `clinician_factors`,
  `considering_referral_because`) hold each code once, in the order of first
  appearance (the format counts a repeated code once); the clinician's codes
  come from their profile, in the order they joined it;
- `measures`, `sessions` and `events` are in date order, ties in file order
  (the order the engine reads them in);
- `steps_taken` holds each step once, where it first appeared, with its latest
  date (a dated entry beats an undated one); an undated step is the bare code;
- a measure has `items` when items were given, else `total`;
- every event has `discussed`; defaults that say nothing are left out
  (`engagement: active`, `format_of_care: individual`, `wants_to_end: false`),
  and so are optional lists and objects that are empty;
- `physical_symptoms`, `goals` and `financial_arrangements` keep file order;
- dates are `YYYY-MM-DD` strings.

Built for a given `as_of`, a case leaves out what is dated after that day
(measures, sessions, events, dated steps), so that it is valid for that day.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from referwell.db.case_parts import (
    ClinicianFactor,
    Concern,
    Event,
    FinancialArrangement,
    Goal,
    Measure,
    PhysicalSymptom,
    ReferralReason,
    StepTaken,
    TherapySession,
)
from referwell.db.models import Client, ClinicianCompetency, ClinicianTraining, User

CASE_FORMAT = "referwell.case/1"
DEFAULT_ENGAGEMENT = "active"
DEFAULT_FORMAT_OF_CARE = "individual"

ClinicianProfile = Literal["merge", "replace", "keep"]

_CLIENT_PARTS = (
    Client.concerns,
    Client.physical_symptoms,
    Client.measures,
    Client.sessions,
    Client.events,
    Client.clinician_factors,
    Client.referral_reasons,
    Client.steps_taken,
    Client.goals,
    Client.financial_arrangements,
)


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


# --- export ------------------------------------------------------------------


def case_dict_for_client(
    session: Session, client_id: int, as_of: date | None = None
) -> dict[str, Any]:
    """The client's case in the canonical case format; with `as_of`, as of that day."""
    cases = case_dicts_for_clients(session, [client_id], as_of)
    if client_id not in cases:
        raise ClientNotFoundError(client_id)
    return cases[client_id]


def case_dicts_for_clients(
    session: Session, client_ids: Iterable[int], as_of: date | None = None
) -> dict[int, dict[str, Any]]:
    """The cases of several clients by client id, loaded in a fixed number of queries."""
    ids = list(client_ids)
    if not ids:
        return {}
    clients = session.scalars(
        select(Client)
        .where(Client.id.in_(ids))
        .options(*(selectinload(part) for part in _CLIENT_PARTS))
    ).all()
    clinician_ids = {client.clinician_id for client in clients}
    competencies = _codes_by_user(session, ClinicianCompetency, clinician_ids)
    in_training = _codes_by_user(session, ClinicianTraining, clinician_ids)
    return {
        client.id: case_dict(
            client,
            competencies=competencies.get(client.clinician_id, []),
            in_training=in_training.get(client.clinician_id, []),
            as_of=as_of,
        )
        for client in clients
    }


def _codes_by_user(
    session: Session,
    model: type[ClinicianCompetency] | type[ClinicianTraining],
    user_ids: Iterable[int],
) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    rows = session.execute(
        select(model.user_id, model.code)
        .where(model.user_id.in_(list(user_ids)))
        .order_by(model.id)
    )
    for user_id, code in rows:
        codes.setdefault(user_id, []).append(code)
    return codes


def case_dict(
    client: Client,
    *,
    competencies: Sequence[str],
    in_training: Sequence[str] = (),
    as_of: date | None = None,
) -> dict[str, Any]:
    """The case of a loaded client and its clinician's codes, in the canonical case format."""

    def known_by(day: date | None) -> bool:
        return as_of is None or day is None or day <= as_of

    clinician: dict[str, Any] = {"competencies": list(competencies)}
    if in_training:
        clinician["in_training"] = list(in_training)

    case: dict[str, Any] = {"format": CASE_FORMAT, "id": client.external_id}
    if as_of is not None:
        case["as_of"] = as_of.isoformat()
    case["clinician"] = clinician
    case["client"] = _client_part(client)
    if client.format_of_care != DEFAULT_FORMAT_OF_CARE:
        case["format_of_care"] = client.format_of_care
    case["concerns"] = [concern.code for concern in client.concerns]

    optional: dict[str, list[Any]] = {
        "physical_symptoms": [
            {"symptom": symptom.symptom, "medically_evaluated": symptom.medically_evaluated}
            for symptom in client.physical_symptoms
        ],
        "measures": [_measure(measure) for measure in client.measures if known_by(measure.date)],
        "sessions": [
            {"date": session.date.isoformat(), "attendance": session.attendance}
            for session in client.sessions
            if known_by(session.date)
        ],
        "events": [
            {"date": event.date.isoformat(), "kind": event.kind, "discussed": event.discussed}
            for event in client.events
            if known_by(event.date)
        ],
        "clinician_factors": [factor.code for factor in client.clinician_factors],
        "considering_referral_because": [reason.code for reason in client.referral_reasons],
        "steps_taken": [
            {"step": step.step, "date": step.date.isoformat()} if step.date else step.step
            for step in client.steps_taken
            if known_by(step.date)
        ],
        "goals": [_goal(goal) for goal in client.goals],
        "financial_arrangements": [
            {"with": arrangement.counterparty, "kind": arrangement.kind}
            for arrangement in client.financial_arrangements
        ],
    }
    case.update({key: value for key, value in optional.items() if value})
    return case


def _client_part(client: Client) -> dict[str, Any]:
    part: dict[str, Any] = {"age": client.age}
    if client.languages:
        part["languages"] = list(client.languages)
    if client.postal_code is not None:
        part["postal_code"] = client.postal_code
    if client.insurance:
        part["insurance"] = list(client.insurance)
    if client.telehealth_ok is not None:
        part["telehealth_ok"] = client.telehealth_ok
    if client.preferences:
        part["preferences"] = dict(client.preferences)
    if client.current_care:
        part["current_care"] = list(client.current_care)
    if client.engagement != DEFAULT_ENGAGEMENT:
        part["engagement"] = client.engagement
    if client.wants_to_end:
        part["wants_to_end"] = True
    return part


def _measure(measure: Measure) -> dict[str, Any]:
    entry: dict[str, Any] = {"instrument": measure.instrument, "date": measure.date.isoformat()}
    if measure.items is not None:
        entry["items"] = list(measure.items)
    else:
        entry["total"] = measure.total
    return entry


def _goal(goal: Goal) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if goal.description is not None:
        entry["description"] = goal.description
    entry["status"] = goal.status
    return entry


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
    clinician_profile: ClinicianProfile = "merge",
) -> Client:
    """Store a validated case as a new client of `clinician_id`; flushed, not committed.

    The case's `clinician` codes describe the clinician: `merge` adds the ones
    the clinician lacks to their profile, `replace` makes the profile exactly
    the case's, `keep` leaves the profile alone. The case's `id` becomes the
    client's `external_id`, unique within the practice.
    """
    canonical = normalize_case(case)
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

    _update_profile(clinician, canonical["clinician"], clinician_profile)
    client = Client(
        practice_id=practice_id,
        clinician=clinician,
        external_id=canonical["id"],
        display_name=display_name,
        email=email,
        phone=phone,
    )
    _set_case(client, canonical)
    session.add(client)
    session.flush()
    return client


def replace_case(client: Client, case: Mapping[str, Any]) -> None:
    """Make a stored client's case say what the validated `case` says (not its clinician's codes).

    Parts are replaced wholesale; the case's `id` is not taken over.
    """
    _set_case(client, normalize_case(case))


def _update_profile(clinician: User, codes: Mapping[str, list[str]], how: ClinicianProfile) -> None:
    if how == "keep":
        return
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


def _set_case(client: Client, case: Mapping[str, Any]) -> None:
    """Write a canonical case onto a client and its parts."""
    person = case["client"]
    client.age = person["age"]
    client.languages = list(person.get("languages", []))
    client.postal_code = person.get("postal_code")
    client.insurance = list(person.get("insurance", []))
    client.telehealth_ok = person.get("telehealth_ok")
    client.preferences = dict(person.get("preferences", {}))
    client.current_care = list(person.get("current_care", []))
    client.engagement = person.get("engagement", DEFAULT_ENGAGEMENT)
    client.wants_to_end = person.get("wants_to_end", False)
    client.format_of_care = case.get("format_of_care", DEFAULT_FORMAT_OF_CARE)

    client.concerns = _keep_or_make(client.concerns, case["concerns"], Concern)
    client.clinician_factors = _keep_or_make(
        client.clinician_factors, case.get("clinician_factors", []), ClinicianFactor
    )
    client.referral_reasons = _keep_or_make(
        client.referral_reasons, case.get("considering_referral_because", []), ReferralReason
    )
    old_steps = {step.step: step for step in client.steps_taken}
    steps: list[StepTaken] = []
    for entry in case.get("steps_taken", []):
        code, day = (entry, None) if isinstance(entry, str) else (entry["step"], entry["date"])
        step = old_steps.get(code) or StepTaken(step=code)
        step.date = date.fromisoformat(day) if day else None
        steps.append(step)
    client.steps_taken = steps

    client.physical_symptoms = [
        PhysicalSymptom(symptom=entry["symptom"], medically_evaluated=entry["medically_evaluated"])
        for entry in case.get("physical_symptoms", [])
    ]
    client.measures = [
        Measure(
            instrument=entry["instrument"],
            date=date.fromisoformat(entry["date"]),
            items=list(entry["items"]) if "items" in entry else None,
            total=sum(entry["items"]) if "items" in entry else entry["total"],
        )
        for entry in case.get("measures", [])
    ]
    client.sessions = [
        TherapySession(date=date.fromisoformat(entry["date"]), attendance=entry["attendance"])
        for entry in case.get("sessions", [])
    ]
    client.events = [
        Event(
            date=date.fromisoformat(entry["date"]), kind=entry["kind"], discussed=entry["discussed"]
        )
        for entry in case.get("events", [])
    ]
    client.goals = [
        Goal(description=entry.get("description"), status=entry["status"])
        for entry in case.get("goals", [])
    ]
    client.financial_arrangements = [
        FinancialArrangement(counterparty=entry["with"], kind=entry["kind"])
        for entry in case.get("financial_arrangements", [])
    ]


_CodeRow = TypeVar("_CodeRow", Concern, ClinicianFactor, ReferralReason)


def _keep_or_make(
    rows: list[_CodeRow], codes: Sequence[str], model: type[_CodeRow]
) -> list[_CodeRow]:
    """Rows for `codes`, reusing existing ones (their unique key forbids insert-then-delete)."""
    existing = {row.code: row for row in rows}
    return [existing.get(code) or model(code=code) for code in codes]


# --- the canonical form --------------------------------------------------------


def normalize_case(case: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of a validated case (see the module's docstring); idempotent."""
    canonical: dict[str, Any] = {"format": case["format"], "id": case["id"]}
    if case.get("as_of") is not None:
        canonical["as_of"] = _iso(case["as_of"])

    given_clinician = case["clinician"]
    clinician: dict[str, Any] = {"competencies": _unique(given_clinician["competencies"])}
    if in_training := _unique(given_clinician.get("in_training", [])):
        clinician["in_training"] = in_training
    canonical["clinician"] = clinician
    canonical["client"] = _normalize_client(case["client"])
    if case.get("format_of_care", DEFAULT_FORMAT_OF_CARE) != DEFAULT_FORMAT_OF_CARE:
        canonical["format_of_care"] = case["format_of_care"]
    canonical["concerns"] = _unique(case.get("concerns", []))

    def by_date(entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        return sorted(entries, key=lambda entry: _iso(entry["date"]))  # stable: ties keep order

    optional: dict[str, list[Any]] = {
        "physical_symptoms": [
            {"symptom": entry["symptom"], "medically_evaluated": bool(entry["medically_evaluated"])}
            for entry in case.get("physical_symptoms", [])
        ],
        "measures": [
            {"instrument": entry["instrument"], "date": _iso(entry["date"])}
            | (
                {"items": list(entry["items"])}
                if entry.get("items") is not None
                else {"total": entry["total"]}
            )
            for entry in by_date(case.get("measures", []))
        ],
        "sessions": [
            {"date": _iso(entry["date"]), "attendance": entry["attendance"]}
            for entry in by_date(case.get("sessions", []))
        ],
        "events": [
            {
                "date": _iso(entry["date"]),
                "kind": entry["kind"],
                "discussed": bool(entry.get("discussed", False)),
            }
            for entry in by_date(case.get("events", []))
        ],
        "clinician_factors": _unique(case.get("clinician_factors", [])),
        "considering_referral_because": _unique(case.get("considering_referral_because", [])),
        "steps_taken": _normalize_steps(case.get("steps_taken", [])),
        "goals": [
            ({"description": entry["description"]} if entry.get("description") is not None else {})
            | {"status": entry["status"]}
            for entry in case.get("goals", [])
        ],
        "financial_arrangements": [
            {"with": entry["with"], "kind": entry["kind"]}
            for entry in case.get("financial_arrangements", [])
        ],
    }
    canonical.update({key: value for key, value in optional.items() if value})
    return canonical


def _normalize_client(given: Mapping[str, Any]) -> dict[str, Any]:
    person: dict[str, Any] = {"age": given["age"]}
    if languages := _unique(given.get("languages", [])):
        person["languages"] = languages
    if given.get("postal_code") is not None:
        person["postal_code"] = given["postal_code"]
    if insurance := _unique(given.get("insurance", [])):
        person["insurance"] = insurance
    if given.get("telehealth_ok") is not None:
        person["telehealth_ok"] = bool(given["telehealth_ok"])
    if preferences := given.get("preferences"):
        person["preferences"] = dict(preferences)
    if current_care := _unique(given.get("current_care", [])):
        person["current_care"] = current_care
    if given.get("engagement", DEFAULT_ENGAGEMENT) != DEFAULT_ENGAGEMENT:
        person["engagement"] = given["engagement"]
    if given.get("wants_to_end"):
        person["wants_to_end"] = True
    return person


def _normalize_steps(entries: Iterable[str | Mapping[str, Any]]) -> list[str | dict[str, str]]:
    latest: dict[str, str | None] = {}  # insertion order: where each step first appears
    for entry in entries:
        if isinstance(entry, str):
            step, day = entry, None
        else:
            step = entry["step"]
            day = _iso(entry["date"]) if entry.get("date") is not None else None
        if step not in latest or (day is not None and (latest[step] or "") < day):
            latest[step] = day
    return [step if day is None else {"step": step, "date": day} for step, day in latest.items()]


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def _iso(day: str | date) -> str:
    return day.isoformat() if isinstance(day, date) else date.fromisoformat(day).isoformat()
