"""Use cases: a clinician's continuing-education log, its totals per licence period, the
certifications whose expiry is near, the log as CSV, and a certificate file.

Every course a clinician logs is a CE entry (`growth_trainings`); the same entry is
evidence for a competency when it names one. Each clinician reads their own only.
Downloading the CSV is audited (`ce_log:export`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from referwell.db.audit import AuditAction
from referwell.db.growth.models import CertificateFile, TrainingRecord
from referwell.db.models import User
from referwell.db.uow import UnitOfWork
from referwell.domain.growth.ce import (
    CE_CATEGORIES,
    DEFAULT_PERIOD_MONTHS,
    CeHours,
    PeriodTotal,
    expiry_note,
    licence_periods,
    period_totals,
)
from referwell.domain.labels import label
from referwell.services.auditing import audit_write
from referwell.services.errors import NotFound
from referwell.services.growth.evidence import (
    EXTENSIONS,
    CertificationView,
    LicenceView,
    TrainingView,
    licence_of,
    overview_of,
)
from referwell.services.permissions import Permission, Person, require_person


@dataclass(frozen=True, slots=True)
class Reminder:
    """A certification expiring soon (or just expired), or the licence's renewal."""

    what: str
    on: date
    note: str  # expiring, expired, renewal


@dataclass(frozen=True, slots=True)
class CeLog:
    today: date
    entries: tuple[TrainingView, ...]
    licence: LicenceView | None
    totals: tuple[PeriodTotal, ...]
    reminders: tuple[Reminder, ...]
    certifications: tuple[CertificationView, ...]


def ce_log(uow: UnitOfWork, actor: Person, *, today: date) -> CeLog:
    """The actor's CE log, newest first, with totals for the current licence period and the
    one before (calendar years without a licence on file) and the reminders."""
    require_person(actor, Permission.CLINICAL)
    with uow:
        session = uow.session
        user = session.get(User, actor.user_id)
        if user is None:  # pragma: no cover - removed while signed in
            raise NotFound("user", actor.user_id)
        overview = overview_of(session, user, today)
        licence = licence_of(session, actor.user_id)
    periods = licence_periods(
        licence.renews_on if licence else None,
        licence.period_months if licence else DEFAULT_PERIOD_MONTHS,
        today,
    )
    totals = period_totals(
        (CeHours(entry.day, entry.hours, entry.category) for entry in overview.trainings), periods
    )
    reminders = [
        Reminder(cert.title, cert.expires_on, note)
        for cert in overview.certifications
        if cert.expires_on is not None and (note := expiry_note(cert.expires_on, today)) is not None
    ]
    if licence is not None and (licence.renews_on - today).days <= 90:
        reminders.append(Reminder(licence.title, licence.renews_on, "renewal"))
    return CeLog(
        today,
        overview.trainings,
        licence,
        tuple(totals),
        tuple(sorted(reminders, key=lambda r: r.on)),
        overview.certifications,
    )


CSV_COLUMNS = ("date", "course", "provider", "hours", "category", "competency", "certificate")


def ce_csv(uow: UnitOfWork, actor: Person, log: CeLog) -> str:
    """The log as CSV, in words (never a code), one course a row; audited as an export."""
    require_person(actor, Permission.CLINICAL)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in log.entries:
        writer.writerow(
            [
                entry.day.isoformat(),
                _cell(entry.title),
                _cell(entry.provider),
                f"{entry.hours:g}",
                CE_CATEGORIES.get(entry.category, entry.category),
                label("competency", entry.code) if entry.code else "",
                "yes" if entry.has_certificate else "no",
            ]
        )
    with uow:
        audit_write(
            uow.session,
            actor,
            AuditAction.CE_EXPORT,
            target_type="growth_training",
            target_ids=[entry.ref for entry in log.entries],
        )
        uow.commit()
    return out.getvalue()


def _cell(text: str) -> str:
    """A cell a spreadsheet will not read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True, slots=True)
class CertificateDownload:
    content: bytes
    content_type: str
    filename: str


def certificate_file(uow: UnitOfWork, actor: Person, training_id: int) -> CertificateDownload:
    """The certificate file of one of the actor's own courses; NotFound for any other."""
    require_person(actor, Permission.CLINICAL)
    with uow:
        session = uow.session
        row = session.execute(
            select(CertificateFile.content, CertificateFile.content_type)
            .join(TrainingRecord, TrainingRecord.id == CertificateFile.training_id)
            .where(
                CertificateFile.training_id == training_id,
                TrainingRecord.user_id == actor.user_id,
                TrainingRecord.in_error_at.is_(None),
            )
        ).one_or_none()
    if row is None:
        raise NotFound("certificate", training_id)
    content, content_type = row
    extension = EXTENSIONS.get(content_type, "bin")
    return CertificateDownload(content, content_type, f"certificate-{training_id}.{extension}")
