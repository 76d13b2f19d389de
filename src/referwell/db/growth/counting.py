"""Which of a clinician's claimed competencies count on a day: read once, for both readers.

The case reader (`db.cases.read_cases`: the client page, the API, exports, the writes)
and the bulk path of a screen (`db.summaries.bulk_summaries`) both take a clinician's
`competencies` and `in_training` from `clinician_codes`, so that a client read alone and
the same client screened among many agree. It reads, in two queries per round of
clinicians, the claims (`clinician_competencies`), the codes put in training by hand
(`clinician_training`), the evidence (trainings, certifications, supervised hours, and
verifications or attestations not withdrawn; nothing entered in error) and each
practice's policy; the domain (`domain.growth.evidence.counting_codes`) decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Final

from sqlalchemy import Date, Float, String, bindparam, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from referwell.db.growth.models import (
    Certification,
    CompetencePolicyRow,
    SupervisedHours,
    TrainingRecord,
    Verification,
)
from referwell.db.models import ClinicianCompetency, ClinicianTraining, User
from referwell.domain.growth.evidence import (
    CERTIFICATION,
    SUPERVISED,
    TRAINING,
    CompetencePolicy,
    Evidence,
    counting_codes,
)

CLAIM: Final = "claim"
IN_TRAINING: Final = "in_training"
# The order rows of one clinician are read in: claims and training first, by id.
_SOURCES: Final = (CLAIM, IN_TRAINING, TRAINING, CERTIFICATION, SUPERVISED, "verified", "attested")


@dataclass(frozen=True, slots=True)
class ClinicianEvidence:
    """A clinician's claims, the codes they put in training, their evidence and their
    practice's policy."""

    practice_id: int
    claims: tuple[str, ...]
    in_training: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    policy: CompetencePolicy

    def codes(self, day: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(`competencies`, `in_training`) as a case on `day` gives them."""
        return counting_codes(self.claims, self.in_training, self.evidence, self.policy, day)


_NO_ONE: Final = ClinicianEvidence(0, (), (), (), CompetencePolicy())


@cache
def _statements() -> tuple[Any, Any]:
    """The two statements, built once (building one costs more than running it)."""
    users: Any = bindparam("users", expanding=True)
    no_hours = cast(null(), Float)
    no_day = cast(null(), Date)
    no_one = cast(literal(""), String)
    rows = union_all(
        select(
            ClinicianCompetency.user_id.label("user_id"),
            cast(literal(CLAIM), String).label("source"),
            ClinicianCompetency.code.label("code"),
            no_hours.label("hours"),
            no_day.label("on_day"),
            no_day.label("until"),
            no_one.label("by_name"),
            ClinicianCompetency.id.label("row_id"),
        ).where(ClinicianCompetency.user_id.in_(users)),
        select(
            ClinicianTraining.user_id,
            cast(literal(IN_TRAINING), String),
            ClinicianTraining.code,
            no_hours,
            no_day,
            no_day,
            no_one,
            ClinicianTraining.id,
        ).where(ClinicianTraining.user_id.in_(users)),
        select(
            TrainingRecord.user_id,
            cast(literal(TRAINING), String),
            TrainingRecord.code,
            TrainingRecord.hours,
            TrainingRecord.day,
            no_day,
            no_one,
            TrainingRecord.id,
        ).where(
            TrainingRecord.user_id.in_(users),
            TrainingRecord.code.is_not(None),
            TrainingRecord.in_error_at.is_(None),
        ),
        select(
            Certification.user_id,
            cast(literal(CERTIFICATION), String),
            Certification.code,
            no_hours,
            Certification.issued_on,
            Certification.expires_on,
            Certification.issuer,
            Certification.id,
        ).where(
            Certification.user_id.in_(users),
            Certification.code.is_not(None),
            Certification.in_error_at.is_(None),
        ),
        select(
            SupervisedHours.user_id,
            cast(literal(SUPERVISED), String),
            SupervisedHours.code,
            SupervisedHours.hours,
            SupervisedHours.day,
            no_day,
            SupervisedHours.with_whom,
            SupervisedHours.id,
        ).where(SupervisedHours.user_id.in_(users), SupervisedHours.in_error_at.is_(None)),
        select(
            Verification.user_id,
            Verification.kind,
            Verification.code,
            no_hours,
            Verification.day,
            no_day,
            Verification.by_name,
            Verification.id,
        ).where(Verification.user_id.in_(users), Verification.withdrawn_at.is_(None)),
    )
    policies = (
        select(
            User.id, User.practice_id, CompetencePolicyRow.counts_when, CompetencePolicyRow.minimums
        )
        .outerjoin(CompetencePolicyRow, CompetencePolicyRow.practice_id == User.practice_id)
        .where(User.id.in_(users))
    )
    return rows, policies


def _day(value: Any) -> date | None:
    """A date as the driver gives it through a UNION (ISO text on SQLite, a date elsewhere)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def clinician_evidence(
    conn: Session | Any, clinician_ids: Iterable[int]
) -> dict[int, ClinicianEvidence]:
    """Each clinician's claims, training, evidence and policy, by user id (those that exist);
    `conn` is a Session or a Connection."""
    wanted = sorted(set(clinician_ids))
    if not wanted:
        return {}
    read_rows, read_policies = _statements()
    params = {"users": wanted}
    policies = {
        user_id: (practice_id, CompetencePolicy.from_stored(counts_when, minimums))
        for user_id, practice_id, counts_when, minimums in conn.execute(read_policies, params)
    }
    rows: dict[int, list[tuple[Any, ...]]] = {}
    for row in conn.execute(read_rows, params):
        rows.setdefault(row[0], []).append(tuple(row))
    order = {source: rank for rank, source in enumerate(_SOURCES)}
    out = {}
    for user_id, (practice_id, policy) in policies.items():
        found = sorted(rows.get(user_id, []), key=lambda r: (order.get(r[1], 99), r[7]))
        claims = tuple(dict.fromkeys(r[2] for r in found if r[1] == CLAIM))
        training = tuple(dict.fromkeys(r[2] for r in found if r[1] == IN_TRAINING))
        evidence = tuple(
            Evidence(
                kind=source,
                code=code,
                hours=float(hours or 0),
                on=_day(on_day),
                until=_day(until),
                by=by_name or "",
                ref=row_id,
            )
            for _, source, code, hours, on_day, until, by_name, row_id in found
            if source not in (CLAIM, IN_TRAINING)
        )
        out[user_id] = ClinicianEvidence(practice_id, claims, training, evidence, policy)
    return out


def clinician_codes(
    conn: Session | Any, clinician_ids: Iterable[int], day: date
) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
    """(`competencies`, `in_training`) of each clinician as a case on `day` gives them."""
    return {
        user_id: found.codes(day)
        for user_id, found in clinician_evidence(conn, clinician_ids).items()
    }


def no_evidence() -> ClinicianEvidence:
    """The evidence of a clinician who does not exist: nothing claimed, nothing counts."""
    return _NO_ONE


def attest_codes(
    session: Session, user_id: int, codes: Sequence[str], *, by: str, on: date
) -> list[Verification]:
    """Record that `by` (the operator importing cases) attests these competencies of the
    clinician, where no verification or attestation of the code stands yet; added to the
    session, not flushed. The new rows."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return []
    standing = set(
        session.scalars(
            select(Verification.code).where(
                Verification.user_id == user_id,
                Verification.code.in_(wanted),
                Verification.withdrawn_at.is_(None),
            )
        )
    )
    made = [
        Verification(user_id=user_id, code=code, kind="attested", by_name=by, day=on)
        for code in wanted
        if code not in standing
    ]
    session.add_all(made)
    return made
