"""Import Whoosh 2.7.4 quietly.

Its source has invalid escape sequences that Python 3.12+ reports as SyntaxWarning when
compiling it. The warnings are silenced for Whoosh's own files only, and every Whoosh
module the project uses is imported here, inside that filter, so compilation happens once.
It also corrects one Whoosh matcher bug (`AndNotMatcher._find_first`, below).
"""

from __future__ import annotations

import warnings

_WHOOSH_FILES = r".*[/\\]whoosh[/\\].*"

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=SyntaxWarning, module=_WHOOSH_FILES)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=_WHOOSH_FILES)
    warnings.filterwarnings("ignore", category=SyntaxWarning, module=r"whoosh(\..*)?")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"whoosh(\..*)?")
    from whoosh import analysis, columns, fields, formats, index, qparser, query, scoring, sorting, writing  # noqa: F401
    from whoosh.filedb.filestore import FileStorage  # noqa: F401
    from whoosh.support.charset import accent_map  # noqa: F401
    from whoosh.system import pack_int, pack_long, pack_ushort  # noqa: F401
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo  # noqa: F401
    from whoosh.util.numeric import byte_to_length, length_to_byte  # noqa: F401
    import whoosh.reading  # noqa: F401
    import whoosh.searching  # noqa: F401
    import whoosh.writing  # noqa: F401
    import whoosh.codec.whoosh3  # noqa: F401

from whoosh.matching import binary as _binary  # noqa: E402 - compiled above, inside the filter


def _and_not_find_first(self) -> None:
    """Skip the excluded documents before the first match, wherever the exclusion starts.

    Whoosh 2.7.4 only checked the first match when both postings began on the same
    document, so with "garden -school" a segment's first garden document got through
    whenever an earlier document mentioned school. `_find_next` already handles the
    general case (it skips the excluded postings forward), so it is always called.
    """
    if self.a.is_active() and self.b.is_active():
        self._find_next()


_binary.AndNotMatcher._find_first = _and_not_find_first


class _MemoisedLengths:
    """A per-document reader whose field lengths are looked up once per document and field.

    Writing a segment asks for the field length of every posting (one per distinct
    term of a document): about 8 us a call through Whoosh's column readers, 8% of a
    rebuild. Each (document, field) pair is now read once.
    """

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[tuple[int, str], int] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        key = (docnum, fieldname)
        if key not in self._lengths:
            self._lengths[key] = self._reader.doc_field_length(docnum, fieldname, default)
        return self._lengths[key]

    def __getattr__(self, name):
        return getattr(self._reader, name)


def _flush_segment(self) -> None:
    """SegmentWriter._flush_segment of Whoosh 2.7.4, with memoised field lengths."""
    self.perdocwriter.close()
    lengths = _MemoisedLengths(self.per_document_reader()) if self.codec.length_stats else None
    self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
    self.fieldwriter.close()
    if lengths:
        lengths.close()


whoosh.writing.SegmentWriter._flush_segment = _flush_segment

__all__ = [
    "analysis", "columns", "fields", "formats", "index", "qparser", "query", "scoring", "sorting", "writing",
    "accent_map", "byte_to_length", "length_to_byte", "pack_int", "pack_long", "pack_ushort", "FileStorage",
    "WHOOSH3_HEADER_MAGIC", "W3TermInfo",
]
