"""Where the work of a search is: its organizations as dots over the county's regions.

Every matching document counts for its organization (grouped or not: the dot's size is
the organization's matching documents); an organization is drawn at the location of its
zip code (`Columns.locations`, from the organizations' data). Organizations outside the
county or without a known zip, and documents linked to no organization, are counted in
notes rather than drawn somewhere wrong. The region an organization's dot falls in is
its home region (the region of its zip code, indexer/locations.py), or for an index
built before home regions, the one its point falls in (point-in-polygon, once per
generation).

The same search can also be drawn by where its proposals say they work (`by=work`): one
circle per region on the outline, sized by the matching documents naming it; values no
outline draws (the City or County of Los Angeles as a whole, LAUSD, "Other") are listed.
"""

from __future__ import annotations

import math
from collections import Counter

from engine import BadRequest, LiveIndex, SearchOutcome
from engine.grouping import docnums_in
from engine.la_outline import COUNTY, REGIONS, Projection, inside, region_shapes

from .charts import proposal_series

ORGANIZATION = "organization"
TABLE_ROWS = 50  # organizations a page of the map's text list shows (all of them are in the JSON)
DOT_RADIUS = (2.0, 2.2, 14.0)  # base, growth per square root of documents, largest
WORK_RADIUS = (5.0, 30.0)  # a region's circle: the smallest, and the one of the most-named region
MAP_BY = {  # what the dots stand for, as the page labels it
    "home": "Organizations at their home base (the zip code they give)",
    "work": "Where the proposals say they work (the regions they name)",
}


def map_view(
    live: LiveIndex, outcome: SearchOutcome, group: str, state: dict, link, list_page: int = 1, page_link=None, by: str = "home"
) -> dict:
    """Dots, outline, notes and the per-year and per-goal charts of one search.

    :param outcome: the search, as the engine ran it.
    :param group: the search's grouping ("" for documents).
    :param list_page: the page of the organizations' text list (`table`) to show.
    :param page_link: builds URLs of the map page itself, for the list's pages.
    :param by: "home": organizations at their zip codes; "work": the regions proposals name.
    """
    columns = live.columns
    hits = outcome.selection.hits
    per_organization, unlinked = _documents_per_organization(live, hits)
    projection = Projection()
    locations = columns.locations
    placed_regions = live.organization_regions
    dots, outside, unlocated = [], 0, 0
    for docnum, count in sorted(per_organization.items(), key=lambda item: (-item[1], columns.titles[item[0]].casefold())):
        location = locations.get(docnum)
        if not location:
            unlocated += 1
            continue
        lat, lon = location["lat"], location["lon"]
        if not location.get("in_la_county"):
            outside += 1
            continue
        x, y = projection.point(lon, lat)
        dots.append(
            {
                "id": columns.ids[docnum],
                "name": columns.titles[docnum],
                "url": "/doc/" + columns.ids[docnum],
                "count": count,
                "lat": lat,
                "lon": lon,
                "place": location.get("place", ""),
                "x": x,
                "y": y,
                "r": _radius(count),
                "region": placed_regions.get(docnum, ""),
            }
        )
    by_region = Counter(dot["region"] or "Elsewhere in the county" for dot in dots)
    page_link = page_link or link
    return {
        "ok": True,
        "by": by,
        "by_label": MAP_BY[by],
        "by_links": [{"by": name, "label": label, "url": page_link({**state, "by": name} if name != "home" else state),
                      "current": name == by} for name, label in MAP_BY.items()],  # fmt: skip
        "work_regions": _work_regions(columns, hits, projection, link, state),
        "total": outcome.total,
        "total_documents": outcome.total_documents,
        "counting": "organizations" if group else "documents",
        "search_url": link(state),
        "organizations_url": link({**state, "group": ORGANIZATION}),
        "notes": outcome.notes,  # the search as it ran: close spellings, any word, unknown values
        "organizations": dots,
        **_table_page(dots, list_page, {**state, "by": by} if by != "home" else state, page_link),
        "organizations_found": len(per_organization),
        "outside_county": outside,
        "without_location": unlocated,
        "unlinked_documents": unlinked,
        "regions": [{"name": name, "organizations": count} for name, count in by_region.most_common()],
        "outline": {
            "width": projection.width,
            "height": projection.height,
            "county": projection.path(COUNTY),
            "regions": region_shapes(projection),
        },
        "legend": [{"documents": n, "r": _radius(n)} for n in (1, 5, 20)],
        "charts": proposal_series(live, outcome, group, state, link),
        "empty": outcome.total == 0,
        "generation": live.generation.number,
    }


def _table_page(dots: list[dict], page: int, state: dict, page_link) -> dict:
    """One page of the text list of every organization on the map, and links to the others.

    :raises BadRequest: for a page past the last.
    """
    pages = max(1, math.ceil(len(dots) / TABLE_ROWS))
    if page > pages:
        raise BadRequest(f"list_page must be between 1 and {pages}, not {page}")
    first = (page - 1) * TABLE_ROWS

    def url(number: int) -> str:
        return page_link({**state, "list_page": number} if number > 1 else state)

    return {
        "table": dots[first : first + TABLE_ROWS],
        "table_pages": {
            "page": page,
            "pages": pages,
            "first": first + 1 if dots else 0,
            "last": min(first + TABLE_ROWS, len(dots)),
            "prev_url": url(page - 1) if page > 1 else None,
            "next_url": url(page + 1) if page < pages else None,
            "pages_list": [{"number": n, "url": url(n), "current": n == page} for n in range(1, pages + 1)],
        },
    }


def _documents_per_organization(live: LiveIndex, hits: int) -> tuple[Counter, int]:
    """Organization docnum -> matching documents, and how many matches have no organization."""
    columns, keys = live.columns, live.group_keys
    kinds = columns.values["kind"]
    counts: Counter = Counter()
    unlinked = 0
    for docnum in docnums_in(hits):
        organization = columns.by_id.get(keys[docnum])
        if organization is not None and kinds[organization] == (ORGANIZATION,):
            counts[organization] += 1
        else:
            unlinked += 1
    return counts, unlinked


def _work_regions(columns, hits: int, projection: Projection, link, state: dict) -> list[dict]:
    """Each region the matching documents name, with how many name it: a circle at the
    region's label for the regions the outline draws, no position for the others."""
    counts = columns.value_counts("region", hits)
    largest = max(counts.values(), default=1)
    smallest, biggest = WORK_RADIUS
    labels = {shape["name"]: (shape["label_x"], shape["label_y"]) for shape in region_shapes(projection)}
    found = []
    for region, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        x, y = labels.get(region, (None, None))
        found.append({
            "region": region, "documents": count, "drawn": region in labels, "x": x, "y": y,
            "r": round(smallest + (biggest - smallest) * math.sqrt(count / largest), 1),
            "url": link({**state, "region": [region]}),
        })  # fmt: skip
    return found


def _radius(documents: int) -> float:
    base, growth, largest = DOT_RADIUS
    return round(min(largest, base + growth * math.sqrt(documents)), 1)
