"""Counts that describe a generation: for `la2050-search stats` and `/healthz`."""

from __future__ import annotations

from .columns import FACETS, Columns
from .store import Generation


def generation_stats(generation: Generation) -> dict:
    """Generation, documents per kind, facet value counts and size on disk."""
    with generation.reader() as reader:
        columns = Columns.load(reader, generation.manifest.get("links"))
    facets = {}
    for facet in FACETS:
        counts = columns.value_counts(facet, columns.all_docs)
        facets[facet] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    kinds = facets["kind"]
    return {
        "generation": generation.number,
        "documents": {kind: kinds.get(kind, 0) for kind in ("proposal", "organization", "article")},
        "facets": facets,
        "size_bytes": generation.size_bytes(),
    }
