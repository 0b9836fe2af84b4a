"""A hand-drawn outline of Los Angeles County and its regions, for the map's background.

Coordinates are (longitude, latitude), written for this project from a general knowledge
of the county's shape: a few dozen points per region, accurate to a mile or two, enough
to place an organization's dot in the right part of the county (no map tiles, no
downloads). The regions are the archive's canonical ones (vocabulary/data/regions.yaml);
City of Los Angeles, LAUSD and County of Los Angeles span several of them and are not
drawn. Santa Catalina and San Clemente islands are left out. Projection: plate carrée
with longitude scaled by the cosine of the county's middle latitude.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # generations imports this module when first asked for organization_regions
    from .generations import LiveIndex

County = list[tuple[float, float]]

COUNTY: County = [
    (-118.94, 34.04), (-118.80, 34.17), (-118.66, 34.24), (-118.65, 34.39), (-118.88, 34.70),
    (-118.88, 34.82), (-117.65, 34.82), (-117.65, 34.10), (-117.73, 34.02), (-117.80, 33.95),
    (-117.93, 33.96), (-118.00, 33.88), (-118.11, 33.75), (-118.19, 33.76), (-118.28, 33.70),
    (-118.42, 33.75), (-118.40, 33.86), (-118.44, 33.95), (-118.45, 33.965), (-118.50, 34.01),
    (-118.68, 34.03),
]  # fmt: skip

REGIONS: dict[str, County] = {
    "Antelope Valley": [
        (-118.88, 34.82), (-117.65, 34.82), (-117.65, 34.38), (-118.05, 34.45), (-118.40, 34.52),
        (-118.70, 34.62), (-118.88, 34.70),
    ],
    "San Fernando Valley": [
        (-118.80, 34.17), (-118.62, 34.15), (-118.50, 34.13), (-118.36, 34.13), (-118.27, 34.12),
        (-118.20, 34.16), (-118.18, 34.23), (-118.30, 34.30), (-118.40, 34.38), (-118.45, 34.48),
        (-118.62, 34.50), (-118.65, 34.39), (-118.66, 34.24),
    ],
    "Westside": [
        (-118.94, 34.04), (-118.80, 34.17), (-118.62, 34.15), (-118.50, 34.13), (-118.36, 34.13),
        (-118.36, 34.11), (-118.37, 34.03), (-118.41, 33.97), (-118.45, 33.965), (-118.50, 34.01),
        (-118.68, 34.03),
    ],
    "Central LA": [
        (-118.36, 34.11), (-118.36, 34.13), (-118.27, 34.12), (-118.21, 34.08), (-118.22, 34.03),
        (-118.30, 34.03), (-118.37, 34.03),
    ],
    "East LA": [
        (-118.21, 34.08), (-118.27, 34.12), (-118.20, 34.16), (-118.16, 34.15), (-118.15, 34.08),
        (-118.12, 34.06), (-118.12, 34.00), (-118.18, 33.99), (-118.22, 34.01), (-118.22, 34.03),
    ],
    "South LA": [
        (-118.37, 34.03), (-118.30, 34.03), (-118.22, 34.03), (-118.22, 34.01), (-118.23, 33.92),
        (-118.33, 33.92), (-118.37, 33.96), (-118.41, 33.97),
    ],
    "South Bay": [
        (-118.45, 33.965), (-118.41, 33.97), (-118.37, 33.96), (-118.33, 33.92), (-118.26, 33.92),
        (-118.25, 33.85), (-118.22, 33.78), (-118.25, 33.72), (-118.28, 33.70), (-118.42, 33.75),
        (-118.40, 33.86), (-118.44, 33.95),
    ],
    "Gateway Cities": [
        (-118.22, 34.01), (-118.18, 33.99), (-118.12, 34.00), (-118.05, 34.00), (-117.93, 33.96),
        (-118.00, 33.88), (-118.11, 33.75), (-118.19, 33.76), (-118.22, 33.78), (-118.25, 33.85),
        (-118.26, 33.92), (-118.23, 33.92),
    ],
    "San Gabriel Valley": [
        (-118.20, 34.16), (-118.18, 34.23), (-118.05, 34.20), (-117.85, 34.16), (-117.65, 34.15),
        (-117.65, 34.10), (-117.73, 34.02), (-117.80, 33.95), (-117.93, 33.96), (-118.05, 34.00),
        (-118.12, 34.00), (-118.12, 34.06), (-118.15, 34.08), (-118.16, 34.15),
    ],
}  # fmt: skip

# Where a label reads best when the centre of the points does not (a thin or bent region).
LABEL_AT = {
    "Westside": (-118.60, 34.07),
    "South Bay": (-118.35, 33.82),
    "Central LA": (-118.315, 34.08),
    "East LA": (-118.15, 34.035),
}
WIDTH = 600  # SVG user units across the county
MARGIN = 12  # units around the outline


class Projection:
    """Longitude/latitude to SVG coordinates over the county's bounding box."""

    def __init__(self, outline: County = COUNTY, width: float = WIDTH, margin: float = MARGIN):
        lons, lats = [lon for lon, _ in outline], [lat for _, lat in outline]
        self.west, self.north = min(lons), max(lats)
        self.squash = math.cos(math.radians((min(lats) + max(lats)) / 2))
        self.scale = (width - 2 * margin) / ((max(lons) - self.west) * self.squash)
        self.margin = margin
        self.width = width
        self.height = round((self.north - min(lats)) * self.scale + 2 * margin)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.margin + (lon - self.west) * self.squash * self.scale
        y = self.margin + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)

    def path(self, outline: County) -> str:
        """An SVG path (`d`) through the points, closed."""
        return "M" + " L".join(f"{x},{y}" for x, y in (self.point(lon, lat) for lon, lat in outline)) + " Z"


def region_shapes(projection: Projection) -> list[dict]:
    """Each drawn region's path and label position."""
    shapes = []
    for name, outline in REGIONS.items():
        lon, lat = LABEL_AT.get(name) or (
            sum(p[0] for p in outline) / len(outline),
            sum(p[1] for p in outline) / len(outline),
        )
        x, y = projection.point(lon, lat)
        shapes.append({"name": name, "path": projection.path(outline), "label_x": x, "label_y": y})
    return shapes


def inside(outline: County, lon: float, lat: float) -> bool:
    """Whether the point lies inside the polygon (ray casting)."""
    found = False
    for (x1, y1), (x2, y2) in zip(outline, outline[1:] + outline[:1]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            found = not found
    return found


def regions_of_organizations(live: LiveIndex) -> dict[int, str]:
    """Organization docnum -> its home region, or for an index built before home regions,
    the drawn region its location falls in (`LiveIndex.organization_regions` keeps it)."""
    found = {}
    for docnum, location in live.columns.locations.items():
        if location and location.get("region"):
            found[docnum] = location["region"]
        elif location:
            lon, lat = location["lon"], location["lat"]
            found[docnum] = next((name for name, outline in REGIONS.items() if inside(outline, lon, lat)), "")
    return found
