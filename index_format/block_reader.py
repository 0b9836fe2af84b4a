"""A term's postings in one segment, read in one go instead of through Whoosh's matcher.

The reading side of block_writer.py: Whoosh's matcher reads a term's header and blocks
in many small reads and hands them out a posting at a time. Here a term's postings are
one read, parsed block by block (W3Codec's layout) into three lists; readers or terms
this module does not know are read through Whoosh's matcher, a block at a time where
its layout allows.
"""

from __future__ import annotations

import pickle
import zlib
from io import BytesIO
from itertools import accumulate

from .whoosh_compat import (
    WHOOSH3_HEADER_MAGIC,
    FilterMatcher,
    ListMatcher,
    SegmentReader,
    TermNotFound,
    W3LeafMatcher,
    W3TermsReader,
    unpack_int,
)


def read_postings(reader, fieldname: str, text) -> tuple[list, list, list] | None:
    """(docnums, weights, values) of a term in one segment reader, deleted documents left
    out; None if the term is not there (or is text the field cannot hold, as in Whoosh)."""
    try:
        if type(reader) is SegmentReader and type(reader._terms) is W3TermsReader and not reader.is_closed:
            return _read_term(reader, fieldname, text)
        return _postings(reader.postings(fieldname, text))  # one term-table lookup
    except (TermNotFound, ValueError):
        return None


def _read_term(reader, fieldname: str, text) -> tuple[list, list, list]:
    """What `_postings(reader.postings(fieldname, text))` returns, without the matcher.

    Whoosh's matcher reads the postings' header and first block as it is made, then each
    block in several small reads; a term's postings here are one read, parsed in place.
    """
    terms = reader._terms
    terminfo = terms.term_info(fieldname, reader._text_to_bytes(fieldname, text))
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        postings = _listed(ids, weights, values)
    else:
        fixed_size = reader.schema[fieldname].format.fixed_value_size()
        postings = _read_blocks(_extent(terms._postfile, *terminfo.extent()), fixed_size)
    return _without(frozenset(reader._perdoc.deleted_docs()), postings)


def _postings(matcher) -> tuple[list[int], list[float], list]:
    """A term's docnums, weights and values, a block at a time where Whoosh's layout allows."""
    deleted = None
    if isinstance(matcher, FilterMatcher) and matcher._exclude:  # a segment with deletions
        deleted, matcher = matcher._ids, matcher.child
    if isinstance(matcher, W3LeafMatcher):
        postings = _read_blocks(_extent(matcher._postfile, matcher._startoffset, matcher._length), matcher._fixedsize)
    elif isinstance(matcher, ListMatcher):  # postings inlined in the term table
        postings = _listed(matcher._ids, matcher._weights, matcher._values)
    else:
        postings = [], [], []
        while matcher.is_active():
            postings[0].append(matcher.id())
            postings[1].append(matcher.weight())
            postings[2].append(matcher.value())
            matcher.next()
    return _without(deleted, postings)


def _extent(postfile, offset: int, length: int | tuple[int]) -> bytes:
    """A term's postings in one read (Whoosh's term info unpacks the length as a 1-tuple)."""
    return postfile.get(offset, length[0] if isinstance(length, tuple) else length)


def _listed(ids, weights, values) -> tuple[list[int], list[float], list]:
    """Postings inlined in the term table, as lists (as Whoosh's `ListMatcher` reads them)."""
    docnums = list(ids)
    weights = list(weights) if weights is not None else [1.0] * len(docnums)
    return docnums, weights, list(values or [None] * len(docnums))


def _without(deleted, postings: tuple[list, list, list]) -> tuple[list, list, list]:
    """The postings of documents not deleted."""
    if not deleted:
        return postings
    docnums, weights, values = postings
    kept = [index for index, docnum in enumerate(docnums) if docnum not in deleted]
    return [docnums[i] for i in kept], [weights[i] for i in kept], [values[i] for i in kept]


def _read_blocks(data: bytes, fixed_size: int | None) -> tuple[list[int], list[float], list]:
    """Parse a term's postings in W3Codec's layout: a header, then blocks of a length (negative
    for the last), pickled statistics and the pickled, maybe compressed, (gaps, weights, values)."""
    if data[: len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("unexpected postings header")
    docnums: list[int] = []
    weights: list = []
    values: list = []
    stream = BytesIO(data)
    position, last = len(WHOOSH3_HEADER_MAGIC), False
    while not last:
        (size,) = unpack_int(data[position : position + 4])
        last, size = size < 0, abs(size)
        block_end = position + 4 + size
        stream.seek(position + 4)
        count, _last_id, _max_weight, compression, _min_length, _max_length = pickle.load(stream)
        block = data[stream.tell() : block_end]
        gaps, block_weights, block_values = pickle.loads(zlib.decompress(block) if compression else block)
        block_docnums = list(accumulate(gaps))
        if len(block_docnums) != count:
            raise ValueError("unexpected posting block")
        docnums.extend(block_docnums)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        if fixed_size is None or fixed_size < 0:  # Whoosh's `_read_values`: fixed-size values come joined
            values.extend(block_values)
        elif fixed_size == 0:
            values.extend([None] * count)
        else:
            values.extend(block_values[i : i + fixed_size] for i in range(0, len(block_values), fixed_size))
        position = block_end
    return docnums, weights, values
