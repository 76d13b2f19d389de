"""Distance on the earth as matching measures it: the haversine on a sphere of radius 6371.0 km,
rounded to 0.1 km (half up), so that every implementation (this one, an in-memory index, SQL)
ranks the same options in the same order."""

from __future__ import annotations

import math
from typing import Final

EARTH_RADIUS_KM: Final = 6371.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in km, unrounded."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def rounded_km(km: float) -> float:
    """A distance to 0.1 km, half up (12.25 -> 12.3), as every ranking uses it."""
    return math.floor(km * 10 + 0.5) / 10


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The distance matching uses: the haversine, rounded to 0.1 km."""
    return rounded_km(haversine_km(lat1, lon1, lat2, lon2))


def valid_coordinates(latitude: float | None, longitude: float | None) -> bool:
    """Whether these can be a place on earth (a latitude of 100 cannot)."""
    return (
        latitude is not None
        and longitude is not None
        and -90.0 <= latitude <= 90.0
        and -180.0 <= longitude <= 180.0
    )
