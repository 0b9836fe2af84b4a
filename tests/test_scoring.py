"""`score_all` must give exactly the documents and scores Whoosh's own search gives."""

from __future__ import annotations

import shutil

import pytest

from index_store import IndexStore
from indexer.pipeline import index_paths
from index_format.whoosh_compat import query as wq
from search_app.query import parse_query
from search_app.scoring import score_all

from conftest import SHARED, SHARED_CORPUS

SYNTAX = [
    "youth OR teen",
    "garden -school",
    "title:garden youth",
    "org:library",
    "park*",
    "co*",
    "gard*",
    "commun* youth",
    "title:lib*",
    "educat* OR teen*",
    "zzq*",
    "region:south*",
    '"open space" park',
    '"los angeles river"',
    '"after school program" -sports',
    '"community of practice"',
    '"youth youth"',
    '"open space"~3',
    'title:"library"',
    "homeless -shelter -housing",
    "(arts OR music) -school youth",
    "zzzznotaword",
    "the",
]


def benchmark_words() -> list[str]:
    lines = (SHARED / "bench" / "queries.txt").read_text(encoding="utf-8").splitlines()
    return [line.partition("|")[0].strip() for line in lines if line.strip() and not line.startswith("#")]


def whoosh_scores(searcher, query) -> dict[int, float]:
    return dict(searcher.search(query, limit=None).items())


def assert_same_scores(index_dir, texts):
    generation = IndexStore(index_dir).open_current()
    with generation.index.searcher() as searcher:
        for text in texts:
            query = parse_query(text).query
            if query is None:
                continue
            expected, actual = whoosh_scores(searcher, query), score_all(searcher, query)
            assert actual.keys() == expected.keys(), text
            for docnum, score in expected.items():
                assert actual[docnum] == pytest.approx(score, rel=1e-12), (text, docnum)


def test_every_benchmark_query_and_syntax_scores_as_in_whoosh(index_dir):
    assert len(IndexStore(index_dir).open_current().index._segments()) > 1  # offsets matter
    assert_same_scores(index_dir, benchmark_words() + SYNTAX)


def test_documents_deleted_by_an_update_are_not_scored(tmp_path):
    corpus = tmp_path / "corpus"
    sources = sorted((SHARED_CORPUS / "proposals" / "2016").glob("*.md"))[:40]
    corpus.mkdir()
    for source in sources:
        shutil.copy(source, corpus / source.name)
    store = IndexStore(tmp_path / "index")
    index_paths(store, [corpus], workers=1)
    for source in sources[:5]:  # an update replaces these: their old copies become deletions
        target = corpus / source.name
        target.write_text(target.read_text(encoding="utf-8").replace("community", "neighbourhood"), encoding="utf-8")
    index_paths(store, [corpus], workers=1)
    generation = store.open_current()
    assert any(segment.has_deletions() for segment in generation.index._segments())
    assert_same_scores(store.root, ["community", "neighbourhood youth", "community OR neighbourhood", "school"])


def outcome(function, *args):
    """A function's result, or the type of what it raised."""
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - comparing what each side raises
        return type(error)


def test_queries_built_directly_behave_as_in_whoosh(index_dir):
    """Field-less phrases, phrases on fields without positions, words for number fields."""
    queries = [
        wq.Phrase("nosuchfield", ["open", "space"]),
        wq.Phrase("kind", ["proposal", "proposal"]),
        wq.Phrase("title", ["open", "space"]),
        wq.Term("year", "abc"),
        wq.Term("nosuchfield", "garden"),
        wq.Or([]),
        wq.And([]),
    ]
    with IndexStore(index_dir).open_current().index.searcher() as searcher:
        for query in queries:
            assert outcome(score_all, searcher, query) == outcome(whoosh_scores, searcher, query), query
