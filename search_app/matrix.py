"""Cross-tabulate a search by two facets: any two of region, metric, goal, year, kind,
outcome, topic and organization type, as counts or as shares.

A cell counts the documents (organizations when grouped) of the current search that
carry both its row value and its column value, and links to the search that lists them:
the current search with the row facet set to that one value and the column facet to the
other. Both come from the bitsets the search's outcome carries (`SearchOutcome.selection`,
engine/selection.py; a year × outcome cell counts that year's events), leaving out the row
and column facets' own selections just as a facet's counts leave out its own: so a cell's
count is, by construction, the `total` of the search its link opens (a selected row value
stays a row; unselected values of a facet that has a selection are not shown).

Shares put counts of unequal years side by side (2020 had twice 2019's proposals): a
cell as a percentage of its row's total, its column's total, or of every document of its
year in the archive (`share=year`, with year as an axis). Every year from the first to
the last one counted is an axis value, zeros included, so a gap shows as a gap.
"""

from __future__ import annotations

import csv
import io
import math

from engine import BadRequest, LiveIndex, SearchOutcome, Selection
from engine.grouping import value_counter
from vocabulary.facets import CHRONOLOGICAL, FACETS

from .export import spreadsheet_cell
from .params import choice_param

DEFAULT_DIMENSIONS = ("region", "metric")
PRESETS = (("region", "metric"), ("year", "goal"), ("region", "goal"))  # offered on the page
HEAT_LEVELS = 5  # shades of a cell, 1 (fewest) to 5 (most); 0 is an empty cell
ALL = "all"
SHARES = ("", "row", "col", "year")  # what a cell is a percentage of ("" for plain counts)
SHARE_LABELS = {"": "Counts", "row": "% of the row", "col": "% of the column", "year": "% of the year's documents"}


def parse_matrix_args(args, config: dict) -> tuple[str, str, int | None]:
    """`rows`, `cols` (facet names) and `limit` (values shown per axis, None for all).

    :raises BadRequest: for an unknown facet, the same facet twice, or a bad limit.
    """
    rows = choice_param(args, "rows", FACETS, default=DEFAULT_DIMENSIONS[0])
    cols = choice_param(args, "cols", FACETS, default=DEFAULT_DIMENSIONS[1])
    if rows == cols:
        raise BadRequest(f"rows and cols must be two different facets, not {rows!r} twice")
    raw = args.get("limit", "").strip().lower()
    if raw in ("", ALL):
        return rows, cols, None if raw == ALL else config["MATRIX_LIMIT"]
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 10_000:
        raise BadRequest(f"limit must be a whole number from 1 to 10000, or {ALL!r}, not {raw[:40]!r}")
    return rows, cols, int(raw)


def parse_share(args, dimensions: tuple[str, str, int | None]) -> str:
    """`share`: "" (counts), row, col or year; year needs year as one of the axes.

    :raises BadRequest: naming the allowed values.
    """
    share = choice_param(args, "share", SHARES)
    if share == "year" and "year" not in dimensions[:2]:
        raise BadRequest("share=year needs year as rows or cols")
    return share


def matrix_view(
    live: LiveIndex, outcome: SearchOutcome, group: str, dimensions: tuple[str, str, int | None], state: dict, link, labels, share: str = ""
) -> dict:
    """The matrix of one search, with a search URL for every cell, row and column.

    :param outcome: the search, as the engine ran it (its selection spells the values as indexed).
    :param group: the search's grouping ("" for documents): what a cell counts.
    :param state: the URL parameters of the search (viewmodel.request_state).
    :param link: builds a search-page URL from parameters.
    :param labels: facet -> its display label.
    """
    rows, cols, limit = dimensions
    selection = outcome.selection
    row_axis = axis_counts(live, group, selection, rows, selection.without(rows))
    col_axis = axis_counts(live, group, selection, cols, selection.without(cols))
    row_axis, rows_hidden = _limited(row_axis, limit, rows)
    col_axis, cols_hidden = _limited(col_axis, limit, cols)
    outside = selection.leaving_out(rows, cols)
    counts = _cell_counts(live, group, outside, (rows, [v for v, _ in row_axis]), (cols, [v for v, _ in col_axis]))
    percent = _share_of(live, group, share, rows, dict(row_axis), dict(col_axis))
    shares = {pair: percent(*pair, count) for pair, count in counts.items()}
    largest = max(counts.values(), default=0)
    heat_of, heat_max = (shares, max(shares.values(), default=0)) if share else (counts, largest)

    def drill(**values: str) -> str:
        return link({**state, **{facet: [value] for facet, value in values.items()}})

    return {
        "ok": True,
        "dimensions": {"rows": rows, "cols": cols, "rows_label": labels[rows], "cols_label": labels[cols]},
        "counting": "organizations" if group else "documents",
        "total": outcome.total,
        "total_documents": outcome.total_documents,
        "search_url": link(state),
        "notes": outcome.notes,  # the search as it ran: close spellings, any word, unknown values
        "rows": [{"value": value, "total": total, "url": drill(**{rows: value})} for value, total in row_axis],
        "cols": [{"value": value, "total": total, "url": drill(**{cols: value})} for value, total in col_axis],
        "share": share or None,
        "share_label": SHARE_LABELS[share],
        "cells": [
            [
                _cell(row, col, counts.get((row, col), 0), heat_of.get((row, col), 0), heat_max, drill(**{rows: row, cols: col}))
                | ({"share": shares.get((row, col), 0.0)} if share else {})
                for col, _ in col_axis
            ]
            for row, _ in row_axis
        ],
        "max_count": largest,
        "hidden": {"rows": rows_hidden, "cols": cols_hidden},
        "limit": limit,
        "empty": outcome.total == 0,
        "generation": live.generation.number,
    }


def axis_counts(live: LiveIndex, group: str, selection: Selection, facet: str, bits: int) -> list[tuple[str, int]]:
    """(value, count) of `bits` along one axis, values as the other selections couple them:
    selected values if the facet has a selection, else every value found."""
    counts = value_counter(live, group)(facet, bits, selection.value_masks(facet))
    selected = selection.selected.get(facet)
    if selected:
        counts = {value: counts.get(value, 0) for value in selected}
    if facet in CHRONOLOGICAL:
        every_year = {} if selected else dict.fromkeys(years_between(counts), 0)
        return sorted({**every_year, **counts}.items())
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))


def years_between(counts: dict[str, int]) -> list[str]:
    """Every year from the first to the last one counted, those counted zero times included."""
    known = [int(year) for year, count in counts.items() if count and year.isdigit()]
    return [str(year) for year in range(min(known), max(known) + 1)] if known else []


def _share_of(live: LiveIndex, group: str, share: str, rows: str, row_totals: dict, col_totals: dict):
    """A function (row, col, count) -> the count as a percentage of what `share` names."""
    if share == "row":
        return lambda row, _col, count: _percent(count, row_totals.get(row, 0))
    if share == "col":
        return lambda _row, col, count: _percent(count, col_totals.get(col, 0))
    if share == "year":
        per_year = value_counter(live, group)("year", live.columns.all_docs)
        if rows == "year":
            return lambda row, _col, count: _percent(count, per_year.get(row, 0))
        return lambda _row, col, count: _percent(count, per_year.get(col, 0))
    return lambda _row, _col, _count: None


def _percent(count: int, whole: int) -> float:
    return round(100 * count / whole, 1) if whole else 0.0


def matrix_csv(view: dict) -> str:
    """The matrix as CSV: a header of column values, then one line per row value with its
    cells (counts, or shares in percent) and its total; UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    dimensions = view["dimensions"]
    measure = "count" if not view["share"] else "percent " + view["share_label"].removeprefix("% ")
    writer.writerow([spreadsheet_cell(f"{dimensions['rows_label']} \\ {dimensions['cols_label']} ({measure})"),
                     *(spreadsheet_cell(col["value"]) for col in view["cols"]), "Total"])  # fmt: skip
    key = "share" if view["share"] else "count"
    for row, cells in zip(view["rows"], view["cells"]):
        writer.writerow([spreadsheet_cell(row["value"]), *(cell[key] for cell in cells), row["total"]])
    writer.writerow(["Total", *(col["total"] for col in view["cols"]), view["total"]])
    return buffer.getvalue()


def _limited(axis: list[tuple[str, int]], limit: int | None, facet: str = "") -> tuple[list[tuple[str, int]], int]:
    """The `limit` values of an axis with the largest totals, in the axis's own order (years
    stay chronological), and how many were left out. Years without documents between the
    first and last year kept stay too: a gap in the middle is shown, not hidden."""
    if limit is None or len(axis) <= limit:
        return axis, 0
    kept = set(sorted(range(len(axis)), key=lambda at: -axis[at][1])[:limit])  # stable: ties keep axis order
    counted = [at for at in kept if axis[at][1]]
    if facet in CHRONOLOGICAL and counted:  # zero years kept by a tie go; those inside the range come
        kept = set(counted) | {at for at in range(min(counted), max(counted) + 1) if not axis[at][1]}
    shown = [item for at, item in enumerate(axis) if at in kept]
    return shown, len(axis) - len(shown)


def _cell_counts(live: LiveIndex, group: str, outside: Selection, rows: tuple[str, list], cols: tuple[str, list]) -> dict:
    """(row value, col value) -> documents (or groups) of the search having both, `outside`
    being the search without the row and column selections: a cell is the search with both
    selected, so a year × outcome cell counts the events of that year."""
    (row_facet, row_values), (col_facet, col_values) = rows, cols
    count = value_counter(live, group)
    base, row_masks = outside.hits, outside.value_masks(row_facet)
    counts = {}
    for row in row_values:
        in_row = base & row_masks.get(row, 0)
        if not in_row:
            continue
        col_masks = outside.choosing(row_facet, [row]).value_masks(col_facet)
        for col, found in count(col_facet, in_row, {col: col_masks.get(col, 0) for col in col_values}).items():
            counts[row, col] = found
    return counts


def _cell(row: str, col: str, count: int, heat: float, hottest: float, url: str) -> dict:
    """One cell; `heat` (its count or share) against `hottest` picks its shade."""
    level = max(1, math.ceil(heat * HEAT_LEVELS / hottest)) if count and hottest else 0  # every non-empty cell is shaded
    return {"row": row, "col": col, "count": count, "url": url, "level": level}
