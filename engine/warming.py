"""Load ahead of the first search what it would otherwise build and wait for.

A server warms up before it takes requests (la2050_search/server.py), so that no user's
first search pays for what every search after it shares: the embedding model and the
generation's vectors (semantic.py), the relevance order's tie-break, the organizations'
documents, every segment's field lengths (BM25 normalises by them), the query parser's
schema (its analyzers compile their expressions), and the part of numpy that `np.median`
imports on its first call. Nothing here depends on a query: the
per-query caches stay empty, and a query's first search stays its first.
"""

from __future__ import annotations

import importlib

from index_format.segment import segments

from .generations import LiveIndex
from .query_tree import field_names
from .searching import TIE_BREAK_ORDER, organization_documents
from .semantic import warm_up as load_meaning

# np.median (hybrid.py, the typical cosine) imports numpy.ma on its first call: 14 ms of
# the first search of a process, measured on the 1x corpus.
LAZY_IMPORTS = ("numpy.ma",)


def warm_up(live: LiveIndex) -> None:
    """Build what the first search of `live` would build. `serve` calls it at start for the
    generation it opens; a generation swapped in later builds it in its first search."""
    load_meaning(live)
    live.columns.ranks(TIE_BREAK_ORDER)  # built by the first search sorted by relevance: 8 ms at 1x
    organization_documents(live)
    with live.reader() as reader:  # the one a server starts with (more open only under load)
        for segment, _ in segments(reader):
            segment.read_lengths()
    field_names()  # the parser's schema, built by the first search: 0.4 ms
    live.spelling_candidates  # noqa: B018 - built by the first unknown word: 50 ms at 1x
    for name in LAZY_IMPORTS:
        importlib.import_module(name)
