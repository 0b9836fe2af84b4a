"""Zip code to a point on the map, offline, from the maintained `zipcodes` package.

The package ships the US Postal Service's zip table (with latitude, longitude, city and
county), so no network is needed at index time. A zip outside Los Angeles County (the
archive has a few, e.g. 21202 in Baltimore) keeps its location and is flagged.
"""

from __future__ import annotations

import re

__all__ = ["LA_COUNTY", "ZipProblem", "zip_location"]

LA_COUNTY = "Los Angeles County"
_ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")


class ZipProblem(ValueError):
    """A zip code that is not a US zip code; the message says why."""


def zip_location(raw) -> dict | None:
    """{lat, lon, place, in_la_county} for a zip (ZIP+4 accepted), None when empty.

    :raises ZipProblem: for a value that is not a five-digit US zip code in the table.
    """
    text = str(raw or "").strip()
    if not text:
        return None
    match = _ZIP.match(text)
    if not match:
        raise ZipProblem(f"zip {text[:20]!r} is not a five-digit US zip code")
    import zipcodes  # its table is loaded on first use: only when an organization has a zip

    found = zipcodes.matching(match.group(1))
    if not found:
        raise ZipProblem(f"zip {match.group(1)} is not in the US zip code table")
    entry = found[0]
    return {
        "zip": match.group(1),
        "lat": float(entry["lat"]),
        "lon": float(entry["long"]),
        "place": f"{entry['city']}, {entry['state']}",
        "in_la_county": entry.get("county") == LA_COUNTY and entry.get("state") == "CA",
    }
