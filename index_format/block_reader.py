"""A term's postings in one segment, read in one go instead of through Whoosh's matcher.

The reading side of block_writer.py: Whoosh's matcher reads a term's header and blocks
in many small reads and hands them out a posting at a time. Here a term's postings are
one read, parsed block by block (W3Codec's layout) into docnums and weights as numpy
arrays (what scoring computes with: made once here, not by each caller) and the values,
kept packed where the blocks pack them (packed_columns.py), else a list; readers or terms
this module does not know are read through Whoosh's matcher, a block at a time where its
layout allows.
"""

from __future__ import annotations

import pickle
import zlib
from io import BytesIO
from itertools import accumulate
from struct import Struct
from typing import Iterator, NamedTuple, Sequence

import numpy as np

from .packed_columns import PackedGaps, PackedValues, PackedWeights, take
from .whoosh_compat import (
    WHOOSH3_HEADER_MAGIC,
    FilterMatcher,
    ListMatcher,
    SegmentReader,
    TermNotFound,
    W3LeafMatcher,
    W3TermInfo,
    W3TermsReader,
    unpack_int,
)


Read = tuple[np.ndarray, np.ndarray, Sequence]  # docnums (intp), weights (float64), values


class Blocks(NamedTuple):
    """A term's blocks parsed: every posting's gap, each block's start among them and last
    docnum (its header's), every posting's weight and value."""

    gaps: np.ndarray
    starts: list[int]
    last_ids: list[int]
    weights: np.ndarray  # float64
    values: Sequence  # PackedValues, or a list
_ROW_LENGTHS = Struct("!ii")  # a term-table row's key and value lengths (Whoosh's HashWriter)


def read_postings(reader, fieldname: str, text) -> Read | None:
    """(docnums, weights, values) of a term in one segment reader, deleted documents left
    out; None if the term is not there (or is text the field cannot hold, as in Whoosh)."""
    try:
        if type(reader) is SegmentReader and type(reader._terms) is W3TermsReader and not reader.is_closed:
            return _read_term(reader, fieldname, text)
        return _postings(reader.postings(fieldname, text))  # one term-table lookup
    except (TermNotFound, ValueError):
        return None


def _read_term(reader, fieldname: str, text) -> Read:
    """What `_postings(reader.postings(fieldname, text))` returns, without the matcher.

    Whoosh's matcher reads the postings' header and first block as it is made, then each
    block in several small reads; a term's postings here are one read, parsed in place.
    """
    terminfo = reader._terms.term_info(fieldname, reader._text_to_bytes(fieldname, text))
    return read_term_postings(reader, fieldname, terminfo)


def read_term_postings(reader, fieldname: str, terminfo) -> Read:
    """(docnums, weights, values) of the term whose row in `reader`'s term table is
    `terminfo` (Whoosh's `W3TermInfo`), deleted documents left out."""
    if terminfo.is_inlined():
        postings = _as_read(*_listed(*terminfo.inlined_postings()))
    else:
        postings = _block_arrays(_term_blocks(reader, fieldname, terminfo))
    return _without(frozenset(reader._perdoc.deleted_docs()), postings)


def _postings(matcher) -> Read:
    """A term's docnums, weights and values, a block at a time where Whoosh's layout allows."""
    deleted = None
    if isinstance(matcher, FilterMatcher) and matcher._exclude:  # a segment with deletions
        deleted, matcher = matcher._ids, matcher.child
    if isinstance(matcher, W3LeafMatcher):
        postings = _block_arrays(_parsed_blocks(_extent(matcher._postfile, matcher._startoffset, matcher._length), matcher._fixedsize))
    elif isinstance(matcher, ListMatcher):  # postings inlined in the term table
        postings = _as_read(*_listed(matcher._ids, matcher._weights, matcher._values))
    else:
        docnums, weights, values = [], [], []
        while matcher.is_active():
            docnums.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
        postings = _as_read(docnums, weights, values)
    return _without(deleted, postings)


def _extent(postfile, offset: int, length: int | tuple[int]) -> bytes:
    """A term's postings in one read (Whoosh's term info unpacks the length as a 1-tuple)."""
    return postfile.get(offset, length[0] if isinstance(length, tuple) else length)


def _as_read(docnums: list[int], weights: list[float], values: list) -> Read:
    return np.array(docnums, dtype=np.intp), np.array(weights, dtype=np.float64), values


def _listed(ids, weights, values) -> tuple[list[int], list[float], list]:
    """Postings inlined in the term table (as Whoosh's `ListMatcher` reads them), as lists."""
    docnums = list(ids)
    weights = list(weights) if weights is not None else [1.0] * len(docnums)
    return docnums, weights, list(values or [None] * len(docnums))


def _without(deleted, postings: Read) -> Read:
    """The postings of documents not deleted."""
    if not deleted:
        return postings
    docnums, weights, values = postings
    live = np.flatnonzero(~np.isin(docnums, list(deleted)))
    return docnums[live], weights[live], take(values, live)


def _block_arrays(blocks: Blocks) -> Read:
    """A term's parsed blocks (`_parsed_blocks`) as arrays.

    A block's first gap is its first docnum; the docnums are one cumulative sum of every
    block's gaps, each block's first less the last docnum its header gives of the block
    before (checked against the sum)."""
    steps = blocks.gaps.astype(np.intp)  # a copy: packed gaps are a read-only view
    starts, last_ids = blocks.starts, blocks.last_ids
    if len(starts) > 1:
        steps[starts[1:]] -= last_ids[:-1]
    docnums = np.cumsum(steps)
    ends = np.array([*starts[1:], len(steps)], dtype=np.intp)
    if docnums[ends - 1].tolist() != last_ids:
        raise ValueError("unexpected posting block")
    return docnums, blocks.weights, blocks.values


def term_rows(reader) -> Iterator[tuple[str, bytes, W3TermInfo]]:
    """(field, term, term info) of every row of a segment reader's term table, in the
    table's order: its rows read in one go (Whoosh's own `items()` makes two small reads
    per row after one for its lengths)."""
    table = reader._terms._tindex
    rows = table.dbfile.get(table.startofdata, table.endofdata - table.startofdata)
    position, end = 0, len(rows)
    decode_key, decode_info = reader._terms._keydecoder, W3TermInfo.from_bytes
    while position < end:
        key_length, info_length = _ROW_LENGTHS.unpack_from(rows, position)
        key_end = position + _ROW_LENGTHS.size + key_length
        field, term = decode_key(rows[position + _ROW_LENGTHS.size : key_end])
        yield field, term, decode_info(rows[key_end : key_end + info_length])
        position = key_end + info_length


def read_term_lists(reader, fieldname: str, terminfo) -> tuple[list[int], list[float], list]:
    """`read_term_postings` as lists, for copying postings (joining segments), where arrays
    would only be turned back into lists: a block's docnums are the running sum of its gaps."""
    deleted = frozenset(reader._perdoc.deleted_docs())
    if terminfo.is_inlined():
        docnums, weights, values = _listed(*terminfo.inlined_postings())
    else:
        blocks = _term_blocks(reader, fieldname, terminfo)
        gaps, weights, values = blocks.gaps.tolist(), blocks.weights.tolist(), list(blocks.values)
        docnums = []
        for start, end, last_id in zip(blocks.starts, [*blocks.starts[1:], len(gaps)], blocks.last_ids):
            docnums += accumulate(gaps[start:end])
            if docnums[-1] != last_id:
                raise ValueError("unexpected posting block")
    if not deleted:
        return docnums, weights, values
    kept = [index for index, docnum in enumerate(docnums) if docnum not in deleted]
    return [docnums[i] for i in kept], [weights[i] for i in kept], [values[i] for i in kept]


def _term_blocks(reader, fieldname: str, terminfo) -> Blocks:
    """`_parsed_blocks` of a term not inlined in its row, read in one go."""
    fixed_size = reader.schema[fieldname].format.fixed_value_size()
    return _parsed_blocks(_extent(reader._terms._postfile, *terminfo.extent()), fixed_size)


def _parsed_blocks(data: bytes, fixed_size: int | None) -> Blocks:
    """Parse a term's postings in W3Codec's layout: a header, then blocks of a length (negative
    for the last), pickled statistics and the pickled, maybe compressed, (gaps, weights, values),
    each column packed (packed_columns.py) or, as Whoosh writes them, a tuple."""
    if data[: len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("unexpected postings header")
    gaps: list[np.ndarray] = []
    starts: list[int] = []  # where each block's gaps start
    last_ids: list[int] = []  # each block's last docnum, as its header says
    weights: list[np.ndarray] = []
    values: list[Sequence] = []
    stream = BytesIO(data)
    position, last, total = len(WHOOSH3_HEADER_MAGIC), False, 0
    while not last:
        (size,) = unpack_int(data[position : position + 4])
        last, size = size < 0, abs(size)
        block_end = position + 4 + size
        stream.seek(position + 4)
        count, last_id, _max_weight, compression, _min_length, _max_length = pickle.load(stream)
        block = data[stream.tell() : block_end]
        block_gaps, block_weights, block_values = pickle.loads(zlib.decompress(block) if compression else block)
        if len(block_gaps) != count or not count:
            raise ValueError("unexpected posting block")
        starts.append(total)
        last_ids.append(last_id)
        total += count
        gaps.append(block_gaps.array() if isinstance(block_gaps, PackedGaps) else np.array(block_gaps, dtype=np.int64))
        weights.append(_block_weights(block_weights, count))
        values.append(_block_values(block_values, count, fixed_size))
        position = block_end
    return Blocks(np.concatenate(gaps), starts, last_ids, np.concatenate(weights), _joined_values(values))


def _block_weights(weights, count: int) -> np.ndarray:
    """A block's weights as float64: None when all are 1, one float when all are equal."""
    if weights is None:
        return np.ones(count)
    if isinstance(weights, float):
        return np.full(count, weights)
    if isinstance(weights, PackedWeights):
        return weights.array().astype(np.float64)
    return np.array(weights, dtype=np.float64)


def _block_values(values, count: int, fixed_size: int | None) -> Sequence:
    """A block's values, as Whoosh's `_read_values` reads them: fixed-size values come joined."""
    if fixed_size is None or fixed_size < 0:
        return values
    if fixed_size == 0:
        return [None] * count
    return [values[i : i + fixed_size] for i in range(0, len(values), fixed_size)]


def _joined_values(blocks: list[Sequence]) -> Sequence:
    """A term's values from its blocks': packed ones stay packed."""
    packed = [block for block in blocks if isinstance(block, PackedValues)]
    if len(packed) == len(blocks):
        return PackedValues.joined(packed)
    return [value for block in blocks for value in block]
