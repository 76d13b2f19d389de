"""Use cases: case files into the database for a clinician, and a client's case file out.

Both are for the operator at the command line (`Operator`: the permission
`operate`) and audited with their operating-system login. Import is all or nothing: every case is checked
before anything is written, and one refusal writes nothing. Export writes the
plain case file (importable again), or on request the case with its outcome
report beside it (`referwell.export/1`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from referwell.db.cases import ProfileUpdate
from referwell.db.uow import UnitOfWork
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.reports import case_outcome_report
from referwell.domain.settings import RuleSettings
from referwell.services.auditing import audit_write
from referwell.services.permissions import Operator, Permission, require_permission

EXPORT_FORMAT: Final = "referwell.export/1"


@dataclass(frozen=True, slots=True)
class Imported:
    """Clients made by an import: their ids in file order, and whose caseload they joined."""

    client_ids: tuple[int, ...]
    clinician: str
    practice_id: int


def _refused(path: str, message: str) -> InvalidInput:
    return InvalidInput([FieldError(path, message)])


def import_cases(
    uow: UnitOfWork,
    cases: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    clinician: str,
    actor: Operator,
    practice_id: int | None = None,
    clinician_profile: ProfileUpdate = "merge",
) -> Imported:
    """Store validated cases (name, decoded case) as new clients of `clinician` (a username).

    Raises InvalidInput naming the option or the case at fault, having written nothing.
    """
    require_permission(actor, Permission.OPERATE)
    from sqlalchemy import select

    from referwell.db.audit import AuditAction
    from referwell.db.cases import CaseExistsError, import_case
    from referwell.db.models import User
    from referwell.services.synthetic.names import invented_name_for

    with uow:
        session = uow.session
        user = session.scalar(select(User).where(User.username == clinician))
        if user is None or user.role != "clinician":
            raise _refused("--clinician", f'no clinician with the username "{clinician}"')
        if practice_id is not None and user.practice_id != practice_id:
            raise _refused(
                "--practice",
                f'clinician "{clinician}" belongs to practice {user.practice_id}, not {practice_id}',
            )
        ids = []
        for name, case in cases:
            try:
                client = import_case(
                    session,
                    user.practice_id,
                    user.id,
                    case,
                    display_name=invented_name_for(str(case["id"])),
                    clinician_profile=clinician_profile,
                )
            except CaseExistsError as error:
                raise _refused(
                    f"{name}: id",
                    f'case "{error.external_id}" is already client {error.client_id} of this '
                    "practice; give the case a new id",
                ) from None
            ids.append(client.id)
        audit_write(session, actor, AuditAction.CLIENT_IMPORT, target_type="client", target_ids=ids)
        uow.commit()
        return Imported(tuple(ids), clinician, user.practice_id)


def export_case(
    uow: UnitOfWork,
    client: str,
    *,
    actor: Operator,
    as_of: date,
    practice_id: int | None = None,
    with_outcomes: bool = False,
) -> dict[str, Any]:
    """A client's case file as of `as_of`; `client` is a client id or a case id. With
    `with_outcomes`, `{"format": "referwell.export/1", "case": …, "outcomes": …}` instead,
    the outcomes read under the practice's rule settings.

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
        query = select(Client.id, Client.practice_id)
        if client.isdigit():
            query = query.where(Client.id == int(client))
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
