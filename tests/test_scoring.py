"""`score_all` gives Whoosh's documents for every query, Whoosh's scores wherever it keeps
Whoosh's formula, and true BM25F (checked against a direct computation) for plain words."""

from __future__ import annotations

import shutil

import pytest

import engine
from engine import LiveIndex, SearchRequest
from index_store import IndexStore
from indexer.pipeline import index_paths
from index_format import queries as wq
from engine.query import parse_query
from math import log

from engine.scoring import (
    MOST_WORDS_SHARE,
    WORD_B,
    WORD_FIELD_WEIGHTS,
    WORD_K1,
    is_word_over_fields,
    most_words,
    score_all,
    word_idf,
)

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
    "-school",  # nothing to subtract from: every document the word misses
    "-community -youth -health",
    "-garden -park*",
    "(arts OR music) -school youth",
    "zzzznotaword",
    "the",
]


def benchmark_words() -> list[str]:
    lines = (SHARED / "bench" / "queries.txt").read_text(encoding="utf-8").splitlines()
    return [line.partition("|")[0].strip() for line in lines if line.strip() and not line.startswith("#")]


def whoosh_scores(searcher, query) -> dict[int, float]:
    return dict(searcher.search(query, limit=None).items())


def has_words(query) -> bool:
    """Whether a plain word (scored with true BM25F, not Whoosh's formula) is in the query."""
    return is_word_over_fields(query) or any(has_words(child) for child in getattr(query, "children", lambda: [])())


def assert_same_scores(index_dir, texts):
    """Whoosh's documents for every query; its scores where no plain word is scored."""
    generation = IndexStore(index_dir).open_current()
    compared = 0
    with generation.index.searcher() as searcher, generation.reader() as reader:
        for text in texts:
            query = parse_query(text).query
            if query is None:
                continue
            expected, actual = whoosh_scores(searcher, query), score_all(reader, query)
            assert actual.keys() == expected.keys(), text
            if not has_words(query):
                compared += 1
                for docnum, score in expected.items():
                    assert actual[docnum] == pytest.approx(score, rel=1e-12), (text, docnum)
    return compared


def reference_bm25f(searcher, word: str) -> dict[int, float]:
    """True BM25F of one word over heading and body, computed directly from Whoosh's reader."""
    reader = searcher.reader()
    holding: dict[int, float] = {}
    for field, weight in WORD_FIELD_WEIGHTS.items():
        if (field, word) not in reader:
            continue
        boost = searcher.schema[field].format.field_boost
        average = searcher.avg_field_length(field)
        postings = reader.postings(field, word)
        while postings.is_active():
            docnum, tf = postings.id(), postings.weight() / boost
            length = reader.doc_field_length(docnum, field)
            holding[docnum] = holding.get(docnum, 0.0) + weight * tf / (1 - WORD_B + WORD_B * length / average)
            postings.next()
    total = searcher.doc_count()
    idf = log(1 + (total - len(holding) + 0.5) / (len(holding) + 0.5))
    return {docnum: idf * tf * (WORD_K1 + 1) / (tf + WORD_K1) for docnum, tf in holding.items()}


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory, sample_corpus):
    """`sample_corpus` indexed in two runs: a rebuild (joined into one segment), then an
    update adding a year's proposals in a segment of its own."""
    corpus = tmp_path_factory.mktemp("segmented") / "corpus"
    shutil.copytree(sample_corpus, corpus)
    held_back = tmp_path_factory.mktemp("held-back") / "2019"
    shutil.move(corpus / "proposals" / "2019", held_back)
    directory = tmp_path_factory.mktemp("segmented-index")
    index_paths(IndexStore(directory), [corpus], rebuild=True)
    shutil.move(held_back, corpus / "proposals" / "2019")
    index_paths(IndexStore(directory), [corpus])
    return directory


def test_every_benchmark_query_and_syntax_scores_as_in_whoosh(segmented_index):
    assert len(IndexStore(segmented_index).open_current().index._segments()) > 1  # offsets matter
    assert assert_same_scores(segmented_index, benchmark_words() + SYNTAX) >= 8  # phrases, fields, prefixes


def test_a_search_ranks_alike_over_segments_and_over_one_joined_segment(segmented_index, index_dir):
    """Every boost and the fusion read postings per segment at an offset: the same documents
    in two segments and in one rank alike (the same score for each document). Not prefixes:
    Whoosh expands one per segment and scores a one-term expansion by BM25, a longer one as
    a constant, so there a document's score depends on its segment's other words."""
    lives = [LiveIndex.open(IndexStore(directory).open_current()) for directory in (segmented_index, index_dir)]
    try:
        for text in benchmark_words() + [text for text in SYNTAX if "*" not in text]:
            ranked = []
            for live in lives:
                outcome = engine.search(live, SearchRequest(q=text, per_page=50))
                with live.reader() as reader:
                    ranked.append({reader.stored_fields(docnum)["id"]: score for docnum, score in outcome.page_hits})
            floor = min(ranked[1].values(), default=0.0)  # the page's last score: ties there may differ
            assert {i: s for i, s in ranked[0].items() if s > floor} == {i: s for i, s in ranked[1].items() if s > floor}, text
    finally:
        for live in lives:
            live.close()


def test_the_joined_index_scores_as_in_whoosh(index_dir):
    assert len(IndexStore(index_dir).open_current().index._segments()) == 1  # a rebuild is one segment
    assert assert_same_scores(index_dir, benchmark_words() + SYNTAX) >= 8


@pytest.mark.parametrize("word", ["garden", "youth", "communiti", "librari", "zzzznotaword"])
def test_a_plain_word_scores_true_bm25f(index_dir, word):
    generation = IndexStore(index_dir).open_current()
    with generation.index.searcher() as searcher, generation.reader() as reader:
        query = parse_query(word).query
        if word == "zzzznotaword":
            assert score_all(reader, query) == {}
            return
        assert is_word_over_fields(query)
        actual, expected = score_all(reader, query), reference_bm25f(searcher, word)
        assert actual.keys() == expected.keys() and expected
        for docnum, score in expected.items():
            assert actual[docnum] == pytest.approx(score, rel=1e-9)


def test_most_words_keeps_documents_with_the_words_that_carry_the_query(index_dir):
    """Three or more words: a document may miss words worth up to 40% of the query's idf."""
    with IndexStore(index_dir).open_current().reader() as reader:
        every = parse_query("community garden vegetables").query
        most = most_words(every)
        assert type(most).__name__ == "MostWords"
        all_words, most_scores = score_all(reader, every), score_all(reader, most)
        assert set(all_words) < set(most_scores)  # more documents, all the ANDed ones among them
        memo: dict = {}
        idf = {word.subqueries[0].text: word_idf(word, reader, memo) for word in most.subqueries}
        holding = {word: set(score_all(reader, parse_query(word).query)) for word in ("communiti", "garden", "veget")}
        for docnum in most_scores:
            carried = sum(idf[word] for word, docs in holding.items() if docnum in docs)
            assert carried >= MOST_WORDS_SHARE * sum(idf.values()) - 1e-9
        missed = [d for d in set(most_scores) - set(all_words)]
        assert all(sum(d in docs for docs in holding.values()) < 3 for d in missed)
        assert type(most_words(parse_query("community garden").query)).__name__ == "And"


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
    assert_same_scores(store.root, ["community", "neighbourhood youth", "community OR neighbourhood", "school", "-community", "-school -youth"])


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
    generation = IndexStore(index_dir).open_current()
    with generation.index.searcher() as searcher, generation.reader() as reader:
        for query in queries:
            assert outcome(score_all, reader, query) == outcome(whoosh_scores, searcher, query), query
