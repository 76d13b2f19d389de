"""What the directory index is built from: codes as bits, and the directory in columns.

`Columns` holds one list per column, one item per entry (locations by entry), filled from
`Entry` objects (`Columns.add`) or from the database (`loading.load_index`); a
`Vocabulary` gives each code of a column its bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from referwell.domain import vocabulary as v
from referwell.domain.directory.model import Entry

MaskArray = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]
UNKNOWN = -1  # an unstated yes/no, kept as int8


class Vocabulary:
    """Codes as bit positions: codes known in advance first, then as they are met."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.codes: list[str] = []
        self.bits: dict[str, int] = {}
        for code in known:
            self.bit(code)

    def bit(self, code: str) -> int:
        found = self.bits.get(code)
        if found is None:
            found = self.bits[code] = len(self.codes)
            self.codes.append(code)
        return found

    def mask(self, codes: Iterable[str]) -> int:
        """The bitmask of these codes, making bits for new ones."""
        out = 0
        for code in codes:
            out |= 1 << self.bit(code)
        return out

    def known_mask(self, codes: Iterable[str]) -> int:
        """The bitmask of the codes already known (others can match nothing)."""
        out = 0
        for code in codes:
            found = self.bits.get(code)
            if found is not None:
                out |= 1 << found
        return out

    def decode(self, mask: int) -> frozenset[str]:
        return frozenset(self.codes[bit] for bit in range(mask.bit_length()) if mask >> bit & 1)

    @property
    def words(self) -> int:
        return max(1, (len(self.codes) + 63) // 64)


def mask_rows(masks: Sequence[int], words: int) -> MaskArray:
    """Python-int bitmasks as an (n, words) array of uint64."""
    out = np.zeros((len(masks), words), dtype=np.uint64)
    if words == 1:
        out[:, 0] = np.fromiter(masks, dtype=np.uint64, count=len(masks))
        return out
    low = (1 << 64) - 1
    for word in range(words):
        shift = 64 * word
        out[:, word] = np.fromiter(
            ((mask >> shift) & low for mask in masks), dtype=np.uint64, count=len(masks)
        )
    return out


def query_words(mask: int, words: int) -> MaskArray:
    low = (1 << 64) - 1
    return np.array([(mask >> (64 * word)) & low for word in range(words)], dtype=np.uint64)


def has_all(rows: MaskArray, wanted: MaskArray) -> BoolArray:
    result: BoolArray = np.all((rows & wanted) == wanted, axis=1)
    return result


def has_any(rows: MaskArray, wanted: MaskArray) -> BoolArray:
    result: BoolArray = np.any((rows & wanted) != 0, axis=1)
    return result


def row_int(rows: MaskArray, position: int) -> int:
    return sum(int(word) << (64 * index) for index, word in enumerate(rows[position]))


def tristate(value: bool | None) -> int:
    return UNKNOWN if value is None else int(bool(value))


# --- the columns an index is built from ---------------------------------------------


@dataclass
class Columns:
    """What an index is built from, one list per column, one item per entry; locations and
    licensed states by entry. Filled from `Entry` objects or from the database."""

    entry_ids: list[str]
    names: list[str]
    kinds: list[str]
    organization_ids: list[str | None]
    organization_names: list[str | None]
    services: list[int]  # bitmasks over `service_codes`
    age_min: list[int | None]
    age_max: list[int | None]
    languages: list[int]
    insurance: list[int]
    faiths: list[int]
    sliding_scale: list[bool | None]
    telehealth: list[bool | None]
    telehealth_states: list[frozenset[str] | None]
    accepting: list[bool | None]
    waitlist_weeks: list[int | None]
    financial: list[str | None]
    gender: list[str | None]
    # Locations by entry: how many each has, then theirs in a row, entry after entry.
    location_counts: list[int]
    postal_codes: list[str | None]
    location_states: list[str | None]
    latitudes: list[float | None]
    longitudes: list[float | None]
    service_codes: Vocabulary
    language_codes: Vocabulary
    insurance_codes: Vocabulary
    faith_codes: Vocabulary

    @classmethod
    def empty(cls) -> Columns:
        return cls(
            [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [], [],
            [], [], [], [], [],
            Vocabulary(v.SERVICES), Vocabulary(), Vocabulary(), Vocabulary(),
        )  # fmt: skip

    def add(self, entry: Entry) -> None:
        self.entry_ids.append(entry.entry_id)
        self.names.append(entry.name)
        self.kinds.append(entry.kind)
        self.organization_ids.append(entry.organization_id)
        self.organization_names.append(entry.organization_name)
        self.services.append(self.service_codes.mask(entry.services))
        self.age_min.append(entry.age_min)
        self.age_max.append(entry.age_max)
        self.languages.append(self.language_codes.mask(entry.languages))
        self.insurance.append(self.insurance_codes.mask(entry.insurance))
        self.faiths.append(self.faith_codes.mask(entry.faiths))
        self.sliding_scale.append(entry.sliding_scale)
        self.telehealth.append(entry.telehealth)
        self.telehealth_states.append(entry.telehealth_states)
        self.accepting.append(entry.accepting_new_clients)
        self.waitlist_weeks.append(entry.waitlist_weeks)
        self.financial.append(entry.financial_arrangement)
        self.gender.append(entry.gender)
        self.location_counts.append(len(entry.locations))
        for place in entry.locations:
            self.postal_codes.append(place.postal_code)
            self.location_states.append(place.state)
            self.latitudes.append(place.latitude)
            self.longitudes.append(place.longitude)
