"""The directory as a compact in-memory index: columns (NumPy arrays), not a million objects.

It answers a `Query` with exactly what the reference, `domain.directory.matching.match`,
answers over the same entries: the same options in the same order, the same counts of
entries each hard filter left out, the same number eligible (a Hypothesis test holds it
to that, and `benchmarks/match.py` holds it and two SQL baselines to the same top 10).

How it finds them:

- **Per entry**, one row of each column: the codes it offers as a bitmask over the
  codes of the directory (with `psychotherapy` set for any modality), its age profile
  (its stated range, else the ages of its population codes), its intake class and the
  capacity points that go with it, the payment for referrals, its insurance, languages
  and faiths as bitmasks, its gender, its organization, and the rank of its id as text.
- **In person**: every location's latitude (in radians, and its cosine) and longitude in
  a grid of half-degree rows of latitude, each row sorted by longitude. A query reads
  the rows its radius touches, and in each the run of longitudes its radius allows,
  then measures the haversine exactly as `domain.directory.geo` does (a distance that
  falls within a hair of a rounding edge is measured again by `geo` itself).
- **By telehealth**: per state, the entries that offer telehealth and are licensed there.
- **What each filter left out** is counted without reading every entry: per code (and
  per set of codes, when first asked), the entries offering it are counted once by age
  profile and intake class; a query's counts are those tables read at the client's age,
  less the entries the case names in a financial arrangement, less what is in reach.
- **The score** is computed for the eligible entries in one pass; the first `k` by
  (score, in person, distance, id) are picked with one packed 64-bit key, and the
  two-organization rule is applied as `matching.best` applies it. Only the `k` chosen
  entries become `Entry` objects, and `matching.evaluate` gives each its score and
  reasons, so every text comes from the one place.

The options' entries carry what matching reads (codes, ages, intake, locations,
telehealth, payment, languages, preferences), their name and organization; an entry's
page reads the whole entry from the database.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from referwell.domain import vocabulary as v
from referwell.domain.directory.matching import Option, Options, Query, evaluate
from referwell.domain.directory.model import POPULATION_AGES, Entry, Location
from referwell.services.directory.columns import (
    UNKNOWN,
    Columns,
    MaskArray,
    has_all,
    has_any,
    mask_rows,
    query_words,
    row_int,
    tristate,
)
from referwell.services.directory.grid import Grid

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PSYCHOTHERAPY: Final = "psychotherapy"
AGES: Final = 131  # ages 0-130 are read from tables; any other age is worked out
# Intake classes: 0 passes (taking new clients, or not stated); 1 passes when a waitlist
# is allowed (closed, with a waitlist); 2 never passes (closed, no waitlist).
OPEN, WAITLIST, CLOSED = 0, 1, 2
NO_AGE: Final = -(2**31)  # an unstated age limit, kept as int32
# The packed sort key: (points short of the most) << 43 | telehealth only << 42 |
# tenths of a km << 24 | rank of the id. Scores stay under 2**20, distances on the earth
# under 2**18 tenths of a km, ranks under 2**24 (past that, the key is not packed).
_SCORE_SHIFT, _TELE_SHIFT, _DIST_SHIFT = 43, 42, 24
_SCORE_TOP: Final = 2**20 - 1
_RANKS: Final = 2**24
_CACHED_SETS: Final = 256  # tables kept for sets of codes asked together


# --- the index ----------------------------------------------------------------------


@dataclass
class _Counts:
    """The entries offering a set of codes, counted for the hard filters: how many have a
    payment for referrals, how many do not, and of those, by age (0-130) how many the age
    lets through, and how many the age and intake let through without and with a waitlist;
    `by_profile` keeps the counts by age profile and intake class for any other age."""

    prohibited: int
    total: int
    by_age: IntArray  # (AGES, 3): age passes; age and intake pass; with a waitlist allowed
    by_profile: IntArray  # (profiles, 3 intake classes)


class DirectoryIndex:
    """The directory in columns; `match(query)` answers as `matching.match` does."""

    def __init__(self, columns: Columns) -> None:
        n = len(columns.entry_ids)
        self.size = n
        self._ids = columns.entry_ids
        self._names = columns.names
        self._organization_ids = columns.organization_ids
        self._organization_names = columns.organization_names
        self._services = columns.service_codes
        self._languages = columns.language_codes
        self._insurance = columns.insurance_codes
        self._faiths = columns.faith_codes
        self._kind_codes = sorted(set(columns.kinds))
        kind_of = {kind: index for index, kind in enumerate(self._kind_codes)}
        self._kind = np.array([kind_of[kind] for kind in columns.kinds], dtype=np.int8)
        # Ties go by id as text: the rank of each id, and the ids in that order.
        order = sorted(range(n), key=columns.entry_ids.__getitem__)
        self._sorted_ids = [columns.entry_ids[i] for i in order]
        self._by_rank = np.array(order, dtype=np.int64)
        self._rank = np.empty(n, dtype=np.int64)
        self._rank[self._by_rank] = np.arange(n, dtype=np.int64)
        self._services_raw = mask_rows(columns.services, self._services.words)
        self._services_offered = self._offered(columns.services)
        self._language_rows = mask_rows(columns.languages, self._languages.words)
        self._insurance_rows = mask_rows(columns.insurance, self._insurance.words)
        self._faith_rows = mask_rows(columns.faiths, self._faiths.words)
        self._age_min = np.array(
            [NO_AGE if a is None else a for a in columns.age_min], dtype=np.int64
        )
        self._age_max = np.array(
            [NO_AGE if a is None else a for a in columns.age_max], dtype=np.int64
        )
        self._sliding = np.array([tristate(s) for s in columns.sliding_scale], dtype=np.int8)
        self._telehealth = np.array([tristate(t) for t in columns.telehealth], dtype=np.int8)
        self._accepting = np.array([tristate(a) for a in columns.accepting], dtype=np.int8)
        self._waitlist = np.array(
            [NO_AGE if w is None else w for w in columns.waitlist_weeks], dtype=np.int64
        )
        self._financial_codes = sorted({f for f in columns.financial if f is not None})
        financial_of = {code: index for index, code in enumerate(self._financial_codes)}
        self._financial = np.array(
            [UNKNOWN if f is None else financial_of[f] for f in columns.financial], dtype=np.int16
        )
        self._prohibited = np.array(
            [f in v.PROHIBITED_FINANCIAL_KINDS for f in columns.financial], dtype=np.bool_
        )
        self._gender_codes = sorted({g for g in columns.gender if g is not None})
        gender_of = {code: index for index, code in enumerate(self._gender_codes)}
        self._gender = np.array(
            [UNKNOWN if g is None else gender_of[g] for g in columns.gender], dtype=np.int16
        )
        self._intake_and_capacity()
        self._organizations(columns.organization_ids)
        self._age_profiles(columns)
        self._licensed(columns)
        self._places(columns)
        self._postings: dict[int, IntArray] = {}
        for bit in range(len(self._services.codes)):
            word, shift = divmod(bit, 64)
            has = (self._services_offered[:, word] >> np.uint64(shift)) & np.uint64(1)
            self._postings[bit] = np.flatnonzero(has).astype(np.int64)
        self._counts: dict[int, _Counts] = {0: self._count(np.arange(n, dtype=np.int64))}
        for bit, members in self._postings.items():
            self._counts[1 << bit] = self._count(members)
        self._sets: OrderedDict[int, _Counts] = OrderedDict()
        self._lock = threading.Lock()

    # -- building ----------------------------------------------------------------------

    def _offered(self, raw: Sequence[int]) -> MaskArray:
        """What each entry offers as matching reads it: `psychotherapy` with any modality."""
        modalities = self._services.known_mask(v.MODALITIES)
        therapy = 1 << self._services.bit(PSYCHOTHERAPY)
        return mask_rows(
            [mask | therapy if mask & modalities else mask for mask in raw], self._services.words
        )

    def _intake_and_capacity(self) -> None:
        accepting, weeks = self._accepting, self._waitlist
        self._intake = np.full(self.size, OPEN, dtype=np.int8)
        closed = accepting == 0
        self._intake[closed & (weeks != NO_AGE)] = WAITLIST
        self._intake[closed & (weeks == NO_AGE)] = CLOSED
        # Points for capacity, as `matching` gives them to an entry that passes intake.
        self._capacity = np.where(
            accepting == 1, 15, np.where(accepting == UNKNOWN, 5, np.maximum(0, 10 - weeks))
        ).astype(np.int64)

    def _organizations(self, organization_ids: Sequence[str | None]) -> None:
        """Each entry's organization as a number for the two-organization rule (one with
        none is its own), and each organization's entries."""
        keys: dict[str, int] = {}
        code = np.empty(self.size, dtype=np.int64)
        lone: list[int] = []
        for position, organization in enumerate(organization_ids):
            if organization:
                code[position] = keys.setdefault(organization, len(keys))
            else:
                lone.append(position)
        odd = any(key.startswith("entry:") for key in keys)
        for position in lone:
            own = f"entry:{self._ids[position]}"
            code[position] = keys[own] if odd and own in keys else len(keys) + position
        self._organization = code
        self._organization_keys = keys
        self._lone = np.array(lone, dtype=np.int64)
        member = np.ones(self.size, dtype=np.bool_)
        member[self._lone] = False
        belonging = np.flatnonzero(member)
        order = belonging[np.argsort(code[belonging], kind="stable")]
        self._members_order = order
        self._members_codes = code[order]

    def _age_profiles(self, columns: Columns) -> None:
        """Entries by the ages they serve: their stated range, else their population codes'
        ages, else unknown; `_age_ok[profile, age]` says whether the age passes."""
        population_bits = [
            (code, self._services.bits[code]) for code in v.POPULATIONS if code in POPULATION_AGES
        ]
        profiles: dict[tuple[tuple[int, int | None], ...] | None, int] = {None: 0}
        profile = np.empty(self.size, dtype=np.int64)
        for position in range(self.size):
            low, high = columns.age_min[position], columns.age_max[position]
            key: tuple[tuple[int, int | None], ...] | None
            if low is not None or high is not None:
                key = ((low or 0, high),)
            else:
                mask = columns.services[position]
                key = tuple(
                    POPULATION_AGES[code] for code, bit in population_bits if mask >> bit & 1
                )
                key = key or None
            profile[position] = profiles.setdefault(key, len(profiles))
        self._profile = profile
        self._profile_ranges = list(profiles)
        self._age_ok = np.array(
            [[self._serves(ranges, age) for age in range(AGES)] for ranges in self._profile_ranges],
            dtype=np.bool_,
        )

    @staticmethod
    def _serves(ranges: tuple[tuple[int, int | None], ...] | None, age: int) -> bool:
        """Whether an age passes the age filter: unknown ages pass (as uncertain)."""
        if ranges is None:
            return True
        return any(low <= age and (high is None or age <= high) for low, high in ranges)

    def _age_column(self, age: int) -> BoolArray:
        if 0 <= age < AGES:
            column: BoolArray = self._age_ok[:, age]
            return column
        return np.array([self._serves(r, age) for r in self._profile_ranges], dtype=np.bool_)

    def _licensed(self, columns: Columns) -> None:
        """Per state, the entries offering telehealth and licensed there (unknown licensed
        states never pass)."""
        by_state: dict[str, list[int]] = {}
        for position, states in enumerate(columns.telehealth_states):
            if states is None or columns.telehealth[position] is not True:
                continue
            for state in states:
                by_state.setdefault(state, []).append(position)
        self._by_state = {s: np.array(p, dtype=np.int64) for s, p in by_state.items()}
        self._states = columns.telehealth_states

    def _places(self, columns: Columns) -> None:
        """Every location by entry (to give entries back), and the grid of those with
        coordinates."""
        starts = np.zeros(self.size + 1, dtype=np.int64)
        starts[1:] = np.cumsum(np.array(columns.location_counts, dtype=np.int64))
        self._location_starts = starts
        self._postal_codes = columns.postal_codes
        self._location_states = columns.location_states
        owner = np.repeat(np.arange(self.size, dtype=np.int64), np.diff(starts))
        self._latitudes = np.array(
            [math.nan if x is None else x for x in columns.latitudes], dtype=np.float64
        )
        self._longitudes = np.array(
            [math.nan if x is None else x for x in columns.longitudes], dtype=np.float64
        )
        self._grid = Grid(owner, self._latitudes, self._longitudes)

    # -- the counts of the hard filters ----------------------------------------------------

    def _count(self, members: IntArray) -> _Counts:
        prohibited = self._prohibited[members]
        rest = members[~prohibited]
        profiles = len(self._profile_ranges)
        by_profile = np.bincount(
            self._profile[rest] * 3 + self._intake[rest], minlength=profiles * 3
        ).reshape(profiles, 3)
        by_age = np.empty((AGES, 3), dtype=np.int64)
        ok = self._age_ok.T.astype(np.int64)  # (ages, profiles)
        by_age[:, 0] = ok @ by_profile.sum(axis=1)
        by_age[:, 1] = ok @ by_profile[:, OPEN]
        by_age[:, 2] = ok @ (by_profile[:, OPEN] + by_profile[:, WAITLIST])
        return _Counts(int(prohibited.sum()), len(rest), by_age, by_profile)

    def _counts_for(self, asked: int) -> _Counts:
        found = self._counts.get(asked)
        if found is not None:
            return found
        with self._lock:
            found = self._sets.get(asked)
            if found is None:
                found = self._count(self._offering(asked))
                self._sets[asked] = found
                if len(self._sets) > _CACHED_SETS:
                    self._sets.popitem(last=False)
            else:
                self._sets.move_to_end(asked)
            return found

    def _offering(self, asked: int) -> IntArray:
        """The entries offering every code of the mask: the rarest code's, then the rest."""
        bits = [bit for bit in range(asked.bit_length()) if asked >> bit & 1]
        if not bits:
            return np.arange(self.size, dtype=np.int64)
        rarest = min(bits, key=lambda bit: len(self._postings[bit]))
        members = self._postings[rarest]
        if len(bits) == 1:
            return members
        wanted = query_words(asked, self._services.words)
        return members[has_all(self._services_offered[members], wanted)]

    # -- answering ---------------------------------------------------------------------

    def match(self, query: Query) -> Options:
        """The options for the query, best first, with what each hard filter left out:
        exactly `matching.match` over the same entries."""
        asked = 0
        for code in query.asked_services:
            bit = self._services.bits.get(code)
            if bit is None:  # a code no entry offers
                return Options(query, (), {}, 0)
            asked |= 1 << bit
        counts = self._counts_for(asked)
        wanted = query_words(asked, self._services.words)
        waitlist_ok = query.include_waitlist and not query.urgent
        age_column = self._age_column(query.age)

        conflicted = self._conflicted(query.conflicted)
        named = conflicted[
            has_all(self._services_offered[conflicted], wanted) & ~self._prohibited[conflicted]
        ]
        named_age = age_column[self._profile[named]]
        named_intake = self._intake_passes(named, waitlist_ok)

        if 0 <= query.age < AGES:
            age_passes, open_passes, waitlist_passes = (int(c) for c in counts.by_age[query.age])
        else:
            by_profile = counts.by_profile[age_column]
            age_passes = int(by_profile.sum())
            open_passes = int(by_profile[:, OPEN].sum())
            waitlist_passes = open_passes + int(by_profile[:, WAITLIST].sum())
        intake_passes = waitlist_passes if waitlist_ok else open_passes

        positions, distances, telehealth = self._in_reach(query)
        keep = (
            has_all(self._services_offered[positions], wanted)
            & ~self._prohibited[positions]
            & age_column[self._profile[positions]]
            & self._intake_passes(positions, waitlist_ok)
        )
        if len(conflicted):
            keep &= ~np.isin(positions, conflicted)
        positions, distances, telehealth = positions[keep], distances[keep], telehealth[keep]

        excluded = {
            "financial_conflict": counts.prohibited + len(named),
            "age": counts.total - age_passes - int((~named_age).sum()),
            "intake": age_passes - intake_passes - int((named_age & ~named_intake).sum()),
            "reach": intake_passes - int((named_age & named_intake).sum()) - len(positions),
        }
        chosen = self._best(query, positions, distances, telehealth)
        options = tuple(self._option(query, *item) for item in chosen)
        return Options(query, options, {k: n for k, n in excluded.items() if n}, len(positions))

    def _intake_passes(self, positions: IntArray, waitlist_ok: bool) -> BoolArray:
        intake = self._intake[positions]
        passes: BoolArray = (intake == OPEN) | ((intake == WAITLIST) if waitlist_ok else False)
        return passes

    def _conflicted(self, named: frozenset[str]) -> IntArray:
        """The entries a case's prohibited financial arrangements name: by their id, or their
        organization's ("" names every entry with no organization, as `matching` reads it)."""
        if not named:
            return np.empty(0, dtype=np.int64)
        found: list[IntArray] = []
        for key in named:
            at = bisect.bisect_left(self._sorted_ids, key)
            if at < self.size and self._sorted_ids[at] == key:
                found.append(self._by_rank[at : at + 1])
            code = self._organization_keys.get(key)
            if code is not None:
                low, high = np.searchsorted(self._members_codes, [code, code + 1])
                found.append(self._members_order[low:high])
            if key == "":
                found.append(self._lone)
        if not found:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(found))

    def _in_reach(self, query: Query) -> tuple[IntArray, npt.NDArray[np.float64], BoolArray]:
        """(entries in reach, sorted; their nearest distance in person or NaN; whether
        telehealth serves them)."""
        near, km = self._grid.near(query.latitude, query.longitude, query.max_distance_km)
        if query.telehealth_ok and query.state is not None:
            remote = self._by_state.get(query.state.upper(), np.empty(0, dtype=np.int64))
        else:
            remote = np.empty(0, dtype=np.int64)
        if not len(remote):
            return near, km, np.zeros(len(near), dtype=np.bool_)
        positions = np.union1d(near, remote)
        distances = np.full(len(positions), math.nan)
        distances[np.searchsorted(positions, near)] = km
        telehealth = np.zeros(len(positions), dtype=np.bool_)
        telehealth[np.searchsorted(positions, remote)] = True
        return positions, distances, telehealth

    def _scores(
        self,
        query: Query,
        positions: IntArray,
        distances: npt.NDArray[np.float64],
    ) -> IntArray:
        """Each eligible entry's score, as `matching.evaluate` adds it up."""
        in_person = ~np.isnan(distances)
        score = self._capacity[positions].copy()
        takes = has_any(
            self._insurance_rows[positions],
            query_words(self._insurance.known_mask(query.insurance), self._insurance.words),
        )
        score += 30 * takes
        sliding = self._sliding[positions] == 1
        score += 10 * (sliding & (query.wants_sliding_scale | ~takes))
        spoken = has_any(
            self._language_rows[positions],
            query_words(self._languages.known_mask(query.languages), self._languages.words),
        )
        score += 20 * spoken
        near = np.where(in_person, distances, 0.0)
        score += np.where(
            in_person, np.maximum(0, 20 - np.floor_divide(near, 2).astype(np.int64)), 5
        )
        if query.wants_in_person:
            score += 10 * in_person
        wanted = query.clinician_gender
        if wanted and wanted != "any" and wanted in self._gender_codes:
            score += 10 * (self._gender[positions] == self._gender_codes.index(wanted))
        if query.faith:
            faith = self._faiths.known_mask([query.faith.strip().lower()])
            if faith:
                score += 5 * has_any(
                    self._faith_rows[positions], query_words(faith, self._faiths.words)
                )
        return score.astype(np.int64)

    def _best(
        self,
        query: Query,
        positions: IntArray,
        distances: npt.NDArray[np.float64],
        telehealth: BoolArray,
    ) -> list[tuple[int, float | None, bool, int]]:
        """The first `k` as `matching.best` picks them: (position, distance, telehealth,
        score)."""
        k = query.k
        if k <= 0 or not len(positions):
            return []
        score = self._scores(query, positions, distances)
        in_person = ~np.isnan(distances)
        rank = self._rank[positions]
        tenths = np.where(in_person, np.rint(np.nan_to_num(distances) * 10), 0).astype(np.int64)
        if self.size < _RANKS and int(score.max()) <= _SCORE_TOP and int(score.min()) >= 0:
            key = (
                ((_SCORE_TOP - score) << _SCORE_SHIFT)
                | ((~in_person).astype(np.int64) << _TELE_SHIFT)
                | (tenths << _DIST_SHIFT)
                | rank
            )
            if len(key) > k:
                top = np.argpartition(key, k - 1)[:k]
                top = top[np.argsort(key[top], kind="stable")]
            else:
                top = np.argsort(key, kind="stable")
        else:  # pragma: no cover - past 16 million entries, or scores out of bounds
            key = np.lexsort((rank, tenths, ~in_person, -score))
            order = key
            top = order[:k]
            key = np.empty(len(order), dtype=np.int64)
            key[order] = np.arange(len(order))
        organization = self._organization[positions]
        if k >= 2 and len(top) == k:
            first = organization[top[0]]
            if np.all(organization[top] == first):
                others = np.flatnonzero(organization != first)
                if len(others):
                    top = np.append(top[:-1], others[np.argmin(key[others])])
        return [
            (
                int(positions[at]),
                float(distances[at]) if in_person[at] else None,
                bool(telehealth[at]),
                int(score[at]),
            )
            for at in top
        ]

    def _option(
        self, query: Query, position: int, distance: float | None, telehealth: bool, score: int
    ) -> Option:
        option = evaluate(self.entry(position), query)
        if option is None or (option.score, option.distance_km, option.telehealth) != (
            score,
            distance,
            telehealth,
        ):  # pragma: no cover - the index and the reference disagree: a bug
            raise RuntimeError(
                f"the directory index and matching disagree on {self._ids[position]}"
            )
        return option

    # -- entries back ------------------------------------------------------------------

    def entry(self, position: int) -> Entry:
        """The entry at a position, with what matching reads, its name and organization."""
        low, high = self._location_starts[position], self._location_starts[position + 1]
        age_min, age_max = int(self._age_min[position]), int(self._age_max[position])
        weeks = int(self._waitlist[position])
        financial = int(self._financial[position])
        gender = int(self._gender[position])
        return Entry(
            entry_id=self._ids[position],
            kind=self._kind_codes[int(self._kind[position])],
            name=self._names[position],
            organization_id=self._organization_ids[position],
            organization_name=self._organization_names[position],
            services=self._services.decode(row_int(self._services_raw, position)),
            age_min=None if age_min == NO_AGE else age_min,
            age_max=None if age_max == NO_AGE else age_max,
            languages=self._languages.decode(row_int(self._language_rows, position)),
            insurance=self._insurance.decode(row_int(self._insurance_rows, position)),
            sliding_scale=_bool(self._sliding[position]),
            locations=tuple(
                Location(
                    self._postal_codes[at],
                    self._location_states[at],
                    _coordinate(self._latitudes[at]),
                    _coordinate(self._longitudes[at]),
                )
                for at in range(int(low), int(high))
            ),
            telehealth=_bool(self._telehealth[position]),
            telehealth_states=self._states[position],
            accepting_new_clients=_bool(self._accepting[position]),
            waitlist_weeks=None if weeks == NO_AGE else weeks,
            financial_arrangement=None
            if financial == UNKNOWN
            else self._financial_codes[financial],
            gender=None if gender == UNKNOWN else self._gender_codes[gender],
            faiths=self._faiths.decode(row_int(self._faith_rows, position)),
        )

    def entries(self) -> Iterator[Entry]:
        """Every entry, in the order the index holds them."""
        for position in range(self.size):
            yield self.entry(position)

    def memory_bytes(self) -> int:
        """What the arrays hold (the lists of ids, names and places come on top)."""
        return sum(value.nbytes for value in vars(self).values() if isinstance(value, np.ndarray))


def _coordinate(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _bool(value: Any) -> bool | None:
    number = int(value)
    return None if number == UNKNOWN else bool(number)


def index_of(entries: Iterable[Entry]) -> DirectoryIndex:
    """An index of these entries (tests, and directories read some other way)."""
    columns = Columns.empty()
    for entry in entries:
        columns.add(entry)
    return DirectoryIndex(columns)
