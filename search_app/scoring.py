"""Score every match of a query, a posting list at a time instead of a posting at a time.

The engine needs the score of every matching document (facets count all of them), and
Whoosh's matcher tree gets there one posting at a time through several layers of
Python method calls: most of a first-time search. Word queries are trees of `Term`,
`Or`, `And` and `AndNot`; here each term's postings are read a block at a time and
scored with Whoosh's own BM25F formula over whole lists, and the tree is combined with
dict and set operations: an `Or` and an `And` add their children's scores as Whoosh's
union and intersection matchers do, an `AndNot` keeps the positive side's. Any other
node (phrases, prefixes, ranges, boosts) is scored by Whoosh's own matchers, so every
query gets the same documents and scores (a test compares them on every benchmark query).
"""

from __future__ import annotations

from itertools import accumulate

from indexer.whoosh_compat import FilterMatcher, ListMatcher, W3LeafMatcher, scoring, segment_field_lengths
from indexer.whoosh_compat import query as wq

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
        return _term_scores(node.fieldname, node.text, segment, top, weighting)
    if type(node) is wq.Or:
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


def _term_scores(fieldname: str, text, segment, top, weighting) -> Scores:
    """BM25F (Whoosh's `bm25`, same operation order) for every posting of one term."""
    reader = segment.reader()
    if (fieldname, text) not in reader:
        return {}
    docnums, weights = _postings(reader.postings(fieldname, text))
    if not segment.schema[fieldname].scorable:
        return dict(zip(docnums, weights))  # WeightScorer: the posting's weight
    idf = top.idf(fieldname, text)
    average = top.avg_field_length(fieldname) or 1
    b = weighting._field_B.get(fieldname, weighting.B)
    k1 = weighting.K1
    lengths = segment_field_lengths(reader._perdoc, fieldname) or [1] * (max(docnums, default=0) + 1)
    return {
        docnum: idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths[docnum] / average)))
        for docnum, tf in zip(docnums, weights)
    }


def _postings(matcher) -> tuple[list[int], list[float]]:
    """A term's docnums and weights, read a block at a time where Whoosh's layout allows."""
    deleted = None
    if isinstance(matcher, FilterMatcher) and matcher._exclude:  # a segment with deletions
        deleted, matcher = matcher._ids, matcher.child
    if isinstance(matcher, W3LeafMatcher):
        docnums, weights = _read_blocks(matcher)
    elif isinstance(matcher, ListMatcher):  # postings inlined in the term table
        docnums = list(matcher._ids)
        weights = list(matcher._weights) if matcher._weights is not None else [1.0] * len(docnums)
    else:
        docnums, weights = [], []
        while matcher.is_active():
            docnums.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    if deleted:
        kept = [index for index, docnum in enumerate(docnums) if docnum not in deleted]
        docnums, weights = [docnums[i] for i in kept], [weights[i] for i in kept]
    return docnums, weights


def _read_blocks(matcher: W3LeafMatcher) -> tuple[list[int], list[float]]:
    docnums: list[int] = []
    weights: list = []
    while matcher.is_active():
        matcher._read_data()
        gaps, block_weights, _ = matcher._data
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
    return docnums, weights


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
