"""Warming up a generation builds what its first search would: that search builds nothing."""

from __future__ import annotations

import engine
from engine import LiveIndex, SearchRequest
from engine.query_tree import field_names
from index_format.segment import Segment, segments
from index_store import Columns, IndexStore

SCORED_FIELDS = ("heading", "body", "title", "organization", "choices")


def _built(*_args):
    raise AssertionError("built by a search, not ahead of it")


def test_after_warm_up_a_first_search_builds_nothing_the_generation_shares(index_dir, monkeypatch):
    live = LiveIndex.open(IndexStore(index_dir).open_current())
    try:
        field_names.cache_clear()  # the parser's schema, as in a new process
        engine.warm_up(live)
        schema_misses = field_names.cache_info().misses
        monkeypatch.setattr(Columns, "order", _built)  # the relevance order's tie-break
        with monkeypatch.context() as lengths_read, live.reader() as reader:
            lengths_read.setattr(Segment, "field_lengths", _built)  # BM25's field lengths, per segment
            for segment, _ in segments(reader):
                for field in SCORED_FIELDS:
                    segment.length_array(field, default=1.0)
        assert engine.search(live, SearchRequest(q="youth arts", sort="relevance")).total > 0
        assert field_names.cache_info().misses == schema_misses  # the schema was built ahead
    finally:
        live.close()


def test_a_field_without_lengths_reads_as_the_default_everywhere(index_dir):
    live = LiveIndex.open(IndexStore(index_dir).open_current())
    try:
        with live.reader() as reader:
            segment = segments(reader)[0][0]
            array = segment.length_array("id", default=2.5)  # an ID field keeps no lengths
            assert array.shape == (segment.doc_count_all(),) and set(array.tolist()) == {2.5}
            assert segment.length_array("id", default=2.5) is array  # made once
    finally:
        live.close()
