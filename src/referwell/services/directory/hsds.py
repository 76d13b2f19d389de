"""HSDS 3.0 in: the tables every form of HSDS becomes (`hsds_csv` reads a CSV data
package into them, `hsds_json` the JSON forms), read as entries.

Every form becomes the same tables (`organization`, `service`, `location`, `address`,
`service_at_location`, `language`, `attribute`, `taxonomy_term`, `taxonomy`,
`organization_identifier`), each row remembering its file and row, and one reader turns
the tables into entries: so the CSV and JSON forms of the same data give the same
entries, and differ only where the report says.

An HSDS `service` is an entry of kind `program` (a `kind=practitioner` attribute makes it a
practitioner); its organization, ages, languages, fees, waiting time and the physical
locations it is offered at come from HSDS's own fields, and every other fact from its
attributes' taxonomy terms, through the mapping file. Terms of the taxonomy `referwell`
(what `referwell directory export --format hsds` writes) are read without it.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from referwell.domain import vocabulary as v
from referwell.services.directory.draft import Draft, Parsed, Place, finished, text
from referwell.services.directory.mapping import FACTS, VALUE, DirectoryMapping, Target
from referwell.services.directory.report import ImportReport, Origin, Refusals

REFERWELL_TAXONOMY: Final = "referwell"
# An organization identifier of this type marks an entry exported without an organization.
NO_ORGANIZATION: Final = "no_organization"
# The tables read, by HSDS's table names and their file names in a data package.
TABLE_FILES: Final = {
    "organization": "organizations.csv",
    "service": "services.csv",
    "location": "locations.csv",
    "address": "addresses.csv",
    "service_at_location": "service_at_location.csv",
    "language": "languages.csv",
    "attribute": "attributes.csv",
    "taxonomy_term": "taxonomy_terms.csv",
    "taxonomy": "taxonomies.csv",
    "organization_identifier": "organization_identifiers.csv",
}
TABLE_OF_FILE: Final = {file: table for table, file in TABLE_FILES.items()}
# HSDS tables that say nothing matching reads: present ones are listed in the report.
NOT_READ: Final = (
    "accessibility.csv", "contacts.csv", "cost_options.csv", "funding.csv",
    "meta_table_descriptions.csv", "metadata.csv", "phones.csv", "programs.csv",
    "required_documents.csv", "schedules.csv", "service_areas.csv",
)  # fmt: skip
INACTIVE: Final = ("inactive", "defunct")
WAIT: Final = re.compile(r"^(\d+)\s*(day|days|week|weeks|wk|wks|month|months)$")
NO_WAIT: Final = frozenset({"none", "no wait", "no waitlist", "0"})
MAX_AGE: Final = 130


@dataclass(frozen=True, slots=True)
class Row:
    """A row of an HSDS table: its values (scalars only) and where it was read."""

    values: Mapping[str, Any]
    origin: Origin

    def get(self, name: str) -> str | None:
        return text(self.values.get(name))


Tables = dict[str, list[Row]]


def read_tables(tables: Tables, report: ImportReport, mapping: DirectoryMapping) -> Parsed:
    """The entries the HSDS tables describe, one per service (see the module's docstring)."""
    refusals = Refusals()
    reader = _TableReader(tables, report, mapping, refusals)
    drafts = reader.drafts()
    refusals.raise_if_any()
    return finished(drafts, report, refusals)


class _TableReader:
    def __init__(
        self, tables: Tables, report: ImportReport, mapping: DirectoryMapping, refusals: Refusals
    ) -> None:
        self.report, self.mapping, self.refusals = report, mapping, refusals
        self.organizations = self._index(tables, "organization")
        self.locations = self._index(tables, "location")
        self.terms = self._index(tables, "taxonomy_term")
        self.taxonomies = self._index(tables, "taxonomy")
        self.services = tables.get("service", [])
        self.addresses = _grouped(tables.get("address", []), "location_id")
        self.at_locations = _grouped(tables.get("service_at_location", []), "service_id")
        self.languages = _grouped(tables.get("language", []), "service_id")
        self.attribute_rows = tables.get("attribute", [])
        # HSDS organization id -> referwell's (None: the entry has no organization)
        self.own_ids: dict[str, str | None] = {}
        for row in tables.get("organization_identifier", []):
            scheme, owner = (
                (row.get("identifier_scheme") or "").casefold(),
                row.get("organization_id"),
            )
            if scheme != REFERWELL_TAXONOMY or owner is None:
                continue
            if row.get("identifier_type") == NO_ORGANIZATION:
                self.own_ids[owner] = None
            elif row.get("identifier"):
                self.own_ids[owner] = row.get("identifier")

        self.ours = any(
            (row.get("taxonomy") or "").casefold() == REFERWELL_TAXONOMY
            for row in tables.get("taxonomy_term", [])
        ) or any(
            (row.get("identifier_scheme") or "").casefold() == REFERWELL_TAXONOMY
            for row in tables.get("organization_identifier", [])
        )

    def _index(self, tables: Tables, table: str) -> dict[str, Row]:
        found: dict[str, Row] = {}
        for row in tables.get(table, []):
            ident = row.get("id")
            if ident is None:
                self.report.skipped(row.origin.at("id"), f"a {table} without an id")
            elif ident in found:
                first = found[ident].origin
                self.report.skipped(
                    row.origin.at("id"),
                    f"the same {table} id as {first.file}, row {first.row}; the first is kept",
                    value=ident,
                )
            else:
                found[ident] = row
        return found

    def drafts(self) -> list[Draft]:
        """Every service's draft, in file order (a repeated id is skipped later, reported)."""
        drafts: list[Draft] = []
        by_id: dict[str, Draft] = {}
        by_organization: dict[str, list[Draft]] = defaultdict(list)
        for row in self.services:
            draft = self._service(row)
            if draft is None:
                continue
            drafts.append(draft)
            by_id.setdefault(draft.entry_id, draft)
            hsds_organization = row.get("organization_id")
            if hsds_organization in self.organizations:
                by_organization[hsds_organization].append(draft)
        self._apply_attributes(by_id, by_organization)
        self._check_locations()
        for ident, organization in self.organizations.items():
            if ident not in by_organization:
                self.report.noted(
                    organization.origin,
                    "an organization with no service: nothing to refer to, not imported",
                    value=organization.get("name"),
                )
        return drafts

    def _service(self, row: Row) -> Draft | None:
        ident, name = row.get("id"), row.get("name")
        if ident is None or name is None:
            self.report.skipped(
                row.origin.at("id" if ident is None else "name"),
                "a service needs an id and a name",
            )
            return None
        status = (row.get("status") or "active").casefold()
        if status in INACTIVE:
            self.report.skipped(
                row.origin.at("status"), "not a current service", value=row.get("status")
            )
            return None
        draft = Draft(ident, "program", name, row.origin)
        if status not in ("active", "temporarily closed"):
            self.report.noted(
                row.origin.at("status"),
                "not a status of HSDS's (active, inactive, defunct, temporarily closed); "
                "imported as active",
                value=row.get("status"),
            )
        if status == "temporarily closed":
            draft.accepting_new_clients = False
            self.report.noted(
                row.origin.at("status"), "temporarily closed: imported as not taking new clients"
            )
        self._organization(draft, row)
        draft.age_min = self._age(row, "minimum_age")
        draft.age_max = self._age(row, "maximum_age")
        if (
            draft.age_min is not None
            and draft.age_max is not None
            and draft.age_min > draft.age_max
        ):
            self.refusals.add(row.origin.at("maximum_age"), f"below minimum_age ({draft.age_min})")
        draft.fees = row.get("fees_description") or row.get("fees")
        self._wait(draft, row)
        for language in self.languages.get(ident, []):
            self._language(draft, language)
        for link in self.at_locations.get(ident, []):
            self._place(draft, link)
        return draft

    def _organization(self, draft: Draft, row: Row) -> None:
        ident = row.get("organization_id")
        if ident is None:
            return
        organization = self.organizations.get(ident)
        if organization is None:
            self.report.corrected(
                row.origin.at("organization_id"),
                "names no organization of this file; the service is imported without one",
                value=ident,
            )
            return
        if ident in self.own_ids and self.own_ids[ident] is None:
            return
        draft.organization_id = self.own_ids.get(ident) or ident
        draft.organization_name = organization.get("name") or ident

    def _age(self, row: Row, name: str) -> int | None:
        value = row.values.get(name)
        if text(value) is None:
            return None
        number = _number(value)
        if number is None or number != int(number) or not 0 <= number <= MAX_AGE:
            self.refusals.add(
                row.origin.at(name),
                f'expected a whole number of years, 0 to {MAX_AGE}; got "{value}"',
            )
            return None
        return int(number)

    def _wait(self, draft: Draft, row: Row) -> None:
        said = row.get("wait_time")
        if said is None:
            return
        words = " ".join(said.split()).casefold()
        found = WAIT.match(words)
        if words in NO_WAIT:
            draft.waitlist_weeks = 0
        elif found is not None:
            count, unit = int(found.group(1)), found.group(2)
            days = (
                count
                if unit.startswith("day")
                else count * 30
                if unit.startswith("month")
                else count * 7
            )
            draft.waitlist_weeks = min(520, math.ceil(days / 7))
        else:
            draft.keep_unmapped("wait_time", said)
            self.report.unmapped(
                row.origin.at("wait_time"),
                "not a waiting time in days, weeks or months; kept as said",
                value=said,
            )

    def _language(self, draft: Draft, row: Row) -> None:
        said = row.get("code") or row.get("name")
        code = self.mapping.language(row.get("code")) or self.mapping.language(row.get("name"))
        if code is not None:
            draft.languages.add(code)
        elif said is not None:
            draft.keep_unmapped("languages", said)
            self.report.unmapped(row.origin.at("code"), "not a language code or name", value=said)

    def _place(self, draft: Draft, link: Row) -> None:
        ident = link.get("location_id")
        location = self.locations.get(ident or "")
        if location is None:
            self.report.skipped(
                link.origin.at("location_id"), "names no location of this file", value=ident
            )
            return
        kind = (location.get("location_type") or "physical").casefold()
        if kind == "virtual":
            draft.set_fact("telehealth", "yes", location.origin, self.report)
            return
        if kind == "postal":
            self.report.noted(
                location.origin.at("location_type"),
                "a postal address is not where clients are seen; not used for distance",
            )
            return
        place = Place(
            location.origin,
            location_id=ident,
            name=location.get("name"),
            latitude=self._degrees(location, "latitude"),
            longitude=self._degrees(location, "longitude"),
        )
        if (location.get("external_identifier_type") or "").casefold() == REFERWELL_TAXONOMY:
            place.location_id = location.get("external_identifier")
        elif self.ours:  # referwell's export: a location without its identifier had no id
            place.location_id = None
        addresses = self.addresses.get(ident or "", [])
        physical = [a for a in addresses if (a.get("address_type") or "").casefold() == "physical"]
        if chosen := physical or addresses:
            address = chosen[0]
            lines = [address.get("address_1"), address.get("address_2")]
            place.address = ", ".join(line for line in lines if line) or None
            place.city = address.get("city")
            place.state = address.get("state_province")
            place.postal_code = address.get("postal_code")
            place.country = address.get("country")
        draft.places.append(place)

    def _degrees(self, row: Row, name: str) -> float | None:
        value = row.values.get(name)
        if text(value) is None:
            return None
        number = _number(value)
        if number is None:
            self.refusals.add(row.origin.at(name), f'expected a number in degrees; got "{value}"')
        return number

    def _check_locations(self) -> None:
        linked = {link.get("location_id") for links in self.at_locations.values() for link in links}
        for ident, location in self.locations.items():
            organization = location.get("organization_id")
            if organization is not None and organization not in self.organizations:
                self.report.noted(
                    location.origin.at("organization_id"),
                    "names no organization of this file; the location is kept for the "
                    "services offered there",
                    value=organization,
                )
            if ident not in linked:
                self.report.noted(
                    location.origin,
                    "no service is offered at this location (service_at_location); not imported",
                    value=location.get("name"),
                )

    def _apply_attributes(
        self, drafts: Mapping[str, Draft], by_organization: Mapping[str, list[Draft]]
    ) -> None:
        for row in self.attribute_rows:
            link = row.get("link_id") or ""
            targets = [drafts[link]] if link in drafts else by_organization.get(link, [])
            if not targets:
                self.report.skipped(
                    row.origin.at("link_id"),
                    "links to no service or organization with services in this file",
                    value=link,
                )
                continue
            term = self.terms.get(row.get("taxonomy_term_id") or "")
            if term is None:
                self.report.skipped(
                    row.origin.at("taxonomy_term_id"),
                    "names no taxonomy term of this file",
                    value=row.get("taxonomy_term_id"),
                )
                continue
            self._attribute(row, term, targets)

    def _attribute(self, row: Row, term: Row, drafts: Iterable[Draft]) -> None:
        code, name, value = term.get("code"), term.get("name"), row.get("value")
        taxonomy = term.get("taxonomy") or (
            self.taxonomies[term.get("taxonomy_id") or ""].get("name")
            if term.get("taxonomy_id") in self.taxonomies
            else None
        )
        origin = row.origin.at("taxonomy_term")
        if (taxonomy or "").casefold() == REFERWELL_TAXONOMY:
            if code == "entry_id" and value:
                # an entry exported under a made-up UUID takes back its own id
                for draft in drafts:
                    draft.entry_id = value
                return
            targets = _referwell_term(code)
        else:
            keys: list[str | None] = []
            if value:
                keys += [f"{code}={value}" if code else None, f"{name}={value}" if name else None]
            keys += [f"{taxonomy}:{code}" if taxonomy and code else None, code, name]
            targets = self.mapping.meaning(keys)
        # every draft is applied to, even after one refuses the value
        applied = targets is not None and all(
            [draft.apply(targets, value, origin, self.report, self.mapping) for draft in drafts]  # noqa: C419
        )
        if not applied:
            said = name or code or ""
            for draft in drafts:
                draft.keep_unmapped(
                    "attributes",
                    value or "",
                    term=name or "",
                    code=code or "",
                    taxonomy=taxonomy or "",
                )
            self.report.unmapped(
                origin,
                "a taxonomy term the mapping file does not map"
                if targets is None
                else "the term's attribute value is not one its fact takes",
                value=_term_words(said, code, taxonomy, value),
            )


def _term_words(said: str, code: str | None, taxonomy: str | None, value: str | None) -> str:
    """`Peer Support (code EX-MH-900, taxonomy Example County 211)`: a term as reported."""
    parts = [
        f"{name} {part}"
        for name, part in (("code", code), ("taxonomy", taxonomy), ("value", value))
        if part
    ]
    return f"{said} ({', '.join(parts)})" if parts else said


def _referwell_term(code: str | None) -> tuple[Target, ...] | None:
    if code in v.SERVICES:
        return (Target(None, code),)
    if code in FACTS:
        return (Target(code, VALUE),)
    return None


def _grouped(rows: list[Row], name: str) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        key = row.get(name)
        if key is not None:
            found[key].append(row)
    return found


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
