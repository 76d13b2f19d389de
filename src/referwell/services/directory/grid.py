"""Where entries see clients in person, as a grid: rows of half a degree of latitude, each
sorted by longitude. A question reads the rows its radius touches, and in each the run of
longitudes its radius allows, then measures the haversine exactly as
`domain.directory.geo` does; a distance that falls within a hair of a rounding edge is
measured again by `geo` itself, so every answer rounds as the reference rounds.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from referwell.domain.directory.geo import EARTH_RADIUS_KM, distance_km

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

DEG: Final = math.pi / 180.0  # what math.radians multiplies by
ROW_DEGREES: Final = 0.5
ROWS: Final = int(180 / ROW_DEGREES)
EDGE: Final = 1e-6  # how near a rounding edge a distance is measured again by `geo`


class Grid:
    """The locations with coordinates, by row of latitude and longitude; each knows its
    entry (`owner`)."""

    def __init__(self, owner: IntArray, lat: FloatArray, lon: FloatArray) -> None:
        placed = ~(np.isnan(lat) | np.isnan(lon))
        # Coordinates off the map (a latitude past 90, a longitude past 180) are measured
        # on every question, as `geo` measures them; there should be none.
        odd = placed & ((np.abs(lat) > 90) | (np.abs(lon) > 180) | ~np.isfinite(lat + lon))
        grid = placed & ~odd
        row = np.floor((lat[grid] + 90.0) / ROW_DEGREES).astype(np.int64)
        row = np.minimum(row, ROWS - 1)
        order = np.lexsort((lon[grid], row))
        self._owner = owner[grid][order]
        self._lat = lat[grid][order] * DEG
        self._cos = np.cos(self._lat)
        self._lon = lon[grid][order]
        self._degrees = lat[grid][order]
        self._row_starts = np.searchsorted(row[order], np.arange(ROWS + 1), side="left")
        self._odd_owner = owner[odd]
        self._odd_lat = lat[odd]
        self._odd_lon = lon[odd]

    def near(
        self, lat: float | None, lon: float | None, limit: float
    ) -> tuple[IntArray, FloatArray]:
        """The entries with a location within `max_distance_km`, sorted, and the nearest
        such location's distance (rounded to 0.1 km, as `geo` rounds it)."""
        empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
        if lat is None or lon is None or not limit >= 0:
            return empty
        candidates = self._window(lat, lon, limit)
        p1 = math.radians(lat)
        cos1 = math.cos(p1)
        dp = self._lat[candidates] - p1
        dl = (self._lon[candidates] - lon) * DEG
        a = np.sin(dp / 2) ** 2 + cos1 * self._cos[candidates] * np.sin(dl / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        tenths = km * 10 + 0.5
        rounded = np.floor(tenths) / 10
        edge = np.abs(tenths - np.rint(tenths)) < EDGE
        owners = self._owner[candidates]
        if edge.any():  # a hair from a rounding edge: as `geo` measures it
            for at in np.flatnonzero(edge):
                place = candidates[at]
                rounded[at] = distance_km(
                    lat, lon, float(self._degrees[place]), float(self._lon[place])
                )
        if len(self._odd_owner):
            odd = np.array(
                [
                    distance_km(lat, lon, float(a_), float(b_))
                    for a_, b_ in zip(self._odd_lat, self._odd_lon, strict=True)
                ],
                dtype=np.float64,
            )
            owners = np.concatenate([owners, self._odd_owner])
            rounded = np.concatenate([rounded, odd])
        inside = rounded <= limit
        owners, rounded = owners[inside], rounded[inside]
        if not len(owners):
            return empty
        order = np.lexsort((rounded, owners))
        owners, rounded = owners[order], rounded[order]
        first = np.ones(len(owners), dtype=np.bool_)
        first[1:] = owners[1:] != owners[:-1]
        return owners[first], rounded[first]

    def _window(self, lat: float, lon: float, limit: float) -> IntArray:
        """The grid's locations that may lie within `limit` km (rounded) of the point."""
        if not math.isfinite(limit):
            return np.arange(len(self._owner), dtype=np.int64)
        # Rounded to 0.1 km and within the limit: less than limit + 0.05 km on the sphere.
        angle = (limit + 0.1) / EARTH_RADIUS_KM * (1 + 1e-9)
        reach = math.degrees(angle) + 1e-9
        if reach >= 90 or abs(lat) + reach >= 90:
            spans = [(-180.0, 180.0)]
        else:
            ratio = math.sin(angle) / math.cos(math.radians(lat))
            if ratio >= 1:
                spans = [(-180.0, 180.0)]
            else:
                wide = math.degrees(math.asin(ratio)) * (1 + 1e-9) + 1e-9
                spans = [(lon - wide, lon + wide)]
                if lon - wide < -180:
                    spans.append((lon - wide + 360, 180.0))
                if lon + wide > 180:
                    spans.append((-180.0, lon + wide - 360))
        rows = ROWS
        first = max(0, math.floor((lat - reach + 90.0) / ROW_DEGREES))
        last = min(rows - 1, math.floor((lat + reach + 90.0) / ROW_DEGREES))
        pieces: list[IntArray] = []
        for row in range(first, last + 1):
            start, end = int(self._row_starts[row]), int(self._row_starts[row + 1])
            if start == end:
                continue
            lons = self._lon[start:end]
            for low, high in spans:
                left = int(np.searchsorted(lons, low, side="left"))
                right = int(np.searchsorted(lons, high, side="right"))
                if right > left:
                    pieces.append(np.arange(start + left, start + right, dtype=np.int64))
        if not pieces:
            return np.empty(0, dtype=np.int64)
        return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
