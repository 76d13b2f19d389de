"""Places as the directory keeps them: US states, ZIP codes and their centres, coordinates.

A location with a US ZIP code and no coordinates gets the ZIP code's centre from the
`zipcodes` package (offline); coordinates that cannot be a place on earth are dropped.
The importers report both.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Final

from referwell.domain.directory.geo import valid_coordinates

# The states, the District of Columbia and the territories, by their USPS codes.
STATE_NAMES: Final[dict[str, str]] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "AS": "American Samoa",
    "GU": "Guam", "MP": "Northern Mariana Islands", "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
}  # fmt: skip
STATES: Final = frozenset(STATE_NAMES)
_BY_NAME: Final = {name.casefold(): code for code, name in STATE_NAMES.items()}
US_ZIP: Final = re.compile(r"^(\d{5})(?:-\d{4})?$")
US_COUNTRIES: Final = frozenset({"us", "usa", "united states", "united states of america"})


def state_code(text: str | None) -> str | None:
    """`CA`, `ca` or `California` -> `CA`; None when it names no US state or territory."""
    if not text or not text.strip():
        return None
    words = " ".join(text.split())
    if words.upper() in STATES:
        return words.upper()
    return _BY_NAME.get(words.casefold())


def in_us(country: str | None) -> bool:
    """Whether a country field allows a US ZIP code (an empty one does)."""
    return not country or " ".join(country.split()).casefold() in US_COUNTRIES


def zip5(postal_code: str | None) -> str | None:
    """The five digits of a US ZIP code (`94110-1234` -> `94110`); None when it is not one."""
    if not postal_code:
        return None
    found = US_ZIP.match(postal_code.strip())
    return found.group(1) if found else None


@cache
def zip_centre(code: str) -> tuple[float, float, str] | None:
    """(latitude, longitude, state) of a five-digit US ZIP code's centre; None when the
    `zipcodes` package does not know it."""
    import zipcodes

    matching: Any = zipcodes.matching  # the package has no type hints
    try:
        found = matching(code)
    except (TypeError, ValueError):
        return None
    for place in found:
        try:
            latitude, longitude = float(place["lat"]), float(place["long"])
        except (KeyError, TypeError, ValueError):
            continue
        if valid_coordinates(latitude, longitude):
            return latitude, longitude, str(place.get("state") or "")
    return None
