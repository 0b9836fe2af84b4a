"""One segment of an opened index, as the engine reads it: a small interface over Whoosh.

Scoring and ranking read every posting of a query's words and every length of the
fields they score, a segment at a time, as lists and numpy arrays. This is all they
need of a segment: the postings of a term, the field lengths per document, stored
fields, deletions and counts, what a field's format says, and `derived`, where a caller
keeps arrays it makes from them once per segment. How those are read from Whoosh's
files (block_reader.py, whoosh_compat.py) stays behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

import numpy as np

from .block_reader import read_postings
from .packed_columns import take
from .reading import IndexReader
from .whoosh_compat import byte_to_length, length_to_byte, scoring, segment_field_lengths


class Postings(NamedTuple):
    """A term's postings in one segment, in docnum order, deleted documents left out."""

    docnums: np.ndarray  # intp
    weights: np.ndarray  # float64: the term's frequency times the field's boost
    values: Sequence  # per posting: packed positions for text fields (`Segment.positions_decoder`), else None


class Segment:
    """A segment of an opened index: postings, field lengths, stored fields, deletions, counts."""

    def __init__(self, searcher, position: int):
        # `searcher` is Whoosh's, for this segment. Its reader is kept, not the searcher: the
        # IndexReader keeps its segments, and a segment keeping a searcher back would make
        # a cycle only the collector frees.
        self._reader = searcher.reader()
        self._schema = searcher.schema
        self._position = position  # in the whole index's `leaf_searchers()`
        # Arrays callers derive from this segment (length arrays, ...), made once and kept
        # as long as the segment is open; keys are the caller's.
        self.derived: dict = {}

    def doc_count_all(self) -> int:
        """Documents in the segment, deleted ones included: the size of per-docnum arrays."""
        return self._reader.doc_count_all()

    def postings(self, fieldname: str, text) -> Postings | None:
        """A term's postings; None where the term is not in this segment."""
        found = read_postings(self._reader, fieldname, text)
        return None if found is None else Postings(*found)

    def field_lengths(self, fieldname: str) -> list[int | None] | None:
        """Each document's length of `fieldname` (kept to a byte, as Whoosh keeps it; None
        for a document without the field); None when the field keeps no lengths."""
        return segment_field_lengths(self._reader._perdoc, fieldname)

    def length_array(self, fieldname: str, default: float) -> np.ndarray:
        """`field_lengths` as floats per docnum (0 for a document without the field);
        `default` everywhere when the field keeps no lengths. Made once per segment."""
        lengths = self._lengths(fieldname)
        if lengths is not None:
            return lengths
        key = ("no lengths", fieldname, default)
        if key not in self.derived:
            self.derived[key] = np.full(self.doc_count_all(), float(default))
        return self.derived[key]

    def read_lengths(self) -> None:
        """Read the lengths of every scored field now, as the first search would (once per segment)."""
        for fieldname in self._schema.scorable_names():
            self._lengths(fieldname)

    def _lengths(self, fieldname: str) -> np.ndarray | None:
        key = ("length array", fieldname)
        if key not in self.derived:
            lengths = self.field_lengths(fieldname)
            self.derived[key] = None if lengths is None else np.array([length or 0 for length in lengths], dtype=np.float64)
        return self.derived[key]

    def stored_fields(self, docnum: int) -> dict:
        return self._reader.stored_fields(docnum)

    def deleted(self) -> frozenset[int]:
        """The segment's deleted docnums."""
        return frozenset(self._reader._perdoc.deleted_docs()) if self._reader.has_deletions() else frozenset()

    def field_boost(self, fieldname: str) -> float:
        """The schema's boost of a field, which its postings' weights include (1 if none)."""
        return self._schema[fieldname].format.field_boost or 1.0

    def scorable(self, fieldname: str) -> bool:
        return self._schema[fieldname].scorable

    def has_positions(self, fieldname: str) -> bool:
        return fieldname in self._schema and self._schema[fieldname].format.supports("positions")

    def positions_decoder(self, fieldname: str) -> Callable[[bytes], list[int]]:
        """What turns a posting's value into the word positions of the term in the document."""
        return self._schema[fieldname].format.decode_positions

    def positions_arrays(self, fieldname: str, values: Sequence, which: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(which of `values` each position is of, the positions, int64) for many postings'
        values at once, in order: `positions_decoder` over arrays. With `which` (indices
        into `values`), of those postings only, numbered in that order."""
        if which is not None:
            values = take(values, which)
        field_format = self._schema[fieldname].format
        if hasattr(field_format, "decode_all"):
            return field_format.decode_all(values)
        decoded = [field_format.decode_positions(value) for value in values]
        owners = np.repeat(np.arange(len(decoded)), [len(positions) for positions in decoded])
        return owners, np.array([position for positions in decoded for position in positions], dtype=np.int64)

    def matches(self, node, top: IndexReader) -> Iterator[tuple[int, float]]:
        """(docnum, score) of every document a query node matches, through Whoosh's own
        matchers: for nodes the engine does not evaluate itself. `top` reads the whole index."""
        whole = top._searcher
        leaf, _ = whole.leaf_searchers()[self._position]
        matcher = node.matcher(leaf, whole.context())
        while matcher.is_active():
            yield matcher.id(), matcher.score()
            matcher.next()


def segments(reader: IndexReader) -> list[tuple[Segment, int]]:
    """(segment, its first docnum in the whole index) for each segment `reader` reads.

    Made once per reader and kept on it, so a segment's `derived` arrays and its
    identity (callers memoise by it) last as long as the reader.
    """
    if reader._segments is None:
        leaves = reader._searcher.leaf_searchers()
        reader._segments = [(Segment(leaf, position), offset) for position, (leaf, offset) in enumerate(leaves)]
    return reader._segments


def stored_length(length: int) -> int:
    """What a field length reads back as: lengths are kept to a byte (exact up to 10)."""
    return byte_to_length(length_to_byte(length))


class BM25Parameters(NamedTuple):
    k1: float
    b: float


def bm25_parameters(reader: IndexReader, fieldname: str) -> BM25Parameters | None:
    """K1 and the field's B of the index's BM25F weighting; None for any other weighting."""
    weighting = reader._searcher.weighting
    if type(weighting) is not scoring.BM25F:
        return None
    return BM25Parameters(weighting.K1, weighting._field_B.get(fieldname, weighting.B))


def scores_by_bm25f(reader: IndexReader) -> bool:
    """Whether the index is scored with BM25F (what the engine's own scoring computes)."""
    return type(reader._searcher.weighting) is scoring.BM25F
