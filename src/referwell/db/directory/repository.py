"""Directory entries in and out of the database, as the domain's `Entry`.

`save_entries` writes a batch of entries (replacing any with the same external id) with
their organizations, codes, locations and licensed states, tagged with their import;
`load_entries` reads entries back, all or some. Bulk paths use Core inserts: a directory
of a million entries is written in minutes, not hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from referwell.db.directory.models import (
    DirectoryEntry,
    DirectoryImport,
    DirectoryLocation,
    DirectoryOrganization,
    DirectoryService,
    DirectoryTelehealthState,
)
from referwell.domain.directory.model import Entry, Location

BATCH = 5000


def start_import(session: Session, format_name: str, source: str) -> DirectoryImport:
    """A new import's record (its report is filled in when it ends); flushed."""
    record = DirectoryImport(format=format_name, source=source[:500], report={})
    session.add(record)
    session.flush()
    return record


def organization_ids(
    session: Session, organizations: Mapping[str, str], import_id: int | None
) -> dict[str, int]:
    """The database ids of these organizations (external id -> name), made when missing and
    renamed when their name changed."""
    wanted = dict(organizations)
    found: dict[str, int] = {}
    keys = list(wanted)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        for row in session.execute(
            select(
                DirectoryOrganization.id,
                DirectoryOrganization.external_id,
                DirectoryOrganization.name,
            ).where(DirectoryOrganization.external_id.in_(chunk))
        ):
            found[row.external_id] = row.id
            if row.name != wanted[row.external_id]:
                organization = session.get(DirectoryOrganization, row.id)
                if organization is not None:
                    organization.name = wanted[row.external_id]
    missing = [key for key in keys if key not in found]
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        session.execute(
            insert(DirectoryOrganization),
            [{"external_id": key, "name": wanted[key], "import_id": import_id} for key in chunk],
        )
        for made_id, made_key in session.execute(
            select(DirectoryOrganization.id, DirectoryOrganization.external_id).where(
                DirectoryOrganization.external_id.in_(chunk)
            )
        ):
            found[made_key] = made_id
    return found


def save_entries(
    session: Session,
    entries: Sequence[Entry],
    *,
    import_id: int | None = None,
    unmapped: Mapping[str, list[dict[str, Any]]] | None = None,
) -> int:
    """Write these entries (replacing those with the same external ids); how many written.
    Not committed: the caller commits with its import's report, or not at all."""
    organizations = {
        entry.organization_id: entry.organization_name or entry.organization_id
        for entry in entries
        if entry.organization_id
    }
    org_ids = organization_ids(session, organizations, import_id)
    written = 0
    for start in range(0, len(entries), BATCH):
        chunk = entries[start : start + BATCH]
        external = [entry.entry_id for entry in chunk]
        session.execute(delete(DirectoryEntry).where(DirectoryEntry.external_id.in_(external)))
        session.execute(
            insert(DirectoryEntry),
            [
                _entry_row(entry, org_ids, import_id, (unmapped or {}).get(entry.entry_id, []))
                for entry in chunk
            ],
        )
        ids = dict(
            session.execute(
                select(DirectoryEntry.external_id, DirectoryEntry.id).where(
                    DirectoryEntry.external_id.in_(external)
                )
            ).all()
        )
        services = [
            {"entry_id": ids[entry.entry_id], "code": code}
            for entry in chunk
            for code in sorted(entry.services)
        ]
        locations = [
            {
                "entry_id": ids[entry.entry_id],
                "postal_code": place.postal_code,
                "state": place.state,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "external_id": place.location_id,
                "name": place.name,
                "address": place.address,
                "city": place.city,
            }
            for entry in chunk
            for place in entry.locations
        ]
        states = [
            {"entry_id": ids[entry.entry_id], "state": state}
            for entry in chunk
            for state in sorted(entry.telehealth_states or ())
        ]
        for model, rows in (
            (DirectoryService, services),
            (DirectoryLocation, locations),
            (DirectoryTelehealthState, states),
        ):
            if rows:
                session.execute(insert(model), rows)
        written += len(chunk)
    return written


def _entry_row(
    entry: Entry, org_ids: Mapping[str, int], import_id: int | None, unmapped: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "external_id": entry.entry_id,
        "kind": entry.kind,
        "name": entry.name,
        "organization_id": org_ids.get(entry.organization_id) if entry.organization_id else None,
        "age_min": entry.age_min,
        "age_max": entry.age_max,
        "languages": sorted(entry.languages),
        "insurance": sorted(entry.insurance),
        "sliding_scale": entry.sliding_scale,
        "fees": entry.fees,
        "credentials": list(entry.credentials),
        "telehealth": entry.telehealth,
        "telehealth_states_known": entry.telehealth_states is not None,
        "accepting_new_clients": entry.accepting_new_clients,
        "waitlist_weeks": entry.waitlist_weeks,
        "financial_arrangement": entry.financial_arrangement,
        "gender": entry.gender,
        "faiths": sorted(entry.faiths),
        "unmapped": list(unmapped),
        "import_id": import_id,
    }


def load_entries(session: Session, external_ids: Iterable[str] | None = None) -> list[Entry]:
    """The entries (all, or those named), as the domain's `Entry`, by external id."""
    query = select(
        DirectoryEntry, DirectoryOrganization.external_id, DirectoryOrganization.name
    ).outerjoin(DirectoryOrganization, DirectoryOrganization.id == DirectoryEntry.organization_id)
    if external_ids is not None:
        query = query.where(DirectoryEntry.external_id.in_(list(external_ids)))
    rows = session.execute(query.order_by(DirectoryEntry.external_id)).all()
    ids = [row[0].id for row in rows]
    services: dict[int, set[str]] = defaultdict(set)
    places: dict[int, list[Location]] = defaultdict(list)
    states: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for entry_id, code in session.execute(
            select(DirectoryService.entry_id, DirectoryService.code).where(
                DirectoryService.entry_id.in_(chunk)
            )
        ):
            services[entry_id].add(code)
        for place in session.execute(
            select(
                DirectoryLocation.entry_id,
                DirectoryLocation.postal_code,
                DirectoryLocation.state,
                DirectoryLocation.latitude,
                DirectoryLocation.longitude,
                DirectoryLocation.external_id,
                DirectoryLocation.name,
                DirectoryLocation.address,
                DirectoryLocation.city,
            )
            .where(DirectoryLocation.entry_id.in_(chunk))
            .order_by(DirectoryLocation.id)
        ):
            places[place.entry_id].append(
                Location(
                    place.postal_code,
                    place.state,
                    place.latitude,
                    place.longitude,
                    place.external_id,
                    place.name,
                    place.address,
                    place.city,
                )
            )
        for entry_id, state in session.execute(
            select(DirectoryTelehealthState.entry_id, DirectoryTelehealthState.state).where(
                DirectoryTelehealthState.entry_id.in_(chunk)
            )
        ):
            states[entry_id].add(state)
    return [
        Entry(
            entry_id=row.external_id,
            kind=row.kind,
            name=row.name,
            organization_id=org_external,
            organization_name=org_name,
            services=frozenset(services[row.id]),
            age_min=row.age_min,
            age_max=row.age_max,
            languages=frozenset(row.languages or ()),
            insurance=frozenset(row.insurance or ()),
            sliding_scale=row.sliding_scale,
            fees=row.fees,
            credentials=tuple(row.credentials or ()),
            locations=tuple(places[row.id]),
            telehealth=row.telehealth,
            telehealth_states=frozenset(states[row.id]) if row.telehealth_states_known else None,
            accepting_new_clients=row.accepting_new_clients,
            waitlist_weeks=row.waitlist_weeks,
            financial_arrangement=row.financial_arrangement,
            gender=row.gender,
            faiths=frozenset(row.faiths or ()),
        )
        for row, org_external, org_name in rows
    ]
