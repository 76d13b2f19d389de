"""Use cases: a clinician's competence evidence, and the standing of each competency they claim.

A clinician adds their own evidence (a training, a certification, supervised hours) and
marks their own entries entered in error; nothing is deleted and every change is audited
(`competence:evidence_add`, `competence:evidence_in_error`, ids only). What counts is read
as the engine reads it (`db.growth.counting`), so the page and the assessments agree; a
change makes every assessment of the clinician's clients stale (`db.versioning`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from referwell.db.audit import AuditAction
from referwell.db.base import utcnow
from referwell.db.growth.counting import clinician_evidence, no_evidence
from referwell.db.growth.models import (
    CertificateFile,
    Certification,
    Licence,
    SupervisedHours,
    TrainingRecord,
    Verification,
)
from referwell.db.models import User
from referwell.db.uow import UnitOfWork
from referwell.domain.errors import EMPTY, TOO_LONG, UNKNOWN_CODE, FieldError, InvalidInput
from referwell.domain.growth import entries
from referwell.domain.growth.evidence import CompetencePolicy, Standing, standing
from referwell.services.auditing import audit_write
from referwell.services.permissions import Permission, Person, require_person

# A certificate file: at most this size, and one of these kinds (told by its first bytes,
# never by its name or the type the browser claims).
MAX_CERTIFICATE_BYTES: Final = 1_000_000
_SIGNATURES: Final = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
EXTENSIONS: Final = {content_type: ext for _, content_type, ext in _SIGNATURES}
# The kinds of evidence a clinician marks entered in error, by their form's name.
CORRECTABLE: Final[dict[str, type[TrainingRecord | Certification | SupervisedHours]]] = {
    "training": TrainingRecord,
    "certification": Certification,
    "supervised": SupervisedHours,
}
REASON_MAX: Final = 500


@dataclass(frozen=True, slots=True)
class TrainingView:
    ref: int
    title: str
    provider: str
    hours: float
    day: date
    category: str
    code: str | None
    has_certificate: bool


@dataclass(frozen=True, slots=True)
class CertificationView:
    ref: int
    title: str
    issuer: str
    number: str | None
    issued_on: date | None
    expires_on: date | None
    code: str | None


@dataclass(frozen=True, slots=True)
class SupervisedView:
    ref: int
    code: str
    with_whom: str
    hours: float
    day: date


@dataclass(frozen=True, slots=True)
class VerificationView:
    ref: int
    code: str
    kind: str  # verified, attested
    by_name: str
    by_user_id: int | None
    day: date


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """A code the clinician claims or is training in, and where it stands today."""

    code: str
    claimed: bool
    in_training_by_hand: bool
    standing: Standing


@dataclass(frozen=True, slots=True)
class CompetenceOverview:
    """One clinician's claims and training with their standing on `today`, and every piece
    of evidence not entered in error (verifications not withdrawn)."""

    user_id: int
    display_name: str
    today: date
    policy: CompetencePolicy
    claims: tuple[ClaimStatus, ...]
    trainings: tuple[TrainingView, ...]
    certifications: tuple[CertificationView, ...]
    supervised: tuple[SupervisedView, ...]
    verifications: tuple[VerificationView, ...]

    @property
    def counting(self) -> tuple[ClaimStatus, ...]:
        return tuple(c for c in self.claims if c.claimed and c.standing.counts)

    @property
    def not_counting(self) -> tuple[ClaimStatus, ...]:
        return tuple(c for c in self.claims if c.claimed and not c.standing.counts)

    @property
    def learning(self) -> tuple[ClaimStatus, ...]:
        """Codes in training by hand that are not claimed (yet)."""
        return tuple(c for c in self.claims if not c.claimed)

    def of(self, code: str) -> dict[str, tuple[Any, ...]]:
        """The evidence of one code, by kind (for a page)."""
        return {
            "trainings": tuple(t for t in self.trainings if t.code == code),
            "certifications": tuple(c for c in self.certifications if c.code == code),
            "supervised": tuple(s for s in self.supervised if s.code == code),
            "verifications": tuple(v for v in self.verifications if v.code == code),
        }


def overview_of(session: Session, user: User, today: date) -> CompetenceOverview:
    """A clinician's competence overview on `today` (no permission check: callers check)."""
    found = clinician_evidence(session, [user.id]).get(user.id, no_evidence())
    claims = tuple(
        ClaimStatus(
            code,
            claimed=code in found.claims,
            in_training_by_hand=code in found.in_training,
            standing=standing(code, found.evidence, found.policy, today),
        )
        for code in dict.fromkeys([*found.claims, *found.in_training])
    )
    user_id = user.id
    trainings = session.scalars(
        select(TrainingRecord)
        .where(TrainingRecord.user_id == user_id, TrainingRecord.in_error_at.is_(None))
        .order_by(TrainingRecord.day.desc(), TrainingRecord.id.desc())
    ).all()
    with_files = set(
        session.scalars(
            select(CertificateFile.training_id).where(
                CertificateFile.training_id.in_([t.id for t in trainings])
            )
        )
    )
    certifications = session.scalars(
        select(Certification)
        .where(Certification.user_id == user_id, Certification.in_error_at.is_(None))
        .order_by(Certification.id)
    )
    supervised = session.scalars(
        select(SupervisedHours)
        .where(SupervisedHours.user_id == user_id, SupervisedHours.in_error_at.is_(None))
        .order_by(SupervisedHours.day.desc(), SupervisedHours.id.desc())
    )
    verifications = session.scalars(
        select(Verification)
        .where(Verification.user_id == user_id, Verification.withdrawn_at.is_(None))
        .order_by(Verification.id)
    )
    return CompetenceOverview(
        user_id=user_id,
        display_name=user.display_name,
        today=today,
        policy=found.policy,
        claims=claims,
        trainings=tuple(
            TrainingView(
                t.id, t.title, t.provider, t.hours, t.day, t.category, t.code, t.id in with_files
            )
            for t in trainings
        ),
        certifications=tuple(
            CertificationView(c.id, c.title, c.issuer, c.number, c.issued_on, c.expires_on, c.code)
            for c in certifications
        ),
        supervised=tuple(
            SupervisedView(s.id, s.code, s.with_whom, s.hours, s.day) for s in supervised
        ),
        verifications=tuple(
            VerificationView(v.id, v.code, v.kind, v.by_name, v.by_user_id, v.day)
            for v in verifications
        ),
    )


def _me(session: Session, actor: Person) -> User:
    user = session.get(User, actor.user_id)
    if user is None:  # pragma: no cover - removed while signed in
        raise InvalidInput([FieldError("(user)", "this user no longer exists")], "profile")
    return user


def my_competence(uow: UnitOfWork, actor: Person, *, today: date) -> CompetenceOverview:
    """The actor's own claims, their standing today and their evidence."""
    require_person(actor, Permission.CLINICAL)
    with uow:
        return overview_of(uow.session, _me(uow.session, actor), today)


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as a form sent it: its bytes (the name and claimed type are not trusted)."""

    content: bytes


def certificate_kind(upload: Upload) -> str:
    """The content type of a certificate file, told by its first bytes; InvalidInput naming
    the field `certificate` when it is too large or not a PDF, PNG or JPEG."""
    if len(upload.content) > MAX_CERTIFICATE_BYTES:
        raise InvalidInput(
            [
                FieldError(
                    "certificate",
                    f"The file is over {MAX_CERTIFICATE_BYTES // 1_000_000} MB; send a smaller one.",
                    TOO_LONG,
                )
            ],
            "training",
        )
    for signature, content_type, _ in _SIGNATURES:
        if upload.content.startswith(signature):
            return content_type
    raise InvalidInput(
        [FieldError("certificate", "Send a PDF, PNG or JPEG file.", UNKNOWN_CODE)], "training"
    )


def add_training(
    uow: UnitOfWork,
    actor: Person,
    fields: Mapping[str, Any],
    *,
    today: date,
    certificate: Upload | None = None,
) -> int:
    """Add a course the actor took (their CE log; evidence when it names a competency),
    with its certificate file when one is sent. The new entry's id."""
    require_person(actor, Permission.CLINICAL)
    errors: list[FieldError] = []
    try:
        entry = entries.training_entry(fields, today)
    except InvalidInput as refused:
        errors += refused.errors
    content_type = None
    if certificate is not None and certificate.content:
        try:
            content_type = certificate_kind(certificate)
        except InvalidInput as refused:
            errors += refused.errors
    if errors:
        raise InvalidInput(errors, "training")
    with uow:
        session = uow.session
        row = TrainingRecord(
            user_id=actor.user_id,
            title=entry.title,
            provider=entry.provider,
            hours=entry.hours,
            day=entry.day,
            category=entry.category,
            code=entry.code,
        )
        session.add(row)
        session.flush()
        if certificate is not None and content_type is not None:
            session.add(
                CertificateFile(
                    training_id=row.id,
                    content_type=content_type,
                    size=len(certificate.content),
                    content=certificate.content,
                )
            )
        audit_write(
            session,
            actor,
            AuditAction.COMPETENCE_EVIDENCE_ADD,
            target_type="growth_training",
            target_ids=[row.id],
        )
        uow.commit()
        return row.id


def add_certification(
    uow: UnitOfWork, actor: Person, fields: Mapping[str, Any], *, today: date
) -> int:
    """Add a certification of the actor's; it counts for its competency through its expiry."""
    require_person(actor, Permission.CLINICAL)
    entry = entries.certification_entry(fields, today)
    row = Certification(
        user_id=actor.user_id,
        title=entry.title,
        issuer=entry.issuer,
        number=entry.number,
        issued_on=entry.issued_on,
        expires_on=entry.expires_on,
        code=entry.code,
    )
    return _add_evidence(uow, actor, row, "growth_certification")


def add_supervised_hours(
    uow: UnitOfWork, actor: Person, fields: Mapping[str, Any], *, today: date
) -> int:
    """Add hours of supervised practice (or consultation) in a competency of the actor's."""
    require_person(actor, Permission.CLINICAL)
    entry = entries.supervised_entry(fields, today)
    row = SupervisedHours(
        user_id=actor.user_id,
        code=entry.code,
        with_whom=entry.with_whom,
        hours=entry.hours,
        day=entry.day,
    )
    return _add_evidence(uow, actor, row, "growth_supervised_hours")


def _add_evidence(
    uow: UnitOfWork, actor: Person, row: Certification | SupervisedHours, target_type: str
) -> int:
    """Store one new piece of evidence, audited, and commit; its id."""
    with uow:
        uow.session.add(row)
        uow.session.flush()
        audit_write(
            uow.session,
            actor,
            AuditAction.COMPETENCE_EVIDENCE_ADD,
            target_type=target_type,
            target_ids=[row.id],
        )
        uow.commit()
        return row.id


def mark_evidence_in_error(
    uow: UnitOfWork, actor: Person, *, kind: Any, ref: Any, reason: Any
) -> None:
    """Mark one of the actor's own entries (a training, a certification, supervised hours)
    entered in error, with the reason: it stays, and counts for nothing. Another person's
    entry, or none, is refused as not found (422: the form named it)."""
    require_person(actor, Permission.CLINICAL)
    model = CORRECTABLE.get(kind) if isinstance(kind, str) else None
    number = int(ref) if isinstance(ref, str) and ref.isdigit() else None
    written = reason.strip() if isinstance(reason, str) else ""
    errors = []
    if model is None or number is None:
        errors.append(FieldError("ref", "Choose an entry of yours.", UNKNOWN_CODE))
    if not written:
        errors.append(FieldError("reason", "Say why it was entered in error.", EMPTY))
    elif len(written) > REASON_MAX:
        errors.append(FieldError("reason", f"Give at most {REASON_MAX} characters.", TOO_LONG))
    if errors:
        raise InvalidInput(errors, "evidence")
    assert model is not None  # noqa: S101 - refused above
    with uow:
        session = uow.session
        row = cast(
            "TrainingRecord | Certification | SupervisedHours | None", session.get(model, number)
        )
        if row is None or row.user_id != actor.user_id or row.in_error_at is not None:
            raise InvalidInput(
                [FieldError("ref", "Choose an entry of yours.", UNKNOWN_CODE)], "evidence"
            )
        row.in_error_at = utcnow()
        row.in_error_by = actor.user_id
        row.in_error_reason = written
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.COMPETENCE_EVIDENCE_IN_ERROR,
            target_type=f"growth_{kind}",
            target_ids=[row.id],
        )
        uow.commit()


@dataclass(frozen=True, slots=True)
class LicenceView:
    title: str
    number: str | None
    renews_on: date
    period_months: int
    required_hours: float | None


def my_licence(uow: UnitOfWork, actor: Person) -> LicenceView | None:
    require_person(actor, Permission.CLINICAL)
    with uow:
        return licence_of(uow.session, actor.user_id)


def licence_of(session: Session, user_id: int) -> LicenceView | None:
    row = session.get(Licence, user_id)
    if row is None:
        return None
    return LicenceView(row.title, row.number, row.renews_on, row.period_months, row.required_hours)


def set_licence(uow: UnitOfWork, actor: Person, fields: Mapping[str, Any], *, today: date) -> None:
    """Keep the actor's licence (what CE hours are totalled against); audited."""
    require_person(actor, Permission.CLINICAL)
    entry = entries.licence_entry(fields, today)
    with uow:
        session = uow.session
        row = session.get(Licence, actor.user_id) or Licence(user_id=actor.user_id)
        row.title = entry.title
        row.number = entry.number
        row.renews_on = entry.renews_on
        row.period_months = entry.period_months
        row.required_hours = entry.required_hours
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        audit_write(
            session,
            actor,
            AuditAction.LICENCE_UPDATE,
            target_type="user",
            target_ids=[actor.user_id],
        )
        uow.commit()
