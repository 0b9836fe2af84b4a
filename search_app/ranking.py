"""Rank what BM25F matched by what a user means: the title, exact names, words together.

BM25F (scoring.py) scores each word over the heading (title, organization and summary
together) and the answers: a proposal whose title *is* the query scores like one with
the same words scattered across its summary. On top of it, for queries of plain words
and phrases:

- **title**: the words' BM25 in the title field alone, weighted (the title counts on its own);
- **title / organization match**: the query's words standing together in the title (or
  the organization's name), worth `cover` = query words / title words, so a query equal
  to a title gets the whole boost and a longer title containing it a share; an equal
  name has a boost of its own on top, so it ranks first;
- **phrase**: every word side by side in the heading or the answers, worth more the
  longer the query (a remembered sentence is near-certain evidence, two words are not);
- **proximity**: otherwise the smallest span holding every word, worth query words /
  span words, for the best-scored candidates.

The boosts are relative to the best score of the query (`top`), so their weights mean
the same for every query; they were chosen on data (bench/tune.py), not by hand.
Every part is named, so `explain` lists exactly what makes a score (they sum to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from heapq import nlargest

from index_format.whoosh_compat import byte_to_length, length_to_byte, segment_field_lengths
from index_format.whoosh_compat import query as wq

from .scoring import MostWords, Scores, explain_parts, field_bm25, score_all, term_postings, word_idf, word_node


@dataclass(frozen=True)
class RankingWeights:
    """How much each signal adds; the matches' part is relative to the query's best score."""

    # Chosen by bench/tune.py on needs r01-r12 and every other known-item query; the two
    # `equal` weights, which the data left open, are 1 so that an equal name outweighs
    # every other boost together and ranks first, as users expect.
    title: float = 0.25  # × the words' BM25 in the title field alone
    title_match: float = 0.1  # × top × cover, the query's words together in the title
    title_equal: float = 1.0  # × top, the title is the query
    organization_match: float = 0.1  # × top × cover, in the organization's name
    organization_equal: float = 1.0  # × top, the organization's name is the query
    # × top × (words - 1) / (phrase_words - 1), the words side by side: two words together
    # are weak evidence, a sentence of eight is the document someone remembers.
    phrase: float = 1.0
    phrase_words: int = 8
    proximity: float = 0.05  # × top × query words / smallest span holding them all
    candidates: int = 100  # best-scored documents whose spans are measured


DEFAULT_WEIGHTS = RankingWeights()
NAME_FIELDS = (("title", "title_match", "title_equal"), ("organization", "organization_match", "organization_equal"))
SPAN_FIELDS = ("heading", "body")


@dataclass(frozen=True)
class Part:
    """One addend of a score: what it is, on which field and words, and its value."""

    kind: str  # bm25f | title | title match | title equal | organization ... | proximity | phrase
    field: str
    terms: str
    value: float

    def as_dict(self) -> dict:
        return {"kind": self.kind, "field": self.field, "terms": self.terms, "value": self.value}


def rank_all(searcher, query, weights: RankingWeights = DEFAULT_WEIGHTS) -> Scores:
    """Docnum -> score for every match: BM25F plus the boosts."""
    memo: dict = {}
    scores = score_all(searcher, query, memo)
    boosts = _boosts(searcher, query, scores, weights, memo)
    for docnum, parts in boosts.items():
        scores[docnum] += sum(part.value for part in parts)
    return scores


def explain(searcher, query, docnums: list[int], weights: RankingWeights = DEFAULT_WEIGHTS) -> dict[int, list[Part]]:
    """The parts of each document's score, in the order they are added up."""
    memo: dict = {}
    scores = score_all(searcher, query, memo)
    boosts = _boosts(searcher, query, scores, weights, memo)
    explained = {}
    for docnum in docnums:
        base = [Part(*part) for part in explain_parts(searcher, query, docnum, memo)]
        explained[docnum] = base + boosts.get(docnum, [])
    return explained


def query_words(query) -> list[str] | None:
    """The query's words in order, if it asks for all of them (words and phrases, ANDed).

    None for anything else (OR between different words, prefixes, fields): what "the
    words together" means there is not clear, so only BM25F ranks it.
    """
    words: list[str] = []

    def visit(node) -> bool:
        if isinstance(node, wq.AndNot):
            return visit(node.a)
        if isinstance(node, (wq.And, MostWords)):
            return all(visit(child) for child in node.subqueries)
        if isinstance(node, wq.Or):  # the parser's one word over several fields
            leaves = [_leaf_words(child) for child in node.subqueries]
            if not leaves or None in leaves or len({tuple(leaf) for leaf in leaves}) != 1:
                return False
            words.extend(leaves[0])
            return True
        leaf = _leaf_words(node)
        if leaf is None:
            return False
        words.extend(leaf)
        return True

    return words if visit(query) and words else None


def _leaf_words(node) -> list[str] | None:
    if type(node) is wq.Term and node.fieldname in SPAN_FIELDS:
        return [_text(node.text)]
    if type(node) is wq.Phrase and node.fieldname in SPAN_FIELDS and node.slop == 1:
        return [_text(word) for word in node.words]
    return None


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)


def _boosts(searcher, query, scores: Scores, weights: RankingWeights, memo: dict) -> dict[int, list[Part]]:
    """Docnum -> its boost parts (documents without boosts are left out)."""
    words = query_words(query) if scores else None
    if not words:
        return {}
    boosts: dict[int, list[Part]] = {}
    if weights.title:
        for docnum, term, value in _title_bm25(searcher, words, scores, memo):
            boosts.setdefault(docnum, []).append(Part("title", "title", term, weights.title * value))
    top = max(_boosted(scores, boosts).values())
    phrase = " ".join(words)
    for field, match_weight, equal_weight in NAME_FIELDS:
        label = field
        for docnum, cover in _name_matches(searcher, field, words, scores, memo).items():
            parts = boosts.setdefault(docnum, [])
            parts.append(Part(f"{label} match", field, phrase, getattr(weights, match_weight) * top * cover))
            if cover == 1.0 and getattr(weights, equal_weight):
                parts.append(Part(f"{label} equal", field, phrase, getattr(weights, equal_weight) * top))
    distinct = list(dict.fromkeys(words))
    if (weights.proximity or weights.phrase) and len(distinct) > 1:
        boosted = _boosted(scores, boosts)
        ranked = nlargest(weights.candidates, boosted, key=boosted.__getitem__)
        for docnum, (field, closeness) in _closeness(searcher, distinct, ranked, memo).items():
            if closeness == 1.0:
                length = min(1.0, (len(distinct) - 1) / (weights.phrase_words - 1))
                part = Part("phrase", field, phrase, weights.phrase * top * length)
            else:
                part = Part("proximity", field, phrase, weights.proximity * top * closeness)
            if part.value:
                boosts.setdefault(docnum, []).append(part)
    return boosts


def _boosted(scores: Scores, boosts: dict[int, list[Part]]) -> Scores:
    """Each document's score with its boosts so far, added up as `rank_all` adds them.

    Only the boosted few are summed; the rest are a copy of their scores (in the same
    order), instead of a generator per match for every one of a broad query's hundreds.
    """
    boosted = dict(scores)
    for docnum, parts in boosts.items():
        boosted[docnum] = scores[docnum] + sum(part.value for part in parts)
    return boosted


def _segments(searcher):
    """(segment searcher, first docnum, docnum after its last) for each segment."""
    for segment, offset in searcher.leaf_searchers():
        yield segment, offset, offset + segment.doc_count_all()


def _title_bm25(searcher, words: list[str], scores: Scores, memo: dict):
    """(docnum, term, BM25 of the term in the title field) for the matched documents, with the
    idf, K1 and B the words are scored with (scoring.py), so the parts share one scale."""
    for term in dict.fromkeys(words):
        idf = word_idf(word_node(term), searcher, memo)
        for segment, offset, _ in _segments(searcher):
            for docnum, value in field_bm25(segment, searcher, "title", term, idf, memo).items():
                if docnum + offset in scores:
                    yield docnum + offset, term, value


def _name_matches(searcher, field: str, words: list[str], scores: Scores, memo: dict) -> dict[int, float]:
    """Docnum -> cover (query words / field words) where the words stand together in `field`."""
    matches: dict[int, float] = {}
    encoded_length = byte_to_length(length_to_byte(len(words)))  # lengths are kept to a byte
    for segment, offset, _ in _segments(searcher):
        positions = _positions(segment, field, words, memo, None)
        if positions is None:
            continue
        lengths = segment_field_lengths(segment.reader()._perdoc, field)
        for docnum, per_word in positions.items():
            if docnum + offset not in scores or not _starts(per_word):
                continue
            length = lengths[docnum] if lengths else len(words)
            matches[docnum + offset] = 1.0 if length == encoded_length else min(1.0, len(words) / max(length, 1))
    return matches


def _closeness(searcher, distinct: list[str], ranked: list[int], memo: dict) -> dict[int, tuple[str, float]]:
    """Docnum -> (field, words / smallest span holding them all) over SPAN_FIELDS, the best field."""
    best: dict[int, tuple[str, float]] = {}
    for segment, offset, end in _segments(searcher):
        local = {docnum - offset for docnum in ranked if offset <= docnum < end}
        if not local:
            continue
        for field in SPAN_FIELDS:
            positions = _positions(segment, field, distinct, memo, local)
            for docnum, per_word in (positions or {}).items():
                closeness = len(distinct) / _smallest_span(per_word)
                if closeness > best.get(docnum + offset, ("", 0.0))[1]:
                    best[docnum + offset] = (field, closeness)
    return best


def _positions(segment, field: str, words: list[str], memo: dict, only: set[int] | None):
    """Segment docnum -> one position list per word, for documents holding every word."""
    schema = segment.schema
    if field not in schema or not schema[field].format.supports("positions"):
        return None
    postings = [term_postings(segment, field, word, memo) for word in words]
    if not postings or None in postings:
        return None
    common = set(postings[0][0]).intersection(*(docnums for docnums, _, _ in postings[1:]))
    if only is not None:
        common &= only
    if not common:
        return {}
    decode = schema[field].format.decode_positions
    found: dict[int, list[list[int]]] = {docnum: [] for docnum in common}
    for docnums, _, values in postings:
        for docnum, value in zip(docnums, values):
            if docnum in found:
                found[docnum].append(decode(value))
    return found


def _starts(per_word: list[list[int]]) -> bool:
    """Whether the words stand one after another somewhere (word i at start + i)."""
    starts = set(per_word[0])
    for offset, positions in enumerate(per_word[1:], start=1):
        starts.intersection_update(position - offset for position in positions)
        if not starts:
            return False
    return True


def _smallest_span(per_word: list[list[int]]) -> int:
    """Words in the smallest window holding at least one position of every list."""
    if len(per_word) == 2:  # most queries: the closest pair, walking both sorted lists once
        return max(_closest_pair(*per_word), 2)
    events = sorted((position, index) for index, positions in enumerate(per_word) for position in positions)
    need, seen, missing, left, best = len(per_word), [0] * len(per_word), len(per_word), 0, None
    for position, index in events:
        if seen[index] == 0:
            missing -= 1
        seen[index] += 1
        while missing == 0:
            left_position, left_index = events[left]
            span = position - left_position + 1
            best = span if best is None or span < best else best
            seen[left_index] -= 1
            if seen[left_index] == 0:
                missing += 1
            left += 1
    return max(best or need, need)


def _closest_pair(first: list[int], second: list[int]) -> int:
    """Words from the one position to the other, for the closest pair of two sorted lists."""
    best, i, j = None, 0, 0
    while i < len(first) and j < len(second):
        gap = second[j] - first[i]
        if gap < 0:
            gap, j = -gap, j + 1
        else:
            i += 1
        if best is None or gap < best:
            best = gap
    return best + 1 if best is not None else 2
