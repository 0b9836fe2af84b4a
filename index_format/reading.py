"""An opened index read at one point in time: counts, stored fields, columns, segments.

Everything outside this package reads an index through an `IndexReader`, never through
the Whoosh searcher behind it, so what reads the files (Whoosh today, a fork or our own
reader later) is decided here. A reader sees the index as it was opened and is used by
one thread at a time (the engine pools them); it holds open files until closed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any


class IndexReader:
    """The whole index as one docnum space, read-only, with its segments (segment.py)."""

    def __init__(self, searcher):
        self._searcher = searcher  # Whoosh's, for this package's modules only
        self._reader = searcher.reader()
        self._segments: list | None = None  # segment.segments(self), made once

    @classmethod
    def of(cls, index) -> "IndexReader":
        """A reader of an index opened with `storage.open_index`."""
        return cls(index.searcher())

    def __enter__(self) -> "IndexReader":
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the files this reader holds open."""
        self._searcher.close()

    def doc_count(self) -> int:
        """Live documents (deleted ones left out)."""
        return self._searcher.doc_count()

    def doc_count_all(self) -> int:
        """Documents deleted ones included: the size of arrays indexed by docnum."""
        return self._reader.doc_count_all()

    def avg_field_length(self, fieldname: str) -> float:
        """The mean length of a field over live documents (0 when no document has it)."""
        return self._searcher.avg_field_length(fieldname)

    def idf(self, fieldname: str, text) -> float:
        """A term's inverse document frequency as the index's BM25F weighting computes it."""
        return self._searcher.idf(fieldname, text)

    def doc_frequency(self, fieldname: str, text) -> int:
        """How many documents hold a term (deleted ones may still count until a merge)."""
        return self._reader.doc_frequency(fieldname, text)

    def stored_fields(self, docnum: int) -> dict:
        """What the document stored, by field name."""
        return self._reader.stored_fields(docnum)

    def live_documents(self) -> Iterator[tuple[int, dict]]:
        """(docnum, stored fields) of every live document, in docnum order."""
        return self._reader.iter_docs()

    def document_numbers(self, fieldname: str, text: str) -> list[int]:
        """Live docnums whose `fieldname` holds the term `text` (an id field: one, or several
        before duplicates are dropped)."""
        return list(self._searcher.document_numbers(**{fieldname: text}))

    def column(self, fieldname: str) -> Sequence:
        """A column field's value per docnum (bytes for the `words` column), read as it is
        indexed: only `[docnum]` and `len` belong to this interface (it is Whoosh's column
        reader, which reads a value from disk when asked)."""
        return self._reader.column_reader(fieldname)

    def expanded_terms(self, node) -> Iterator[tuple[str, Any]]:
        """(field, term) of every indexed term a prefix or wildcard node (queries.py) stands
        for, lazily: a caller may stop or check its budget between them."""
        return node.expanded_terms(self._reader)

    def scored_by_matchers(self, node) -> dict[int, float]:
        """Docnum -> score of every document a query node matches, by Whoosh's own matchers
        and weighting: for weightings the engine does not compute itself."""
        return dict(self._searcher.search(node, limit=None).items())
