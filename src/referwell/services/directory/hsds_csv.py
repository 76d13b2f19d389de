"""HSDS 3.0 in, the CSV data package: a folder of table files, read as `hsds` tables.

Its `datapackage.json` names the table files when it is a real descriptor (an object
with `resources`, each with a `path`); otherwise, as upstream where it is a symbolic
link's text, the tables are found by HSDS's file names, and the report says so.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Final

from referwell.services.directory.draft import Parsed
from referwell.services.directory.hsds import TABLE_FILES, TABLE_OF_FILE, Row, Tables, read_tables
from referwell.services.directory.mapping import DirectoryMapping
from referwell.services.directory.report import ImportReport, Origin, refuse

FORMAT: Final = "hsds-csv"


def read_package(folder: Path, mapping: DirectoryMapping) -> Parsed:
    """The entries of an HSDS CSV data package (its folder). Its `datapackage.json` names the
    table files when it is a real descriptor; otherwise the tables are found by HSDS's file
    names, and the report says so."""
    report = ImportReport(FORMAT, str(folder), mapping.source)
    files = _table_files(folder, report)
    if "service" not in files:
        raise refuse(
            str(folder),
            "not an HSDS data package: it holds no services.csv (give the folder of an HSDS "
            "CSV data package, a JSON file, a FHIR Bundle or the CSV template)",
        )
    tables: Tables = {}
    for table, path in files.items():
        tables[table] = _csv_rows(path, table)
    known = {path.resolve() for path in files.values()}
    report.not_read.extend(
        sorted(p.name for p in folder.glob("*.csv") if p.resolve() not in known and p.is_file())
    )
    return read_tables(tables, report, mapping)


def _table_files(folder: Path, report: ImportReport) -> dict[str, Path]:
    descriptor = folder / "datapackage.json"
    found: dict[str, Path] = {}
    if descriptor.is_file():
        resources = _descriptor_resources(descriptor, report)
        for name, relative in resources.items():
            path = (folder / relative).resolve()
            table = name if name in TABLE_FILES else TABLE_OF_FILE.get(Path(relative).name)
            if table is None:
                continue
            if folder.resolve() not in path.parents or not path.is_file():
                raise refuse(
                    "datapackage.json",
                    f'the resource "{name}" names {relative}, which is not a file of this folder',
                    field_name="resources",
                )
            found[table] = path
        if found:
            return found
    return {
        table: folder / file for table, file in TABLE_FILES.items() if (folder / file).is_file()
    }


def _descriptor_resources(descriptor: Path, report: ImportReport) -> dict[str, str]:
    """A data package descriptor's resources (name -> path); {} with a note when the file is
    not a descriptor (upstream ships a symbolic link's text instead)."""
    origin = Origin("datapackage.json", 1)
    try:
        data = json.loads(descriptor.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        data = None
    resources = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(resources, list):
        report.noted(
            origin,
            "not a data package descriptor (no JSON object with resources); the tables are "
            "found by their HSDS file names",
        )
        return {}
    found = {}
    for resource in resources:
        if isinstance(resource, dict) and isinstance(resource.get("path"), str):
            found[str(resource.get("name") or resource["path"])] = resource["path"]
    return found


def _csv_rows(path: Path, table: str) -> list[Row]:
    file = path.name
    try:
        source = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(file, f"not UTF-8 text (byte {exc.start})", row="") from None
    reader = csv.reader(io.StringIO(source, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise refuse(file, f"not readable as CSV: {exc}", row=reader.line_num) from None
    if not records:
        return []
    header = [name.strip() for name in records[0]]
    required = ("id", "name") if table == "service" else ("id",)
    missing = [name for name in required if name not in header]
    if missing:
        raise refuse(file, f"the header names no {' or '.join(missing)} column", row=1)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise refuse(
                file, f"{len(record)} values; the header names {len(header)} columns", row=number
            )
        rows.append(Row(dict(zip(header, record, strict=True)), Origin(file, number)))
    return rows
