"""HSDS 3.0 in, the JSON forms: each becomes the tables a CSV data package holds, every row
remembering its JSON path, and `hsds.read_tables` reads them as it reads the CSV's.

Read are an organization with its services nested (`organization_full.json`, and the
export of `referwell directory export --format hsds`), a service with its organization and
locations nested (`service_full.json`), a service at a location, a list or a page
(`{"contents": [...]}`) of any of them, and the tables by file name (`tabular.json`). An
object repeated in the nesting (a location under its organization and again under a
service) is one row, its fields merged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from referwell.services.directory.draft import Parsed, text
from referwell.services.directory.hsds import NOT_READ, TABLE_OF_FILE, Row, Tables, read_tables
from referwell.services.directory.mapping import DirectoryMapping
from referwell.services.directory.report import ImportReport, Origin, refuse

FORMAT: Final = "hsds-json"


def read_json(data: Any, file: str, mapping: DirectoryMapping) -> Parsed:
    """The entries of an HSDS JSON document: an organization (`organization_full.json`), a
    service (`service_full.json`), a service at a location, a list of any of them, a page
    of them (`{"contents": [...]}`) or the tables by file name (`tabular.json`)."""
    report = ImportReport(FORMAT, file, mapping.source)
    flat = _Flattener(file, report)
    if isinstance(data, dict) and any(str(name).endswith(".csv") for name in data):
        for name, rows in data.items():
            table = TABLE_OF_FILE.get(str(name))
            if table is None:
                if str(name) in NOT_READ:
                    report.not_read.append(str(name))
                continue
            if not isinstance(rows, list):
                raise refuse(file, "expected a list of rows", row=str(name))
            for index, row in enumerate(rows):
                flat.add(table, _object(row, file, f"{name}[{index}]"), f"{name}[{index}]")
    else:
        for path, item in _items(data):
            flat.item(_object(item, file, path), path)
    if not flat.tables.get("service"):
        raise refuse(file, "holds no HSDS service: nothing to import")
    return read_tables(flat.tables, report, mapping)


def _items(data: Any) -> Iterator[tuple[str, Any]]:
    """The objects of a JSON document with their paths: a page's contents, a list's items,
    or the one object."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        for index, item in enumerate(data["contents"]):
            yield f"contents[{index}]", item
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield f"[{index}]", item
    else:
        yield "$", data


def _object(value: Any, file: str, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise refuse(file, f"expected an object; got {type(value).__name__}", row=path)
    return value


def _scalars(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: value
        for name, value in item.items()
        if value is None or isinstance(value, str | int | float | bool)
    }


@dataclass
class _Flattener:
    """Nested HSDS JSON as table rows; an object repeated in the nesting (a location under
    its organization and under a service) is one row, its fields merged."""

    file: str
    report: ImportReport
    tables: Tables = field(default_factory=lambda: defaultdict(list))
    _seen: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, table: str, item: Mapping[str, Any], path: str, **links: str | None) -> None:
        values = _scalars(item)
        for name, link in links.items():
            if link and not text(values.get(name)):
                values[name] = link
        ident = text(values.get("id"))
        rows = self.tables[table]
        if ident is not None and (table, ident) in self._seen:
            index = self._seen[(table, ident)]
            merged = dict(rows[index].values)
            for name, value in values.items():
                if text(merged.get(name)) is None:
                    merged[name] = value
            rows[index] = Row(merged, rows[index].origin)
            return
        if ident is not None:
            self._seen[(table, ident)] = len(rows)
        rows.append(Row(values, Origin(self.file, path)))

    def item(self, item: dict[str, Any], path: str) -> None:
        if isinstance(item.get("service"), dict) and "location" in item:
            self.service(item["service"], f"{path}.service", None)
            self.service_at_location(item, path, text(item["service"].get("id")))
        elif any(name in item for name in ("status", "service_at_locations", "organization")):
            self.service(item, path, None)
        else:
            self.organization(item, path)

    def organization(self, item: dict[str, Any], path: str) -> None:
        ident = text(item.get("id"))
        self.add("organization", item, path)
        for index, found in enumerate(_list(item, "organization_identifiers")):
            self.add(
                "organization_identifier",
                found,
                f"{path}.organization_identifiers[{index}]",
                organization_id=ident,
            )
        for index, found in enumerate(_list(item, "locations")):
            self.location(found, f"{path}.locations[{index}]", ident)
        for index, found in enumerate(_list(item, "services")):
            self.service(found, f"{path}.services[{index}]", ident)
        self.attributes(item, path, ident, "organization")

    def service(self, item: dict[str, Any], path: str, organization_id: str | None) -> None:
        ident = text(item.get("id"))
        owner = item.get("organization")
        if isinstance(owner, dict):
            self.organization(owner, f"{path}.organization")
            organization_id = organization_id or text(owner.get("id"))
        self.add("service", item, path, organization_id=organization_id)
        for index, found in enumerate(_list(item, "languages")):
            self.add("language", found, f"{path}.languages[{index}]", service_id=ident)
        for index, found in enumerate(_list(item, "service_at_locations")):
            self.service_at_location(found, f"{path}.service_at_locations[{index}]", ident)
        self.attributes(item, path, ident, "service")

    def service_at_location(self, item: dict[str, Any], path: str, service_id: str | None) -> None:
        place = item.get("location")
        location_id = text(item.get("location_id"))
        if isinstance(place, dict):
            self.location(place, f"{path}.location", None)
            location_id = location_id or text(place.get("id"))
        self.add("service_at_location", item, path, service_id=service_id, location_id=location_id)

    def location(self, item: dict[str, Any], path: str, organization_id: str | None) -> None:
        ident = text(item.get("id"))
        self.add("location", item, path, organization_id=organization_id)
        for index, found in enumerate(_list(item, "addresses")):
            self.add("address", found, f"{path}.addresses[{index}]", location_id=ident)

    def attributes(self, item: dict[str, Any], path: str, link: str | None, entity: str) -> None:
        for index, found in enumerate(_list(item, "attributes")):
            where = f"{path}.attributes[{index}]"
            term = found.get("taxonomy_term")
            term_id = text(found.get("taxonomy_term_id"))
            if isinstance(term, dict):
                term_id = term_id or text(term.get("id")) or f"{where}.taxonomy_term"
                detail = term.get("taxonomy_detail")
                taxonomy = text(term.get("taxonomy")) or (
                    text(detail.get("name")) if isinstance(detail, dict) else None
                )
                self.add(
                    "taxonomy_term",
                    {**term, "id": term_id},
                    f"{where}.taxonomy_term",
                    taxonomy=taxonomy,
                )
            self.add(
                "attribute",
                found,
                where,
                link_id=link,
                link_entity=entity,
                taxonomy_term_id=term_id,
            )


def _list(item: Mapping[str, Any], name: str) -> Iterator[dict[str, Any]]:
    found = item.get(name)
    if isinstance(found, list):
        yield from (element for element in found if isinstance(element, dict))
