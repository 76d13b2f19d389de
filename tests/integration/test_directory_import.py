"""A directory import in the database, on SQLite and PostgreSQL: the entries, the import's
record holding its report and the audit entry commit together, or nothing is written; an
export reads back what was imported."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory_fixtures import HSDS_EXAMPLES, PRACTICES_CSV, hsds_export_errors
from referwell.db.directory.models import DirectoryEntry, DirectoryImport, DirectoryLocation
from referwell.db.directory.repository import load_entries
from referwell.db.models import AuditEntry
from referwell.db.uow import UnitOfWork
from referwell.services.directory import importing
from referwell.services.directory.exporting import Exported, export_directory
from referwell.services.directory.fhir import read_bundle
from referwell.services.directory.importing import import_directory, read_directory
from referwell.services.directory.mapping import load_mapping
from referwell.services.permissions import Operator

OPERATOR = Operator("directory-tester")


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_import_commits_its_entries_its_report_and_its_audit_entry(
    uow: UnitOfWork, session: Session
) -> None:
    parsed = read_directory(PRACTICES_CSV)

    imported = import_directory(uow, parsed, actor=OPERATOR)

    record = session.get(DirectoryImport, imported.import_id)
    assert record is not None
    assert (record.format, record.source) == ("hsds-csv", str(PRACTICES_CSV))
    assert record.report == imported.report
    assert record.report["counts"] == {
        "entries": 6, "organizations": 3, "locations": 6, "replaced": 0,
        "skipped": 2, "corrected": 3, "unmapped": 3, "noted": 1,
    }  # fmt: skip
    assert {"action": "skipped", "file": "services.csv", "row": 6, "field": "status",
            "why": "not a current service", "value": "defunct"} in record.report["rows"]  # fmt: skip
    assert load_entries(session) == sorted(parsed.entries, key=lambda entry: entry.entry_id)
    kept = dict(session.execute(select(DirectoryEntry.external_id, DirectoryEntry.unmapped)).all())
    assert kept == {
        entry.entry_id: parsed.unmapped.get(entry.entry_id, []) for entry in parsed.entries
    }
    assert {row.import_id for row in session.scalars(select(DirectoryEntry))} == {record.id}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "directory:import")).one()
    assert (entry.actor, entry.actor_kind) == ("directory-tester", "os_user")
    assert (entry.target_type, list(entry.target_ids)) == ("directory_import", [record.id])


def test_an_import_that_fails_on_the_way_writes_nothing(
    uow: UnitOfWork, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(importing, "audit_write", broken)

    with pytest.raises(RuntimeError):
        import_directory(uow, read_directory(PRACTICES_CSV), actor=OPERATOR)

    assert [
        _count(session, model) for model in (DirectoryImport, DirectoryEntry, DirectoryLocation)
    ] == [0, 0, 0]


def test_an_import_of_the_same_entries_replaces_them(uow: UnitOfWork, session: Session) -> None:
    import_directory(uow, read_directory(PRACTICES_CSV), actor=OPERATOR)
    again = import_directory(uow, read_directory(PRACTICES_CSV), actor=OPERATOR)

    assert again.report["counts"]["replaced"] == 6
    assert _count(session, DirectoryEntry) == 6
    assert _count(session, DirectoryImport) == 2
    assert {row.import_id for row in session.scalars(select(DirectoryEntry))} == {again.import_id}


def test_the_upstream_example_imports_with_its_defects_handled(
    uow: UnitOfWork, session: Session
) -> None:
    imported = import_directory(uow, read_directory(HSDS_EXAMPLES / "csv"), actor=OPERATOR)

    (entry,) = load_entries(session)
    (place,) = entry.locations
    assert (place.latitude, place.longitude, place.name) == (None, None, "MyCity Civic Center")
    assert imported.report["counts"]["corrected"] == 1


def _export(uow: UnitOfWork, format_name: str) -> Exported:
    delivered: list[Exported] = []
    exported = export_directory(uow, format_name, actor=OPERATOR, deliver=delivered.append)
    assert delivered == [exported]
    return exported


def test_an_export_reads_back_what_was_imported(uow: UnitOfWork, session: Session) -> None:
    parsed = read_directory(PRACTICES_CSV)
    import_directory(uow, parsed, actor=OPERATOR)

    fhir = _export(uow, "fhir")
    hsds = _export(uow, "hsds")

    back = read_bundle(json.loads(fhir.text), "export.json", load_mapping())
    assert sorted(back.entries, key=lambda e: e.entry_id) == load_entries(session)
    assert list(hsds_export_errors(json.loads(hsds.text))) == []
    assert fhir.entries == hsds.entries == 6
    exports = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "directory:export")
    ).all()
    assert [(e.actor, e.target_type) for e in exports] == [("directory-tester", "directory")] * 2


def test_an_export_whose_delivery_fails_is_not_audited(uow: UnitOfWork, session: Session) -> None:
    def broken(exported: Exported) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        export_directory(uow, "csv", actor=OPERATOR, deliver=broken)

    assert (
        session.scalars(select(AuditEntry).where(AuditEntry.action == "directory:export")).all()
        == []
    )
