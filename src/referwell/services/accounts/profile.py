"""Use cases on one's own profile: competencies and training, and personal API tokens.

Competencies and training are the `clinician` part of every one of the
clinician's cases, so they are checked by the case format's own validator,
and changing them makes every assessment of the clinician's clients stale.
A token is shown once, when made; only its SHA-256 is kept. It expires
after the days chosen when it is made (`TOKEN_DAYS_CHOICES`, 90 by
default). Revoking keeps the row, so the audit trail can still name it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.models import (
    API_TOKEN_DAYS,
    ApiToken,
    ClinicianCompetency,
    ClinicianTraining,
    User,
)
from referwell.db.uow import UnitOfWork
from referwell.domain.case import CASE_FORMAT
from referwell.domain.caseformat import parse_case
from referwell.domain.errors import FieldError, InvalidInput
from referwell.domain.measures.base import describe
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.permissions import Permission, Person, own_token, require_permission
from referwell.services.tokens import new_token, token_digest

TOKEN_PREFIX: Final = "rwt_"  # noqa: S105 - marks a referwell token, secret follows
LABEL_MAX: Final = 100
# The lives a token may be given, in days (the profile page offers these).
TOKEN_DAYS_CHOICES: Final = (7, 30, 90, 180, 365)
DEFAULT_TOKEN_DAYS: Final = API_TOKEN_DAYS


@dataclass(frozen=True, slots=True)
class TokenSummary:
    token_id: int
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime
    expired: bool


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made: `secret` is shown this once and kept nowhere."""

    token: TokenSummary
    secret: str


@dataclass(frozen=True, slots=True)
class Profile:
    user_id: int
    username: str
    display_name: str
    role: str
    competencies: tuple[str, ...]
    in_training: tuple[str, ...]
    tokens: tuple[TokenSummary, ...]


def profile(uow: UnitOfWork, actor: Person, *, now: datetime | None = None) -> Profile:
    """The actor's own profile (its tokens expired or not by `now`)."""
    require_permission(actor, Permission.SIGNED_IN)
    now = now or utcnow()
    with uow:
        session = uow.session
        user = session.get(User, actor.user_id)
        if user is None:  # pragma: no cover - removed while signed in
            raise NotFound("user", actor.user_id)
        tokens = session.scalars(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
        )
        return Profile(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            competencies=tuple(row.code for row in user.competencies),
            in_training=tuple(row.code for row in user.in_training),
            tokens=tuple(_summary(token, now) for token in tokens),
        )


def update_competencies(
    uow: UnitOfWork, actor: Person, *, competencies: Sequence[Any], in_training: Sequence[Any]
) -> Profile:
    """Make the actor's competencies and training exactly these codes (in this order).

    Checked as the case format checks `clinician`: errors are named
    `competencies[2]` or `in_training[0]`, and nothing is saved.
    """
    require_permission(actor, Permission.CLINICAL)
    probe = {
        "format": CASE_FORMAT,
        "id": "profile",
        "clinician": {"competencies": list(competencies), "in_training": list(in_training)},
        "client": {"age": 30},
        "concerns": [],
    }
    try:
        parse_case(probe)
    except InvalidInput as error:
        raise InvalidInput(
            [FieldError(e.path.removeprefix("clinician."), e.message) for e in error.errors],
            what="profile",
        ) from None
    with uow:
        session = uow.session
        user = session.get(User, actor.user_id)
        if user is None:  # pragma: no cover - removed while signed in
            raise NotFound("user", actor.user_id)
        kept = {row.code: row for row in user.competencies}
        user.competencies = [
            kept.get(code) or ClinicianCompetency(code=code) for code in dict.fromkeys(competencies)
        ]
        kept_training = {row.code: row for row in user.in_training}
        user.in_training = [
            kept_training.get(code) or ClinicianTraining(code=code)
            for code in dict.fromkeys(in_training)
        ]
        session.flush()
        audit_write(
            session, actor, AuditAction.PROFILE_UPDATE, target_type="user", target_ids=[user.id]
        )
        uow.commit()
    return profile(uow, actor)


def create_api_token(
    uow: UnitOfWork,
    actor: Person,
    *,
    label: Any = None,
    expires_in_days: Any = DEFAULT_TOKEN_DAYS,
    now: datetime | None = None,
) -> NewToken:
    """Make a personal API token for the actor, living `expires_in_days` (one of
    `TOKEN_DAYS_CHOICES`); the secret is returned once."""
    require_permission(actor, Permission.SIGNED_IN)
    errors: list[FieldError] = []
    if label is not None and (not isinstance(label, str) or len(label) > LABEL_MAX):
        errors.append(
            FieldError("label", f"give at most {LABEL_MAX} characters; got {describe(label)}")
        )
    if type(expires_in_days) is not int or expires_in_days not in TOKEN_DAYS_CHOICES:
        choices = ", ".join(str(days) for days in TOKEN_DAYS_CHOICES)
        errors.append(
            FieldError(
                "expires_in_days",
                f"choose one of {choices} days; got {describe(expires_in_days)}",
            )
        )
    if errors:
        raise InvalidInput(errors, what="token")
    now = now or utcnow()
    secret = new_token(TOKEN_PREFIX)
    with uow:
        session = uow.session
        token = ApiToken(
            user_id=actor.user_id,
            token_hash=token_digest(secret),
            label=label.strip() if label else None,
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days),
        )
        session.add(token)
        session.flush()
        audit_write(
            session, actor, AuditAction.TOKEN_CREATE, target_type="api_token", target_ids=[token.id]
        )
        uow.commit()
        return NewToken(_summary(token, now), secret)


def revoke_api_token(uow: UnitOfWork, actor: Person, token_id: int) -> TokenSummary:
    """Revoke one of the actor's own tokens (again is harmless)."""
    require_permission(actor, Permission.SIGNED_IN)
    with uow:
        session = uow.session
        token = own_token(session, actor, token_id)
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit_write(
                session,
                actor,
                AuditAction.TOKEN_REVOKE,
                target_type="api_token",
                target_ids=[token.id],
            )
            uow.commit()
        return _summary(token, utcnow())


def _summary(token: ApiToken, now: datetime) -> TokenSummary:
    return TokenSummary(
        token_id=token.id,
        label=token.label,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
        expires_at=token.expires_at,
        expired=token.expires_at <= now,
    )
