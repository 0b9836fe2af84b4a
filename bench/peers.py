"""Independent engines over the same documents, to compare rankings and speed with.

- **bm25s** (BM25 over sparse matrices): title, organization, summary and answers as one
  text, English stop words, the same Porter stemmer as the project; every word optional.
- **Tantivy** (Rust, through its Python binding): the four text fields with its
  `en_stem` tokenizer, default BM25, words ANDed or ORed; region, metric, goal, kind and
  year as fast fields for facet counts (a terms aggregation) and filters.
- **SQLite FTS5** (Python's own sqlite3): the four fields, porter tokenizer, bm25().
- **dense only**: the cosine of the query's vector with each document's (title, summary
  and answers), from the project's own embedding model (index_format/embedding.py).
- **bm25s + dense**: linear fusion, each score min-max normalised over the documents,
  bm25s + 0.35 x dense (the fusion ../shared/relevance/README.md measures).

Missing packages fail loudly: `make bench` installs the `bench` extra.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index_format.analysis import stem_word
from index_format.embedding import embed_text as query_vector
from index_format.embedding import embed_texts

from .engines import Doc
from .relevance import CUTOFF, Engine

FACET_FIELDS = ("region", "metric", "goal", "kind")  # and year, an integer
_WORD = re.compile(r"\w+", re.UNICODE)


def _require(name: str):
    try:
        return __import__(name)
    except ImportError as error:
        raise SystemExit(f"{name} is missing: run `make bench` (it installs the bench extra: pip install -e '.[bench]')") from error


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


DENSE_WEIGHT = 0.35  # of the min-max normalised cosine, beside bm25s's normalised score


def _bm25s(documents: Sequence[Doc]):
    """(retriever, query -> its known tokens) of bm25s over each document's whole text."""
    bm25s = _require("bm25s")

    def stem(words: list[str]) -> list[str]:
        return [stem_word(word) for word in words]

    texts = [" ".join((d.title, d.organization, d.summary, d.body)) for d in documents]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stem, show_progress=False), show_progress=False)

    def known_tokens(query: str) -> list[str]:
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=stem, return_ids=False, show_progress=False)
        return [token for token in tokens[0] if token in retriever.vocab_dict]

    return retriever, known_tokens


def bm25s_engine(documents: Sequence[Doc]) -> Engine:
    """bm25s over each document's whole text."""
    retriever, known_tokens = _bm25s(documents)
    ids = [d.id for d in documents]

    def search(query: str) -> list[str]:
        tokens = known_tokens(query)
        if not tokens:
            return []
        found, scores = retriever.retrieve([tokens], k=min(CUTOFF, len(ids)), show_progress=False, n_threads=1)
        return [ids[i] for i, score in zip(found[0], scores[0]) if score > 0]

    return search


def _dense_scores(documents: Sequence[Doc]) -> Callable[[str], np.ndarray]:
    """query -> the cosine of its vector with every document's (same order as `documents`)."""
    matrix = embed_texts(["\n".join((d.title, d.summary, d.body)) for d in documents])
    return lambda query: matrix @ query_vector(query)


def _top(ids: list[str], scores: np.ndarray) -> list[str]:
    order = np.lexsort((np.arange(len(ids)), -scores))[:CUTOFF]  # ties: document order
    return [ids[i] for i in order]


def _min_max(scores: np.ndarray) -> np.ndarray:
    low, high = float(scores.min()), float(scores.max())
    return (scores - low) / (high - low) if high > low else np.zeros_like(scores)


def dense_engine(documents: Sequence[Doc]) -> Engine:
    """Documents by the cosine of their vector with the query's, nothing else."""
    dense, ids = _dense_scores(documents), [d.id for d in documents]
    return lambda query: _top(ids, dense(query)) if query_vector(query).any() else []


def fusion_engine(documents: Sequence[Doc], weight: float = DENSE_WEIGHT) -> Engine:
    """bm25s + `weight` x dense, both min-max normalised over the documents."""
    retriever, known_tokens = _bm25s(documents)
    dense, ids = _dense_scores(documents), [d.id for d in documents]

    def search(query: str) -> list[str]:
        tokens = known_tokens(query)
        lexical = np.asarray(retriever.get_scores(tokens), dtype=np.float64) if tokens else np.zeros(len(ids))
        return _top(ids, _min_max(lexical) + weight * _min_max(dense(query).astype(np.float64)))

    return search


class TantivyPeer:
    """A Tantivy index of the documents, searched with AND or OR, with facets and snippets."""

    TEXT_FIELDS = ("title", "organization", "summary", "body")

    def __init__(self, documents: Sequence[Doc]):
        tantivy = _require("tantivy")
        self.tantivy = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        for name in self.TEXT_FIELDS:
            builder.add_text_field(name, stored=True, tokenizer_name="en_stem")
        for name in FACET_FIELDS:
            builder.add_text_field(name, stored=False, fast=True, tokenizer_name="raw")
        builder.add_integer_field("year", stored=False, fast=True, indexed=True)
        self.schema = builder.build()
        self._folder = tempfile.TemporaryDirectory(prefix="la2050-tantivy-")
        self.index = tantivy.Index(self.schema, path=self._folder.name)
        writer = self.index.writer(heap_size=100_000_000, num_threads=1)
        for d in documents:
            fields: dict[str, Any] = {"id": d.id, "title": d.title, "organization": d.organization, "summary": d.summary, "body": d.body}
            fields.update(region=list(d.region), metric=list(d.metric), goal=[d.goal] if d.goal else [], kind=[d.kind])
            if d.year is not None:
                fields["year"] = d.year
            writer.add_document(tantivy.Document(**fields))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def query(self, text: str, conjunction: bool, filters: Sequence[tuple[str, str]] = ()):
        words = " ".join(_words(text.lower()))  # upper-case AND, OR, IN are operators to Tantivy
        tantivy = self.tantivy
        clauses = []
        if words:
            parsed = self.index.parse_query(words, list(self.TEXT_FIELDS), conjunction_by_default=conjunction)
            clauses.append((tantivy.Occur.Must, parsed))
        by_facet: dict[str, list] = {}
        for name, value in filters:  # values of one facet OR, facets AND, as in the project
            by_facet.setdefault(name, []).append(int(value) if name == "year" else value)
        for name, values in by_facet.items():
            terms = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, name, value)) for value in values]
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(terms)))
        if not clauses:
            return tantivy.Query.all_query()
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def engine(self, conjunction: bool) -> Engine:
        def search(text: str) -> list[str]:
            if not _words(text):
                return []
            searcher = self.index.searcher()
            hits = searcher.search(self.query(text, conjunction), limit=CUTOFF).hits
            return [searcher.doc(address)["id"][0] for _, address in hits]

        return search

    def full_search(self, text: str, filters: Sequence[tuple[str, str]]) -> int:
        """What `/api/search` does: 10 hits, every facet counted, a snippet for each hit."""
        searcher = self.index.searcher()
        query = self.query(text, conjunction=True, filters=filters)
        result = searcher.search(query, limit=CUTOFF, count=True)
        if result.count == 0 and len(_words(text)) > 1:  # the project falls back to any word too
            query = self.query(text, conjunction=False, filters=filters)
            result = searcher.search(query, limit=CUTOFF, count=True)
        aggregations = {name: {"terms": {"field": name, "size": 200}} for name in (*FACET_FIELDS, "year")}
        searcher.aggregate(query, aggregations)
        if _words(text):
            generator = self.tantivy.SnippetGenerator.create(searcher, query, self.schema, "body")
            generator.set_max_num_chars(300)
            for _, address in result.hits:
                generator.snippet_from_doc(searcher.doc(address)).to_html()
        return result.count


def fts5_engine(documents: Sequence[Doc], conjunction: bool, connection: sqlite3.Connection | None = None) -> Engine:
    """SQLite FTS5 with its porter tokenizer over the four text fields, ranked by bm25()."""
    db = connection or _fts5_database(documents)

    def search(text: str) -> list[str]:
        words = [f'"{word}"' for word in _words(text)]
        if not words:
            return []
        match = (" AND " if conjunction else " OR ").join(words)
        rows = db.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, CUTOFF)
        ).fetchall()
        return [row[0] for row in rows]

    return search


def fts5_database(documents: Sequence[Doc]) -> sqlite3.Connection:
    """An in-memory FTS5 table of the documents (shared by the AND and OR engines)."""
    return _fts5_database(documents)


def _fts5_database(documents: Sequence[Doc]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, organization, summary, body, tokenize='porter unicode61')"
    )
    db.executemany(
        "INSERT INTO docs VALUES (?, ?, ?, ?, ?)", [(d.id, d.title, d.organization, d.summary, d.body) for d in documents]
    )
    return db


def peer_engines(documents: Sequence[Doc], tantivy_peer: TantivyPeer) -> dict[str, Engine]:
    """Every peer engine by name, each with AND and OR where it has both."""
    db = fts5_database(documents)
    return {
        "bm25s": bm25s_engine(documents),
        "Tantivy AND": tantivy_peer.engine(conjunction=True),
        "Tantivy OR": tantivy_peer.engine(conjunction=False),
        "FTS5 AND": fts5_engine(documents, True, db),
        "FTS5 OR": fts5_engine(documents, False, db),
        "dense only": dense_engine(documents),
        "bm25s + dense": fusion_engine(documents),
    }
