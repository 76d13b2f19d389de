"""The CSV template for small practices: one entry a row, in exactly the columns of `COLUMNS`.

Lists are separated by `;`, booleans are `yes` or `no`, and an empty cell is unknown. A row
holds at most one location (postal code, state, coordinates). `services` takes the
vocabulary's service codes, or terms the mapping file maps; `languages` ISO 639-1 codes or
language names; `insurance` payer identifiers (the mapping file may rename payers).

Reading is strict: a value that is not of its column's kind refuses the file, every such
value named by row and column. What the template cannot say is left out of an export and
counted in its notes.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Final

from referwell.domain import vocabulary as v
from referwell.domain.directory.model import ENTRY_KINDS, Entry
from referwell.domain.errors import nearest, quoted_choice
from referwell.services.directory.draft import Draft, Parsed, Place, finished, text
from referwell.services.directory.mapping import DirectoryMapping, key
from referwell.services.directory.places import state_code
from referwell.services.directory.report import ImportReport, Origin, Refusals, refuse

FORMAT: Final = "csv"
COLUMNS: Final = (
    "entry_id", "kind", "name", "organization_id", "organization_name", "services",
    "age_min", "age_max", "languages", "insurance", "sliding_scale", "postal_code", "state",
    "latitude", "longitude", "telehealth", "telehealth_states", "accepting_new_clients",
    "waitlist_weeks", "financial_arrangement",
)  # fmt: skip
LIST_SEPARATOR: Final = ";"
MAX_AGE: Final = 130
MAX_WAITLIST_WEEKS: Final = 520


def is_template(header: Sequence[str]) -> bool:
    """Whether a CSV header is meant as the template's (it names `entry_id` and `kind`)."""
    names = {name.strip().lower() for name in header}
    return {"entry_id", "kind"} <= names


def read_template(source: str, file: str, mapping: DirectoryMapping) -> Parsed:
    """The entries of a CSV template's text; InvalidInput naming every value refused."""
    report = ImportReport(FORMAT, file, mapping.source)
    refusals = Refusals()
    rows = list(_records(source, file))
    if not rows:
        raise refuse(file, "empty: the first row must name the columns", row=1)
    header = [name.strip() for name in rows[0]]
    _check_header(header, file)
    drafts: list[Draft] = []
    organizations: dict[str, tuple[str | None, int]] = {}
    for number, record in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            refusals.add(
                Origin(file, number),
                f"{len(record)} values; the header names {len(header)} columns",
            )
            continue
        row = dict(zip(header, record, strict=True))
        draft = _row_draft(row, Origin(file, number), mapping, report, refusals)
        if draft is None:
            continue
        if draft.organization_id is not None:
            first = organizations.setdefault(
                draft.organization_id, (draft.organization_name, number)
            )
            if draft.organization_name != first[0] and draft.organization_name is not None:
                report.noted(
                    Origin(file, number, "organization_name"),
                    f"another name than row {first[1]} gives this organization; the first is kept",
                    value=draft.organization_name,
                )
            draft.organization_name = first[0]
        drafts.append(draft)
    refusals.raise_if_any()
    return finished(drafts, report, refusals)


def _records(source: str, file: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(source, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        raise refuse(file, f"not readable as CSV: {exc}", row=reader.line_num) from None


def _check_header(header: list[str], file: str) -> None:
    missing = [name for name in COLUMNS if name not in header]
    extra = [name for name in header if name not in COLUMNS]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing {quoted_choice(missing)}")
    if extra:
        problems.append(f"unknown {quoted_choice(extra)}")
    if repeated:
        problems.append(f"repeated {quoted_choice(repeated)}")
    if problems:
        raise refuse(
            file,
            f"the columns must be exactly those of the template: {'; '.join(problems)}",
            row=1,
        )


def _row_draft(
    row: dict[str, str],
    origin: Origin,
    mapping: DirectoryMapping,
    report: ImportReport,
    refusals: Refusals,
) -> Draft | None:
    entry_id, kind, name = text(row["entry_id"]), key(row["kind"]), text(row["name"])
    for column, value in (("entry_id", entry_id), ("name", name)):
        if value is None:
            refusals.add(origin.at(column), "empty; every entry needs one")
    if kind not in ENTRY_KINDS:
        refusals.add(
            origin.at("kind"), f'expected "practitioner" or "program"; got "{row["kind"]}"'
        )
    # every column is checked even when the row is refused, so that all is said at once
    complete = entry_id is not None and name is not None and kind in ENTRY_KINDS
    draft = Draft(entry_id or "", kind, name or "", origin)
    draft.organization_id = text(row["organization_id"])
    draft.organization_name = text(row["organization_name"])
    if draft.organization_name is not None and draft.organization_id is None:
        refusals.add(
            origin.at("organization_id"),
            "empty, but organization_name is given: give the organization an id, the same "
            "on every row of that organization",
        )
    draft.age_min = _whole(row, "age_min", origin, refusals, MAX_AGE)
    draft.age_max = _whole(row, "age_max", origin, refusals, MAX_AGE)
    if draft.age_min is not None and draft.age_max is not None and draft.age_min > draft.age_max:
        refusals.add(origin.at("age_max"), f"below age_min ({draft.age_min})")
    draft.waitlist_weeks = _whole(row, "waitlist_weeks", origin, refusals, MAX_WAITLIST_WEEKS)
    for column in ("sliding_scale", "telehealth", "accepting_new_clients"):
        setattr(draft, column, _yes_no(row, column, origin, refusals))
    arrangement = text(row["financial_arrangement"])
    if arrangement is not None and arrangement not in v.FINANCIAL_KINDS:
        refusals.add(
            origin.at("financial_arrangement"),
            f'"{arrangement}" is not a financial arrangement; did you mean '
            f"{quoted_choice(nearest(arrangement, v.FINANCIAL_KINDS))}?",
        )
    draft.financial_arrangement = arrangement
    _services(draft, row, origin, mapping, report)
    for word in _items(row["languages"]):
        code = mapping.language(word)
        if code is None:
            draft.keep_unmapped("languages", word)
            report.unmapped(origin.at("languages"), "not a language code or name", value=word)
        else:
            draft.languages.add(code)
    draft.insurance = {mapping.payer(word) for word in _items(row["insurance"])}
    states = _items(row["telehealth_states"])
    if states:
        draft.telehealth_states = set()
        for word in states:
            code = state_code(word)
            if code is None:
                refusals.add(origin.at("telehealth_states"), f'"{word}" is not a US state')
            else:
                draft.telehealth_states.add(code)
    place = _place(row, origin, report, refusals)
    if place is not None:
        draft.places.append(place)
    return draft if complete else None


def _services(
    draft: Draft,
    row: dict[str, str],
    origin: Origin,
    mapping: DirectoryMapping,
    report: ImportReport,
) -> None:
    for word in _items(row["services"]):
        if word in v.SERVICES:
            draft.services.add(word)
            continue
        targets = mapping.meaning([word])
        if targets is None or not draft.apply(
            targets, None, origin.at("services"), report, mapping
        ):
            draft.keep_unmapped("services", word)
            report.unmapped(
                origin.at("services"),
                "not a service code, nor a term the mapping holds",
                value=word,
            )


def _place(
    row: dict[str, str], origin: Origin, report: ImportReport, refusals: Refusals
) -> Place | None:
    postal, state = text(row["postal_code"]), text(row["state"])
    latitude = _number(row, "latitude", origin, refusals)
    longitude = _number(row, "longitude", origin, refusals)
    if postal is None and state is None and latitude is None and longitude is None:
        return None
    code = state_code(state)
    if state is not None and code is None:
        report.noted(origin.at("state"), "not a US state; kept as given", value=state)
    return Place(origin, postal, code or state, latitude, longitude)


def _items(cell: str) -> list[str]:
    return [word.strip() for word in cell.split(LIST_SEPARATOR) if word.strip()]


def _whole(
    row: dict[str, str], column: str, origin: Origin, refusals: Refusals, highest: int
) -> int | None:
    value = row[column].strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > highest:
        refusals.add(
            origin.at(column), f'expected a whole number from 0 to {highest}; got "{value}"'
        )
        return None
    return int(value)


def _number(row: dict[str, str], column: str, origin: Origin, refusals: Refusals) -> float | None:
    value = row[column].strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        refusals.add(origin.at(column), f'expected a number in degrees; got "{value}"')
        return None
    return number


def _yes_no(row: dict[str, str], column: str, origin: Origin, refusals: Refusals) -> bool | None:
    value = key(row[column])
    if value in ("yes", "no"):
        return value == "yes"
    if value:
        refusals.add(origin.at(column), f'expected "yes", "no" or empty; got "{row[column]}"')
    return None


# --- writing ------------------------------------------------------------------------


def write_template(entries: Sequence[Entry]) -> tuple[str, list[str]]:
    """(the CSV text, notes on what the template could not hold)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    more_places = left_out = 0
    for entry in entries:
        place = entry.locations[0] if entry.locations else None
        more_places += len(entry.locations) > 1
        left_out += bool(
            entry.gender
            or entry.faiths
            or entry.credentials
            or entry.fees
            or any(p.location_id or p.name or p.address or p.city for p in entry.locations)
            or entry.telehealth_states == frozenset()
        )
        writer.writerow(
            [
                entry.entry_id,
                entry.kind,
                entry.name,
                entry.organization_id or "",
                (entry.organization_name or "") if entry.organization_id else "",
                LIST_SEPARATOR.join(sorted(entry.services)),
                _cell(entry.age_min),
                _cell(entry.age_max),
                LIST_SEPARATOR.join(sorted(entry.languages)),
                LIST_SEPARATOR.join(sorted(entry.insurance)),
                _cell(entry.sliding_scale),
                (place.postal_code or "") if place else "",
                (place.state or "") if place else "",
                _cell(place.latitude) if place else "",
                _cell(place.longitude) if place else "",
                _cell(entry.telehealth),
                LIST_SEPARATOR.join(sorted(entry.telehealth_states or ())),
                _cell(entry.accepting_new_clients),
                _cell(entry.waitlist_weeks),
                entry.financial_arrangement or "",
            ]
        )
    notes = []
    if more_places:
        notes.append(
            f"{more_places} of the entries have more than one location; the CSV holds the "
            "first of each (export as HSDS or FHIR to keep them all)"
        )
    if left_out:
        notes.append(
            f"{left_out} of the entries say what the template has no column for (gender, faiths, "
            "credentials, fees, a location's id, name or address, licensed in no state); "
            "written without it (export as FHIR to keep it)"
        )
    return buffer.getvalue(), notes


def _cell(value: bool | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
