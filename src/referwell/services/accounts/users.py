"""Use cases: the admin's management of the practice's users; every change is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from referwell.db.audit import AuditAction
from referwell.db.models import Client, User
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.measures.base import describe
from referwell.services.accounts.sessions import end_user_sessions
from referwell.services.auditing import audit_write
from referwell.services.permissions import (
    Permission,
    Person,
    Role,
    practice_user,
    require_permission,
)

USERNAME_RE: Final = re.compile(r"[a-z0-9][a-z0-9._-]{1,49}")
PASSWORD_MIN: Final = 12
PASSWORD_MAX: Final = 1024
NAME_MAX: Final = 200


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A user as the admin pages list them."""

    user_id: int
    username: str
    display_name: str
    role: str
    supervisor_id: int | None
    supervisor_name: str | None
    active: bool
    clients: int


def list_users(uow: UnitOfWork, actor: Person) -> list[UserSummary]:
    """Every user of the admin's practice, by role then name."""
    require_permission(actor, Permission.ADMIN)
    with uow:
        return _summaries(uow.session, User.practice_id == actor.practice_id)


def get_user(uow: UnitOfWork, actor: Person, user_id: int) -> UserSummary:
    with uow:
        practice_user(uow.session, actor, user_id)
        return _summaries(uow.session, User.id == user_id)[0]


def supervisors(uow: UnitOfWork, actor: Person) -> list[UserSummary]:
    """The active supervisors of the admin's practice (who a clinician may be supervised by)."""
    require_permission(actor, Permission.ADMIN)
    with uow:
        return _summaries(
            uow.session,
            (User.practice_id == actor.practice_id)
            & (User.role == Role.SUPERVISOR.value)
            & User.active,
        )


def _summaries(session: Session, where: Any) -> list[UserSummary]:
    supervisor = aliased(User)
    clients = (
        select(Client.clinician_id, func.count(Client.id).label("n"))
        .group_by(Client.clinician_id)
        .subquery()
    )
    rows = session.execute(
        select(User, supervisor.display_name, clients.c.n)
        .outerjoin(supervisor, supervisor.id == User.supervisor_id)
        .outerjoin(clients, clients.c.clinician_id == User.id)
        .where(where)
        .order_by(User.role, User.display_name, User.id)
    )
    return [
        UserSummary(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            supervisor_id=user.supervisor_id,
            supervisor_name=supervisor_name,
            active=user.active,
            clients=count or 0,
        )
        for user, supervisor_name, count in rows
    ]


def create_user(
    uow: UnitOfWork,
    actor: Person,
    *,
    username: Any,
    display_name: Any,
    role: Any,
    password: Any,
    supervisor_id: Any = None,
    hasher: PasswordHasher,
) -> UserSummary:
    """Add a user to the admin's practice; every problem is reported with its field."""
    require_permission(actor, Permission.ADMIN)
    with uow:
        session = uow.session
        errors: list[FieldError] = []
        if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
            errors.append(
                FieldError(
                    "username",
                    "use 2 to 50 lower-case letters, digits, dots, dashes or underscores, "
                    f"starting with a letter or digit; got {describe(username)}",
                )
            )
        elif session.scalar(select(User.id).where(User.username == username)) is not None:
            errors.append(FieldError("username", f'"{username}" is taken; choose another'))
        errors += _name_errors(display_name)
        errors += _role_errors(role)
        errors += _password_errors(password, required=True)
        errors += _supervisor_errors(session, actor, supervisor_id, role=role, user_id=None)
        if errors:
            raise InvalidInput(errors, what="user")
        user = User(
            practice_id=actor.practice_id,
            username=username,
            display_name=display_name.strip(),
            role=role,
            password_hash=hasher.hash(password),
            supervisor_id=supervisor_id if role != Role.ADMIN else None,
        )
        session.add(user)
        session.flush()
        audit_write(
            session, actor, AuditAction.USER_CREATE, target_type="user", target_ids=[user.id]
        )
        uow.commit()
        return _summaries(session, User.id == user.id)[0]


def update_user(
    uow: UnitOfWork,
    actor: Person,
    user_id: int,
    *,
    display_name: Any,
    role: Any,
    supervisor_id: Any = None,
    active: Any = True,
    password: Any = None,
    hasher: PasswordHasher,
) -> UserSummary:
    """Change a user of the admin's practice; a new password only when one is given."""
    with uow:
        session = uow.session
        user = practice_user(session, actor, user_id)
        errors = _name_errors(display_name) + _role_errors(role)
        if password not in (None, ""):
            errors += _password_errors(password, required=True)
        errors += _supervisor_errors(session, actor, supervisor_id, role=role, user_id=user_id)
        if type(active) is not bool:
            errors.append(FieldError("active", f"expected true or false; got {describe(active)}"))
        if user_id == actor.user_id and (role != Role.ADMIN or active is not True):
            errors.append(
                FieldError(
                    "role", "you cannot take away your own admin role or deactivate yourself"
                )
            )
        if role in (Role.ADMIN, Role.ADMIN.value) and user.role != Role.ADMIN:
            clients = session.scalar(
                select(func.count(Client.id)).where(Client.clinician_id == user_id)
            )
            if clients:
                errors.append(
                    FieldError(
                        "role",
                        f"this user has {clients} clients; an admin reads no clinical records, "
                        "so move their clients to another clinician first",
                    )
                )
        if errors:
            raise InvalidInput(errors, what="user")
        user.display_name = display_name.strip()
        user.role = role
        user.supervisor_id = supervisor_id if role != Role.ADMIN else None
        user.active = active
        if password not in (None, ""):
            user.password_hash = hasher.hash(password)
        audit_write(
            session, actor, AuditAction.USER_UPDATE, target_type="user", target_ids=[user_id]
        )
        if password not in (None, "") or not active:
            # A new password or a deactivation ends every session the user had.
            end_user_sessions(session, actor, user_id)
        uow.commit()
        return _summaries(session, User.id == user_id)[0]


def _name_errors(display_name: Any) -> list[FieldError]:
    if not isinstance(display_name, str) or not display_name.strip():
        return [
            FieldError(
                "display_name", f"give the name shown to colleagues; got {describe(display_name)}"
            )
        ]
    if len(display_name) > NAME_MAX:
        return [FieldError("display_name", f"give at most {NAME_MAX} characters")]
    return []


def _role_errors(role: Any) -> list[FieldError]:
    if role not in tuple(Role):
        choices = ", ".join(f'"{r.value}"' for r in Role)
        return [FieldError("role", f"unknown role {describe(role)}; use {choices}")]
    return []


def _password_errors(password: Any, *, required: bool) -> list[FieldError]:
    if not isinstance(password, str) or (required and not password):
        return [FieldError("password", f"give a password of at least {PASSWORD_MIN} characters")]
    if len(password) < PASSWORD_MIN:
        return [
            FieldError(
                "password",
                f"a password needs at least {PASSWORD_MIN} characters; this one has {len(password)}",
            )
        ]
    if len(password) > PASSWORD_MAX:
        return [FieldError("password", f"give at most {PASSWORD_MAX} characters")]
    return []


def _supervisor_errors(
    session: Session, actor: Person, supervisor_id: Any, *, role: Any, user_id: int | None
) -> list[FieldError]:
    if supervisor_id is None or role in (Role.ADMIN, Role.ADMIN.value):
        return []
    if type(supervisor_id) is not int:
        return [FieldError("supervisor_id", f"expected a user id; got {describe(supervisor_id)}")]
    if supervisor_id == user_id:
        return [FieldError("supervisor_id", "nobody supervises themselves")]
    supervisor = session.get(User, supervisor_id)
    if (
        supervisor is None
        or supervisor.practice_id != actor.practice_id
        or supervisor.role != Role.SUPERVISOR
        or not supervisor.active
    ):
        return [
            FieldError("supervisor_id", "choose an active supervisor of this practice, or nobody")
        ]
    return []
