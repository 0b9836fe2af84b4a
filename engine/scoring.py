"""Score every match of a query, a posting list at a time instead of a posting at a time.

The engine needs the score of every matching document (facets count all of them), and
Whoosh's matcher tree gets there one posting at a time through several layers of
Python method calls: most of a first-time search. Word queries are trees of `Term`,
`Or`, `And` and `AndNot`; here each term's postings are read in one go (postings.py) and
scored with Whoosh's own BM25F formula as arrays over a segment's documents, and the
tree is combined with array operations: an `Or` and an `And` add their children's
scores as Whoosh's union and intersection matchers do, an `AndNot` keeps the positive
side's, a `Not` every live document its child misses (1.0 each, as Whoosh's inverse
matcher scores them), a `Phrase` keeps the words' intersection where they stand next to
each other.
Any other node (prefixes, ranges, boosts, phrases with slop) is scored by Whoosh's
matchers. The arithmetic is the same IEEE operations in the same order as Whoosh's, a
document at a time. Two departures from Whoosh, both for relevance: a plain word over
the heading and the answers is scored with true BM25F (see WORD_FIELD_WEIGHTS), and
`MostWords` keeps documents with the words that carry most of a longer query. Everything
else gets Whoosh's documents and scores (a test compares them), and plain words Whoosh's
documents.
"""

from __future__ import annotations

from math import log
from typing import NamedTuple

import numpy as np

from index_format.segment import Segment, bm25_parameters, scores_by_bm25f, segments
from index_format import queries as wq

from .budget import check_budget
from .postings import every_term_postings, term_postings

Scores = dict[int, float]  # segment docnum -> score

# A plain word searches the heading and the answers at once: its frequencies in both are
# added, each weighted and normalised by its field's length, before one saturation (true
# BM25F, Robertson & Zaragoza), with one idf over the documents holding it anywhere.
# Whoosh adds two saturated per-field scores instead, so a word in both fields counted
# twice and a summary that only mentions it outranked answers about it. Weights, K1 and B
# were chosen on the tuned needs (bench/tune.py); a heading word counts twice.
WORD_FIELD_WEIGHTS = {"heading": 2.0, "body": 1.0}
WORD_K1 = 2.0
WORD_B = 0.75
MOST_WORDS_SHARE = 0.375  # MostWords: the matched words' share of the query's idf (the centre of the best on r01-r12 and e01-e10, 0.35-0.4)
BUDGET_EVERY = 1024  # postings a Whoosh matcher reads between checks of the request's budget


class MostWords(wq.Or):
    """Documents holding the words that carry most of the query: at least MOST_WORDS_SHARE
    of the summed idf of its words. Scored as the sum of the words found, like `Or`."""


class Matched(NamedTuple):
    """What one query node matches in one segment: arrays over the segment's docnums."""

    hit: np.ndarray  # bool: the node matches the document
    score: np.ndarray  # float64: its score there, 0 where it does not match


def score_all(reader, query, memo: dict | None = None) -> Scores:
    """Docnum -> score for every document `query` matches (top-level docnums, ascending).

    :param memo: postings read, kept for the caller (ranking reads the same words' positions).
    """
    memo = {} if memo is None else memo
    if not scores_by_bm25f(reader):
        return _score_with_matchers(reader, query)
    scores: Scores = {}
    for segment, offset in segments(reader):
        matched = _evaluate(query, segment, reader, memo)
        found = np.flatnonzero(matched.hit)
        scores.update(zip((found + offset).tolist(), matched.score[found].tolist()))
    return scores


def _evaluate(node, segment: Segment, top, memo: dict) -> Matched:
    """What `node` matches in one segment; `top` is the whole index's reader."""
    size = segment.doc_count_all()
    if getattr(node, "boost", 1.0) != 1.0:
        return _matcher_scores(node, segment, top, memo)
    if type(node) is wq.Term:
        postings = term_postings(segment, node.fieldname, node.text, memo)
        return bm25f(postings, node.fieldname, node.text, segment, top) if postings else _nothing(size)
    if type(node) is wq.Phrase and node.slop == 1 and segment.has_positions(node.fieldname):
        return _phrase_scores(node, segment, top, memo)
    if is_word_over_fields(node):
        return _word_scores(node, segment, top, memo)
    if type(node) is MostWords:
        return _most_words(node, segment, top, memo)
    if type(node) is wq.Or and not (node.scale or node.minmatch):
        return _added([_evaluate(child, segment, top, memo) for child in node.subqueries], size)
    if type(node) is wq.And:
        parts = [_evaluate(child, segment, top, memo) for child in node.subqueries]
        if not parts:
            return _nothing(size)
        every = np.all([part.hit for part in parts], axis=0)
        return Matched(every, np.where(every, _added(parts, size).score, 0.0))
    if type(node) is wq.Not:  # "-word" with nothing to subtract it from: what Whoosh's
        # InverseMatcher gives, every live document the child misses, each scored 1.0
        kept = ~_evaluate(node.query, segment, top, memo).hit
        kept[list(segment.deleted())] = False
        return Matched(kept, np.where(kept, 1.0, 0.0))
    if type(node) is wq.AndNot:
        positive = _evaluate(node.a, segment, top, memo)
        if not positive.hit.any():
            return positive
        kept = positive.hit & ~_evaluate(node.b, segment, top, memo).hit
        return Matched(kept, np.where(kept, positive.score, 0.0))
    return _matcher_scores(node, segment, top, memo)


def _nothing(size: int) -> Matched:
    return Matched(np.zeros(size, dtype=bool), np.zeros(size))


def _scattered(size: int, docnums, values) -> Matched:
    """A match of each of `docnums` (distinct), scored with `values`."""
    matched = _nothing(size)
    where = np.asarray(docnums, dtype=np.intp)
    matched.hit[where] = True
    matched.score[where] = values
    return matched


def _added(parts: list[Matched], size: int) -> Matched:
    """Any part's documents, scored with the sum of the parts' scores in order (0 + a + b ...,
    as Whoosh's union adds them: a part adds 0.0 where it does not match, which changes nothing)."""
    hit, score = np.zeros(size, dtype=bool), np.zeros(size)
    for part in parts:
        hit |= part.hit
        score += part.score
    return Matched(hit, score)


def _value(matched: Matched, docnum: int) -> float | None:
    """The score of one segment docnum, or None where it does not match."""
    return float(matched.score[docnum]) if matched.hit[docnum] else None


def explain_parts(reader, query, docnum: int, memo: dict | None = None) -> list[tuple[str, str, str, float]]:
    """(kind, field, terms, value) for each leaf of `query` that scores `docnum`: they add up to its score."""
    memo = {} if memo is None else memo
    for segment, offset in segments(reader):
        if offset <= docnum < offset + segment.doc_count_all():
            if not scores_by_bm25f(reader):
                return [("match", "", str(query), _score_with_matchers(reader, query).get(docnum, 0.0))]
            return list(_explain(query, segment, reader, memo, docnum - offset))
    return []


def _explain(node, segment, top, memo: dict, docnum: int):
    """The parts of one segment document's score, split where `_evaluate` adds children up."""
    plain = getattr(node, "boost", 1.0) == 1.0
    if is_word_over_fields(node):
        value = _value(_evaluated(node, segment, top, memo), docnum)
        if value is not None:
            fields = "+".join(child.fieldname for child in node.subqueries)
            yield "bm25f", fields, _label(node.subqueries[0].text), value
        return
    if plain and (type(node) is wq.And or type(node) is MostWords or type(node) is wq.Or and not (node.scale or node.minmatch)):
        # An And (or MostWords) inside an Or adds nothing where it does not match as a whole,
        # though some of its words may: home&community in the answers holding only "home".
        if type(node) is not wq.Or and _value(_evaluated(node, segment, top, memo), docnum) is None:
            return
        for child in node.subqueries:
            yield from _explain(child, segment, top, memo, docnum)
        return
    if plain and type(node) is wq.AndNot:
        yield from _explain(node.a, segment, top, memo, docnum)
        return
    value = _value(_evaluated(node, segment, top, memo), docnum)
    if value is not None:
        words = getattr(node, "words", None)
        text = " ".join(map(str, words)) if words else getattr(node, "text", None)
        label = _label(text) if text is not None else str(node)
        kind = "bm25f" if type(node) in (wq.Term, wq.Phrase) else "match"  # "match": Whoosh's matcher score
        yield kind, getattr(node, "fieldname", None) or "", label, value


def _evaluated(node, segment, top, memo: dict) -> Matched:
    """`_evaluate`, once per node and segment for all the documents explained: explaining a
    page once evaluated every node again for each document (5 s for co* on 100 results)."""
    key = ("evaluated", id(node), id(segment))
    if key not in memo:
        memo[key] = (node, _evaluate(node, segment, top, memo))  # the node kept: its id stays its own
    return memo[key][1]


def is_word_over_fields(node) -> bool:
    """The parser's node for one plain word: an `Or` of one term in the word fields."""
    if type(node) is not wq.Or or node.scale or node.minmatch or getattr(node, "boost", 1.0) != 1.0:
        return False
    children = node.subqueries
    return (
        len(children) > 1
        and all(type(child) is wq.Term and child.fieldname in WORD_FIELD_WEIGHTS and child.boost == 1.0 for child in children)
        and len({child.text for child in children}) == 1
        and len({child.fieldname for child in children}) == len(children)
    )


def word_idf(node, top, memo: dict) -> float:
    """BM25's idf of a word over the documents that hold it in any of the node's fields."""
    key = ("idf", repr(node))
    if key not in memo:
        holding = 0
        for segment, _ in segments(top):
            held = np.zeros(segment.doc_count_all(), dtype=bool)
            for child in node.subqueries:
                postings = term_postings(segment, child.fieldname, child.text, memo)
                if postings:
                    held[postings[0]] = True
            holding += int(np.count_nonzero(held))
        total = top.doc_count()
        memo[key] = log(1 + (total - holding + 0.5) / (holding + 0.5))
    return memo[key]


def _word_scores(node, segment, top, memo: dict) -> Matched:
    """True BM25F of one word over its fields (see WORD_FIELD_WEIGHTS)."""
    size = segment.doc_count_all()
    held, tf = np.zeros(size, dtype=bool), np.zeros(size)
    for child in node.subqueries:
        postings = term_postings(segment, child.fieldname, child.text, memo)
        if not postings:
            continue
        # Posting weights include the schema's field boost; the weight here replaces it.
        weight = WORD_FIELD_WEIGHTS[child.fieldname] / segment.field_boost(child.fieldname)
        average = top.avg_field_length(child.fieldname) or 1
        docnums, weights = np.asarray(postings[0], dtype=np.intp), np.asarray(postings[1], dtype=np.float64)
        lengths = segment.length_array(child.fieldname, default=average)[docnums]
        tf[docnums] += weight * weights / ((1 - WORD_B) + WORD_B * lengths / average)
        held[docnums] = True
    idf = word_idf(node, top, memo)
    return Matched(held, idf * tf * (WORD_K1 + 1) / (tf + WORD_K1))


def word_node(text: str):
    """The parser's node for one plain word (see `is_word_over_fields`)."""
    return wq.Or([wq.Term(field, text) for field in WORD_FIELD_WEIGHTS])


def field_bm25(segment, top, fieldname: str, text, idf: float, memo: dict) -> tuple[np.ndarray, np.ndarray]:
    """(segment docnums, BM25 of one term in one field there), with the words' K1 and B and the given idf."""
    postings = term_postings(segment, fieldname, text, memo)
    if not postings:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    boost = segment.field_boost(fieldname)
    average = top.avg_field_length(fieldname) or 1
    docnums = np.asarray(postings[0], dtype=np.intp)
    tf = np.asarray(postings[1], dtype=np.float64) / boost
    lengths = segment.length_array(fieldname, default=average)[docnums]
    return docnums, idf * tf * (WORD_K1 + 1) / (tf + WORD_K1 * ((1 - WORD_B) + WORD_B * lengths / average))


def _most_words(node, segment, top, memo: dict) -> Matched:
    children = [(child, carried_idf(child, top, memo)) for child in node.subqueries]
    needed = MOST_WORDS_SHARE * sum(idf for _, idf in children) - 1e-9
    parts = [_evaluate(child, segment, top, memo) for child, _ in children]
    carried = np.zeros(segment.doc_count_all())
    for part, (_, idf) in zip(parts, children):
        carried += np.where(part.hit, idf, 0.0)
    combined = _added(parts, segment.doc_count_all())
    kept = combined.hit & (carried >= needed)
    return Matched(kept, np.where(kept, combined.score, 0.0))


def carried_idf(node, top, memo: dict) -> float:
    """How much of a query a `MostWords` child carries: a word's idf; for a word the analyzer
    splits ("afterschool": after + school), the rarest of its parts."""
    if is_word_over_fields(node):
        return word_idf(node, top, memo)
    words = {_label(leaf.text) for leaf in _word_terms(node)}
    return max((word_idf(word_node(word), top, memo) for word in words), default=1.0)


def _word_terms(node):
    """The terms in the word fields under `node`."""
    if type(node) is wq.Term and node.fieldname in WORD_FIELD_WEIGHTS:
        yield node
    for child in getattr(node, "subqueries", ()):
        yield from _word_terms(child)


def most_words(query, minimum: int = 3):
    """`query` with an AND of `minimum` or more plain words (outside any NOT) made a `MostWords`."""
    if type(query) is wq.AndNot:
        return wq.AndNot(most_words(query.a, minimum), query.b)
    if type(query) is wq.And and len(query.subqueries) >= minimum and all(map(_is_word_like, query.subqueries)):
        return MostWords(query.subqueries)
    return query


def _is_word_like(node) -> bool:
    """A plain word, or one the analyzer splits: an `Or` over the word fields of the parts
    ANDed in each field ("afterschool": after and school in the heading, or in the answers)."""
    if is_word_over_fields(node):
        return True
    return type(node) is wq.Or and not (node.scale or node.minmatch) and all(
        type(child) is wq.And and all(type(part) is wq.Term and part.fieldname in WORD_FIELD_WEIGHTS for part in child.subqueries)
        for child in node.subqueries
    )


def _label(text) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else str(text)


def bm25f(postings, fieldname: str, text, segment, top) -> Matched:
    """BM25F (Whoosh's `bm25`, same operation order) for every posting of one term."""
    size = segment.doc_count_all()
    docnums, weights = np.asarray(postings[0], dtype=np.intp), np.asarray(postings[1], dtype=np.float64)
    parameters = bm25_parameters(top, fieldname)
    if parameters is None or not segment.scorable(fieldname):
        return _scattered(size, docnums, weights)  # WeightScorer: the posting's weight
    idf = top.idf(fieldname, text)
    average = top.avg_field_length(fieldname) or 1
    k1, b = parameters
    lengths = segment.length_array(fieldname, default=1)[docnums]
    return _scattered(size, docnums, idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average))))


def _phrase_scores(node, segment, top, memo: dict) -> Matched:
    """Documents with the words at consecutive positions, scored as the words' `And`.

    What Whoosh's `Phrase` does with slop 1 (a `SpanNear2` over the terms' intersection,
    scored by the intersection): each next word exactly one position after the last.
    """
    size = segment.doc_count_all()
    postings = every_term_postings(segment, node.fieldname, node.words, memo)
    if postings is None:
        return _nothing(size)
    phrase = _scattered(size, consecutive(segment, node.fieldname, postings), 0.0)
    if not phrase.hit.any():
        return _nothing(size)
    words = [bm25f(word_postings, node.fieldname, word, segment, top) for word, word_postings in zip(node.words, postings)]
    return Matched(phrase.hit, np.where(phrase.hit, _added(words, size).score, 0.0))


def consecutive(segment, fieldname: str, postings: list) -> np.ndarray:
    """The segment's docnums (ascending) where the words whose `postings` these are stand
    one after another in `fieldname`: word i at some start + i."""
    size = segment.doc_count_all()
    held = np.ones(size, dtype=bool)  # documents holding every word
    for docnums, _, _ in postings:
        held &= _scattered(size, docnums, 0.0).hit
    if not held.any():
        return np.zeros(0, dtype=np.int64)
    # Where the words could start in each document, as keys (docnum << 32) + start +
    # words - 1 (never negative), sorted as the postings are: word i's positions moved back
    # by i, kept where every word before had one.
    starts = None
    last = len(postings) - 1
    for offset, (docnums, _, word_values) in enumerate(postings):
        owners, positions = segment.positions_arrays(fieldname, word_values)
        documents = np.asarray(docnums, dtype=np.int64)[owners]
        kept = held[documents]
        keys = (documents[kept] << 32) + positions[kept] + (last - offset)
        if starts is None:
            starts = keys
        elif len(keys):
            found = np.minimum(np.searchsorted(keys, starts), len(keys) - 1)
            starts = starts[keys[found] == starts]
        else:
            starts = keys
        if not len(starts):
            break
    return np.unique(starts >> 32) if starts is not None else np.zeros(0, dtype=np.int64)


def _matcher_scores(node, segment: Segment, top, memo: dict) -> Matched:
    """Whoosh's own matchers for a node this module does not combine itself."""
    docnums: list[int] = []
    scores: list[float] = []
    for docnum, score in segment.matches(node, top):
        if len(docnums) % BUDGET_EVERY == 0:
            check_budget(memo)
        docnums.append(docnum)
        scores.append(score)
    return _scattered(segment.doc_count_all(), docnums, scores)


def _score_with_matchers(reader, query) -> Scores:
    return reader.scored_by_matchers(query)
