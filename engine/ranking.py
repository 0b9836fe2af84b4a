"""Rank what BM25F matched by what a user means: the title, exact names, words together.

BM25F (scoring.py) scores each word over the heading (title, organization and summary
together) and the answers: a proposal whose title *is* the query scores like one with
the same words scattered across its summary. On top of it, for queries of plain words
and phrases (the organization prior applies to every query):

- **title**: the words' BM25 in the title field alone, weighted (the title counts on its own);
- **title / organization match**: the query's words standing together in the title (or
  the organization's name), worth `cover` = query words / title words, so a query equal
  to a title gets the whole boost and a longer title containing it a share; an equal
  name has a boost of its own on top, so it ranks first;
- **phrase**: every word side by side in the heading or the answers, worth more the
  longer the query (a remembered sentence is near-certain evidence, two words are not);
- **proximity**: otherwise the smallest span holding every word, worth query words /
  span words, for the best-scored candidates. Both count for much more in the heading
  (title, organization, summary: what the proposal is about) than in the answers, where
  a phrase is often one item of a list about something else;
- **organization prior**: an organization's own document restates the work its proposals
  describe, and short as it is, BM25 favours it; its score is scaled down so that the
  proposals themselves come first for a topic. Not when its name holds every word of the
  query and the query is at least half its name: then it is what was asked for.

The boosts are relative to the best score of the query (`top`), so their weights mean
the same for every query; they were chosen on data (bench/tune.py), not by hand.
Every part is named, so `explain` lists exactly what makes a score (they sum to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from index_format.segment import segments, stored_length
from index_format import queries as wq

from .boosts import Boosts, Part
from .budget import Budget, check_budget
from .postings import every_term_postings
from .scoring import MostWords, Scores, consecutive, explain_parts, field_bm25, score_all, word_idf, word_node


@dataclass(frozen=True)
class RankingWeights:
    """How much each signal adds; the matches' part is relative to the query's best score."""

    # Chosen by bench/tune.py on needs r01-r12 and every other known-item query; the two
    # `equal` weights, which the data left open, are 1 so that an equal name outweighs
    # every other boost together and ranks first, as users expect.
    title: float = 0.25  # × the words' BM25 in the title field alone
    # × the words' BM25 in the form choices (metrics, regions ... ticked from lists): they
    # never make a document match, but a proposal about early childhood that also ticked
    # "Early childhood education" is likelier about it than one that mentions it in passing.
    choices: float = 0.1
    title_match: float = 0.1  # × top × cover, the query's words together in the title
    title_equal: float = 1.0  # × top, the title is the query
    organization_match: float = 0.1  # × top × cover, in the organization's name
    organization_equal: float = 1.0  # × top, the organization's name is the query
    # × top × (words - 1) / (phrase_words - 1), the words side by side in the heading: two
    # words together are weak evidence, a sentence of eight is the document someone remembers.
    phrase: float = 1.0
    phrase_words: int = 8
    proximity: float = 0.1  # × top × query words / smallest span holding them all, in the heading
    phrase_in_answers: float = 0.1  # the same two boosts when the words stand together in the answers
    proximity_in_answers: float = 0.05
    candidates: int = 100  # best-scored documents whose spans are measured
    # × (BM25F + title) of an organization's own document (chosen on the archive with
    # organizations, bench/tune.py; 1 would let them crowd the proposals out of a top ten).
    organization_prior: float = 0.6


DEFAULT_WEIGHTS = RankingWeights()
NAME_FIELDS = (("title", "title_match", "title_equal"), ("organization", "organization_match", "organization_equal"))
SPAN_FIELDS = ("heading", "body")
FIELD_BM25_PARTS = ("title", "choices")  # fields whose words' BM25 adds a part of its own (a weight each)
NAME_QUERY_FIELDS = ("title", "organization")  # org:"…" and title:"…" name what is asked for
NAME_SHARE = 0.5  # an organization is asked for by name when the query is this share of its name
SPAN_WEIGHTS = {"heading": ("phrase", "proximity"), "body": ("phrase_in_answers", "proximity_in_answers")}


class Ranked(NamedTuple):
    """Every match's score, the documents whose title or organization name *is* the query,
    and the organization documents the organization prior scaled."""

    scores: Scores
    named: frozenset[int]
    prior_scaled: frozenset[int]
    phrased: frozenset[int] = frozenset()  # PHRASE_TIER_WORDS or more words side by side in the heading


EQUAL_KINDS = ("title equal", "organization equal")
PRIOR_KIND = "organization prior"
PHRASE_TIER_WORDS = 3  # distinct words standing together in a heading as typed: a remembered title or summary


def rank_all(
    reader, query, weights: RankingWeights = DEFAULT_WEIGHTS, organizations: frozenset[int] = frozenset(), budget: Budget | None = None,
    typed: tuple[str, ...] = (),
) -> Ranked:
    """Docnum -> score for every match: BM25F plus the boosts; and the documents named exactly.

    :param organizations: docnums of organization documents (the organization prior's).
    :param budget: the request's budget, checked as postings are read (budget.py).
    :param typed: the terms of the words as typed (see `_boosts`).
    """
    memo: dict = budget.memo() if budget else {}
    scores = score_all(reader, query, memo)
    boosts = _boosts(reader, query, scores, weights, memo, organizations, typed)
    named = frozenset(docnum for docnum, parts in boosts.few.items() if any(part.kind in EQUAL_KINDS for part in parts))
    phrased = frozenset(
        docnum for docnum, parts in boosts.few.items()
        if any(part.kind == "phrase" and part.field == "heading" and len(set(part.terms.split())) >= PHRASE_TIER_WORDS for part in parts)
    )
    return Ranked(boosts.scores(), named, boosts.holding(PRIOR_KIND), phrased)


def explain(
    reader, query, docnums: list[int], weights: RankingWeights = DEFAULT_WEIGHTS, organizations: frozenset[int] = frozenset(),
    budget: Budget | None = None, typed: tuple[str, ...] = (),
) -> dict[int, list[Part]]:
    """The parts of each document's score, in the order they are added up."""
    memo: dict = budget.memo() if budget else {}
    scores = score_all(reader, query, memo)
    boosts = _boosts(reader, query, scores, weights, memo, organizations, typed)
    explained = {}
    for docnum in docnums:
        check_budget(memo)
        base = [Part(*part) for part in explain_parts(reader, query, docnum, memo)]
        explained[docnum] = base + boosts.parts_of(docnum)
    return explained


def query_words(query, fields: tuple[str, ...] = SPAN_FIELDS) -> list[str] | None:
    """The query's words in order, if it asks for all of them (words and phrases, ANDed) in `fields`.

    None for anything else (OR between different words, prefixes, other fields): what "the
    words together" means there is not clear, so only BM25F ranks it.
    """
    words: list[str] = []

    def visit(node) -> bool:
        if isinstance(node, wq.AndNot):
            return visit(node.a)
        if isinstance(node, (wq.And, MostWords)):
            return all(visit(child) for child in node.subqueries)
        if isinstance(node, wq.Or):  # the parser's one word over several fields
            leaves = [_leaf_words(child, fields) for child in node.subqueries]
            known = [leaf for leaf in leaves if leaf is not None]
            if not known or len(known) < len(leaves) or len({tuple(leaf) for leaf in known}) != 1:
                return False
            words.extend(known[0])
            return True
        leaf = _leaf_words(node, fields)
        if leaf is None:
            return False
        words.extend(leaf)
        return True

    return words if visit(query) and words else None


def _leaf_words(node, fields: tuple[str, ...]) -> list[str] | None:
    if type(node) is wq.Term and node.fieldname in fields:
        return [_text(node.text)]
    if type(node) is wq.And and node.subqueries and all(type(child) is wq.Term for child in node.subqueries):
        # A joined word (home&community) asks for its parts in one field: they are its words.
        if len({child.fieldname for child in node.subqueries}) == 1 and node.subqueries[0].fieldname in fields:
            return [_text(child.text) for child in node.subqueries]
    if type(node) is wq.Phrase and node.fieldname in fields and node.slop == 1:
        return [_text(word) for word in node.words]
    return None


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)


def _boosts(
    reader, query, scores: Scores, weights: RankingWeights, memo: dict, organizations: frozenset[int] = frozenset(),
    typed: tuple[str, ...] = (),
) -> Boosts:
    """The boost parts of every match.

    :param typed: the query's words as typed, function words included (their terms): a
        remembered title or sentence stands together with its "the", "where" and "being",
        which need not match (sentences.py) but make the phrase. Names and spans are
        measured with these and with the matched words, the better kept.
    """
    words = query_words(query) if scores else None
    boosts = Boosts(scores, reader.doc_count_all())
    for field in FIELD_BM25_PARTS:
        if words and getattr(weights, field):
            for term in dict.fromkeys(words):
                docnums, values = _field_bm25(reader, field, term, memo)
                boosts.add_many(field, field, term, docnums, getattr(weights, field) * values)
    if weights.organization_prior != 1.0:
        targets = np.fromiter(prior_targets(reader, organizations, scores, query, memo), dtype=np.intp)
        own = boosts.boosted()[boosts.positions(targets)]  # the score with its parts so far
        boosts.add_many(PRIOR_KIND, "", "", targets, (weights.organization_prior - 1.0) * own)
    if not words:
        return boosts
    top = float(boosts.boosted().max())
    spellings = [list(typed), words] if typed and list(typed) != words else [words]
    matched = boosts.position >= 0  # by docnum
    for field, match_weight, equal_weight in NAME_FIELDS:
        for docnum, (cover, phrase) in _best_name_matches(reader, field, spellings, matched, memo).items():
            boosts.add(docnum, Part(f"{field} match", field, phrase, getattr(weights, match_weight) * top * cover))
            if cover == 1.0 and getattr(weights, equal_weight):
                boosts.add(docnum, Part(f"{field} equal", field, phrase, getattr(weights, equal_weight) * top))
    if any(getattr(weights, name) for names in SPAN_WEIGHTS.values() for name in names):
        # The best-scored so far; a stable sort keeps ties in the matches' order.
        ranked = boosts.docnums[np.argsort(-boosts.boosted(), kind="stable")[: weights.candidates]].tolist()
        best: dict[int, Part] = {}
        for spelling in spellings:
            distinct = list(dict.fromkeys(spelling))
            if len(distinct) < 2:
                continue
            phrase = " ".join(spelling)
            length = min(1.0, (len(distinct) - 1) / (weights.phrase_words - 1))
            for docnum, closeness_by_field in _closeness(reader, distinct, ranked, memo).items():
                for field, closeness in closeness_by_field.items():
                    part = _span_part(field, closeness, phrase, length, top, weights)
                    if part.value > (best[docnum].value if docnum in best else 0.0):
                        best[docnum] = part
        for docnum, part in best.items():
            boosts.add(docnum, part)
    return boosts


def _best_name_matches(reader, field: str, spellings: list[list[str]], matched: np.ndarray, memo: dict) -> dict[int, tuple[float, str]]:
    """Docnum -> (cover, words) of the spelling that covers most of the document's name,
    for the documents `matched` (bool by docnum) holds."""
    best: dict[int, tuple[float, str]] = {}
    for spelling in spellings:
        for docnum, cover in _name_matches(reader, field, spelling, matched, memo).items():
            if cover > best.get(docnum, (0.0, ""))[0]:
                best[docnum] = (cover, " ".join(spelling))
    return best


def _span_part(field: str, closeness: float, phrase: str, length: float, top: float, weights: RankingWeights) -> Part:
    """The phrase boost (every word side by side) or else the proximity boost, in one field."""
    phrase_weight, proximity_weight = (getattr(weights, name) for name in SPAN_WEIGHTS[field])
    if closeness == 1.0:
        return Part("phrase", field, phrase, phrase_weight * top * length)
    return Part("proximity", field, phrase, proximity_weight * top * closeness)


def _segments(reader):
    """(segment, first docnum, docnum after its last) for each segment."""
    for segment, offset in segments(reader):
        yield segment, offset, offset + segment.doc_count_all()


def _field_bm25(reader, field: str, term: str, memo: dict) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, BM25 of the term in `field` alone) over every segment, with the idf, K1 and B
    the words are scored with (scoring.py), so the parts share one scale."""
    idf = word_idf(word_node(term), reader, memo)
    docnums, values = [np.zeros(0, dtype=np.intp)], [np.zeros(0)]
    for segment, offset, _ in _segments(reader):
        segment_docnums, segment_values = field_bm25(segment, reader, field, term, idf, memo)
        docnums.append(segment_docnums + offset)
        values.append(segment_values)
    return np.concatenate(docnums), np.concatenate(values)


def prior_targets(reader, organizations: frozenset[int], scores: Scores, query, memo: dict) -> set[int]:
    """The organization documents the prior scales: matched, and not asked for by name
    (in plain words, or in the name fields: org:"heal the bay", title:"heal the bay")."""
    words = (query_words(query) or query_words(query, NAME_QUERY_FIELDS)) if scores else None
    named = _asked_by_name(reader, words, memo) if words else set()
    return set(organizations.intersection(scores)).difference(named)


def _asked_by_name(reader, words: list[str], memo: dict) -> set[int]:
    """Docnums whose title holds every word of the query, and the query at least half the
    title's words (two of them, unless the name is one word): a name asked for, maybe
    abbreviated or reordered ("Art Share L A")."""
    distinct = list(dict.fromkeys(words))
    named = set()
    for segment, offset, _ in _segments(reader):
        postings = every_term_postings(segment, "title", distinct, memo)
        if postings is None:
            continue
        holding = postings[0].docnums
        for more in postings[1:]:
            holding = np.intersect1d(holding, more.docnums, assume_unique=True)
        lengths = segment.length_array("title", default=len(distinct))[holding]  # no lengths kept: the words are the name
        # One word names one-word organizations only (826LA): "arts" asks for a topic.
        asked = len(distinct) >= np.maximum(NAME_SHARE * lengths, np.minimum(2, lengths))
        named.update((holding[asked] + offset).tolist())
    return named


def _name_matches(reader, field: str, words: list[str], matched: np.ndarray, memo: dict) -> dict[int, float]:
    """Docnum -> cover (query words / field words) where the words stand together in `field`,
    for the documents `matched` (bool by docnum) holds; as arrays over the documents."""
    matches: dict[int, float] = {}
    encoded_length = stored_length(len(words))  # lengths are kept to a byte
    for segment, offset, _ in _segments(reader):
        if not segment.has_positions(field):
            continue
        postings = every_term_postings(segment, field, words, memo)
        if postings is None:
            continue
        together = consecutive(segment, field, postings)
        together = together[matched[together + offset]]
        lengths = segment.length_array(field, default=len(words))[together]  # no lengths kept: the words are the name
        covers = np.where(lengths == encoded_length, 1.0, np.minimum(1.0, len(words) / np.maximum(lengths, 1)))
        matches.update(zip((together + offset).tolist(), covers.tolist()))
    return matches


def _closeness(reader, distinct: list[str], ranked: list[int], memo: dict) -> dict[int, dict[str, float]]:
    """Docnum -> {field: words / smallest span holding them all} over SPAN_FIELDS."""
    found: dict[int, dict[str, float]] = {}
    for segment, offset, end in _segments(reader):
        local = {docnum - offset for docnum in ranked if offset <= docnum < end}
        if not local:
            continue
        for field in SPAN_FIELDS:
            for docnum, span in _smallest_spans(segment, field, distinct, memo, local).items():
                found.setdefault(docnum + offset, {})[field] = len(distinct) / span
    return found


def _smallest_spans(segment, field: str, words: list[str], memo: dict, only: set[int]) -> dict[int, int]:
    """Segment docnum -> the fewest words of `field` in a window holding every one of
    `words`, for the documents of `only` holding them all, in ascending order."""
    if not segment.has_positions(field):
        return {}
    postings = every_term_postings(segment, field, words, memo)
    if postings is None:
        return {}
    wanted = np.array(sorted(only), dtype=np.intp)
    indices = [_indices(p.docnums, wanted) for p in postings]
    held = np.all([index >= 0 for index in indices], axis=0) if len(wanted) else np.zeros(0, dtype=bool)
    if not held.any():
        return {}
    keys = []
    for p, index in zip(postings, indices):
        owners, positions = segment.positions_arrays(field, p.values, index[held])
        keys.append((wanted[held][owners].astype(np.int64) << 32) + positions)
    documents, spans = smallest_spans(keys)
    return dict(zip(documents.tolist(), spans.tolist()))


def smallest_spans(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(documents, the smallest span of each) for words whose positions are given as keys
    (docnum << 32) + position, ascending, one array a word: a span counts the words from
    the window's first position to its last, and is at least the number of words. Only
    documents holding every word are given.

    The smallest window ending at a position holds, for each word, its last position up
    to there, and starts at the earliest of those: each word's is one `searchsorted`."""
    ends = np.concatenate(keys)  # every position of every word, as a window's last
    starts = ends.copy()
    for word_keys in keys:
        last = word_keys[np.maximum(np.searchsorted(word_keys, ends, side="right") - 1, 0)]
        kept = (last >> 32 == ends >> 32) & (last <= ends)  # the word is in that document, before
        ends, starts = ends[kept], np.minimum(starts[kept], last[kept])
    documents = ends >> 32
    spans = ends - starts + 1  # within one document: the docnums cancel
    order = np.lexsort((spans, documents))  # each document's smallest span first
    first = np.ones(len(order), dtype=bool)
    first[1:] = documents[order][1:] != documents[order][:-1]
    return documents[order][first], np.maximum(spans[order][first], len(keys))


def _indices(docnums: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where each of `wanted` stands in ascending `docnums`, -1 for one that is not there."""
    where = np.searchsorted(docnums, wanted)
    inside = where < len(docnums)
    found = np.zeros(len(wanted), dtype=bool)
    found[inside] = docnums[where[inside]] == wanted[inside]
    return np.where(found, where, -1)


