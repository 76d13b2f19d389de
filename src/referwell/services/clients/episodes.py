"""Use cases: a client comes into care, leaves it, comes back, or moves to another clinician.

- A clinician adds a client to their own caseload: the client part of the case
  (age, languages, format of care …) and their concerns, checked by the case
  format's validator; an episode of care opens on the day given.
- Discharge closes the episode: the client leaves the caseload and the screen,
  and the record stays readable. It is refused while the client's current
  recommendation is to act on safety now: a client at urgent risk is not let go.
- Readmission opens a new episode.
- A supervisor reassigns a client of a supervisee (or of their own) to another
  clinician of the practice; an admin may too, seeing names and case ids only.
  The old clinician loses access at once: access follows `clients.clinician_id`.

Each act is audited; the reasons are kept on the episode (never in the audit log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.cases import CaseExistsError, import_case, new_external_id, read_case
from referwell.db.ids import record_id
from referwell.db.models import Client, Episode, User
from referwell.db.uow import UnitOfWork
from referwell.domain.assessment import assess_case
from referwell.domain.case import CASE_FORMAT
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import EMPTY, MISSING, TOO_LONG, FieldError, InvalidInput
from referwell.services.auditing import ReadAudit, audit_write
from referwell.services.clients.corrections import entry_day, written_reason
from referwell.services.clients.entries import Saved, store_reassessment
from referwell.services.errors import Forbidden, NotFound
from referwell.services.permissions import (
    CLINICAL_ROLES,
    Permission,
    Person,
    Role,
    client_access,
    require_permission,
)

NAME_MAX: Final = 200
CASE_ID_MAX: Final = 100


# --- adding a client -------------------------------------------------------------


def add_client(
    uow: UnitOfWork,
    actor: Person,
    *,
    today: date,
    display_name: Any,
    client: dict[str, Any],
    concerns: Sequence[Any] = (),
    format_of_care: Any = "individual",
    opened_on: Any = None,
    case_id: Any = None,
) -> Saved:
    """A new client of the actor, in care from `opened_on` (default today); assessed at once.

    `client` is the case format's `client` object (`age` required). Errors name the
    fields by their path in the case format (`client.age`), or `display_name`, `case_id`,
    `date`.
    """
    require_permission(actor, Permission.CLINICAL)
    errors: list[FieldError] = []
    name = _text(display_name, "display_name", NAME_MAX, errors)
    external_id = None
    if case_id not in (None, ""):
        external_id = _text(case_id, "case_id", CASE_ID_MAX, errors)
    with uow:
        session = uow.session
        user = session.get(User, actor.user_id)
        if user is None:  # pragma: no cover - removed while signed in
            raise NotFound("user", actor.user_id)
        on = entry_day(session, 0, opened_on or today.isoformat(), today, errors)
        document = {
            "format": CASE_FORMAT,
            "id": external_id or new_external_id(),
            "as_of": today.isoformat(),
            "clinician": {
                "competencies": [row.code for row in user.competencies],
                "in_training": [row.code for row in user.in_training],
            },
            "client": client,
            "concerns": list(concerns),
            "format_of_care": format_of_care,
        }
        try:
            parsed = parse_case(document, today=today)
        except InvalidInput as refused:
            errors.extend(e for e in refused.errors if not e.path.startswith("clinician"))
            if not errors:  # pragma: no cover - the profile's codes are the clinician's own
                errors.extend(refused.errors)
        if errors:
            raise InvalidInput(errors, "form")
        try:
            row = import_case(
                session,
                actor.practice_id,
                actor.user_id,
                document,
                display_name=name,
                clinician_profile="keep",
                opened_on=on,
            )
        except CaseExistsError:
            raise InvalidInput(
                [FieldError("case_id", "another client of the practice has this case id")],
                "form",
            ) from None
        row.episodes[0].opened_by = actor.user_id
        session.flush()
        audit_write(
            session, actor, AuditAction.CLIENT_CREATE, target_type="client", target_ids=[row.id]
        )
        result = store_reassessment(uow, actor, row, parsed, actor.practice_id)
        client_id = row.id
        uow.commit()
    return Saved(client_id, result, changed=True)


def _text(value: Any, path: str, most: int, errors: list[FieldError]) -> str:
    if value is None or value == "":
        errors.append(FieldError(path, "give it", kind=MISSING))
        return ""
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError(path, "give it in words", kind=EMPTY))
        return ""
    if len(value) > most:
        errors.append(
            FieldError(
                path,
                f"keep it to {most} characters (it has {len(value)})",
                kind=TOO_LONG,
                detail={"length": len(value), "most": most},
            )
        )
    return value.strip()


# --- discharge and readmission ---------------------------------------------------


def discharge_client(
    uow: UnitOfWork, actor: Person, client_id: int, *, today: date, day: Any, reason: Any
) -> Saved:
    """Close the client's episode of care on `day`, with the reason; refused while the
    client's current recommendation is `urgent_safety`."""
    require_permission(actor, Permission.CLIENT_WRITE)
    errors: list[FieldError] = []
    why = ""
    try:
        why = written_reason(reason)
    except InvalidInput as refused:
        errors.extend(refused.errors)
    with uow:
        session = uow.session
        access = client_access(session, actor, client_id, write=True)
        client = session.get(Client, client_id)
        if client is None:  # pragma: no cover - removed while we read
            raise NotFound("client", client_id)
        if client.discharged_on is not None:
            return Saved(client_id, None, changed=False)
        on = entry_day(session, client_id, day, today, errors)
        parsed = parse_case(read_case(session, client_id, today).case, today=today)
        assessment = assess_case(parsed, uow.practices.rule_settings(access.practice_id))
        if assessment.recommendation == "urgent_safety":
            errors.insert(
                0,
                FieldError(
                    "(client)",
                    "not while this client's assessment says to act on safety now: "
                    "act on the risk first (see the current assessment), then discharge",
                    kind="urgent_safety",
                ),
            )
        if errors:
            raise InvalidInput(errors, "form")
        episode = _open_episode(client)
        episode.closed_on = on
        episode.closed_by = actor.user_id
        episode.closed_at = utcnow()
        episode.close_reason = why
        client.discharged_on = on
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.CLIENT_DISCHARGE,
            target_type="client",
            target_ids=[client_id],
        )
        uow.commit()
    return Saved(client_id, None, changed=True)


def readmit_client(
    uow: UnitOfWork, actor: Person, client_id: int, *, today: date, day: Any = None
) -> Saved:
    """Open a new episode of care for a discharged client, from `day` (default today)."""
    require_permission(actor, Permission.CLIENT_WRITE)
    errors: list[FieldError] = []
    with uow:
        session = uow.session
        access = client_access(session, actor, client_id, write=True)
        client = session.get(Client, client_id)
        if client is None:  # pragma: no cover - removed while we read
            raise NotFound("client", client_id)
        if client.discharged_on is None:
            return Saved(client_id, None, changed=False)
        on = entry_day(session, client_id, day or today.isoformat(), today, errors)
        if on is not None and on < client.discharged_on:
            errors.append(
                FieldError(
                    "date",
                    f"give {client.discharged_on.isoformat()} (the discharge) or a later day",
                    kind="before_episode",
                    detail={"opened_on": client.discharged_on},
                )
            )
        if errors:
            raise InvalidInput(errors, "form")
        client.episodes.append(Episode(opened_on=on, opened_by=actor.user_id))
        client.discharged_on = None
        session.flush()
        audit_write(
            session, actor, AuditAction.CLIENT_READMIT, target_type="client", target_ids=[client_id]
        )
        parsed = parse_case(read_case(session, client_id, today).case, today=today)
        result = store_reassessment(uow, actor, client, parsed, access.practice_id)
        uow.commit()
    return Saved(client_id, result, changed=True)


def _open_episode(client: Client) -> Episode:
    for episode in reversed(client.episodes):
        if episode.closed_on is None:
            return episode
    episode = Episode(opened_on=client.created_at.date())  # pragma: no cover - migrated data
    client.episodes.append(episode)  # pragma: no cover
    return episode  # pragma: no cover


# --- reassignment ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assignment:
    """A client as whoever reassigns it sees it: names and the case id, nothing clinical."""

    client_id: int
    display_name: str
    external_id: str
    clinician_id: int
    clinician_name: str
    discharged_on: date | None


@dataclass(frozen=True, slots=True)
class Clinician:
    """Someone who may carry clients: a clinician or a supervisor of the practice."""

    user_id: int
    display_name: str
    role: str


def assignments(uow: UnitOfWork, actor: Person) -> list[Assignment]:
    """The clients the actor may reassign, by clinician then name: every client of the
    practice for an admin, their supervisees' and their own for a supervisor."""
    require_permission(actor, Permission.CLIENT_ASSIGN)
    with uow:
        query = _assignment_query(actor)
        return [Assignment(*row) for row in uow.session.execute(query)]


def assignment(uow: UnitOfWork, actor: Person, client_id: int) -> Assignment:
    """One client the actor may reassign; `NotFound` for any other."""
    require_permission(actor, Permission.CLIENT_ASSIGN)
    with uow:
        row = uow.session.execute(
            _assignment_query(actor).where(Client.id == client_id)
        ).one_or_none()
    if row is None:
        raise NotFound("client", client_id)
    return Assignment(*row)


def clinicians(uow: UnitOfWork, actor: Person) -> list[Clinician]:
    """The active clinicians and supervisors of the actor's practice, by name."""
    require_permission(actor, Permission.CLIENT_ASSIGN)
    with uow:
        return [
            Clinician(*row)
            for row in uow.session.execute(
                select(User.id, User.display_name, User.role)
                .where(
                    User.practice_id == actor.practice_id,
                    User.active.is_(True),
                    User.role.in_([role.value for role in CLINICAL_ROLES]),
                )
                .order_by(User.display_name, User.id)
            )
        ]


def reassign_client(
    uow: UnitOfWork, actor: Person, client_id: int, *, to_user_id: Any
) -> Assignment:
    """Move the client to another clinician of the practice; the client as it now stands."""
    require_permission(actor, Permission.CLIENT_ASSIGN)
    with uow:
        session = uow.session
        row = session.execute(_assignment_query(actor).where(Client.id == client_id)).one_or_none()
        if row is None:
            raise NotFound("client", client_id)
        current = Assignment(*row)
        target = _clinician(session, actor, to_user_id)
        if target.id == current.clinician_id:
            raise InvalidInput(
                [FieldError("clinician_id", f"{target.display_name} already has this client")],
                "form",
            )
        client = session.get(Client, client_id)
        if client is None:  # pragma: no cover - removed while we read
            raise NotFound("client", client_id)
        client.clinician_id = target.id
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.CLIENT_REASSIGN,
            target_type="client",
            target_ids=[client_id],
        )
        audit_write(
            session,
            actor,
            AuditAction.CLIENT_REASSIGN,
            target_type="user",
            target_ids=[current.clinician_id, target.id],
        )
        uow.commit()
    return Assignment(
        client_id,
        current.display_name,
        current.external_id,
        target.id,
        target.display_name,
        current.discharged_on,
    )


def _clinician(session: Any, actor: Person, user_id: Any) -> User:
    wanted = record_id(user_id)
    if wanted is None:
        raise InvalidInput(
            [FieldError("clinician_id", "choose a clinician of the practice", kind=MISSING)],
            "form",
        )
    user: User | None = session.get(User, wanted)
    if (
        user is None
        or user.practice_id != actor.practice_id
        or not user.active
        or user.role not in {role.value for role in CLINICAL_ROLES}
    ):
        raise InvalidInput(
            [FieldError("clinician_id", "choose an active clinician of the practice")], "form"
        )
    return user


def _assignment_query(actor: Person) -> Any:
    query = (
        select(
            Client.id,
            Client.display_name,
            Client.external_id,
            Client.clinician_id,
            User.display_name,
            Client.discharged_on,
        )
        .join(User, User.id == Client.clinician_id)
        .where(Client.practice_id == actor.practice_id)
        .order_by(User.display_name, Client.display_name, Client.id)
    )
    if actor.role is Role.ADMIN:
        return query
    if actor.role is Role.SUPERVISOR:
        return query.where((User.supervisor_id == actor.user_id) | (User.id == actor.user_id))
    raise Forbidden("only supervisors and admins reassign clients")  # pragma: no cover


# --- discharged clients ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Discharged:
    """A discharged client, as the list of them shows it."""

    client_id: int
    display_name: str
    external_id: str
    clinician_name: str
    discharged_on: date | None


def discharged_clients(uow: UnitOfWork, actor: Person, *, reads: ReadAudit) -> list[Discharged]:
    """The actor's discharged clients (and, for a supervisor, their supervisees'), the most
    recently discharged first; their records stay readable. One audited read."""
    require_permission(actor, Permission.CLINICAL)
    with uow:
        mine = (Client.clinician_id == actor.user_id) | (User.supervisor_id == actor.user_id)
        found = [
            Discharged(*row)
            for row in uow.session.execute(
                select(
                    Client.id,
                    Client.display_name,
                    Client.external_id,
                    User.display_name,
                    Client.discharged_on,
                )
                .join(User, User.id == Client.clinician_id)
                .where(
                    Client.practice_id == actor.practice_id,
                    Client.discharged_on.is_not(None),
                    mine if actor.role is Role.SUPERVISOR else Client.clinician_id == actor.user_id,
                )
                .order_by(Client.discharged_on.desc(), Client.display_name, Client.id)
            )
        ]
    reads.record_read(
        actor,
        AuditAction.CASELOAD_READ,
        target_type="client",
        target_ids=[row.client_id for row in found],
    )
    return found
