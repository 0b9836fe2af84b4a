"""Links between the views of one search: results, matrix, map, export, grouping.

Every view keeps the current search (its URL parameters, `viewmodel.request_state`) so a
reader can move from the result list to its matrix or map and back without losing it.
"""

from __future__ import annotations

from flask import url_for

from vocabulary.facets import FACET_LABELS, FACETS


EXPORT_FORMATS = ("csv", "json", "ndjson")


def facet_labels() -> dict[str, str]:
    """Facet -> its display label (a facet without one reads as its name)."""
    return {facet: FACET_LABELS.get(facet, facet.replace("_", " ").capitalize()) for facet in FACETS}


def view_links(state: dict) -> dict:
    """The URLs of every view of the search `state`, and of the same search grouped or not."""
    ungrouped = {key: value for key, value in state.items() if key != "group"}
    return {
        "results": url_for("pages.search", **state),
        "matrix": url_for("explore.matrix_page", **state),
        "map": url_for("explore.map_page", **state),
        "csv": url_for("explore.export", format="csv", **state),
        "json": url_for("api.search", **state),
        "by_document": url_for("pages.search", **ungrouped),
        "by_organization": url_for("pages.search", **ungrouped, group="organization"),
        "grouped": bool(state.get("group")),
    }
