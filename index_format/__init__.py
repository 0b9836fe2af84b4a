"""The index format: the schema, its analyzer, and the bytes on disk, written and read.

Public API: the names below (the schema and its search analyzer, `IndexReader`); the
modules `schema`, `analysis`, `postings_format`, `reading` (an opened index read at one
point in time: counts, stored fields, columns), `segment` (read a segment at a time),
`queries` (the query nodes scoring evaluates), `storage` (an index directory created,
opened, written through the format's writer, its segments joined),
`embedding` and `visible_text` for the rest. `whoosh_compat` is the format's own: no other
package imports it (tests/test_layout.py).

Both the indexer (which turns documents into these fields) and the store (which writes and
opens generations) take the format from here, and every package reads an index through an
`IndexReader` and its `segments` (segment.py) and builds queries from `queries`: this
package is the only code that imports Whoosh or calls a Whoosh searcher's or reader's
methods, so keeping it, moving to a fork or replacing a part is decided here.
"""

from .reading import IndexReader
from .schema import SEARCH_FIELDS, TEXT_FIELDS, build_schema, search_analyzer
from .segment import Postings, Segment, bm25_parameters, scores_by_bm25f, segments, stored_length
from .storage import (
    adopt_segments, create_index, delete_documents, has_index, join_segments, open_index, open_writer, segment_count,
)

__all__ = [
    "SEARCH_FIELDS", "TEXT_FIELDS", "build_schema", "search_analyzer", "IndexReader",
    "Postings", "Segment", "bm25_parameters", "scores_by_bm25f", "segments", "stored_length",
    "adopt_segments", "create_index", "delete_documents", "has_index", "join_segments", "open_index", "open_writer",
    "segment_count",
]
