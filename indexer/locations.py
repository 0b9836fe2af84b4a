"""Zip code to a point on the map and a home region, offline, from the maintained `zipcodes` package.

The package ships the US Postal Service's zip table (with latitude, longitude, city and
county), so no network is needed at index time. A zip outside Los Angeles County (the
archive has a few, e.g. 21202 in Baltimore) keeps its location and is flagged, and its
home region is "Outside LA County". Inside the county, the region is the one the region
table gives the zip's postal city or neighbourhood names (vocabulary/regions.py), else the
one data/zip_regions.yaml gives the zip or city ("Los Angeles" alone names no region).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from vocabulary.regions import CANONICAL_REGIONS, OTHER, fold, place_region
from vocabulary.tables import load_table
from vocabulary.values import NOT_STATED, OUTSIDE_LA_COUNTY

__all__ = ["LA_COUNTY", "OUTSIDE_LA_COUNTY", "ZipProblem", "home_region_of", "zip_location"]

LA_COUNTY = "Los Angeles County"
DATA_FILE = Path(__file__).parent / "data" / "zip_regions.yaml"
_ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")


class ZipProblem(ValueError):
    """A zip code that is not a US zip code; the message says why."""


def zip_location(raw) -> dict | None:
    """{zip, lat, lon, place, in_la_county, region} for a zip (ZIP+4 accepted), None when empty.

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
    in_la_county = entry.get("county") == LA_COUNTY and entry.get("state") == "CA"
    return {
        "zip": match.group(1),
        "lat": float(entry["lat"]),
        "lon": float(entry["long"]),
        "place": f"{entry['city']}, {entry['state']}",
        "in_la_county": in_la_county,
        "region": home_region(entry) if in_la_county else OUTSIDE_LA_COUNTY,
    }


def home_region_of(location: dict | None) -> str:
    """The home region an organization's location (from `zip_location`) gives, or "Not stated"."""
    return (location or {}).get("region") or NOT_STATED


def home_region(entry: dict) -> str:
    """The region of a Los Angeles County entry of the zip table; "Other" if none is known."""
    zips, cities = _zip_table()
    if entry["zip_code"] in zips:
        return zips[entry["zip_code"]]
    for name in [entry["city"], *entry.get("acceptable_cities", [])]:
        region = place_region(name) or cities.get(fold(name))
        if region:
            return region
    return OTHER


@lru_cache(maxsize=1)
def _zip_table() -> tuple[dict[str, str], dict[str, str]]:
    """(zip -> region, folded city -> region) from data/zip_regions.yaml, regions checked."""
    data = load_table(DATA_FILE)
    tables = []
    for section in ("zips", "cities"):
        by_key = {}
        for region, keys in data[section].items():
            if region not in CANONICAL_REGIONS:
                raise ValueError(f"{DATA_FILE.name}: unknown region {region!r}")
            by_key.update({(str(key) if section == "zips" else fold(str(key))): region for key in keys})
        tables.append(by_key)
    return tables[0], tables[1]
