"""Use case: a directory file into the database, all or nothing.

`read_directory` tells the format by content (a folder: an HSDS CSV data package; JSON: a
FHIR Bundle by its `resourceType`, else HSDS; CSV: the template, by its columns), reads
the file whole and refuses it, naming every place at fault, when it cannot be read as
that format. `import_directory` then writes the entries, the import's record holding the
report (`report.ImportReport`), and the audit entry in one transaction: an import commits
with its report or writes nothing. An entry with the id of one already in the directory
replaces it; the report counts those as `replaced`.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from referwell.db.uow import UnitOfWork
from referwell.domain.storable import unstorable
from referwell.services.auditing import audit_write
from referwell.services.directory import csvfile, fhir, hsds_csv, hsds_json
from referwell.services.directory.draft import Parsed
from referwell.services.directory.mapping import load_mapping
from referwell.services.directory.report import refuse
from referwell.services.permissions import Operator, Permission, require_permission

# A directory file larger than this is refused before it is read (split it).
MAX_FILE_BYTES: Final = 1 << 30
FORMATS: Final = (hsds_csv.FORMAT, hsds_json.FORMAT, fhir.FORMAT, csvfile.FORMAT)
UNREADABLE: Final = (
    "give the folder of an HSDS CSV data package, an HSDS JSON file, a FHIR R4 Bundle (JSON) "
    "or the CSV template"
)


@dataclass(frozen=True, slots=True)
class Imported:
    """An import written: its record's id and its report."""

    import_id: int
    report: dict[str, Any]


def read_directory(path: Path, mapping_file: Path | None = None) -> Parsed:
    """A directory file (or an HSDS package's folder) read whole, its format told by its
    content. Raises InvalidInput naming the file, row and field of every refusal (the
    mapping file's, too)."""
    mapping = load_mapping(mapping_file)
    name = str(path)
    if path.is_dir():
        return hsds_csv.read_package(path, mapping)
    source = _read_text(path)
    start = source.lstrip()[:1]
    if start in ("{", "["):
        data = _json(source, name)
        if isinstance(data, dict) and "resourceType" in data:
            return fhir.read_bundle(data, name, mapping)
        if isinstance(data, dict) and isinstance(data.get("resources"), list):
            return hsds_csv.read_package(path.parent, mapping)  # a data package's descriptor
        return hsds_json.read_json(data, name, mapping)
    if start == "<":
        raise refuse(name, f"XML is not read: give FHIR as JSON ({UNREADABLE})")
    header = source.splitlines()[0].split(",") if source.strip() else []
    if csvfile.is_template(header):
        return csvfile.read_template(source, name, mapping)
    if {"id", "name"} <= {column.strip() for column in header}:
        raise refuse(
            name,
            "a table of HSDS alone: give the folder of the data package it belongs to",
            row=1,
        )
    raise refuse(
        name,
        f"not a directory file: its first row names none of the template's columns "
        f"(entry_id, kind, name …); {UNREADABLE}",
        row=1,
    )


def _read_text(path: Path) -> str:
    name = str(path)
    try:
        status = os.stat(path)
    except OSError:
        raise refuse(name, "no such file or folder") from None
    if not stat.S_ISREG(status.st_mode):
        raise refuse(name, "not a regular file or a folder")
    if status.st_size > MAX_FILE_BYTES:
        raise refuse(name, f"larger than {MAX_FILE_BYTES >> 20} MB; split it and import each part")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise refuse(name, f"cannot be read ({type(exc).__name__})") from None
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise refuse(name, f"not UTF-8 text (line {line}, byte {exc.start})") from None
    if (why := unstorable(source)) is not None:
        raise refuse(name, f"the file {why}")
    return source


def _json(source: str, name: str) -> Any:
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        raise refuse(
            name, f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise refuse(name, "nested too deeply to be a directory file") from None
    for where, text in _strings(data, ""):
        if (why := unstorable(text)) is not None:
            raise refuse(name, f"a text {why}", row=where or "$")
    return data


def _strings(data: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every text of decoded JSON, keys too, with its path."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, key
            yield from _strings(value, inner)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, f"{path}[{index}]")


def import_directory(uow: UnitOfWork, parsed: Parsed, *, actor: Operator) -> Imported:
    """Write what `read_directory` read: the entries, the import's record with its report,
    and the audit entry, in one transaction."""
    require_permission(actor, Permission.OPERATE)
    from sqlalchemy import func, select

    from referwell.db.audit import AuditAction
    from referwell.db.directory.models import DirectoryEntry
    from referwell.db.directory.repository import BATCH, save_entries, start_import

    report = parsed.report.as_dict()
    with uow:
        session = uow.session
        record = start_import(session, parsed.report.format, parsed.report.source)
        ids = [entry.entry_id for entry in parsed.entries]
        replaced = 0
        for start in range(0, len(ids), BATCH):
            replaced += (
                session.scalar(
                    select(func.count())
                    .select_from(DirectoryEntry)
                    .where(DirectoryEntry.external_id.in_(ids[start : start + BATCH]))
                )
                or 0
            )
        save_entries(session, parsed.entries, import_id=record.id, unmapped=parsed.unmapped)
        report["counts"]["replaced"] = replaced
        record.report = report
        audit_write(
            session,
            actor,
            AuditAction.DIRECTORY_IMPORT,
            target_type="directory_import",
            target_ids=[record.id],
        )
        uow.commit()
        return Imported(record.id, report)
