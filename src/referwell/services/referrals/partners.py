"""Partner practices: other referwell practices this practice exchanges referrals with.

A practice's admin (or the operator at the command line) keeps one record per partner: its
name, base URL, the directory entries it answers for (by external id), the token the partner
issued to us (presented on every request to it; never shown or logged after it is entered)
and the SHA-256 of the token we issue to it (shown once when made, never stored). Revoking
a partner refuses its token at once; its record stays, for the referrals that name it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.models import Practice
from referwell.db.referrals.models import Partner
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import MISSING, FieldError, InvalidInput
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.permissions import (
    Actor,
    Operator,
    PartnerPractice,
    Permission,
    Person,
    require_permission,
)
from referwell.services.tokens import new_token, token_digest

TOKEN_PREFIX: Final = "rwp_"  # noqa: S105 - a prefix, not a secret
NAME_MAX: Final = 200
URL_MAX: Final = 500
TOKEN_MAX: Final = 200


@dataclass(frozen=True, slots=True)
class PartnerView:
    """A partner record as pages and commands show it: never a token."""

    partner_id: int
    practice_id: int
    name: str
    base_url: str
    entry_external_ids: tuple[str, ...]
    created_at: datetime
    created_by: str
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class NewPartner:
    """A partner just added: `inbound_token` (ours, for them) is shown once, here only."""

    partner: PartnerView
    inbound_token: str


def partner_view(row: Partner) -> PartnerView:
    return PartnerView(
        row.id,
        row.practice_id,
        row.name,
        row.base_url,
        tuple(row.entry_external_ids),
        row.created_at,
        row.created_by,
        row.revoked_at,
    )


def _practice_of(session: Session, actor: Actor, practice_id: int | None) -> int:
    """The practice whose partners `actor` manages: an admin's own; the operator's named one."""
    if isinstance(actor, Operator):
        require_permission(actor, Permission.OPERATE)
        if practice_id is None or session.get(Practice, practice_id) is None:
            raise InvalidInput(
                [FieldError("practice", f"no practice {practice_id}: name one by its id")],
                what="partner",
            )
        return practice_id
    checked = require_permission(actor, Permission.ADMIN)
    assert isinstance(checked, Person)  # noqa: S101 - ADMIN is held by people only
    return checked.practice_id


def check_base_url(value: str) -> str:
    """A partner's base URL: http(s), a host, no query or fragment; without a trailing slash."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInput(
            [
                FieldError(
                    "base_url",
                    "give the partner's referwell address as http(s)://host[:port][/path], "
                    "with no query or fragment (for example https://referwell.example.org)",
                )
            ],
            what="partner",
        )
    return text.rstrip("/")


def _checked(
    name: str, base_url: str, entry_external_ids: Sequence[str], outbound_token: str
) -> tuple[str, str, list[str], str]:
    errors: list[FieldError] = []
    name = name.strip()
    if not name:
        errors.append(FieldError("name", "give the partner practice's name", kind=MISSING))
    elif len(name) > NAME_MAX:
        errors.append(FieldError("name", f"at most {NAME_MAX} characters"))
    url = ""
    if len(base_url) > URL_MAX:
        errors.append(FieldError("base_url", f"at most {URL_MAX} characters"))
    else:
        try:
            url = check_base_url(base_url)
        except InvalidInput as refused:
            errors.extend(refused.errors)
    # None is fine: a partner that only sends us referrals answers for no entry of ours.
    ids = list(dict.fromkeys(e.strip() for e in entry_external_ids if e.strip()))
    token = outbound_token.strip()
    errors.extend(_token_errors(token))
    if errors:
        raise InvalidInput(errors, what="partner")
    return name, url, ids, token


def _token_errors(token: str) -> list[FieldError]:
    """The token a partner issued to us: one word; "" while it has not issued one yet."""
    if len(token) > TOKEN_MAX or any(c.isspace() for c in token):
        return [
            FieldError("outbound_token", f"a token is one word of at most {TOKEN_MAX} characters")
        ]
    return []


def set_partner_token(
    uow: UnitOfWork,
    actor: Actor,
    partner_id: int,
    outbound_token: str,
    *,
    practice_id: int | None = None,
) -> PartnerView:
    """Keep the token the partner issued to us (two practices add each other in turn: the
    first one added learns the partner's token afterwards). Audited `partner:create`."""
    token = outbound_token.strip()
    errors = _token_errors(token) or (
        [FieldError("outbound_token", "give the token the partner issued", kind=MISSING)]
        if not token
        else []
    )
    if errors:
        raise InvalidInput(errors, what="partner")
    with uow:
        session = uow.session
        row = session.get(Partner, partner_id)
        if not isinstance(actor, Operator):
            if row is not None and row.practice_id != _practice_of(session, actor, practice_id):
                row = None
        else:
            require_permission(actor, Permission.OPERATE)
        if row is None or row.revoked_at is not None:
            raise NotFound("partner", partner_id)
        row.outbound_token = token
        audit_write(
            session, actor, AuditAction.PARTNER_CREATE, target_type="partner", target_ids=[row.id]
        )
        view = partner_view(row)
        uow.commit()
    return view


def add_partner(
    uow: UnitOfWork,
    actor: Actor,
    *,
    name: str,
    base_url: str,
    entry_external_ids: Sequence[str],
    outbound_token: str,
    practice_id: int | None = None,
    now: datetime | None = None,
) -> NewPartner:
    """Add a partner (an admin for their practice; the operator for `practice_id`) and issue
    it a token of ours, returned once. `outbound_token` may be "" until the partner issues
    one (`set_partner_token`). Audited `partner:create`."""
    name, url, ids, token = _checked(name, base_url, entry_external_ids, outbound_token)
    now = now or utcnow()
    with uow:
        session = uow.session
        practice = _practice_of(session, actor, practice_id)
        issued = new_token(TOKEN_PREFIX)
        row = Partner(
            practice_id=practice,
            name=name,
            base_url=url,
            entry_external_ids=ids,
            outbound_token=token,
            inbound_token_hash=token_digest(issued),
            created_at=now,
            created_by=actor.audit_name,
        )
        session.add(row)
        session.flush()
        audit_write(
            session, actor, AuditAction.PARTNER_CREATE, target_type="partner", target_ids=[row.id]
        )
        view = partner_view(row)
        uow.commit()
    return NewPartner(view, issued)


def revoke_partner(
    uow: UnitOfWork,
    actor: Actor,
    partner_id: int,
    *,
    practice_id: int | None = None,
    now: datetime | None = None,
) -> PartnerView:
    """Revoke a partner: its token is refused from now on (audited `partner:revoke`)."""
    now = now or utcnow()
    with uow:
        session = uow.session
        if isinstance(actor, Operator):
            require_permission(actor, Permission.OPERATE)
            row = session.get(Partner, partner_id)
        else:
            practice = _practice_of(session, actor, practice_id)
            row = session.get(Partner, partner_id)
            if row is not None and row.practice_id != practice:
                row = None
        if row is None:
            raise NotFound("partner", partner_id)
        if row.revoked_at is None:
            row.revoked_at = now
            audit_write(
                session,
                actor,
                AuditAction.PARTNER_REVOKE,
                target_type="partner",
                target_ids=[row.id],
            )
        view = partner_view(row)
        uow.commit()
    return view


def list_partners(
    uow: UnitOfWork, actor: Actor, *, practice_id: int | None = None
) -> list[PartnerView]:
    """The partners of the admin's practice (the operator: of `practice_id`, or every
    practice's when None), active first, by name."""
    with uow:
        session = uow.session
        query = select(Partner)
        if isinstance(actor, Operator):
            require_permission(actor, Permission.OPERATE)
            if practice_id is not None:
                query = query.where(Partner.practice_id == practice_id)
        else:
            query = query.where(Partner.practice_id == _practice_of(session, actor, None))
        rows = session.scalars(query.order_by(Partner.practice_id, Partner.name, Partner.id))
        views = [partner_view(row) for row in rows]
    return sorted(views, key=lambda v: (v.practice_id, not v.active, v.name.lower(), v.partner_id))


def partner_for_token(session: Session, token: str | None) -> PartnerPractice | None:
    """The partner presenting `token` (a token we issued to it, not revoked), as an actor;
    None for no token, an unknown or a revoked one."""
    if not token:
        return None
    row = session.scalar(select(Partner).where(Partner.inbound_token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    return PartnerPractice(partner_id=row.id, practice_id=row.practice_id)


def revoked_partner_of(session: Session, token: str) -> int | None:
    """The id of the revoked partner whose token this was (to audit its refusal), if any."""
    row = session.scalar(select(Partner).where(Partner.inbound_token_hash == token_digest(token)))
    return row.id if row is not None and row.revoked_at is not None else None
