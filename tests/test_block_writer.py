"""`BulkSegmentWriter` must write exactly the files Whoosh's own `SegmentWriter` writes."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from whoosh.codec import whoosh3

from index_format.block_reader import read_postings
from index_format import block_writer
from index_format.block_writer import BulkSegmentWriter
from index_format.packed_columns import PackedGaps, PackedValues, PackedWeights
from index_format.storage import WRITER_OPTIONS, join_segments, open_index
from index_format.analysis import index_term
from index_format.postings_format import PackedPositions
from index_format.schema import build_schema
from indexer.fields import document_fields
from index_format.whoosh_compat import index as whoosh_index
from index_format.whoosh_compat import query

from conftest import SAMPLE_CORPUS, SHARED_CORPUS, read_documents

SEGMENT_FILE = re.compile(r"^MAIN_\w+(\..+)$")  # the part after the random segment id


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    """Field dicts of real documents: the sample corpus, a year of proposals, some articles."""
    roots = [SAMPLE_CORPUS, SHARED_CORPUS / "proposals" / "2014", SHARED_CORPUS / "articles" / "goldhirsh"]
    return [document_fields(document) for document in read_documents(roots)]


def write(directory: Path, documents: list[dict], bulk: bool, **commit) -> whoosh_index.FileIndex:
    directory.mkdir()
    index = whoosh_index.create_in(str(directory), build_schema())
    writer = BulkSegmentWriter(index, **WRITER_OPTIONS) if bulk else index.writer(**WRITER_OPTIONS)
    for fields in documents:
        writer.add_document(**fields)
    writer.commit(**commit)
    return index


def segment_files(directory: Path) -> dict[str, bytes]:
    files = {}
    for path in directory.iterdir():
        match = SEGMENT_FILE.match(path.name)
        if match:
            files[match.group(1)] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def both_written(tmp_path_factory, documents) -> dict[str, tuple[Path, whoosh_index.FileIndex]]:
    """"whoosh" and "bulk": `documents` written once by each writer, for the tests that only read them."""
    root = tmp_path_factory.mktemp("both-written")
    return {name: (root / name, write(root / name, documents, bulk=name == "bulk")) for name in ("whoosh", "bulk")}


def test_per_document_files_are_byte_for_byte_whooshs(documents, both_written):
    assert len(documents) > 2 * 128  # common terms span several posting blocks
    expected, actual = (segment_files(both_written[name][0]) for name in ("whoosh", "bulk"))
    assert sorted(actual) == sorted(expected)
    per_document = [suffix for suffix in expected if suffix.endswith(".col")]
    assert {"._stored.col", "._body_len.col", ".words.col"} <= set(per_document)
    for suffix in per_document:
        assert actual[suffix] == expected[suffix], suffix


def test_postings_and_term_statistics_are_whooshs(both_written):
    expected, actual = (both_written[name][1] for name in ("whoosh", "bulk"))
    assert postings(actual) == postings(expected)
    assert term_statistics(actual) == term_statistics(expected)


def test_inlined_rare_terms_and_packed_blocks_search_like_whooshs(both_written):
    """Inlining is Whoosh's intention that its writer never carries out; its reader handles it."""
    expected, actual = (both_written[name][1] for name in ("whoosh", "bulk"))
    with actual.searcher() as searcher:
        reader = searcher.reader()
        rare = next(term for term in reader.lexicon("body") if reader.doc_frequency("body", term) == 1)
        assert reader.term_info("body", rare).is_inlined()
    phrase = query.Phrase("body", [index_term("community"), index_term("garden")])
    for inlined_or_blocks in (query.Term("body", rare), phrase, query.Term("region", "south-la")):
        assert matching_ids(actual, inlined_or_blocks) == matching_ids(expected, inlined_or_blocks)
    assert matching_ids(actual, phrase)


def matching_ids(index, whoosh_query) -> list[str]:
    with index.searcher() as searcher:
        return [hit["id"] for hit in searcher.search(whoosh_query, limit=None)]


def term_statistics(index) -> dict:
    """Every (field, term) -> the statistics Whoosh keeps for scoring and skipping."""
    with index.searcher() as searcher:
        reader = searcher.reader()
        statistics = {}
        for field, term in reader.all_terms():
            info = reader.term_info(field, term)
            statistics[field, term] = (
                info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                info.max_weight(), info.min_id(), info.max_id(),
            )
        return statistics


def postings(index) -> dict:
    """Every (field, term) -> [(document id, weight, value)], independent of document numbers."""
    with index.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        return {
            (field, term): sorted(
                # An inlined posting without a value reads as "", a block's as None.
                (ids[m.id()], m.weight(), m.value() or None) for m in iter_matcher(reader.postings(field, term))
            )
            for field, term in reader.all_terms()
        }


def iter_matcher(matcher):
    while matcher.is_active():
        yield matcher
        matcher.next()


def test_a_merge_with_older_segments_keeps_every_posting(tmp_path, documents):
    """When Whoosh merges older segments into the new one, both kinds of postings are written."""
    first, second = documents[:40], documents[40:80]
    expected = write(tmp_path / "whoosh", first + second, bulk=False)
    index = write(tmp_path / "bulk", first, bulk=True)
    writer = BulkSegmentWriter(index, **WRITER_OPTIONS)
    for fields in second:
        writer.add_document(**fields)
    writer.commit(optimize=True)
    assert len(index._segments()) == 1
    assert postings(index) == postings(expected)
    with index.searcher() as searcher:
        assert searcher.doc_count() == 80
        assert len(searcher.search(query.Term("body", "garden"), limit=None)) > 0


def write_in_segments(directory: Path, parts: list[list[dict]], deleted: tuple[str, ...] = ()) -> None:
    """Each part written as its own segment (as index workers write theirs), then `deleted` ids deleted."""
    index = write(directory, parts[0], bulk=True)
    for part in parts[1:]:
        writer = BulkSegmentWriter(index, **WRITER_OPTIONS)
        for fields in part:
            writer.add_document(**fields)
        writer.commit(merge=False)
    if deleted:
        writer = index.writer()
        for doc_id in deleted:
            writer.delete_by_term("id", doc_id)
        writer.commit(merge=False)
    assert len(index._segments()) == len(parts)


def test_joined_segments_are_the_segment_written_in_one_go(tmp_path, documents):
    """Joining reads every term's postings back and writes them as one writer would have."""
    first, second, third = documents[:50], documents[50:100], documents[100:120]
    write_in_segments(tmp_path / "joined", [first, second, third])
    join_segments(tmp_path / "joined")
    expected = write(tmp_path / "one-go", first + second + third, bulk=True)
    joined = open_index(tmp_path / "joined")
    assert len(joined._segments()) == 1
    assert segment_files(tmp_path / "joined") == segment_files(tmp_path / "one-go")  # byte for byte
    # BM25's average field lengths come from the segment's exact totals, not its length bytes.
    assert joined._segments()[0]._fieldlengths == expected._segments()[0]._fieldlengths


def test_joining_leaves_deleted_documents_out(tmp_path, documents):
    parts, deleted = [documents[:60], documents[60:120]], (documents[5]["id"], documents[90]["id"])
    write_in_segments(tmp_path / "joined", parts, deleted)
    join_segments(tmp_path / "joined")
    kept = [fields for fields in documents[:120] if fields["id"] not in deleted]
    expected = write(tmp_path / "one-go", kept, bulk=True)
    joined = open_index(tmp_path / "joined")
    assert len(joined._segments()) == 1 and joined.doc_count_all() == len(kept)
    assert postings(joined) == postings(expected)
    assert term_statistics(joined) == term_statistics(expected)
    per_document = [suffix for suffix in segment_files(tmp_path / "one-go") if suffix.endswith(".col")]
    for suffix in per_document:
        assert segment_files(tmp_path / "joined")[suffix] == segment_files(tmp_path / "one-go")[suffix], suffix


def test_a_writer_with_documents_of_its_own_merges_through_whooshs_pool(tmp_path, documents):
    """New and merged terms must be sorted together: that writer keeps Whoosh's merge."""
    write_in_segments(tmp_path / "bulk", [documents[:30], documents[30:60]])
    index = open_index(tmp_path / "bulk")
    writer = BulkSegmentWriter(index, **WRITER_OPTIONS)
    for fields in documents[60:90]:
        writer.add_document(**fields)
    writer.commit(optimize=True)
    assert len(index._segments()) == 1
    assert postings(index) == postings(write(tmp_path / "one-go", documents[:90], bulk=True))


def test_unknown_fields_are_refused_like_whoosh_refuses_them(tmp_path):
    index = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = BulkSegmentWriter(index)
    with pytest.raises(Exception, match="No field named 'colour'"):
        writer.add_document(id="x", colour="red")
    writer.cancel()


@pytest.mark.parametrize("positions", [[0], [5, 9, 4_000_000], list(range(300))])
def test_packed_positions_read_back_as_written(positions):
    packed = PackedPositions()
    value = packed.encode(positions)
    assert packed.encode_terms({"a": positions, "b": [1]}) == [("a", len(positions), value), ("b", 1, packed.encode([1]))]
    assert packed.decode_positions(value) == positions
    assert packed.decode_frequency(value) == len(positions)  # Whoosh's own count prefix
    assert packed.decode_positions(packed.combine([value, packed.encode([1, 2])])) == sorted({*positions, 1, 2})


def test_field_lengths_read_from_memory_match_whooshs_column_reader(tmp_path, documents):
    index = write(tmp_path / "bulk", documents[:50], bulk=True)
    with index.searcher() as searcher:
        per_document = searcher.reader()._perdoc
        for fieldname in ("heading", "body", "title", "region", "nonexistent"):
            column = per_document._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
            for docnum in range(50):
                expected = 7 if column is None else (whoosh3.byte_to_length(column[docnum]) if column[docnum] else None)
                assert per_document.doc_field_length(docnum, fieldname, 7) == expected
        assert searcher.reader().doc_field_length(3, "body") > 0


def test_fields_without_terms_and_boosts_float32_cannot_hold_are_written_as_whoosh_writes_them(tmp_path):
    """An empty title gets no field id; a uniform 1.1 weight is stored as the float32 Whoosh reads."""
    schema = build_schema()
    schema["heading"].format = PackedPositions(field_boost=1.1)  # a boost float32 cannot hold
    documents = [{"id": f"d{n}", "heading": "garden garden", "title": "", "body": "park"} for n in range(3)]
    indexes = []
    for bulk in (False, True):
        directory = tmp_path / str(bulk)
        directory.mkdir()
        index = whoosh_index.create_in(str(directory), schema)
        writer = BulkSegmentWriter(index) if bulk else index.writer()
        for fields in documents:
            writer.add_document(**fields)
        writer.commit()
        indexes.append(index)
    expected, actual = indexes
    with expected.reader() as whoosh_reader, actual.reader() as bulk_reader:
        assert sorted(bulk_reader.indexed_field_names()) == sorted(whoosh_reader.indexed_field_names())
        assert "title" not in bulk_reader.indexed_field_names()
    assert postings(actual) == postings(expected)


def test_blocks_hold_packed_columns_that_read_back_as_whooshs_tuples(tmp_path, monkeypatch, documents, both_written):
    """Each block's gaps, weights and values are one packed object each (packed_columns.py):
    the engine's reader views them as arrays; Whoosh's blocks (tuples) read the same."""
    monkeypatch.setattr(block_writer, "BLOCK", 50)  # several blocks for the common words
    indexes = {"whoosh": both_written["whoosh"][1], "bulk": write(tmp_path / "bulk", documents, bulk=True)}
    term = index_term("community")
    read = {}
    for name, index in indexes.items():
        with index.searcher() as searcher:
            reader = searcher.reader()
            ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
            assert reader.doc_frequency("body", term) > 2 * 128  # several blocks in either
            docnums, weights, values = read_postings(reader, "body", term)
            read[name] = (type(values), sorted(zip(map(ids.__getitem__, docnums.tolist()), weights.tolist(), values)))
    assert read["bulk"][0] is PackedValues and read["whoosh"][0] is not PackedValues
    assert read["bulk"][1] == read["whoosh"][1]


@pytest.mark.parametrize("column", [PackedGaps.of([5, 1, 4_000_000_000]), PackedWeights.of([1.0, 2.5, 0.1]), PackedValues.of([b"ab", b"", b"cde"])])
def test_packed_columns_are_the_sequences_whoosh_reads(column):
    """Whoosh's matcher indexes and iterates a block's columns; a pickle round trip keeps them."""
    items = list(column)
    assert len(column) == len(items) == 3
    assert [column[i] for i in range(3)] == items and column[-1] == items[-1] and column[1:] == items[1:]
    with pytest.raises(IndexError):
        column[3]
    assert list(pickle.loads(pickle.dumps(column, 4))) == items


def test_packed_values_taken_stay_packed():
    """The postings of live documents, or of the documents ranking measures, keep their
    values packed, in the order asked."""
    values = [b"ab", b"", b"cde", b"f", b"ghij"]
    for which in ([0, 2, 4], [4, 1, 0], [3], []):
        taken = PackedValues.of(values).take(np.array(which, dtype=np.intp))
        assert isinstance(taken, PackedValues) and list(taken) == [values[i] for i in which]
