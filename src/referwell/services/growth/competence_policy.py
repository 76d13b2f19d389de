"""Use cases of a practice's admin: what counts as competence, and the minimum of evidence per
competency code.

The practice's policy starts at the documented defaults (`domain.growth.minimums`,
docs/growth.md); the admin may count supervisors' verifications only, and set a
competency's minimum training and supervised hours. A change needs a written reason, is
audited (`practice:competence_policy:update`) and makes every assessment of the practice
stale: it can change which claims count for every clinician.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import update

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.growth.models import CompetencePolicyRow
from referwell.db.models import Client, Practice
from referwell.db.uow import UnitOfWork
from referwell.domain import vocabulary as v
from referwell.domain.errors import (
    EMPTY,
    OUT_OF_RANGE,
    TOO_LONG,
    UNKNOWN_CODE,
    FieldError,
    InvalidInput,
)
from referwell.domain.growth.evidence import COUNTS_WHEN, VERIFIED_OR_EVIDENCE, CompetencePolicy
from referwell.domain.growth.minimums import DEFAULT_MINIMUMS, MAX_MINIMUM_HOURS, Minimum
from referwell.services.auditing import audit_write
from referwell.services.permissions import Permission, Person, require_person

REASON_MAX: Final = 1000


@dataclass(frozen=True, slots=True)
class CodeMinimum:
    """One competency's minimum: the default, and the practice's where it set one."""

    code: str
    default: Minimum | None
    source: str
    convention: bool
    practice: Minimum | None


@dataclass(frozen=True, slots=True)
class PolicyView:
    practice_name: str
    counts_when: str
    codes: tuple[CodeMinimum, ...]
    set_by: str | None
    set_at: datetime | None
    reason: str | None


def _row(uow: UnitOfWork, practice_id: int) -> CompetencePolicyRow | None:
    return uow.session.get(CompetencePolicyRow, practice_id)


def competence_policy(uow: UnitOfWork, actor: Person) -> PolicyView:
    """The admin's practice's policy: what counts, and each code's minimum."""
    require_person(actor, Permission.ADMIN)
    with uow:
        practice = uow.session.get(Practice, actor.practice_id)
        row = _row(uow, actor.practice_id)
        policy = CompetencePolicy.from_stored(
            row.counts_when if row else None, row.minimums if row else None
        )
        return PolicyView(
            practice_name=practice.name if practice else "",
            counts_when=policy.counts_when,
            codes=tuple(
                CodeMinimum(
                    code,
                    default.minimum,
                    default.source,
                    default.convention,
                    policy.overrides.get(code),
                )
                for code, default in DEFAULT_MINIMUMS.items()
                if code not in v.GENERAL_CONDITIONS
            ),
            set_by=row.set_by if row else None,
            set_at=row.set_at if row else None,
            reason=row.reason if row else None,
        )


def _hours(name: str, value: Any, errors: list[FieldError]) -> float | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    try:
        hours = float(text.replace(",", "."))
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= MAX_MINIMUM_HOURS:
        errors.append(
            FieldError(
                name,
                f"Give a number of hours from 0 to {MAX_MINIMUM_HOURS:g}, or leave it empty "
                "for the default.",
                OUT_OF_RANGE,
            )
        )
        return None
    return hours


def update_competence_policy(
    uow: UnitOfWork,
    actor: Person,
    *,
    counts_when: Any,
    minimums: Mapping[str, tuple[Any, Any]],
    reason: Any,
) -> PolicyView:
    """Set what counts and the minimums (form strings: `minimums[code] = (training hours,
    supervised hours)`, an empty pair meaning the default; one of a pair empty takes the
    default's). Nothing changed: nothing written. InvalidInput names each field at fault:
    `counts_when`, `training_<code>`, `supervised_<code>`, `reason`."""
    require_person(actor, Permission.ADMIN)
    errors: list[FieldError] = []
    if counts_when not in COUNTS_WHEN:
        errors.append(FieldError("counts_when", "Choose what counts.", UNKNOWN_CODE))
    overrides: dict[str, dict[str, float]] = {}
    for code, (training, supervised) in minimums.items():
        if code not in DEFAULT_MINIMUMS:
            errors.append(FieldError(f"training_{code}", "Not a competency.", UNKNOWN_CODE))
            continue
        given_training = _hours(f"training_{code}", training, errors)
        given_supervised = _hours(f"supervised_{code}", supervised, errors)
        if given_training is None and given_supervised is None:
            continue
        default = DEFAULT_MINIMUMS[code].minimum or Minimum(0, 0)
        chosen = Minimum(
            default.training_hours if given_training is None else given_training,
            default.supervised_hours if given_supervised is None else given_supervised,
        )
        if chosen != DEFAULT_MINIMUMS[code].minimum:
            overrides[code] = {
                "training_hours": chosen.training_hours,
                "supervised_hours": chosen.supervised_hours,
            }
    written = reason.strip() if isinstance(reason, str) else ""
    if len(written) > REASON_MAX:
        errors.append(FieldError("reason", f"Give at most {REASON_MAX} characters.", TOO_LONG))
    with uow:
        session = uow.session
        row = _row(uow, actor.practice_id)
        before = (row.counts_when, row.minimums) if row else (VERIFIED_OR_EVIDENCE, {})
        changed = (counts_when, overrides) != before
        if changed and not written and not errors:
            errors.append(FieldError("reason", "Say why the practice changes this.", EMPTY))
        if errors:
            raise InvalidInput(errors, "competence_policy")
        if changed:
            if row is None:
                row = CompetencePolicyRow(practice_id=actor.practice_id)
                session.add(row)
            row.counts_when = str(counts_when)
            row.minimums = overrides
            row.set_by = actor.username
            row.set_at = utcnow()
            row.reason = written
            # Which claims count may change for every clinician: every case is stale.
            session.execute(
                update(Client)
                .where(Client.practice_id == actor.practice_id)
                .values(case_version=Client.case_version + 1, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            session.flush()
            audit_write(
                session,
                actor,
                AuditAction.COMPETENCE_POLICY_UPDATE,
                target_type="practice",
                target_ids=[actor.practice_id],
            )
            uow.commit()
    return competence_policy(uow, actor)
