"""Who may do what: the one permission check every web route, API call and service goes through.

- A clinician sees and changes their own clients only.
- A supervisor sees the clients of their supervisees, read-only (and their own
  clients, if they carry any, like a clinician).
- An admin manages the users and the rule settings of their practice and reads
  no clinical record.

A client, user or token the actor may not see is `NotFound`, exactly like one
that does not exist, so that existence does not leak; `Forbidden` is only for
what the actor can see but may not do (a supervisor writing, a clinician
opening the admin pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.models import ApiToken, Client, User
from referwell.services.errors import Forbidden, NotAuthenticated, NotFound


class Role(StrEnum):
    """A user's role (`users.role`)."""

    CLINICIAN = "clinician"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Rule(StrEnum):
    """The permission a route (or use case) demands; every route in the routes table names one."""

    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any active user, any role
    CLINICAL = "clinical"  # clinicians and supervisors: people who see clients
    SUPERVISOR = "supervisor"  # supervisors
    ADMIN = "admin"  # admins of the practice
    CLIENT_READ = "client_read"  # the client's clinician, or that clinician's supervisor
    CLIENT_WRITE = "client_write"  # the client's clinician only


CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR})
_ROLE_RULES = {
    Rule.CLINICAL: (CLINICAL_ROLES, "only clinicians and supervisors see clients"),
    Rule.SUPERVISOR: (frozenset({Role.SUPERVISOR}), "only supervisors have this page"),
    Rule.ADMIN: (frozenset({Role.ADMIN}), "only admins manage the practice"),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in user as the use cases see them: plain data, detached from any session."""

    user_id: int
    practice_id: int
    role: Role
    username: str
    display_name: str

    @classmethod
    def from_user(cls, user: User) -> Actor:
        return cls(
            user_id=user.id,
            practice_id=user.practice_id,
            role=Role(user.role),
            username=user.username,
            display_name=user.display_name,
        )

    @property
    def audit_name(self) -> str:
        """How the audit log names this actor (`audit_log.actor`): the user's id."""
        return str(self.user_id)


@dataclass(frozen=True, slots=True)
class ClientAccess:
    """A client the actor may see, and whether they may change it."""

    client_id: int
    practice_id: int
    clinician_id: int
    writable: bool


@dataclass(frozen=True, slots=True)
class Permit:
    """What `authorize` grants: the actor (None on a public route) and the records named."""

    actor: Actor | None
    client: ClientAccess | None = None
    user_id: int | None = None
    token_id: int | None = None


def require_actor(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotAuthenticated("sign in first")
    return actor


def require_rule(actor: Actor | None, rule: Rule) -> Actor | None:
    """Check the role part of `rule`; return the actor (None only on a public route)."""
    if rule is Rule.PUBLIC:
        return actor
    signed_in = require_actor(actor)
    if rule in _ROLE_RULES:
        roles, reason = _ROLE_RULES[rule]
        if signed_in.role not in roles:
            raise Forbidden(reason)
    elif rule in (Rule.CLIENT_READ, Rule.CLIENT_WRITE) and signed_in.role is Role.ADMIN:
        # Checked again per client; saying so here keeps admins away from any clinical route.
        raise NotFound("client")
    return signed_in


def client_access(
    session: Session, actor: Actor, client_id: int, *, write: bool = False
) -> ClientAccess:
    """The client if `actor` may see it (and, with `write`, change it); else `NotFound`/`Forbidden`."""
    row = session.execute(
        select(Client.practice_id, Client.clinician_id, User.supervisor_id)
        .join(User, User.id == Client.clinician_id)
        .where(Client.id == client_id)
    ).one_or_none()
    if row is None or actor.role is Role.ADMIN or row.practice_id != actor.practice_id:
        raise NotFound("client", client_id)
    own = row.clinician_id == actor.user_id
    supervised = actor.role is Role.SUPERVISOR and row.supervisor_id == actor.user_id
    if not (own or supervised):
        raise NotFound("client", client_id)
    if write and not own:
        raise Forbidden("a supervisor reads their supervisees' clients and changes nothing")
    return ClientAccess(
        client_id=client_id,
        practice_id=row.practice_id,
        clinician_id=row.clinician_id,
        writable=own,
    )


def practice_user(session: Session, actor: Actor, user_id: int) -> User:
    """A user of the admin's own practice; `NotFound` for any other."""
    require_rule(actor, Rule.ADMIN)
    user = session.get(User, user_id)
    if user is None or user.practice_id != actor.practice_id:
        raise NotFound("user", user_id)
    return user


def own_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """One of the actor's own API tokens; `NotFound` for anyone else's."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.user_id:
        raise NotFound("API token", token_id)
    return token


def authorize(
    session: Session,
    actor: Actor | None,
    rule: Rule,
    *,
    client_id: int | None = None,
    user_id: int | None = None,
    token_id: int | None = None,
) -> Permit:
    """The one check: may `actor` do what `rule` demands, on the records named?

    `client_id` is checked for reading, or for writing under `CLIENT_WRITE`;
    `user_id` must be a user of the admin's practice; `token_id` one of the
    actor's own tokens. Raises `NotAuthenticated`, `Forbidden` or `NotFound`.
    """
    checked = require_rule(actor, rule)
    if checked is None:
        return Permit(actor=None)
    client = None
    if client_id is not None:
        client = client_access(session, checked, client_id, write=rule is Rule.CLIENT_WRITE)
    elif rule in (Rule.CLIENT_READ, Rule.CLIENT_WRITE):
        raise ValueError(f"rule {rule} needs a client id")
    if user_id is not None:
        practice_user(session, checked, user_id)
    if token_id is not None:
        own_token(session, checked, token_id)
    return Permit(actor=checked, client=client, user_id=user_id, token_id=token_id)
