"""Use cases: case files into the database for a clinician, and a client's case file out.

Both are for the operator at the command line (`Operator`: the permission
`operate`) and audited with their operating-system login. Import is all or
nothing: every case is checked before anything is written, and one refusal
writes nothing; the clients are then written in bounded batches that nobody sees
until the last one is in, and a failure on the way removes them (`db.imports`).
Export writes the plain case file (importable again), or on request the case with
its outcome report beside it (`referwell.export/1`); it is audited once delivered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from referwell.db.cases import ProfileUpdate
from referwell.db.engine import Database
from referwell.db.ids import record_id
from referwell.db.uow import UnitOfWork
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.reports import case_outcome_report
from referwell.domain.settings import RuleSettings
from referwell.services.auditing import audit_write
from referwell.services.permissions import Operator, Permission, require_permission

EXPORT_FORMAT: Final = "referwell.export/1"
# An import writes at most this many clients per transaction, and for about this long: on
# SQLite every other writer (the web app) waits while it writes.
BATCH_CLIENTS: Final = 200
BATCH_SECONDS: Final = 1.0
# Between two batches on SQLite: longer than a waiting writer's 100 ms between tries.
PAUSE_SECONDS: Final = 0.15
# A batch waits out another writer's lock this many times before the import gives up.
BATCH_ATTEMPTS: Final = 3
# Case ids looked up per query.
CHECK_CHUNK: Final = 500


@dataclass(frozen=True, slots=True)
class Imported:
    """Clients made by an import: their ids in file order, and whose caseload they joined."""

    client_ids: tuple[int, ...]
    clinician: str
    practice_id: int


def _refused(path: str, message: str) -> InvalidInput:
    return InvalidInput([FieldError(path, message)])


def import_cases(
    database: Database,
    cases: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    clinician: str,
    actor: Operator,
    practice_id: int | None = None,
    clinician_profile: ProfileUpdate = "merge",
    progress: Callable[[int], None] | None = None,
) -> Imported:
    """Store validated cases (name, decoded case) as new clients of `clinician` (a username).

    Everything is checked first: the clinician, the practice, no case id twice among
    the cases (naming both), none already a client of the practice. Then the clients
    are written in bounded batches (`BATCH_CLIENTS`, `BATCH_SECONDS`) tagged with the
    import's id, so that a long import never holds the database for long, and they
    join the practice together in the last transaction, which also updates the
    clinician's profile and audits the import. Any failure removes what was written.

    Raises InvalidInput naming the option or the case at fault, having written nothing;
    ImportBusyError when another import is writing; a database error after removing
    whatever this import wrote. `progress` hears how many clients are written so far.
    """
    require_permission(actor, Permission.OPERATE)
    from referwell.db.imports import import_run

    _refuse_the_same_id_twice(cases)
    with database.reading_unit_of_work() as uow:
        user_id, user_practice = _check_clinician(uow, clinician, practice_id)
        _refuse_cases_already_in(uow, cases, user_practice)
    pause = PAUSE_SECONDS if database.engine.dialect.name == "sqlite" else 0.0
    with import_run(database.engine, started_by=actor.audit_name) as import_id:
        ids: list[int] = []
        position = 0
        while position < len(cases):
            written = _write_batch(
                database,
                cases,
                position,
                practice_id=user_practice,
                clinician_id=user_id,
                import_id=import_id,
            )
            position += len(written)
            ids += written
            if progress is not None:
                progress(len(ids))
            if position < len(cases) and pause:
                time.sleep(pause)  # SQLite has one writer: let the web app's writes in
        _finish(
            database.unit_of_work(),
            actor,
            cases,
            clinician_id=user_id,
            clinician_profile=clinician_profile,
            import_id=import_id,
            ids=ids,
        )
    return Imported(tuple(ids), clinician, user_practice)


def _refuse_the_same_id_twice(cases: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    first: dict[str, str] = {}
    errors = []
    for name, case in cases:
        case_id = str(case["id"])
        if first.get(case_id) == name:
            errors.append(FieldError(name, "this file is given twice; give each file once"))
        elif case_id in first:
            errors.append(
                FieldError(
                    f"{name}: id",
                    f'case "{case_id}" is also in {first[case_id]}; give each case its own id',
                )
            )
        else:
            first[case_id] = name
    if errors:
        raise InvalidInput(errors)


def _check_clinician(uow: UnitOfWork, clinician: str, practice_id: int | None) -> tuple[int, int]:
    from sqlalchemy import select

    from referwell.db.models import User

    user = uow.session.execute(
        select(User.id, User.role, User.practice_id).where(User.username == clinician)
    ).first()
    if user is None or user.role != "clinician":
        raise _refused("--clinician", f'no clinician with the username "{clinician}"')
    if practice_id is not None and user.practice_id != practice_id:
        raise _refused(
            "--practice",
            f'clinician "{clinician}" belongs to practice {user.practice_id}, not {practice_id}',
        )
    return user.id, user.practice_id


def _refuse_cases_already_in(
    uow: UnitOfWork, cases: Sequence[tuple[str, Mapping[str, Any]]], practice_id: int
) -> None:
    """Refuse the cases whose id is already a client's of the practice (clients of an
    import that did not finish are not: that import's clean-up removes them)."""
    from sqlalchemy import select

    from referwell.db.models import Client

    names = {str(case["id"]): name for name, case in cases}
    wanted = list(names)
    taken: dict[str, int] = {}
    for start in range(0, len(wanted), CHECK_CHUNK):
        chunk = wanted[start : start + CHECK_CHUNK]
        found = uow.session.execute(
            select(Client.external_id, Client.id).where(
                Client.practice_id == practice_id,
                Client.external_id.in_(chunk),
                Client.import_id.is_(None),
            )
        )
        taken.update((case_id, client_id) for case_id, client_id in found)
    if taken:
        raise InvalidInput(
            [
                FieldError(
                    f"{names[case_id]}: id",
                    f'case "{case_id}" is already client {client_id} of this practice; '
                    "give the case a new id",
                )
                for case_id, client_id in sorted(taken.items(), key=lambda item: item[1])
            ]
        )


def _write_batch(
    database: Database,
    cases: Sequence[tuple[str, Mapping[str, Any]]],
    position: int,
    *,
    practice_id: int,
    clinician_id: int,
    import_id: int,
) -> list[int]:
    """Write the cases from `position` on in one transaction, at most `BATCH_CLIENTS` of
    them and for about `BATCH_SECONDS`; their client ids. A lock another writer held
    too long is waited out again, `BATCH_ATTEMPTS` times in all."""
    from referwell.db.cases import import_case
    from referwell.db.faults import is_busy
    from referwell.db.imports import note_progress
    from referwell.services.synthetic.names import invented_name_for

    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            with database.unit_of_work() as uow:
                started = time.monotonic()
                ids: list[int] = []
                for _, case in cases[position : position + BATCH_CLIENTS]:
                    client = import_case(
                        uow.session,
                        practice_id,
                        clinician_id,
                        case,
                        display_name=invented_name_for(str(case["id"])),
                        clinician_profile="keep",
                        import_id=import_id,
                    )
                    ids.append(client.id)
                    if time.monotonic() - started > BATCH_SECONDS:
                        break
                note_progress(uow.session, import_id, position + len(ids))
                uow.commit()
                return ids
        except Exception as error:
            if attempt == BATCH_ATTEMPTS or not is_busy(error):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _finish(
    uow: UnitOfWork,
    actor: Operator,
    cases: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    clinician_id: int,
    clinician_profile: ProfileUpdate,
    import_id: int,
    ids: list[int],
) -> None:
    from referwell.db.audit import AuditAction
    from referwell.db.cases import update_clinician_profile
    from referwell.db.imports import finish_import

    with uow:
        session = uow.session
        attested = []
        if clinician_profile != "keep":
            for _, case in cases:
                # The competencies the cases list are attested by the operator importing them.
                attested += update_clinician_profile(
                    session, clinician_id, case, clinician_profile, attested_by=actor.audit_name
                )
        finish_import(session, import_id, len(ids))
        audit_write(session, actor, AuditAction.CLIENT_IMPORT, target_type="client", target_ids=ids)
        if attested:
            session.flush()
            audit_write(
                session,
                actor,
                AuditAction.COMPETENCE_ATTEST,
                target_type="growth_verification",
                target_ids=[row.id for row in attested],
            )
        uow.commit()


def export_case(
    uow: UnitOfWork,
    client: str,
    *,
    actor: Operator,
    as_of: date,
    practice_id: int | None = None,
    with_outcomes: bool = False,
    deliver: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """A client's case file as of `as_of`; `client` is a client id or a case id. With
    `with_outcomes`, `{"format": "referwell.export/1", "case": …, "outcomes": …}` instead,
    the outcomes read under the practice's rule settings. `deliver` is given the document
    before the export is audited: if it fails, nothing is audited.

    Raises InvalidInput naming CLIENT or --practice when the client cannot be told (or
    the stored case's fields, should it no longer validate when outcomes are asked for).
    """
    require_permission(actor, Permission.OPERATE)
    from sqlalchemy import select

    from referwell.db.audit import AuditAction
    from referwell.db.cases import case_dict_for_client
    from referwell.db.models import Client

    with uow:
        session = uow.session
        query = select(Client.id, Client.practice_id).where(Client.import_id.is_(None))
        wanted = record_id(client)  # digits that can be no id are looked up as a case id
        if wanted is not None:
            query = query.where(Client.id == wanted)
        else:
            query = query.where(Client.external_id == client)
        if practice_id is not None:
            query = query.where(Client.practice_id == practice_id)
        found = session.execute(query.limit(2)).all()
        if not found:
            raise _refused("CLIENT", f'no client "{client}"; give a client id or a case id')
        if len(found) > 1:
            raise _refused(
                "--practice",
                f'case id "{client}" is used in several practices; say which with --practice',
            )
        client_id, client_practice = found[0]
        case = case_dict_for_client(session, client_id, as_of)
        document = case
        if with_outcomes:
            settings = uow.practices.rule_settings(client_practice)
            document = case_with_outcomes(case, as_of, settings)
        if deliver is not None:
            deliver(document)
        audit_write(
            session, actor, AuditAction.CLIENT_EXPORT, target_type="client", target_ids=[client_id]
        )
        uow.commit()
        return document


def case_with_outcomes(case: dict[str, Any], as_of: date, settings: RuleSettings) -> dict[str, Any]:
    """The export document: the case file and its outcome report (`domain.reports`), read
    from the summary of that very case. Raises InvalidInput if the case does not validate."""
    parsed = parse_case(case, today=as_of)
    return {
        "format": EXPORT_FORMAT,
        "case": case,
        "outcomes": case_outcome_report(parsed, settings),
    }
