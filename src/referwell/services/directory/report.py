"""What an import says about itself: counts, and every row it skipped, corrected, could not
map or wants noted, each with its file, row, field and why; and the refusal of a file that
cannot be read as its format.

A row is a spreadsheet's row number in a CSV file (the header is row 1) and a path in a
JSON file (`organizations[0].services[1]`, `entry[3]`). The report is stored with the
import's record (`directory_imports.report`) and printed by `referwell directory import`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from referwell.domain.errors import FieldError, InvalidInput

REPORT_FORMAT: Final = "referwell.directory_import/1"
# skipped: left out of the import; corrected: imported with a value dropped or filled in;
# unmapped: kept on the entry (`unmapped`) but meaning no code; noted: imported as read.
Action = Literal["skipped", "corrected", "unmapped", "noted"]
ACTIONS: Final = ("skipped", "corrected", "unmapped", "noted")
RowRef = int | str


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value was read: the file, its row, and the field."""

    file: str
    row: RowRef
    field: str = ""

    def at(self, field_name: str) -> Origin:
        return Origin(self.file, self.row, field_name)


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One row the report names: what was done, where, and why."""

    action: Action
    file: str
    row: RowRef
    field: str
    why: str
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "action": self.action,
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "why": self.why,
        }
        if self.value is not None:
            found["value"] = self.value
        return found

    def __str__(self) -> str:
        shown = f' "{self.value}"' if self.value is not None else ""
        place = where(Origin(self.file, self.row, self.field))
        return f"{self.action}: {place}{shown}: {self.why}"


@dataclass
class ImportReport:
    """The report of one import, filled in while its file is read."""

    format: str
    source: str
    mapping: str = "default"
    rows: list[ReportRow] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    _seen: set[ReportRow] = field(default_factory=set, repr=False)

    def add(self, action: Action, origin: Origin, why: str, *, value: object | None = None) -> None:
        row = ReportRow(
            action,
            origin.file,
            origin.row,
            origin.field,
            why,
            None if value is None else str(value),
        )
        if row not in self._seen:  # a place shared by several entries is named once
            self._seen.add(row)
            self.rows.append(row)

    def skipped(self, origin: Origin, why: str, *, value: object | None = None) -> None:
        self.add("skipped", origin, why, value=value)

    def corrected(self, origin: Origin, why: str, *, value: object | None = None) -> None:
        self.add("corrected", origin, why, value=value)

    def unmapped(self, origin: Origin, why: str, *, value: object | None = None) -> None:
        self.add("unmapped", origin, why, value=value)

    def noted(self, origin: Origin, why: str, *, value: object | None = None) -> None:
        self.add("noted", origin, why, value=value)

    def count(self, name: str, n: int) -> None:
        self.counts[name] = n

    def as_dict(self) -> dict[str, Any]:
        by_action = Counter(row.action for row in self.rows)
        return {
            "format": REPORT_FORMAT,
            "source_format": self.format,
            "source": self.source,
            "mapping": self.mapping,
            "counts": {**self.counts, **{action: by_action[action] for action in ACTIONS}},
            "rows": [row.as_dict() for row in self.rows],
            "not_read": list(self.not_read),
        }


class Refusals:
    """The problems that refuse a file whole, gathered so that every one is named at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, origin: Origin, message: str) -> None:
        self.errors.append(FieldError(where(origin), message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors, what="directory file")


def where(origin: Origin) -> str:
    """`services.csv: row 3: minimum_age`: how a refusal names its place."""
    parts = [origin.file, f"row {origin.row}" if origin.row != "" else "", origin.field]
    return ": ".join(part for part in parts if part)


def refuse(file: str, message: str, *, row: RowRef = "", field_name: str = "") -> InvalidInput:
    """The refusal of a whole file, for one reason."""
    return InvalidInput(
        [FieldError(where(Origin(file, row, field_name)), message)], "directory file"
    )
