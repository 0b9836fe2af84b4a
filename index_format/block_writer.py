"""A Whoosh segment writer that keeps postings in memory and writes each term's at once.

Whoosh's `SegmentWriter` sends every posting (one per distinct term of a document) through
a sorting pool, then through `add_posting` one call at a time: about 13 us of pure Python
per posting, most of a rebuild. This writer collects a segment's postings per field and
term in plain lists and writes each term's blocks with list-at-a-time steps, in the
W3Codec layout every Whoosh reader reads (`_write_term` lists three deliberate
departures). Per-document data (stored fields, lengths, columns), the table of contents
and deletions are still Whoosh's, and its per-document files are byte for byte the same
(a test compares them, and the postings and term statistics). Merging segments into a
writer given no documents of its own (`add_reader`, as `storage.join_segments` does)
reads their postings back as lists instead of through Whoosh's pool.

Text fields whose analyzer offers `term_positions` (ours does) are analysed in one pass
without Whoosh's token objects. A segment is held in memory until commit: about 100 bytes
per posting, a few hundred MB for ten times the archive.
"""

from __future__ import annotations

import zlib
from array import array
from collections import defaultdict
from collections.abc import Sequence
from operator import sub
from pickle import dumps

from .block_reader import read_term_lists, term_rows
from .packed_columns import PackedGaps, PackedValues, PackedWeights
from .whoosh_compat import (
    WHOOSH3_HEADER_MAGIC,
    W3TermInfo,
    byte_to_length,
    length_to_byte,
    pack_int,
    pack_long,
    pack_ushort,
    segment_field_lengths,
    writing,
)

# Postings per block. W3Codec's default `blocklimit` is 128; blocks let Whoosh's matcher
# skip ahead, which the engine never asks for (it scores every posting of a term), while
# each block costs its reader a header and two unpicklings: with 1,024 and no compression,
# the postings of ten common words in five fields at 10x read in 19 ms instead of 36, for
# 4% more bytes on disk. Whoosh's readers read either layout, and so does block_reader.py.
BLOCK = 1024
INLINE_POSTINGS = 1  # a term with this many postings or fewer is stored in its term-table row
# A term with this many postings or more has its blocks' columns packed (packed_columns.py):
# reading them is what a broad query waits for; a rare term's few postings unpickle as
# quickly as tuples, and packing them cost a rebuild a sixth more.
PACK_FROM = 64
# Blocks from this many pickled bytes are compressed: never, since zlib gained 1.5x on
# posting blocks and unzipping them was a third of reading them. Generations written
# before kept compressed blocks of 4,096 bytes and more; tests write them again.
COMPRESS_FROM_BYTES: int | None = None
ZLIB_LEVEL = 1  # 3 (Whoosh's default) took 25% longer for 3% less
PICKLE_PROTOCOL = 4  # has a bytes type; Whoosh's protocol 2 does not (see `_write_term`)
TERM_ROW = W3TermInfo._struct  # flags, weight, doc frequency, min/max length bytes, max weight, first/last id


class BulkSegmentWriter(writing.SegmentWriter):
    """`SegmentWriter` with in-memory postings, written a term and a block at a time."""

    def __init__(self, index, **options):
        super().__init__(index, **options)
        unsupported = [name for name, field in self.schema.items() if field.vector or field.separate_spelling()]
        if unsupported:
            raise ValueError(f"fields with vectors or separate spelling are not supported: {unsupported}")
        # field -> term (str or bytes) -> flat postings, or a joined term's (docnums, weights, values)
        self._postings: dict[str, dict] = defaultdict(dict)
        self._lengths: dict[str, dict[int, int]] = defaultdict(dict)  # field -> docnum -> stored length
        self._documents_added = False  # by add_document: merges then go through Whoosh's pool
        self._joined = False  # segments joined by add_reader: terms kept as bytes

    def add_document(self, **fields) -> None:
        """As `SegmentWriter.add_document`, without `_boost`/`_stored_` keys (unused here)."""
        self._check_state()
        if self._joined:
            raise ValueError("documents are added before segments are joined (as Whoosh's commit does)")
        self._documents_added = True
        names = sorted(name for name in fields if not name.startswith("_"))
        if len(names) != len(fields):
            raise ValueError("per-document boosts and custom stored values are not supported")
        self._check_fields(self.schema, names)
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = self.schema[name]
            length = self._index_field(name, field, value, docnum) if field.indexed else 0
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _index_field(self, name: str, field, value, docnum: int) -> int:
        """Collect the field's postings for `docnum`; returns its length (0 if not scorable).

        A term's postings are one flat list, docnum, weight, value bytes, docnum, ...:
        values are encoded while the document's positions are still in the CPU cache,
        and writing a term later takes its three columns by slicing, instead of
        visiting millions of small objects scattered over a large heap.
        """
        terms = self._postings[name]
        if _analysed_in_one_pass(field):
            if not isinstance(value, str):
                raise ValueError(f"{name} takes text, not {type(value).__name__}")
            positions, length = field.analyzer.term_positions(value)
            postings = field.format.encode_terms(positions)
        else:
            items = list(field.index(value))
            length = sum(frequency for _, frequency, _, _ in items)
            postings = [(term, weight, value_bytes) for term, _, weight, value_bytes in items]
        for term, weight, value_bytes in postings:
            flat = terms.get(term)
            if flat is None:
                terms[term] = [docnum, weight, value_bytes]
            else:
                flat += (docnum, weight, value_bytes)
        length = length if field.scorable else 0
        if length:
            # What Whoosh's writer reads back for block statistics: the one-byte length.
            self._lengths[name][docnum] = byte_to_length(length_to_byte(length))
        return length

    def add_reader(self, reader) -> None:
        """Join a segment's documents into this one (Whoosh's merge, which `commit` runs).

        Per-document data (stored fields, lengths, columns) is copied as Whoosh copies it.
        Postings are read a term at a time as lists (block_reader.py) into this writer's
        and written as its own are: Whoosh's merge sends each posting through its
        sorting pool and `add_posting`, as slow as writing it anew. A writer that was given
        documents of its own keeps Whoosh's way, which sorts new and merged terms together.
        """
        if self._documents_added:
            return super().add_reader(reader)
        self._check_state()
        first = self.docnum
        names = sorted(set(self.schema.names()) | {name for name in reader.indexed_field_names() if name in self.schema})
        totals = self.perdocwriter._fieldlengths
        before = {name: totals.get(name, 0) for name in names}
        docmap = self.write_per_doc(names, reader)
        if docmap is None:
            # Whoosh copies each document's one-byte length, so its totals drift from the
            # exact ones BM25's average field length is made of: keep the segment's own.
            for name in names:
                if self.schema[name].scorable and reader.field_length(name):
                    totals[name] = before[name] + reader.field_length(name)
        self._join_postings(reader, names, first, docmap)
        self._added = self._joined = True

    def _join_postings(self, reader, names: list[str], first: int, docmap: dict[int, int] | None) -> None:
        """Add the postings (and field lengths) of `reader`'s live documents, renumbered:
        from `first` on, or by `docmap` (Whoosh's, old docnum -> new) where some are deleted."""
        renumber = docmap.__getitem__ if docmap is not None else first.__add__ if first else None
        for name in names:
            lengths = segment_field_lengths(reader._perdoc, name) if self.schema[name].scorable else None
            for docnum, length in enumerate(lengths or ()):
                if length and (docmap is None or docnum in docmap):
                    self._lengths[name][renumber(docnum) if renumber else docnum] = length
        for name, term, terminfo in term_rows(reader):
            if name not in self.schema:
                continue
            docnums, weights, values = read_term_lists(reader, name, terminfo)
            if not docnums:
                continue  # every document holding it is deleted
            if renumber is not None:
                docnums = list(map(renumber, docnums))
            # A joined term's postings as three lists (what `_columns` makes of a flat one).
            joined = self._postings[name].get(term)
            if joined is None:
                self._postings[name][term] = (docnums, weights, values)
            else:
                for column, more in zip(joined, (docnums, weights, values)):
                    column += more

    def _flush_segment(self) -> None:
        if self.pool.current or self.pool.runs:
            # A merge put another segment's postings into Whoosh's pool: join them there.
            self._pour_into_pool()
            return super()._flush_segment()
        self.perdocwriter.close()
        writer = self.fieldwriter
        postfile = _PostingsFile(writer._postfile)
        for name in sorted(name for name, terms in self._postings.items() if terms):  # as Whoosh: no empty fields
            terms, field = self._postings[name], self.schema[name]
            lengths = _by_docnum(self._lengths.get(name), self.docnum)
            writer.start_field(name, field)
            for term in sorted(terms):  # str sorts as its UTF-8 bytes do
                term_bytes = term.encode("utf-8") if isinstance(term, str) else term
                _write_term(writer, postfile, term_bytes, *_columns(terms[term]), lengths, field)
            writer.finish_field()
        writer.close()
        self._postings.clear()

    def _pour_into_pool(self) -> None:
        add = self.pool.add
        for name, terms in self._postings.items():
            for term, flat in terms.items():
                term_bytes = term.encode("utf-8") if isinstance(term, str) else term
                docnums, weights, values = _columns(flat)
                padded: Sequence[bytes | None] = values or [None] * len(docnums)
                for docnum, weight, value in zip(docnums, weights, padded):
                    add((name, term_bytes, docnum, weight, value))
        self._postings.clear()


def _analysed_in_one_pass(field) -> bool:
    """Text fields whose analyzer gives term positions directly and whose format encodes
    them a document at a time (see `FoldStemAnalyzer.term_positions`, `PackedPositions`)."""
    return hasattr(field.analyzer, "term_positions") and hasattr(field.format, "encode_terms")


def _columns(flat: list | tuple) -> tuple[list[int], list[float], list[bytes]]:
    """A term's flat postings (or a joined term's three lists) as (docnums, weights, value
    bytes); no values for Existence."""
    docnums, weights, values = flat if isinstance(flat, tuple) else (flat[0::3], flat[1::3], flat[2::3])
    return docnums, weights, values if values[0] else []


def _by_docnum(lengths: dict[int, int] | None, doc_count: int) -> list[int] | None:
    """Field lengths as a list indexed by docnum (0: no length), or None if none kept."""
    if not lengths:
        return None
    table = [0] * doc_count
    for docnum, length in lengths.items():
        table[docnum] = length
    return table


def _write_term(writer, postfile: _PostingsFile, term: bytes, docnums: list, weights: list, values: list,
                lengths: list | None, field) -> None:
    """Write one term's postings as W3Codec lays them out, and its row in the term table.

    Four departures from `W3PostingsWriter`, all read by Whoosh's own readers:
    - for a term with PACK_FROM postings or more, a block's gaps, weights and values are
      each one packed bytes object (packed_columns.py), not a tuple of Python objects;
    - pickle protocol 4, not 2: protocol 2 has no bytes type and stores every posting's
      value as a call to `codecs.encode`, ten times slower to write and to read;
    - a term found in one document is stored inline in its term-table row (Whoosh's
      `set_inline` call names a method that does not exist, so it never inlines);
    - blocks are stored uncompressed (COMPRESS_FROM_BYTES) and hold up to BLOCK postings,
      not 128; a block's header says whether it is compressed.
    """
    if values and len(values) != len(docnums):
        raise ValueError("a term has values for some postings and not others")
    term_lengths = _lengths_of(docnums, lengths)
    statistics = TERM_ROW.pack(
        len(docnums) <= INLINE_POSTINGS,
        sum(array("f", weights)),  # the float32 sum W3TermInfo.add_block makes
        len(docnums),
        length_to_byte(min(term_lengths) if term_lengths else None),
        length_to_byte(max(term_lengths, default=0)),
        max(0, *weights),
        docnums[0],
        docnums[-1],
    )
    if len(docnums) <= INLINE_POSTINGS:
        # Empty bytes, not no values: Whoosh's merge takes an inlined "no value" ("") for text.
        inlined = (tuple(docnums), tuple(array("f", weights)), tuple(values or [b""] * len(docnums)))
        postings = dumps(inlined, PICKLE_PROTOCOL)
    else:
        chunks = [WHOOSH3_HEADER_MAGIC]
        fixed_size = field.format.fixed_value_size()
        if len(docnums) <= BLOCK:  # most terms: one block, whose lengths are the term's
            chunks += _block(docnums, weights, values, term_lengths, fixed_size, last=True, packed=len(docnums) >= PACK_FROM)
        else:
            for block_start in range(0, len(docnums), BLOCK):
                block = slice(block_start, block_start + BLOCK)
                block_lengths = _lengths_of(docnums[block], lengths)
                last = block_start + BLOCK >= len(docnums)
                chunks += _block(docnums[block], weights[block], values[block], block_lengths, fixed_size, last, packed=True)
        start, size = postfile.append(chunks)
        postings = pack_long(start) + pack_int(size)
    writer._tindex.add(pack_ushort(writer._fieldid) + term, statistics + postings)


def _lengths_of(docnums: list[int], lengths: list | None) -> list[int]:
    """The non-zero field lengths of these documents."""
    if lengths is None:
        return []
    return [length for length in map(lengths.__getitem__, docnums) if length]


def _block(docnums: list, weights: list, values: list, block_lengths: list[int], fixed_size, last: bool, packed: bool) -> list[bytes]:
    """One block: its length (negative for the last), pickled statistics, pickled postings,
    their columns `packed` or tuples as Whoosh writes them."""
    gaps: PackedGaps | tuple[int, ...] = (docnums[0], *map(sub, docnums[1:], docnums))
    lightest, heaviest = min(weights), max(weights)
    block_weights: float | PackedWeights | tuple[float, ...] | None
    block_values: PackedValues | tuple | bytes | None
    if lightest == heaviest:
        block_weights = None if lightest == 1.0 else array("f", weights[:1])[0]  # float32, as Whoosh
    else:
        block_weights = PackedWeights.of(weights) if packed else tuple(array("f", weights))
    if packed:
        gaps = PackedGaps.of(gaps)
    if fixed_size is None or fixed_size < 0:
        block_values = (PackedValues.of(values) if packed else tuple(values)) if values else ()
    else:
        block_values = b"".join(values) if fixed_size else None
    data = dumps((gaps, block_weights, block_values), PICKLE_PROTOCOL)
    compression = ZLIB_LEVEL if COMPRESS_FROM_BYTES is not None and len(data) >= COMPRESS_FROM_BYTES else 0
    if compression:
        data = zlib.compress(data, compression)
    info = dumps(
        (
            len(docnums),
            docnums[-1],
            max(0, heaviest),
            compression,
            length_to_byte(min(block_lengths) if block_lengths else None),
            length_to_byte(max(block_lengths, default=0)),
        ),
        PICKLE_PROTOCOL,
    )
    size = len(info) + len(data)
    return [pack_int(-size if last else size), info, data]


class _PostingsFile:
    """The segment's postings file, appended to a term at a time.

    It counts its own offset: asking the file (`tell()`) for every term and block, and
    writing each block's three pieces separately, cost a tenth of writing the segment.
    Nothing else writes to this file while a segment is flushed.
    """

    def __init__(self, structfile):
        self._write = structfile.file.write
        self.offset = structfile.tell()

    def append(self, chunks: list[bytes]) -> tuple[int, int]:
        """Write `chunks` at the end; returns (where they start, their size)."""
        data = b"".join(chunks)
        self._write(data)
        start, self.offset = self.offset, self.offset + len(data)
        return start, len(data)
