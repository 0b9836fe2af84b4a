"""Write with the block writer, read back through the segment interface: the same documents.

What the engine reads of an index (index_format.segment): each term's postings with
their positions, each document's field lengths, stored fields and deletions, over
several segments, for terms inlined in the term table, in one block and in many, in
the blocks written now (up to 1,024 postings, uncompressed) and in those generations
written before hold (128 postings, compressed from 4,096 bytes).
"""

from __future__ import annotations

import random
from typing import NamedTuple

import pytest

from index_format import block_writer
from index_format import IndexReader
from index_format.schema import build_schema
from index_format.segment import segments, stored_length
from index_format.storage import INDEX_NAME, PositionalFile, create_index, open_index, open_writer

TEXT = ("heading", "body", "title")
WORDS = [f"w{n}" for n in range(40)]  # not stemmed, not stop words: each is its own term
DOCUMENTS_PER_SEGMENT = (300, 40)  # over two blocks of postings for common words, then a small segment
DELETED = ("doc-7", "doc-310")  # one in each segment


def document(number: int, rng: random.Random) -> dict:
    fields = {
        "id": f"doc-{number}",
        "kind": "proposal",
        "heading": " ".join(rng.choices(WORDS[:10], k=rng.randint(1, 12))),
        "body": " ".join(rng.choices(WORDS, k=rng.randint(0, 800))),
        "year": 2013 + number % 8,
        "payload": f"payload of {number}",
    }
    if number % 3 == 0:
        fields["title"] = f"only{number} " + " ".join(rng.choices(WORDS[:5], k=2))  # only<n>: a term in one document
    return fields


# (postings per block, compressed from bytes): small enough that common words of
# DOCUMENTS_PER_SEGMENT span several blocks, as the writer's own do for large segments.
LAYOUTS = {"now": (100, None), "before": (128, 4096)}


@pytest.fixture(scope="module", params=list(LAYOUTS))
def written(request, tmp_path_factory):
    """(a reader of the index, the documents written in docnum order)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(block_writer, "BLOCK", LAYOUTS[request.param][0])
        patch.setattr(block_writer, "COMPRESS_FROM_BYTES", LAYOUTS[request.param][1])
        yield from _written(tmp_path_factory)


def _written(tmp_path_factory):
    rng = random.Random(23)
    path = tmp_path_factory.mktemp("segment")
    index = create_index(path)
    documents, number = [], 0
    for count in DOCUMENTS_PER_SEGMENT:
        writer = open_writer(index)
        for _ in range(count):
            fields = document(number, rng)
            writer.add_document(**fields)
            documents.append(fields)
            number += 1
        writer.commit(merge=False)
    writer = open_writer(index)
    for doc_id in DELETED:
        writer.delete_by_term("id", doc_id)
    writer.commit(merge=False)
    with IndexReader.of(open_index(path)) as reader:  # read as the store reads: PositionalFile
        yield reader, documents


def test_an_opened_index_reads_its_files_positionally(tmp_path):
    create_index(tmp_path)
    file = open_index(tmp_path).storage.open_file(f"_{INDEX_NAME}_0.toc")
    assert type(file) is PositionalFile
    file.close()


def test_a_positional_read_leaves_the_files_position_alone(tmp_path):
    data = bytes(range(256)) * 64
    (tmp_path / "data").write_bytes(data)
    with open(tmp_path / "data", "rb") as raw:
        file = PositionalFile(raw)
        assert file.read(10) == data[:10]
        for position, length in ((0, 4), (9000, 12), (16380, 100), (20000, 5)):
            assert file.get(position, length) == data[position : position + length]  # short at the end
        assert file.read(6) == data[10:16]  # the reads go on where they were


class Expected(NamedTuple):
    """A term's postings as lists, positions decoded: what `Postings` should read back as."""

    docnums: list[int]
    weights: list[float]
    values: list[list[int]]


def expected_postings(documents: list[dict], field: str, boost: float) -> dict[str, Expected]:
    """Term -> what a segment of these documents should hold, from the analyzer."""
    analyzer = build_schema()[field].analyzer
    found: dict[str, Expected] = {}
    for offset, fields in enumerate(documents):
        if field not in fields or fields["id"] in DELETED:
            continue
        positions, _ = analyzer.term_positions(fields[field])
        for term, where in positions.items():
            postings = found.setdefault(term, Expected([], [], []))
            postings.docnums.append(offset)
            postings.weights.append(len(where) * boost)
            postings.values.append(where)
    return found


def test_the_index_has_the_segments_written(written):
    reader, documents = written
    found = segments(reader)
    assert [segment.doc_count_all() for segment, _ in found] == list(DOCUMENTS_PER_SEGMENT)
    assert [offset for _, offset in found] == [0, DOCUMENTS_PER_SEGMENT[0]]
    assert segments(reader) is found  # made once: callers keep derived arrays on them


@pytest.mark.parametrize("field", TEXT)
def test_postings_read_back_as_written(written, field):
    reader, documents = written
    block, compress_from = block_writer.BLOCK, block_writer.COMPRESS_FROM_BYTES
    longest, first_block_bytes = 0, 0
    for segment, offset in segments(reader):
        held = documents[offset : offset + segment.doc_count_all()]
        expected = expected_postings(held, field, segment.field_boost(field))
        decode = segment.positions_decoder(field)
        for term, postings in expected.items():
            read = segment.postings(field, term)
            assert read is not None, term
            assert (read.docnums.tolist(), read.weights.tolist()) == (postings.docnums, pytest.approx(postings.weights)), term
            assert [decode(value) for value in read.values] == postings.values, term
            longest = max(longest, len(read.docnums))
            first_block_bytes = max(first_block_bytes, sum(map(len, read.values[:block])))
        assert segment.postings(field, "absent") is None
    if field == "body":
        assert longest > block  # several blocks
        assert compress_from is None or first_block_bytes > compress_from  # some compressed


def test_a_term_is_found_in_its_own_field_only(written):
    """Terms are looked up in the terms file by field and text: a title's word is no body's,
    an unknown field has no terms."""
    reader, documents = written
    segment, _ = segments(reader)[0]
    assert segment.postings("title", "only0") is not None
    assert segment.postings("body", "only0") is None and segment.postings("heading", "only0") is None
    assert segment.postings("no_such_field", "w1") is None


@pytest.mark.parametrize("field", TEXT)
def test_positions_of_many_postings_at_once_are_each_postings(written, field):
    """`positions_arrays` (what phrases are matched with) gives each posting's positions, in order."""
    reader, _ = written
    for segment, _ in segments(reader):
        decode = segment.positions_decoder(field)
        for term in ("w0", "w3", "w9", "w39", "only0"):
            postings = segment.postings(field, term)
            if postings is None:
                continue
            owners, positions = segment.positions_arrays(field, postings.values)
            expected = [(index, position) for index, value in enumerate(postings.values) for position in decode(value)]
            assert list(zip(owners.tolist(), positions.tolist())) == expected, term


def test_a_term_in_one_document_is_read_back(written):
    reader, documents = written
    segment, _ = segments(reader)[0]
    postings = segment.postings("title", "only3")
    assert postings is not None and postings.docnums.tolist() == [3]


@pytest.mark.parametrize("field", TEXT)
def test_field_lengths_read_back_as_written(written, field):
    reader, documents = written
    analyzer = build_schema()[field].analyzer
    for segment, offset in segments(reader):
        lengths = segment.field_lengths(field)
        assert lengths is not None
        array = segment.length_array(field, default=1.0)
        for docnum in range(segment.doc_count_all()):
            fields = documents[offset + docnum]
            length = analyzer.term_positions(fields[field])[1] if field in fields else 0
            assert lengths[docnum] == (stored_length(length) if length else None)
            assert array[docnum] == (stored_length(length) if length else 0)
        assert segment.length_array(field, default=1.0) is array  # derived once per segment


def test_stored_fields_and_deletions_read_back_as_written(written):
    reader, documents = written
    stored = [name for name, field in build_schema().items() if field.stored]
    for segment, offset in segments(reader):
        deleted = {docnum for docnum in range(segment.doc_count_all()) if documents[offset + docnum]["id"] in DELETED}
        assert segment.deleted() == deleted and len(deleted) == 1
        for docnum in range(segment.doc_count_all()):
            fields = documents[offset + docnum]
            assert segment.stored_fields(docnum) == {name: fields[name] for name in stored if name in fields}
