"""Matching proposals per year and per goal, as bars drawn server-side in SVG and as tables.

A bar counts the proposals (organizations when grouped) of the current search with that
year or goal, leaving out the facet's own selection as facet counts do, and links to the
search with that value and `kind=proposal`, whose `total` it equals. Every year of the
search's range of years has a bar, zero included (matrix.axis_counts), so a gap shows as one.
"""

from __future__ import annotations


from engine import LiveIndex, SearchOutcome

from .matrix import axis_counts

SERIES = ("year", "goal")
PROPOSAL = "proposal"
BAR_AREA = (560, 160)  # SVG units: width, height of the bars' area
AXIS_SPACE = 34  # units below the bars for their labels
HEADROOM = 16  # units above the tallest bar for its count


def proposal_series(live: LiveIndex, outcome: SearchOutcome, group: str, state: dict, link) -> dict:
    """facet -> {bars, largest, svg geometry} for every facet of SERIES.

    :param group: the search's grouping ("" for documents): what a bar counts.
    """
    proposals = live.columns.masks["kind"].get(PROPOSAL, 0)
    counting = "organizations" if group else "proposals"
    selection = outcome.selection
    charts = {}
    for facet in SERIES:
        counts = axis_counts(live, group, selection, facet, selection.without(facet) & proposals)
        charts[facet] = {**_bars(facet, counts, state, link), "counting": counting, "title": _TITLES[counting].format(facet)}
    return charts


_TITLES = {"proposals": "Matching proposals per {}", "organizations": "Organizations with matching proposals per {}"}


def _bars(facet: str, counts: list[tuple[str, int]], state: dict, link) -> dict:
    if not any(count for _, count in counts):  # nothing matches: no chart of zeros
        counts = []
    largest = max((count for _, count in counts), default=0)
    width, height = BAR_AREA
    slot = width / max(len(counts), 1)
    bars = []
    for index, (value, count) in enumerate(counts):
        tall = round((height - HEADROOM) * count / largest, 1)
        bars.append(
            {
                "value": value,
                "count": count,
                "url": link({**state, facet: [value], "kind": [PROPOSAL]}),
                "x": round(index * slot + slot * 0.15, 1),
                "y": round(height - tall, 1),
                "width": round(slot * 0.7, 1),
                "height": tall,
                "label_x": round(index * slot + slot / 2, 1),
                "count_y": round(height - tall - 4, 1),
            }
        )
    return {"facet": facet, "bars": bars, "largest": largest, "width": width, "height": height, "axis": AXIS_SPACE}
