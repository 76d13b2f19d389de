"""Who may do what: the one permission check every route, API call, command and use case passes.

Whoever acts is an actor of one kind (`ActorKind`), and each kind holds only
the permissions of `KIND_PERMISSIONS`, so it touches only its own records:

| kind | who | may touch |
|---|---|---|
| `user` | a person signed in to the web app | what the person's role allows (below) |
| `api_token` | a program holding a person's personal API token | the same as its person, through the JSON API only |
| `os_user` | whoever runs a `referwell` command on the machine that holds the database | every practice's records, through the commands (import, export, screen, synthetic data, the demo) |
| `system` | referwell itself | stored assessments (a stale one is recomputed before anyone sees it) |
| `questionnaire_link` | whoever holds a one-time questionnaire link (the client) | that link's questionnaires of that one client, once, until the link expires |
| `partner_practice` | another referwell practice, presenting the token we issued to it | the referrals exchanged with that partner: sending us one, updating the status of those we sent it |
| `status_link` | whoever holds a one-time referral status link (a receiving provider without referwell) | that link's one referral: what its consent covers, and the receiver's status changes, until the link expires |

For people (users and API tokens), by role:

- A clinician sees and changes their own clients only.
- A supervisor sees the clients of their supervisees, read-only (and their own
  clients, if they carry any, like a clinician).
- An admin manages the users and the rule settings of their practice and reads
  no clinical record.
- A supervisor reassigns their supervisees' clients (and their own) to another
  clinician of the practice; an admin may reassign any client of the practice,
  seeing names and case ids only.

A client, user or token a person may not see is `NotFound`, exactly like one
that does not exist, so that existence does not leak; `Forbidden` is only for
what the actor can see but may not do (a supervisor writing, a clinician
opening the admin pages, a command asking for a person's permission).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import os_user
from referwell.db.models import ActorKind, ApiToken, Client, User
from referwell.services.errors import Forbidden, NotAuthenticated, NotFound

__all__ = [
    "KIND_PERMISSIONS",
    "SYSTEM",
    "Actor",
    "ActorKind",
    "ClientAccess",
    "LinkHolder",
    "Operator",
    "PartnerPractice",
    "Permission",
    "Permit",
    "Person",
    "Role",
    "StatusLinkHolder",
    "System",
    "authorize",
    "client_access",
    "client_assignable",
    "own_token",
    "practice_user",
    "require_permission",
    "require_person",
]


class Role(StrEnum):
    """A user's role (`users.role`)."""

    CLINICIAN = "clinician"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(StrEnum):
    """What a route or a use case demands; every route in the routes table names one."""

    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any active user, any role
    CLINICAL = "clinical"  # clinicians and supervisors: people who see clients
    SUPERVISOR = "supervisor"  # supervisors
    ADMIN = "admin"  # admins of the practice
    CLIENT_READ = "client_read"  # the client's clinician, or that clinician's supervisor
    CLIENT_WRITE = "client_write"  # the client's clinician only
    CLIENT_ASSIGN = "client_assign"  # supervisors (their supervisees' clients) and admins
    CLIENT_REVIEW = "client_review"  # the supervisor of the client's clinician: "reviewed"
    OPERATE = "operate"  # the operator at the command line: every practice's records
    MAINTAIN = "maintain"  # referwell's own upkeep: storing recomputed assessments
    # Filling in the questionnaires of one link, for its one client (checked by the link).
    QUESTIONNAIRE_SUBMIT = "questionnaire_submit"
    # A partner practice's requests to our referral endpoint (checked by its token).
    REFERRAL_PARTNER = "referral_partner"
    # The receiver's status changes on one referral, by its status link (checked by the link).
    REFERRAL_STATUS_LINK = "referral_status_link"


_PERSON_PERMISSIONS: Final = frozenset(
    {
        Permission.SIGNED_IN,
        Permission.CLINICAL,
        Permission.SUPERVISOR,
        Permission.ADMIN,
        Permission.CLIENT_READ,
        Permission.CLIENT_WRITE,
        Permission.CLIENT_ASSIGN,
        Permission.CLIENT_REVIEW,
    }
)
# The permissions each kind of actor can ever hold (`public` needs none). A new kind of
# actor comes in with its row here, and with its rows in the permission matrix test.
KIND_PERMISSIONS: Final[Mapping[ActorKind, frozenset[Permission]]] = {
    ActorKind.USER: _PERSON_PERMISSIONS,
    ActorKind.API_TOKEN: _PERSON_PERMISSIONS,
    ActorKind.OS_USER: frozenset({Permission.OPERATE}),
    ActorKind.SYSTEM: frozenset({Permission.MAINTAIN}),
    ActorKind.QUESTIONNAIRE_LINK: frozenset({Permission.QUESTIONNAIRE_SUBMIT}),
    ActorKind.PARTNER_PRACTICE: frozenset({Permission.REFERRAL_PARTNER}),
    ActorKind.STATUS_LINK: frozenset({Permission.REFERRAL_STATUS_LINK}),
}
_KIND_REFUSALS: Final[Mapping[ActorKind, str]] = {
    ActorKind.USER: "people work through the web app and the JSON API, not the commands",
    ActorKind.API_TOKEN: "an API token acts for its person on the JSON API only",
    ActorKind.OS_USER: "the commands act on the database; the web app is for signed-in people",
    ActorKind.SYSTEM: "referwell acts by itself only to keep assessments current",
    ActorKind.QUESTIONNAIRE_LINK: "a questionnaire link fills in its own questionnaires only",
    ActorKind.PARTNER_PRACTICE: "a partner practice exchanges referrals with us only",
    ActorKind.STATUS_LINK: "a status link updates its own referral only",
}

CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.SUPERVISOR})
_ROLE_PERMISSIONS = {
    Permission.CLINICAL: (CLINICAL_ROLES, "only clinicians and supervisors see clients"),
    Permission.SUPERVISOR: (frozenset({Role.SUPERVISOR}), "only supervisors have this page"),
    Permission.ADMIN: (frozenset({Role.ADMIN}), "only admins manage the practice"),
    Permission.CLIENT_REVIEW: (
        frozenset({Role.SUPERVISOR}),
        "only supervisors mark their supervisees' clients reviewed",
    ),
    Permission.CLIENT_ASSIGN: (
        frozenset({Role.SUPERVISOR, Role.ADMIN}),
        "only supervisors and admins reassign clients",
    ),
}


@dataclass(frozen=True, slots=True)
class Person:
    """A person of a practice, as the use cases see them: plain data, detached from any session.

    Signed in to the web app (`user`), or represented by a program holding one of
    their personal API tokens (`api_token`, with `token_id`).
    """

    user_id: int
    practice_id: int
    role: Role
    username: str
    display_name: str
    token_id: int | None = None

    @classmethod
    def from_user(cls, user: User, *, token_id: int | None = None) -> Person:
        return cls(
            user_id=user.id,
            practice_id=user.practice_id,
            role=Role(user.role),
            username=user.username,
            display_name=user.display_name,
            token_id=token_id,
        )

    @property
    def kind(self) -> ActorKind:
        return ActorKind.API_TOKEN if self.token_id is not None else ActorKind.USER

    @property
    def audit_name(self) -> str:
        """How the audit log names this actor (`audit_log.actor`): the user's id."""
        return str(self.user_id)


@dataclass(frozen=True, slots=True)
class Operator:
    """Whoever runs a `referwell` command: named by their operating-system login."""

    login: str

    @classmethod
    def current(cls) -> Operator:
        """The operating-system login running this process."""
        return cls(os_user())

    @property
    def kind(self) -> ActorKind:
        return ActorKind.OS_USER

    @property
    def audit_name(self) -> str:
        return self.login


@dataclass(frozen=True, slots=True)
class System:
    """referwell acting by itself (recomputing stale assessments); named by its component."""

    name: str = "referwell"

    @property
    def kind(self) -> ActorKind:
        return ActorKind.SYSTEM

    @property
    def audit_name(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class LinkHolder:
    """Whoever holds a one-time questionnaire link: the client, on their phone or a tablet.
    They may fill in that link's questionnaires for its one client, nothing else."""

    link_id: int
    client_id: int
    practice_id: int

    @property
    def kind(self) -> ActorKind:
        return ActorKind.QUESTIONNAIRE_LINK

    @property
    def audit_name(self) -> str:
        """The link's id: the audit log never holds the token."""
        return str(self.link_id)


@dataclass(frozen=True, slots=True)
class PartnerPractice:
    """Another referwell practice, known by its partner record (`partners`) and presenting the
    token we issued to it: it sends us referrals and updates the ones we sent it."""

    partner_id: int
    practice_id: int  # our practice, which keeps the partner record

    @property
    def kind(self) -> ActorKind:
        return ActorKind.PARTNER_PRACTICE

    @property
    def audit_name(self) -> str:
        """The partner record's id: the audit log never holds a token."""
        return str(self.partner_id)


@dataclass(frozen=True, slots=True)
class StatusLinkHolder:
    """Whoever holds a one-time referral status link: the receiving provider without
    referwell. They see what the referral's consent covers and record the receiver's side."""

    link_id: int
    referral_id: int
    practice_id: int

    @property
    def kind(self) -> ActorKind:
        return ActorKind.STATUS_LINK

    @property
    def audit_name(self) -> str:
        """The link's id: the audit log never holds the token."""
        return str(self.link_id)


Actor = Person | Operator | System | LinkHolder | PartnerPractice | StatusLinkHolder
SYSTEM: Final = System()


@dataclass(frozen=True, slots=True)
class ClientAccess:
    """A client the person may see, and whether they may change it."""

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


def require_permission(actor: Actor | None, permission: Permission) -> Actor | None:
    """Check that `actor`'s kind and role hold `permission`; return the actor (None only
    when the permission is public)."""
    if permission is Permission.PUBLIC:
        return actor
    if actor is None:
        raise NotAuthenticated("sign in first")
    if permission not in KIND_PERMISSIONS[actor.kind]:
        raise Forbidden(_KIND_REFUSALS[actor.kind])
    if isinstance(actor, Person):
        if permission in _ROLE_PERMISSIONS:
            roles, reason = _ROLE_PERMISSIONS[permission]
            if actor.role not in roles:
                raise Forbidden(reason)
        elif (
            permission in (Permission.CLIENT_READ, Permission.CLIENT_WRITE)
            and actor.role is Role.ADMIN
        ):
            # Checked again per client; saying so here keeps admins away from any clinical route.
            raise NotFound("client")
    return actor


def require_person(actor: Actor | None, permission: Permission) -> Person:
    """`require_permission` for a use case only people have: the person."""
    checked = require_permission(actor, permission)
    if not isinstance(checked, Person):
        raise NotAuthenticated("sign in first")
    return checked


def client_access(
    session: Session, person: Person, client_id: int, *, write: bool = False
) -> ClientAccess:
    """The client if `person` may see it (and, with `write`, change it); else `NotFound`/`Forbidden`.

    With `write`, the client's row stays locked until the transaction ends (PostgreSQL;
    SQLite's writing transactions hold the whole database): two saves to one client
    take turns, each reading the case as the other left it, and neither is lost. A
    client an import is still writing is nobody's yet.
    """
    query = (
        select(Client.practice_id, Client.clinician_id, User.supervisor_id)
        .join(User, User.id == Client.clinician_id)
        .where(Client.id == client_id, Client.import_id.is_(None))
    )
    if write:
        query = query.with_for_update(of=Client, key_share=True)
    row = session.execute(query).one_or_none()
    if row is None or person.role is Role.ADMIN or row.practice_id != person.practice_id:
        raise NotFound("client", client_id)
    own = row.clinician_id == person.user_id
    supervised = person.role is Role.SUPERVISOR and row.supervisor_id == person.user_id
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


def client_assignable(session: Session, person: Person, client_id: int) -> ClientAccess:
    """A client `person` may reassign: for an admin, any client of the practice; for a
    supervisor, their supervisees' clients and their own. Else `NotFound`. Reassigning
    reads names and the case id only, never the record (`writable` is False)."""
    require_permission(person, Permission.CLIENT_ASSIGN)
    row = session.execute(
        select(Client.practice_id, Client.clinician_id, User.supervisor_id)
        .join(User, User.id == Client.clinician_id)
        .where(Client.id == client_id, Client.import_id.is_(None))
    ).one_or_none()
    if row is None or row.practice_id != person.practice_id:
        raise NotFound("client", client_id)
    if person.role is not Role.ADMIN and person.user_id not in (
        row.clinician_id,
        row.supervisor_id,
    ):
        raise NotFound("client", client_id)
    return ClientAccess(
        client_id=client_id,
        practice_id=row.practice_id,
        clinician_id=row.clinician_id,
        writable=False,
    )


def practice_user(session: Session, person: Person, user_id: int) -> User:
    """A user of the admin's own practice; `NotFound` for any other."""
    require_permission(person, Permission.ADMIN)
    user = session.get(User, user_id)
    if user is None or user.practice_id != person.practice_id:
        raise NotFound("user", user_id)
    return user


def own_token(session: Session, person: Person, token_id: int) -> ApiToken:
    """One of the person's own API tokens; `NotFound` for anyone else's."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != person.user_id:
        raise NotFound("API token", token_id)
    return token


def authorize(
    session: Session,
    actor: Actor | None,
    permission: Permission,
    *,
    client_id: int | None = None,
    user_id: int | None = None,
    token_id: int | None = None,
) -> Permit:
    """The one check: may `actor` do what `permission` demands, on the records named?

    `client_id` is checked for reading, or for writing under `CLIENT_WRITE`;
    `user_id` must be a user of the admin's practice; `token_id` one of the
    person's own tokens. Raises `NotAuthenticated`, `Forbidden` or `NotFound`.
    """
    checked = require_permission(actor, permission)
    if checked is None:
        return Permit(actor=None)
    names_records = client_id is not None or user_id is not None or token_id is not None
    if not isinstance(checked, Person):
        if names_records:
            raise Forbidden(_KIND_REFUSALS[checked.kind])
        return Permit(actor=checked)
    client = None
    if client_id is not None and permission is Permission.CLIENT_ASSIGN:
        client = client_assignable(session, checked, client_id)
    elif client_id is not None:
        client = client_access(
            session, checked, client_id, write=permission is Permission.CLIENT_WRITE
        )
    elif permission in (Permission.CLIENT_READ, Permission.CLIENT_WRITE):
        raise ValueError(f"permission {permission} needs a client id")
    if user_id is not None:
        practice_user(session, checked, user_id)
    if token_id is not None:
        own_token(session, checked, token_id)
    return Permit(actor=checked, client=client, user_id=user_id, token_id=token_id)
