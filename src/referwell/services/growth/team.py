"""Use cases of a supervisor on their team's competence: each supervisee's claims and where
they stand, verifying a claim (or withdrawing one's verification), and who is in training
for what. A supervisor verifies their own supervisees only; anyone else is not found.
Verifying and withdrawing are audited (`competence:verify`, `competence:verify_withdraw`)
and make every assessment of the supervisee's clients stale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.growth.models import Verification
from referwell.db.models import User
from referwell.db.uow import UnitOfWork
from referwell.domain import vocabulary as v
from referwell.domain.errors import UNKNOWN_CODE, FieldError, InvalidInput
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.growth.evidence import CompetenceOverview, overview_of
from referwell.services.permissions import Permission, Person, require_person


def supervisees(session: Session, actor: Person) -> list[User]:
    """The actor's supervisees, by name."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.supervisor_id == actor.user_id,
                User.practice_id == actor.practice_id,
                User.active.is_(True),
            )
            .order_by(User.display_name, User.id)
        )
    )


def supervisee(session: Session, actor: Person, clinician_id: int) -> User:
    """One of the actor's supervisees; NotFound for anyone else."""
    user = session.get(User, clinician_id)
    if user is None or user.supervisor_id != actor.user_id or user.practice_id != actor.practice_id:
        raise NotFound("clinician", clinician_id)
    return user


def clinician_id_of(value: Any) -> int | None:
    """A clinician's id as a form or an address gives it; None when it is not one."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    return None


@dataclass(frozen=True, slots=True)
class TeamCompetence:
    """Each supervisee's competence overview, by name."""

    today: date
    members: tuple[CompetenceOverview, ...]


def team_competence(uow: UnitOfWork, actor: Person, *, today: date) -> TeamCompetence:
    require_person(actor, Permission.SUPERVISOR)
    with uow:
        session = uow.session
        return TeamCompetence(
            today,
            tuple(overview_of(session, user, today) for user in supervisees(session, actor)),
        )


def verify_competence(
    uow: UnitOfWork, actor: Person, *, clinician_id: Any, code: Any, today: date
) -> int | None:
    """Verify a supervisee's claimed (or in-training) competency: from now on it counts.
    Already verified by someone: nothing new (None). The verification's id otherwise."""
    require_person(actor, Permission.SUPERVISOR)
    wanted = clinician_id_of(clinician_id)
    errors = []
    if wanted is None:
        errors.append(FieldError("clinician", "Choose one of your supervisees.", UNKNOWN_CODE))
    if not isinstance(code, str) or code not in v.COMPETENCIES:
        errors.append(FieldError("code", "Choose a competency.", UNKNOWN_CODE))
    if errors:
        raise InvalidInput(errors, "verification")
    assert wanted is not None  # noqa: S101 - refused above
    assert isinstance(code, str)  # noqa: S101 - refused above
    with uow:
        session = uow.session
        user = supervisee(session, actor, wanted)
        claimed = {row.code for row in user.competencies} | {row.code for row in user.in_training}
        if code not in claimed:
            raise InvalidInput(
                [FieldError("code", "They neither claim this competency nor train in it.")],
                "verification",
            )
        standing = session.scalar(
            select(Verification.id).where(
                Verification.user_id == user.id,
                Verification.code == code,
                Verification.kind == "verified",
                Verification.withdrawn_at.is_(None),
            )
        )
        if standing is not None:
            return None
        row = Verification(
            user_id=user.id,
            code=code,
            kind="verified",
            by_user_id=actor.user_id,
            by_name=actor.display_name,
            day=today,
        )
        session.add(row)
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.COMPETENCE_VERIFY,
            target_type="growth_verification",
            target_ids=[row.id],
        )
        uow.commit()
        return row.id


def withdraw_verification(uow: UnitOfWork, actor: Person, *, verification_id: Any) -> None:
    """Withdraw a verification of a supervisee's competency (any supervisor's or an
    import's attestation, while they supervise them): it no longer counts."""
    require_person(actor, Permission.SUPERVISOR)
    number = clinician_id_of(verification_id)
    with uow:
        session = uow.session
        row = session.get(Verification, number) if number is not None else None
        mine = False
        if row is not None:
            user = session.get(User, row.user_id)
            mine = (
                user is not None
                and user.supervisor_id == actor.user_id
                and user.practice_id == actor.practice_id
            )
        if row is None or not mine or row.withdrawn_at is not None:
            raise InvalidInput(
                [FieldError("verification", "Choose a verification of a supervisee's.")],
                "verification",
            )
        row.withdrawn_at = utcnow()
        row.withdrawn_by = actor.display_name
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.COMPETENCE_VERIFY_WITHDRAW,
            target_type="growth_verification",
            target_ids=[row.id],
        )
        uow.commit()


def in_training_for(team: TeamCompetence) -> Sequence[tuple[str, str, str]]:
    """(clinician's name, competency code, why) for everyone in training: the codes put in
    training by hand, and the claims that do not count yet."""
    return [
        (member.display_name, claim.code, "claimed" if claim.claimed else "by hand")
        for member in team.members
        for claim in member.claims
        if not claim.standing.counts or not claim.claimed
    ]
