"""The directory index built from the database, and kept per process while the directory
stays as it was.

`load_index(session)` reads the directory's tables column by column (a million entries
in seconds: rows stream in batches, each code's entries come from the `(code, entry)`
index, a JSON list is decoded once per distinct text) into `index.Columns`.
`current_index(session)` keeps the index of each database it has built, and builds it
again when the directory changed: when its newest import, its newest entry or its count
of entries differs from those it was built from.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Final

import numpy as np
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from referwell.db.directory.models import (
    DirectoryEntry,
    DirectoryImport,
    DirectoryLocation,
    DirectoryOrganization,
    DirectoryService,
    DirectoryTelehealthState,
)
from referwell.services.directory.columns import Columns, Vocabulary
from referwell.services.directory.index import DirectoryIndex

STREAM: Final = 50_000
DATABASES: Final = 4  # indexes kept at once, one per database


def _decoder(codes: Vocabulary) -> Callable[[Any], int]:
    """JSON lists of codes (text on SQLite, lists on PostgreSQL) as bitmasks, each distinct
    value decoded once."""
    seen: dict[Hashable, int] = {}

    def decode(value: Any) -> int:
        key = value if value is None or isinstance(value, str) else tuple(value)
        found = seen.get(key)
        if found is None:
            items = json.loads(value) if isinstance(value, str) else (value or ())
            found = seen[key] = codes.mask(str(item) for item in items or ())
        return found

    return decode


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def load_index(session: Session) -> DirectoryIndex:
    """The index of the directory in the database this session reads."""
    columns = Columns.empty()
    organizations = {
        row.id: (row.external_id, row.name)
        for row in session.execute(
            select(
                DirectoryOrganization.id,
                DirectoryOrganization.external_id,
                DirectoryOrganization.name,
            )
        )
    }
    languages = _decoder(columns.language_codes)
    insurance = _decoder(columns.insurance_codes)
    faiths = _decoder(columns.faith_codes)
    strings: dict[str, str] = {}
    share = strings.setdefault
    ids: list[int] = []
    entry = DirectoryEntry
    rows = session.execute(
        select(
            entry.id,
            entry.external_id,
            entry.kind,
            entry.name,
            entry.organization_id,
            entry.age_min,
            entry.age_max,
            type_coerce(entry.languages, String),
            type_coerce(entry.insurance, String),
            entry.sliding_scale,
            entry.telehealth,
            entry.telehealth_states_known,
            entry.accepting_new_clients,
            entry.waitlist_weeks,
            entry.financial_arrangement,
            entry.gender,
            type_coerce(entry.faiths, String),
        ).order_by(entry.id),
        execution_options={"yield_per": STREAM},
    )
    known_states: list[bool] = []
    for chunk in rows.partitions():
        for row in chunk:
            ids.append(row[0])
            columns.entry_ids.append(row[1])
            columns.kinds.append(share(row[2], row[2]))
            columns.names.append(row[3])
            organization = organizations.get(row[4]) if row[4] is not None else None
            columns.organization_ids.append(organization[0] if organization else None)
            columns.organization_names.append(organization[1] if organization else None)
            columns.age_min.append(row[5])
            columns.age_max.append(row[6])
            columns.languages.append(languages(row[7]))
            columns.insurance.append(insurance(row[8]))
            columns.sliding_scale.append(_bool(row[9]))
            columns.telehealth.append(_bool(row[10]))
            known_states.append(bool(row[11]))
            columns.accepting.append(_bool(row[12]))
            columns.waitlist_weeks.append(row[13])
            columns.financial.append(row[14])
            columns.gender.append(row[15])
            columns.faiths.append(faiths(row[16]))
    database_ids = np.array(ids, dtype=np.int64)
    size = len(ids)

    def positions(entry_ids: list[Any]) -> Any:
        return np.searchsorted(database_ids, np.array(entry_ids, dtype=np.int64))

    _codes(session, columns, positions, size)
    _licences(session, columns, positions, known_states)
    _locations(session, columns, positions, size, share)
    return DirectoryIndex(columns)


def _codes(
    session: Session, columns: Columns, positions: Callable[[list[Any]], Any], size: int
) -> None:
    """Each code's entries from the (code, entry) index, as bits of a mask per entry."""
    masks = [0] * size
    for code in session.scalars(
        select(DirectoryService.code).distinct().order_by(DirectoryService.code)
    ):
        bit = 1 << columns.service_codes.bit(code)
        owners = session.scalars(
            select(DirectoryService.entry_id).where(DirectoryService.code == code)
        ).all()
        for at in positions(list(owners)).tolist():
            masks[at] |= bit
    columns.services = masks


def _licences(
    session: Session,
    columns: Columns,
    positions: Callable[[list[Any]], Any],
    known_states: list[bool],
) -> None:
    """Each state's licensed entries, likewise; None for an entry whose states are unknown."""
    states: list[set[str] | None] = [set() if known else None for known in known_states]
    for state in session.scalars(
        select(DirectoryTelehealthState.state).distinct().order_by(DirectoryTelehealthState.state)
    ):
        owners = session.scalars(
            select(DirectoryTelehealthState.entry_id).where(DirectoryTelehealthState.state == state)
        ).all()
        for at in positions(list(owners)).tolist():
            held = states[at]
            if held is not None:
                held.add(state)
    columns.telehealth_states = [None if s is None else frozenset(s) for s in states]


def _locations(
    session: Session,
    columns: Columns,
    positions: Callable[[list[Any]], Any],
    size: int,
    share: Callable[[str, str], str],
) -> None:
    """Locations, entry after entry (each entry's in the order it lists them)."""
    place = DirectoryLocation
    located = session.execute(
        select(
            place.entry_id, place.postal_code, place.state, place.latitude, place.longitude
        ).order_by(place.entry_id, place.id),
        execution_options={"yield_per": STREAM},
    )
    owners: list[int] = []
    for chunk in located.partitions():
        for owner, postal_code, state, latitude, longitude in chunk:
            owners.append(owner)
            columns.postal_codes.append(
                None if postal_code is None else share(postal_code, postal_code)
            )
            columns.location_states.append(None if state is None else share(state, state))
            columns.latitudes.append(latitude)
            columns.longitudes.append(longitude)
    counts = np.bincount(positions(owners), minlength=size) if owners else np.zeros(size)
    columns.location_counts = [int(count) for count in counts.tolist()]


def directory_version(session: Session) -> tuple[int | None, int | None, int]:
    """What says the directory changed: its newest import, its newest entry, its count."""
    newest_import = session.scalar(select(func.max(DirectoryImport.id)))
    newest_entry, count = session.execute(
        select(func.max(DirectoryEntry.id), func.count(DirectoryEntry.id))
    ).one()
    return newest_import, newest_entry, int(count)


class IndexCache:
    """The index of each database, built once and again when its directory changed."""

    def __init__(self, databases: int = DATABASES) -> None:
        self._kept: OrderedDict[str, tuple[tuple[int | None, int | None, int], DirectoryIndex]]
        self._kept = OrderedDict()
        self._databases = databases
        self._lock = threading.Lock()

    def current(self, session: Session) -> DirectoryIndex:
        """The index of the directory this session reads, as it is now."""
        database = str(session.get_bind().engine.url)
        version = directory_version(session)
        with self._lock:
            kept = self._kept.get(database)
            if kept is not None and kept[0] == version:
                self._kept.move_to_end(database)
                return kept[1]
            index = load_index(session)
            self._kept[database] = (version, index)
            self._kept.move_to_end(database)
            while len(self._kept) > self._databases:
                self._kept.popitem(last=False)
            return index

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


INDEXES: Final = IndexCache()


def current_index(session: Session) -> DirectoryIndex:
    """The process's index of the directory this session reads (built when it changed)."""
    return INDEXES.current(session)
