"""Score every match of a query, a posting list at a time instead of a posting at a time.

The engine needs the score of every matching document (facets count all of them), and
Whoosh's matcher tree gets there one posting at a time through several layers of
Python method calls: most of a first-time search. Word queries are trees of `Term`,
`Or`, `And` and `AndNot`; here each term's postings are read a block at a time and
scored with Whoosh's own BM25F formula over whole lists, and the tree is combined with
dict and set operations: an `Or` and an `And` add their children's scores as Whoosh's
union and intersection matchers do, an `AndNot` keeps the positive side's, a `Phrase`
keeps the words' intersection where they stand next to each other. Any other node
(prefixes, ranges, boosts, phrases with slop) is scored by Whoosh's matchers, so every
query gets the same documents and scores (a test compares them on every benchmark query).
"""

from __future__ import annotations

from itertools import accumulate

from index_format.whoosh_compat import FilterMatcher, ListMatcher, TermNotFound, W3LeafMatcher, scoring, segment_field_lengths
from index_format.whoosh_compat import query as wq

Scores = dict[int, float]  # segment docnum -> score


def score_all(searcher, query) -> Scores:
    """Docnum -> score for every document `query` matches (top-level docnums)."""
    weighting = searcher.weighting
    if type(weighting) is not scoring.BM25F:
        return _score_with_matchers(searcher, query)
    scores: Scores = {}
    for segment_searcher, offset in searcher.leaf_searchers():
        segment_scores = _evaluate(query, segment_searcher, searcher, weighting)
        if offset:
            scores.update({docnum + offset: score for docnum, score in segment_scores.items()})
        else:
            scores.update(segment_scores)
    return scores


def _evaluate(node, segment, top, weighting) -> Scores:
    """Scores of `node` in one segment: `segment` is its searcher, `top` the whole index's."""
    if getattr(node, "boost", 1.0) != 1.0:
        return _matcher_scores(node, segment, top)
    if type(node) is wq.Term:
        postings = _term_postings(segment, node.fieldname, node.text)
        return _bm25f(postings, node.fieldname, node.text, segment, top, weighting) if postings else {}
    if type(node) is wq.Phrase and node.slop == 1 and _has_positions(segment.schema, node.fieldname):
        return _phrase_scores(node, segment, top, weighting)
    if type(node) is wq.Or and not (node.scale or node.minmatch):
        combined: Scores = {}
        for child in node.subqueries:
            for docnum, score in _evaluate(child, segment, top, weighting).items():
                combined[docnum] = combined.get(docnum, 0) + score
        return combined
    if type(node) is wq.And:
        parts = [_evaluate(child, segment, top, weighting) for child in node.subqueries]
        if not parts:
            return {}
        common = set(parts[0]).intersection(*parts[1:])
        return {docnum: sum(part[docnum] for part in parts) for docnum in common}
    if type(node) is wq.AndNot:
        positive = _evaluate(node.a, segment, top, weighting)
        negative = _evaluate(node.b, segment, top, weighting) if positive else {}
        return {docnum: score for docnum, score in positive.items() if docnum not in negative}
    return _matcher_scores(node, segment, top)


def _has_positions(schema, fieldname: str) -> bool:
    return fieldname in schema and schema[fieldname].format.supports("positions")


def _term_postings(segment, fieldname: str, text) -> tuple[list, list, list] | None:
    """(docnums, weights, values) of a term in one segment; None if it is not there."""
    try:
        matcher = segment.reader().postings(fieldname, text)  # one term-table lookup
    except (TermNotFound, ValueError):  # absent here, or text the field cannot hold: no match, as in Whoosh
        return None
    return _postings(matcher)


def _bm25f(postings, fieldname: str, text, segment, top, weighting) -> Scores:
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


def _phrase_scores(node, segment, top, weighting) -> Scores:
    """Documents with the words at consecutive positions, scored as the words' `And`.

    What Whoosh's `Phrase` does with slop 1 (a `SpanNear2` over the terms' intersection,
    scored by the intersection): each next word exactly one position after the last.
    """
    field = segment.schema[node.fieldname]
    postings = [_term_postings(segment, node.fieldname, word) for word in node.words]
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
        for docnum, score in _bm25f(word_postings, node.fieldname, word, segment, top, weighting).items():
            total[docnum] += score
    return total


def _postings(matcher) -> tuple[list[int], list[float], list]:
    """A term's docnums, weights and values, a block at a time where Whoosh's layout allows."""
    deleted = None
    if isinstance(matcher, FilterMatcher) and matcher._exclude:  # a segment with deletions
        deleted, matcher = matcher._ids, matcher.child
    if isinstance(matcher, W3LeafMatcher):
        docnums, weights, values = _read_blocks(matcher)
    elif isinstance(matcher, ListMatcher):  # postings inlined in the term table
        docnums = list(matcher._ids)
        weights = list(matcher._weights) if matcher._weights is not None else [1.0] * len(docnums)
        values = list(matcher._values or [None] * len(docnums))
    else:
        docnums, weights, values = [], [], []
        while matcher.is_active():
            docnums.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
    if deleted:
        kept = [index for index, docnum in enumerate(docnums) if docnum not in deleted]
        docnums, weights, values = ([column[i] for i in kept] for column in (docnums, weights, values))
    return docnums, weights, values


def _read_blocks(matcher: W3LeafMatcher) -> tuple[list[int], list[float], list]:
    docnums: list[int] = []
    weights: list = []
    values: list = []
    while matcher.is_active():
        matcher._read_data()
        gaps, block_weights, _ = matcher._data
        matcher._read_values()  # Whoosh's own decoding: fixed-size values come joined
        values.extend(matcher._values)
        count = matcher._blocklength
        block_docnums = list(accumulate(gaps))
        if matcher._byteids or len(block_docnums) != count:
            raise ValueError("unexpected posting block")
        docnums.extend(block_docnums)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        matcher._next_block()
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
