"""Who may see and change which referral: every referral use case loads it through here.

- A person: an outgoing referral through the permission check on its client
  (`CLIENT_READ`, or `CLIENT_WRITE` to change it: the client's own clinician). An incoming
  one: its assigned clinician, or any supervisor of the practice (the inbox). Admins never.
- The operator at the command line (`OPERATE`): every referral.
- A partner practice (`REFERRAL_PARTNER`): the referrals exchanged with it.
- A status link's holder (`REFERRAL_STATUS_LINK`): its one referral.

A referral the actor may not see is `NotFound`, like one that does not exist.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.referrals.models import Referral
from referwell.domain.referrals.status import Side
from referwell.services.errors import Conflict, Forbidden, NotFound
from referwell.services.permissions import (
    Actor,
    Operator,
    PartnerPractice,
    Permission,
    Person,
    Role,
    StatusLinkHolder,
    authorize,
    require_permission,
)


def load_referral(
    session: Session, actor: Actor, referral_id: int, *, write: bool = False
) -> Referral:
    """The referral if `actor` may see it (and with `write`, change it); with `write` its row
    is locked until the transaction ends (PostgreSQL)."""
    query = select(Referral).where(Referral.id == referral_id)
    if write:
        query = query.with_for_update(of=Referral)
    referral = session.scalars(query).one_or_none()
    if isinstance(actor, Operator):
        require_permission(actor, Permission.OPERATE)
    elif isinstance(actor, PartnerPractice):
        require_permission(actor, Permission.REFERRAL_PARTNER)
        if referral is None or referral.partner_id != actor.partner_id:
            raise NotFound("referral", referral_id)
    elif isinstance(actor, StatusLinkHolder):
        require_permission(actor, Permission.REFERRAL_STATUS_LINK)
        if referral is None or referral.id != actor.referral_id:
            raise NotFound("referral", referral_id)
    elif isinstance(actor, Person):
        require_permission(actor, Permission.CLINICAL)
        if referral is None or referral.practice_id != actor.practice_id:
            raise NotFound("referral", referral_id)
        if referral.direction == "outgoing" and referral.client_id is not None:
            authorize(
                session,
                actor,
                Permission.CLIENT_WRITE if write else Permission.CLIENT_READ,
                client_id=referral.client_id,
            )
        else:
            _incoming_access(actor, referral, write=write)
    else:
        raise Forbidden("referrals are for people, the operator and partner practices")
    if referral is None:
        raise NotFound("referral", referral_id)
    return referral


def _incoming_access(person: Person, referral: Referral, *, write: bool) -> None:
    assigned = referral.clinician_id == person.user_id
    if not (assigned or person.role is Role.SUPERVISOR):
        raise NotFound("referral", referral.id)
    del write  # the assigned clinician and the practice's supervisors both act on the inbox


def side_of(actor: Actor, referral: Referral, *, reported_by: str | None = None) -> Side:
    """Which end of `referral` `actor` stands at. The sender recording the receiver's change on
    their behalf (`reported_by`) acts for the receiver: only when the receiver has no
    referwell (no partner), since a partner reports its own changes."""
    if isinstance(actor, StatusLinkHolder):
        own = Side.RECEIVER
    elif isinstance(actor, PartnerPractice):
        own = Side.RECEIVER if referral.direction == "outgoing" else Side.SENDER
    else:
        own = Side.SENDER if referral.direction == "outgoing" else Side.RECEIVER
    if reported_by is None:
        return own
    if own is not Side.SENDER or isinstance(actor, PartnerPractice):
        raise Forbidden("only the sender records changes on the receiver's behalf")
    if referral.partner_id is not None:
        raise Forbidden("the receiver uses referwell and reports its own changes")
    return Side.RECEIVER


def check_version(referral: Referral, expected_version: int | None) -> None:
    """`Conflict` when the referral is no longer at the version the actor read."""
    if expected_version is not None and referral.version != expected_version:
        raise Conflict("referral", referral.id, expected=expected_version, current=referral.version)
