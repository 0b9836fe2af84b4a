"""Run one search: match, fall back, filter, count facets disjunctively, sort and page.

Whoosh finds and scores the text matches (BM25F, field boosts from the schema); facet
filtering and disjunctive counting are bitset arithmetic over the generation's columns
(index_store/columns.py). Text matches and the filtered, counted, sorted hits are cached
per generation, so paging and drill-down on the same words cost almost nothing.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from array import array
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from vocabulary.facets import FACETS

from . import grouping
from .generations import LiveIndex
from .budget import Budget
from .hybrid import Fusion, Tiers, fuse
from .query import ParsedQuery, any_word_query, cap_expansions, expand_prefixes, parse_query, tolerant_query
from .boosts import Part
from .ranking import DEFAULT_WEIGHTS, Ranked, RankingWeights, explain, rank_all
from .scoring import MostWords, most_words
from .search_keys import MatchKey, Parsed, SearchKey
from .selection import Constraints, Selection
from .sentences import has_syntax
from .spelling import correct_query, is_known, suggest_word

SORTS = ("relevance", "newest", "oldest", "title")
TIE_BREAK_ORDER = "newest"  # the order whose place breaks ties of relevance (`_sort`)
TYPO_MIN_LENGTH = 5  # only words this long are matched with one edit of tolerance
# A query of three or more words whose most-carrying words leave fewer matches than a page
# is followed by documents holding some of its words (a question never gets a near-empty page).
FILL_BELOW = 10
FEW_RESULTS = 3  # the default of the FEW_RESULTS setting (config.py)
MAX_PREFIX_TERMS = 200  # the default of the MAX_PREFIX_TERMS setting


@dataclass
class SearchRequest:
    """A validated search: the query text, facet selections, sort and page."""

    q: str = ""
    selected: dict[str, list[str]] = field(default_factory=dict)  # facet -> values (OR within)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    explain: bool = False  # give each result the parts of its score
    group: str = ""  # "" for documents, or one of grouping.GROUPS: one hit per group
    organization: str = ""  # "organization/<slug>": only that organization and its proposals
    few_results: int = FEW_RESULTS  # below this many text matches, close spellings are accepted too
    as_words: frozenset[str] = frozenset()  # facets whose names in the query stay words (named_filters.py)
    semantic: bool = True  # fuse plain words with meaning (hybrid.py); False: words alone
    budget_ms: int = 0  # CPU milliseconds the search may use (budget.py); 0: unbounded
    max_prefix_terms: int = MAX_PREFIX_TERMS  # indexed words one prefix or wildcard may stand for


@dataclass
class SearchOutcome:
    """What a search found, before it is turned into a page or JSON."""

    parsed: ParsedQuery
    page_hits: list[tuple[int, float]]  # (docnum, score) of the requested page
    total: int  # hits, or groups when grouped
    facet_counts: dict[str, dict[str, int]]
    selection: Selection  # the constraints as the generation spells them, over the bitset of the matches
    hits: array = field(default_factory=lambda: array("l"))  # every hit (group leaders when grouped), in order
    total_documents: int = 0  # matching documents, grouped or not
    group_sizes: array = field(default_factory=lambda: array("l"))  # documents behind each of `hits` when grouped
    suggestion: str | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per phase
    fill: Fill | None = None  # when few documents held most of the words: what followed them
    fusion: Fusion | None = None  # how words and meaning were fused (hybrid.py), when they were
    budget: Budget | None = None  # the request's, for explaining its page (explain_hits)


@dataclass(frozen=True)
class Fill:
    """Documents with some of a sentence's words, ranked after the few with most of them.

    The few keep their scores plus `lift` (the best score among the rest), so every one of
    them ranks above every document that only fills the page by its words; `explain` says so.
    Fused with meaning (hybrid.py), a filling document close in meaning may rise above them.
    """

    any_word: ParsedQuery  # the query with its words ORed: what scored the rest
    lift: float
    most: frozenset[int]  # docnums that held most of the words


def run_search(live: LiveIndex, request: SearchRequest, weights: RankingWeights = DEFAULT_WEIGHTS) -> SearchOutcome:
    """Search one generation.

    :param weights: how the ranking weighs titles, names and words together (ranking.py).
    """
    started = time.perf_counter()
    budget = Budget(request.budget_ms) if request.budget_ms else None
    # Reading the query was a quarter of a repeated request; the result is only read from here.
    parsed = live.cached(
        Parsed(request.q, request.as_words), lambda: _resolved(live, parse_query(request.q, as_words=request.as_words))
    )
    # The retries below rewrite the words, never the filters: the constraints are compiled once.
    constraints = Constraints.compile(request.selected, parsed, request.organization, live.columns)
    notes = list(parsed.notes)
    # Meaning joins plain words only, decided on the query as typed (retries rewrite it).
    meaning = request.semantic and parsed.text and not parsed.literal and not has_syntax(parsed.text)
    searched_text = parsed.typed or parsed.text
    notes += [f"No document has {facet} {value!r}." for facet, value in constraints.unknown_values(live.columns)]
    if constraints.organization and constraints.organization not in live.columns.by_id:
        notes.append(f"No organization has the id {constraints.organization!r}.")
    scores = _match(live, parsed, weights, request, budget)
    notes += scored_query(live, parsed, request.max_prefix_terms, budget)[1]
    unknown = [word for word in parsed.words if not is_known(live, word)]
    suggestion = correct_query(live, request.q, unknown) if unknown else None
    as_typed = parsed  # the fallbacks below rewrite the query as typed, not one another
    if scores is not None and len(scores) < request.few_results and unknown:
        parsed, scores = _tolerate_typos(live, request, parsed, scores, unknown, notes, weights, budget)
    if parsed.query is not None and not scores and len(parsed.words) > 1:
        any_word = any_word_query(as_typed)
        any_scores = _match(live, any_word, weights, request, budget)
        if any_scores:
            parsed, scores = any_word, any_scores
            notes.append("No document contains all of your words; showing documents with any of them.")
    fill = None
    if scores and len(scores) < FILL_BELOW and type(most_words(parsed.query)) is MostWords:
        fill, scores = _filled(live, as_typed, request, scores, weights, budget)
        if fill:
            notes.append(f"Only {len(fill.most)} documents hold most of your words; documents with some of them follow.")
    fusion = None
    if meaning and scores is not None:
        fusion, scores = fuse(live, searched_text, scores, _tiers(live, parsed, weights, request, budget))
    if not scores and parsed.words and len(unknown) == len(parsed.words):  # another language, say
        notes.append("None of these words is in the archive, which is written in English.")
    searched = time.perf_counter()
    sort = request.sort if request.q.strip() or request.sort != "relevance" else "newest"
    # Paging and re-sorting repeat the same filtering and counting: remember it.
    key = SearchKey(
        match=MatchKey.of(parsed, weights, request.max_prefix_terms),
        constraints=constraints.canonical(),
        sort=sort,
        group=request.group,
        meaning_of=searched_text if fusion else None,
        filled=bool(fill),
    )
    found = live.cached(key, lambda: _filter_count_sort(live, constraints, scores, request.group, sort))
    counted = time.perf_counter()
    first = (request.page - 1) * request.per_page
    last = first + request.per_page
    return SearchOutcome(
        parsed=parsed,
        page_hits=list(zip(found.docnums[first:last], found.ranks[first:last])),
        total=len(found.docnums),
        facet_counts=found.facet_counts,
        selection=Selection(constraints, live.columns, found.matched),
        hits=found.docnums,
        total_documents=found.documents,
        group_sizes=found.group_sizes,
        suggestion=suggestion,
        notes=notes,
        timings={"search_ms": (searched - started) * 1000, "facets_ms": (counted - searched) * 1000},
        fill=fill,
        fusion=fusion,
        budget=budget,
    )


def count(live: LiveIndex, request: SearchRequest, weights: RankingWeights = DEFAULT_WEIGHTS) -> int:
    """How many hits a search has (groups when grouped), without a page of them.

    It runs the same (cached) search as `run_search`, so a count and the page's total agree.
    """
    return run_search(live, replace(request, page=1, per_page=0), weights).total


def _filled(live: LiveIndex, as_typed: ParsedQuery, request: SearchRequest, scores: dict[int, float], weights: RankingWeights, budget):
    """(Fill, scores) with the documents holding any of the words after the few (see `Fill`);
    (None, scores) when no other document holds one."""
    any_word = any_word_query(as_typed)
    any_scores = _match(live, any_word, weights, request, budget) or {}
    rest = {docnum: score for docnum, score in any_scores.items() if docnum not in scores}
    if not rest:
        return None, scores
    lift = max(rest.values())
    return Fill(any_word, lift, frozenset(scores)), {**rest, **{docnum: score + lift for docnum, score in scores.items()}}


def _resolved(live: LiveIndex, parsed: ParsedQuery) -> ParsedQuery:
    """The parsed query with its field values spelled as this generation has them."""
    resolve = live.columns.resolve

    def spelled(filters: dict[str, set[str]]) -> dict[str, set[str]]:
        return {facet: {resolve(facet, value) for value in values} for facet, values in filters.items()}

    any_of = [(facet, [v if facet == "year" else resolve(facet, v) for v in values]) for facet, values in parsed.any_of]
    return replace(parsed, filters=spelled(parsed.filters), excluded=spelled(parsed.excluded), any_of=any_of)


class Found(NamedTuple):
    """The filtered, counted and sorted hits of a search, as cached per generation.

    Hits are typed arrays: 16 bytes a hit in the cache instead of ~110 as tuples; a
    tuple, so the cache weighs it by the bytes it holds (generations.held_bytes).
    """

    docnums: array  # every hit in order; the leader of each group when grouped
    ranks: array  # their scores
    facet_counts: dict[str, dict[str, int]]
    matched: int  # bitset of the text and query-syntax matches, before facet selections
    documents: int  # matching documents (grouped or not)
    group_sizes: array = array("l")  # documents per leader, when grouped (never mutated)


def _filter_count_sort(live: LiveIndex, constraints: Constraints, scores, group: str, sort: str) -> Found:
    scores = live.columns.fold_aliases(scores)
    matched = _apply_query_filters(live, constraints, scores)
    browsing = scores is None and matched is live.columns.docnums
    matched_bits = live.columns.all_docs if browsing else live.columns.bitset(matched)
    if constraints.organization:
        matched_bits &= grouping.group_mask(live, constraints.organization)
    count = grouping.value_counter(live, group)
    hits, facet_counts = _filter_and_count(Selection(constraints, live.columns, matched_bits), count)
    if browsing:  # no scores: the generation's precomputed order, filtered; newest by default
        docnums = live.columns.members(hits, live.columns.order("newest" if sort == "relevance" else sort))
        ranks = [0.0] * len(docnums)
    else:
        docnums, ranks = _sort(live, live.columns.members(hits, matched), scores, sort)
    if group:
        leaders, leader_ranks, sizes = grouping.collapse(live, group, docnums, ranks)
        return Found(leaders, leader_ranks, facet_counts, matched_bits, len(docnums), sizes)
    return Found(array("l", docnums), array("d", ranks), facet_counts, matched_bits, len(docnums))


def _match(live: LiveIndex, parsed: ParsedQuery, weights: RankingWeights, request: SearchRequest, budget=None) -> dict[int, float] | None:
    """Docnum -> score for the text query, or None to browse every document."""
    ranked = _ranked(live, parsed, weights, request, budget)
    return None if ranked is None else ranked.scores


def _tiers(live: LiveIndex, parsed: ParsedQuery, weights: RankingWeights, request: SearchRequest, budget) -> Tiers:
    """What the lexical ranking put first, for the fusion to keep first (hybrid.Tiers)."""
    ranked = _ranked(live, parsed, weights, request, budget)
    return Tiers(
        named=ranked.named if ranked else frozenset(),
        phrased=ranked.phrased if ranked else frozenset(),
        prior_scaled=ranked.prior_scaled if ranked else frozenset(),
        prior=weights.organization_prior,
    )


def _ranked(live: LiveIndex, parsed: ParsedQuery, weights: RankingWeights, request: SearchRequest, budget) -> Ranked | None:
    if parsed.query is None:
        return None if not parsed.words else Ranked({}, frozenset(), frozenset())
    query, _notes = scored_query(live, parsed, request.max_prefix_terms, budget)

    def ranked() -> Ranked:
        with live.reader() as reader:
            return rank_all(
                reader, query, weights, organization_documents(live), budget, parsed.typed_terms
            )

    # Keyed by the query as parsed: expanding prefixes gives the same answer within a generation.
    return live.cached(MatchKey.of(parsed, weights, request.max_prefix_terms), ranked)


def organization_documents(live: LiveIndex) -> frozenset[int]:
    """Docnums of the organizations' own documents (the ranking's organization prior)."""
    return live.columns.holders("kind", "organization")


def scored_query(live: LiveIndex, parsed: ParsedQuery, max_prefix_terms: int = MAX_PREFIX_TERMS, budget: Budget | None = None):
    """The Whoosh query that is scored, and notes on prefixes it capped: the parsed one with
    prefixes reaching their stems, each prefix or wildcard standing for at most
    `max_prefix_terms` indexed words, and three or more plain words asking for the words
    that carry most of the query (MostWords)."""
    if parsed.query is None:
        return None, []
    def words_starting_with(prefix: str) -> list[str]:
        if budget is not None:
            budget.check()  # each prefix stems up to PREFIX_WORDS words
        return live.words_starting_with(prefix)

    expanded = expand_prefixes(most_words(parsed.query), words_starting_with)
    return cap_expansions(expanded, lambda node, limit: live.expansion(node, limit, budget), max_prefix_terms)


def explain_hits(
    live: LiveIndex, outcome: SearchOutcome, weights: RankingWeights = DEFAULT_WEIGHTS, max_prefix_terms: int = MAX_PREFIX_TERMS
) -> list[list[dict]]:
    """The parts of each page hit's score, recomputed by the code that ranked it."""
    if outcome.parsed.query is None:
        return [[] for _ in outcome.page_hits]
    docnums = [docnum for docnum, _ in outcome.page_hits]
    organizations = organization_documents(live)
    with live.reader() as reader:
        query = scored_query(live, outcome.parsed, max_prefix_terms, outcome.budget)[0]
        parts = explain(reader, query, docnums, weights, organizations, outcome.budget, outcome.parsed.typed_terms)
        fill = outcome.fill
        if fill:
            rest = [docnum for docnum in docnums if docnum not in fill.most]
            any_word = scored_query(live, fill.any_word, max_prefix_terms, outcome.budget)[0]
            parts.update(explain(reader, any_word, rest, weights, organizations, outcome.budget, fill.any_word.typed_terms))
            for docnum in fill.most.intersection(docnums):
                parts[docnum].append(Part("holds most words", "", "", fill.lift))
    fusion = outcome.fusion
    if fusion:  # words and meaning: each lexical part scaled as the fusion scaled their sum
        for docnum in docnums:
            lexical = [replace(part, value=part.value * fusion.lexical_scale) for part in parts.get(docnum, [])]
            cosine = fusion.cosine(docnum)
            tier = fusion.tier_part(docnum)
            tiers = [Part(tier[0], "", "", tier[1])] if tier else []
            parts[docnum] = [*lexical, Part("semantic", "", f"cosine {cosine:.3f}", fusion.semantic_part(docnum)), *tiers]
    return [[part.as_dict() for part in parts[docnum]] for docnum in docnums]


def _tolerate_typos(live, request: SearchRequest, parsed, scores, unknown, notes, weights, budget):
    """Retry with one-edit alternatives for long unknown words; keep whichever finds more."""
    alternatives = {}
    for word in unknown:
        if len(word) >= TYPO_MIN_LENGTH:
            close = suggest_word(live, word, max_distance=1)
            if close:
                alternatives[word.lower()] = [close]
    if not alternatives:
        return parsed, scores
    tolerant = tolerant_query(parsed, alternatives)
    tolerant_scores = _match(live, tolerant, weights, request, budget)
    if tolerant_scores and len(tolerant_scores) > len(scores):
        spelled = ", ".join(f"{word} → {close[0]}" for word, close in alternatives.items())
        notes.append(f"Also matched close spellings ({spelled}).")
        return tolerant, tolerant_scores
    return parsed, scores


def _apply_query_filters(live: LiveIndex, constraints: Constraints, scores) -> list[int]:
    """Docnums matching the text and the filters written in the query (region:x, year:a..b),
    in match order; the filters are bitsets, as the URL's selections are (selection.py)."""
    columns = live.columns
    kept = constraints.written_mask(columns)
    if scores is None:
        return columns.docnums if kept is None else columns.members(kept, columns.docnums)
    return columns.members(columns.all_docs if kept is None else kept & columns.all_docs, scores)


def _filter_and_count(selection: Selection, count):
    """The hits the selections keep, and each facet counted as if its own selection were
    off (selection.py); `count(facet, bitset, masks)` counts documents, or groups when grouped."""
    counts = {facet: count(facet, selection.without(facet), selection.value_masks(facet)) for facet in FACETS}
    return selection.hits, counts


def _sort(live, docnums: list[int], scores, sort: str) -> tuple[list[int], list[float]]:
    """Order hits, and their scores; ties fall back to newest first, then title."""
    columns = live.columns
    score_of = scores.get if scores else (lambda d, default: 0.0)
    if sort == "relevance":  # (-year, title) is the newest order's key: its place stands for it
        # As arrays: a broad query's thousands of hits sorted by a Python key were several ms.
        ranked = np.fromiter(map(score_of, docnums, itertools.repeat(0.0)), dtype=np.float64, count=len(docnums))
        hits = np.asarray(docnums, dtype=np.intp)
        order = np.lexsort((columns.ranks(TIE_BREAK_ORDER)[hits], -ranked))  # stable: equal keys keep the hits' order, as sorted() does
        return hits[order].tolist(), ranked[order].tolist()
    year_of = lambda d: columns.years[d] or 0  # noqa: E731 - tiny key helpers
    title_of = lambda d: columns.titles[d].casefold()  # noqa: E731
    key: Callable[[int], tuple] = {
        "newest": lambda d: (-year_of(d), -score_of(d, 0.0), title_of(d)),
        "oldest": lambda d: (columns.years[d] is None, year_of(d), -score_of(d, 0.0), title_of(d)),  # undated last
        "title": lambda d: (title_of(d), -year_of(d)),
    }[sort]
    ordered = sorted(docnums, key=key)
    return ordered, [score_of(d, 0.0) for d in ordered]
