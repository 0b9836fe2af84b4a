"""Import Whoosh 2.7.4 quietly.

Its source has invalid escape sequences that Python 3.12+ reports as SyntaxWarning when
compiling it. The warnings are silenced for Whoosh's own files only, and every Whoosh
module the project uses is imported here, inside that filter, so compilation happens once.
It also corrects one Whoosh matcher bug (`AndNotMatcher._find_first`), keeps each
segment's field lengths in memory for scoring (`W3PerDocReader.doc_field_length`) and
stores documents' fields uncompressed (`STORED_COLUMN`).
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
    from whoosh.filedb.structfile import StructFile  # noqa: F401
    from whoosh.support.charset import accent_map  # noqa: F401
    from whoosh.system import pack_int, pack_long, pack_ushort, unpack_int  # noqa: F401
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3TermInfo, W3TermsReader  # noqa: F401
    from whoosh.matching import ListMatcher  # noqa: F401
    from whoosh.matching.wrappers import FilterMatcher  # noqa: F401
    from whoosh.util.numeric import byte_to_length, length_to_byte  # noqa: F401
    from whoosh.reading import SegmentReader, TermNotFound  # noqa: F401
    import whoosh.searching  # noqa: F401

from whoosh.codec import whoosh3 as _w3  # noqa: E402 - compiled above, inside the filter
from whoosh.matching import binary as _binary  # noqa: E402


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


def segment_field_lengths(per_document_reader, fieldname: str) -> list | None:
    """A segment's length of `fieldname` per document, in memory (None: no lengths kept).

    Read once per reader from Whoosh's one-byte-per-document column in a single read
    (its own `load()` seeks and reads each byte); a zero byte reads as None, as in Whoosh.
    """
    key = ("lengths in memory", fieldname)  # beside Whoosh's own column readers
    readers = per_document_reader._readers
    if key not in readers:
        column = per_document_reader._cached_reader(_w3._lenfield(fieldname), _w3.LENGTHS_COLUMN)
        if column is None:
            readers[key] = None
        else:
            stored = column._dbfile.get(column._basepos, column._count)  # documents past it have 0
            padding = bytes(column._doccount - column._count)
            readers[key] = list(map(_LENGTH_OF_BYTE.__getitem__, stored + padding))
    return readers[key]


_LENGTH_OF_BYTE = [None] + [byte_to_length(byte) for byte in range(1, 256)]


def _doc_field_length(self, docnum, fieldname, default=0):
    """W3PerDocReader.doc_field_length, from the in-memory copy of the segment's lengths.

    BM25 asks for the length of every document it scores: through Whoosh's column
    reader that is a seek and a read each, 7% of a first-time search. The copy (a list,
    8 bytes per document and field) is made once per reader.
    """
    if docnum >= self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    lengths = segment_field_lengths(self, fieldname)
    return default if lengths is None else lengths[docnum]


_w3.W3PerDocReader.doc_field_length = _doc_field_length

# Stored fields without zlib: a result card's fields took 63 us to decompress and unpickle
# against 10 us, an eighth of a first-time search, and compressing them was 3% of a
# rebuild. The index grows by a quarter (36 -> 46 MB at 1x). Readers and writers look the
# column up here at run time; indexes written with compression are refused by the store
# (INDEX_FORMAT).
_w3.STORED_COLUMN = columns.PickleColumn(columns.VarBytesColumn())

__all__ = [
    "analysis", "columns", "fields", "formats", "index", "qparser", "query", "scoring", "sorting", "writing",
    "accent_map", "byte_to_length", "length_to_byte", "pack_int", "pack_long", "pack_ushort", "unpack_int", "FileStorage",
    "StructFile",
    "WHOOSH3_HEADER_MAGIC", "W3TermInfo", "W3TermsReader", "W3LeafMatcher", "ListMatcher", "FilterMatcher",
    "SegmentReader", "TermNotFound",
    "segment_field_lengths",
]
