"""Score every match of a query, a posting list at a time instead of a posting at a time.

The engine needs the score of every matching document (facets count all of them), and
Whoosh's matcher tree gets there one posting at a time through several layers of
Python method calls: most of a first-time search. Word queries are trees of `Term`,
`Or`, `And` and `AndNot`; here each term's postings are read a block at a time and
scored with Whoosh's own BM25F formula over whole lists, and the tree is combined with
dict and set operations: an `Or` and an `And` add their children's scores as Whoosh's
union and intersection matchers do, an `AndNot` keeps the positive side's, a `Phrase`
keeps the words' intersection where they stand next to each other. Any other node
(prefixes, ranges, boosts, phrases with slop) is scored by Whoosh's matchers. Two
departures from Whoosh, both for relevance: a plain word over the heading and the answers
is scored with true BM25F (see WORD_FIELD_WEIGHTS), and `MostWords` keeps documents with
the words that carry most of a longer query. Everything else gets Whoosh's documents and
scores (a test compares them), and plain words Whoosh's documents.
"""

from __future__ import annotations

import pickle
import zlib
from io import BytesIO
from itertools import accumulate
from math import log

from index_format.whoosh_compat import (
    WHOOSH3_HEADER_MAGIC,
    FilterMatcher,
    ListMatcher,
    SegmentReader,
    TermNotFound,
    W3LeafMatcher,
    W3TermsReader,
    scoring,
    segment_field_lengths,
    unpack_int,
)
from index_format.whoosh_compat import query as wq

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
MOST_WORDS_SHARE = 0.6  # MostWords: the matched words' share of the query's idf


class MostWords(wq.Or):
    """Documents holding the words that carry most of the query: at least MOST_WORDS_SHARE
    of the summed idf of its words. Scored as the sum of the words found, like `Or`."""


def score_all(searcher, query, memo: dict | None = None) -> Scores:
    """Docnum -> score for every document `query` matches (top-level docnums).

    :param memo: postings read, kept for the caller (ranking reads the same words' positions).
    """
    memo = {} if memo is None else memo
    weighting = searcher.weighting
    if type(weighting) is not scoring.BM25F:
        return _score_with_matchers(searcher, query)
    scores: Scores = {}
    for segment_searcher, offset in searcher.leaf_searchers():
        segment_scores = _evaluate(query, segment_searcher, searcher, weighting, memo)
        if offset:
            scores.update({docnum + offset: score for docnum, score in segment_scores.items()})
        else:
            scores.update(segment_scores)
    return scores


def _evaluate(node, segment, top, weighting, memo: dict) -> Scores:
    """Scores of `node` in one segment: `segment` is its searcher, `top` the whole index's."""
    if getattr(node, "boost", 1.0) != 1.0:
        return _matcher_scores(node, segment, top)
    if type(node) is wq.Term:
        postings = term_postings(segment, node.fieldname, node.text, memo)
        return bm25f(postings, node.fieldname, node.text, segment, top, weighting) if postings else {}
    if type(node) is wq.Phrase and node.slop == 1 and _has_positions(segment.schema, node.fieldname):
        return _phrase_scores(node, segment, top, weighting, memo)
    if is_word_over_fields(node):
        return _word_scores(node, segment, top, memo)
    if type(node) is MostWords:
        return _most_words(node, segment, top, weighting, memo)
    if type(node) is wq.Or and not (node.scale or node.minmatch):
        combined: Scores = {}
        for child in node.subqueries:
            for docnum, score in _evaluate(child, segment, top, weighting, memo).items():
                combined[docnum] = combined.get(docnum, 0) + score
        return combined
    if type(node) is wq.And:
        parts = [_evaluate(child, segment, top, weighting, memo) for child in node.subqueries]
        if not parts:
            return {}
        common = set(parts[0]).intersection(*parts[1:])
        return {docnum: sum(part[docnum] for part in parts) for docnum in common}
    if type(node) is wq.AndNot:
        positive = _evaluate(node.a, segment, top, weighting, memo)
        negative = _evaluate(node.b, segment, top, weighting, memo) if positive else {}
        return {docnum: score for docnum, score in positive.items() if docnum not in negative}
    return _matcher_scores(node, segment, top)


def explain_parts(searcher, query, docnum: int, memo: dict | None = None) -> list[tuple[str, str, str, float]]:
    """(kind, field, terms, value) for each leaf of `query` that scores `docnum`: they add up to its score."""
    memo = {} if memo is None else memo
    weighting = searcher.weighting
    for segment, offset in searcher.leaf_searchers():
        if offset <= docnum < offset + segment.doc_count_all():
            if type(weighting) is not scoring.BM25F:
                return [("match", "", str(query), _score_with_matchers(searcher, query).get(docnum, 0.0))]
            return list(_explain(query, segment, searcher, weighting, memo, docnum - offset))
    return []


def _explain(node, segment, top, weighting, memo: dict, docnum: int):
    """The parts of one segment document's score, split where `_evaluate` adds children up."""
    plain = getattr(node, "boost", 1.0) == 1.0
    if is_word_over_fields(node):
        value = _word_scores(node, segment, top, memo).get(docnum)
        if value is not None:
            fields = "+".join(child.fieldname for child in node.subqueries)
            yield "bm25f", fields, _label(node.subqueries[0].text), value
        return
    if plain and (type(node) is wq.And or type(node) is MostWords or type(node) is wq.Or and not (node.scale or node.minmatch)):
        # An And (or MostWords) inside an Or adds nothing where it does not match as a whole,
        # though some of its words may: home&community in the answers holding only "home".
        if type(node) is not wq.Or and docnum not in _evaluate(node, segment, top, weighting, memo):
            return
        for child in node.subqueries:
            yield from _explain(child, segment, top, weighting, memo, docnum)
        return
    if plain and type(node) is wq.AndNot:
        yield from _explain(node.a, segment, top, weighting, memo, docnum)
        return
    value = _evaluate(node, segment, top, weighting, memo).get(docnum)
    if value is not None:
        words = getattr(node, "words", None)
        text = " ".join(map(str, words)) if words else getattr(node, "text", None)
        label = _label(text) if text is not None else str(node)
        kind = "bm25f" if type(node) in (wq.Term, wq.Phrase) else "match"  # "match": Whoosh's matcher score
        yield kind, getattr(node, "fieldname", None) or "", label, value


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
        for segment, _ in top.leaf_searchers():
            docnums = set()
            for child in node.subqueries:
                postings = term_postings(segment, child.fieldname, child.text, memo)
                if postings:
                    docnums.update(postings[0])
            holding += len(docnums)
        total = top.doc_count()
        memo[key] = log(1 + (total - holding + 0.5) / (holding + 0.5))
    return memo[key]


def _word_scores(node, segment, top, memo: dict) -> Scores:
    """True BM25F of one word over its fields (see WORD_FIELD_WEIGHTS)."""
    combined: dict[int, float] = {}
    for child in node.subqueries:
        postings = term_postings(segment, child.fieldname, child.text, memo)
        if not postings:
            continue
        field = segment.schema[child.fieldname]
        # Posting weights include the schema's field boost; the weight here replaces it.
        weight = WORD_FIELD_WEIGHTS[child.fieldname] / (field.format.field_boost or 1.0)
        average = top.avg_field_length(child.fieldname) or 1
        docnums, weights, _ = postings
        lengths = segment_field_lengths(segment.reader()._perdoc, child.fieldname) or [average] * (max(docnums) + 1)
        for docnum, tf in zip(docnums, weights):
            normalised = weight * tf / ((1 - WORD_B) + WORD_B * lengths[docnum] / average)
            combined[docnum] = combined.get(docnum, 0.0) + normalised
    idf = word_idf(node, top, memo)
    return {docnum: idf * tf * (WORD_K1 + 1) / (tf + WORD_K1) for docnum, tf in combined.items()}


def word_node(text: str):
    """The parser's node for one plain word (see `is_word_over_fields`)."""
    return wq.Or([wq.Term(field, text) for field in WORD_FIELD_WEIGHTS])


def field_bm25(segment, top, fieldname: str, text, idf: float, memo: dict) -> Scores:
    """BM25 of one term in one field, with the words' K1 and B and the given idf."""
    postings = term_postings(segment, fieldname, text, memo)
    if not postings:
        return {}
    boost = segment.schema[fieldname].format.field_boost or 1.0
    average = top.avg_field_length(fieldname) or 1
    docnums, weights, _ = postings
    lengths = segment_field_lengths(segment.reader()._perdoc, fieldname) or [average] * (max(docnums) + 1)
    saturation = WORD_K1 + 1
    return {
        docnum: idf * (tf / boost) * saturation / (tf / boost + WORD_K1 * ((1 - WORD_B) + WORD_B * lengths[docnum] / average))
        for docnum, tf in zip(docnums, weights)
    }


def _most_words(node, segment, top, weighting, memo: dict) -> Scores:
    children = [(child, word_idf(child, top, memo) if is_word_over_fields(child) else 1.0) for child in node.subqueries]
    needed = MOST_WORDS_SHARE * sum(idf for _, idf in children) - 1e-9
    combined: Scores = {}
    carried: dict[int, float] = {}
    for child, idf in children:
        for docnum, score in _evaluate(child, segment, top, weighting, memo).items():
            combined[docnum] = combined.get(docnum, 0) + score
            carried[docnum] = carried.get(docnum, 0) + idf
    return {docnum: score for docnum, score in combined.items() if carried[docnum] >= needed}


def most_words(query, minimum: int = 3):
    """`query` with an AND of `minimum` or more plain words (outside any NOT) made a `MostWords`."""
    if type(query) is wq.AndNot:
        return wq.AndNot(most_words(query.a, minimum), query.b)
    if type(query) is wq.And and len(query.subqueries) >= minimum and all(map(is_word_over_fields, query.subqueries)):
        return MostWords(query.subqueries)
    return query


def _label(text) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else str(text)


def _has_positions(schema, fieldname: str) -> bool:
    return fieldname in schema and schema[fieldname].format.supports("positions")


def term_postings(segment, fieldname: str, text, memo: dict) -> tuple[list, list, list] | None:
    """(docnums, weights, values) of a term in one segment; None if it is not there."""
    key = (id(segment), fieldname, text)
    if key not in memo:
        reader = segment.reader()
        try:
            if type(reader) is SegmentReader and type(reader._terms) is W3TermsReader and not reader.is_closed:
                memo[key] = _read_term(reader, fieldname, text)
            else:
                memo[key] = _postings(reader.postings(fieldname, text))  # one term-table lookup
        except (TermNotFound, ValueError):  # absent here, or text the field cannot hold: no match, as in Whoosh
            memo[key] = None
    return memo[key]


def bm25f(postings, fieldname: str, text, segment, top, weighting) -> Scores:
    """BM25F (Whoosh's `bm25`, same operation order) for every posting of one term."""
    docnums, weights, _ = postings
    if not segment.schema[fieldname].scorable:
        return dict(zip(docnums, weights))  # WeightScorer: the posting's weight
    idf = top.idf(fieldname, text)
    average = top.avg_field_length(fieldname) or 1
    b = weighting._field_B.get(fieldname, weighting.B)
    k1 = weighting.K1
    lengths = segment_field_lengths(segment.reader()._perdoc, fieldname) or [1] * (max(docnums, default=0) + 1)
    return {
        docnum: idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths[docnum] / average)))
        for docnum, tf in zip(docnums, weights)
    }


def _phrase_scores(node, segment, top, weighting, memo: dict) -> Scores:
    """Documents with the words at consecutive positions, scored as the words' `And`.

    What Whoosh's `Phrase` does with slop 1 (a `SpanNear2` over the terms' intersection,
    scored by the intersection): each next word exactly one position after the last.
    """
    field = segment.schema[node.fieldname]
    postings = [term_postings(segment, node.fieldname, word, memo) for word in node.words]
    if not postings or None in postings:
        return {}
    common = set(postings[0][0]).intersection(*(docnums for docnums, _, _ in postings[1:]))
    if not common:
        return {}
    decode = field.format.decode_positions
    values = [dict(zip(docnums, word_values)) for docnums, _, word_values in postings]
    matched = set()
    for docnum in common:
        # Where the phrase could start: word i's positions moved back by i, intersected.
        starts = set(decode(values[0][docnum]))
        for offset, word_values in enumerate(values[1:], start=1):
            starts.intersection_update(map(offset.__rsub__, decode(word_values[docnum])))
            if not starts:
                break
        if starts:
            matched.add(docnum)
    total: Scores = dict.fromkeys(matched, 0)
    for word, (docnums, weights, _) in zip(node.words, postings):
        kept = [(docnum, weight) for docnum, weight in zip(docnums, weights) if docnum in matched]
        word_postings = ([docnum for docnum, _ in kept], [weight for _, weight in kept], None)
        for docnum, score in bm25f(word_postings, node.fieldname, word, segment, top, weighting).items():
            total[docnum] += score
    return total


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


def _matcher_scores(node, segment, top) -> Scores:
    """Whoosh's own matchers for a node this module does not combine itself."""
    matcher = node.matcher(segment, top.context())
    scores: Scores = {}
    while matcher.is_active():
        scores[matcher.id()] = matcher.score()
        matcher.next()
    return scores


def _score_with_matchers(searcher, query) -> Scores:
    return dict(searcher.search(query, limit=None).items())
