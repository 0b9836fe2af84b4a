"""Run one search: match, fall back, filter, count facets disjunctively, sort and page.

Whoosh finds and scores the text matches (BM25F, field boosts from the schema); facet
filtering and disjunctive counting are bitset arithmetic over the generation's columns
(index_store/columns.py). Text matches and the filtered, counted, sorted hits are cached
per generation, so paging and drill-down on the same words cost almost nothing.
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass, field, replace

from index_store import FACETS

from .generations import LiveIndex
from .query import ParsedQuery, expand_prefixes, parse_query
from .ranking import DEFAULT_WEIGHTS, RankingWeights, explain, rank_all
from .scoring import most_words
from .spelling import correct_query, is_known, suggest_word

SORTS = ("relevance", "newest", "oldest", "title")
TYPO_MIN_LENGTH = 5  # only words this long are matched with one edit of tolerance


@dataclass
class SearchRequest:
    """A validated search: the query text, facet selections, sort and page."""

    q: str = ""
    selected: dict[str, list[str]] = field(default_factory=dict)  # facet -> values (OR within)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    explain: bool = False  # give each result the parts of its score


@dataclass
class SearchOutcome:
    """What a search found, before it is turned into a page or JSON."""

    parsed: ParsedQuery
    page_hits: list[tuple[int, float]]  # (docnum, score) of the requested page
    total: int
    facet_counts: dict[str, dict[str, int]]
    suggestion: str | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per phase


def run_search(
    live: LiveIndex, request: SearchRequest, few_results: int = 3, weights: RankingWeights = DEFAULT_WEIGHTS
) -> SearchOutcome:
    """Search one generation.

    :param few_results: below this many text matches, close spellings are accepted too.
    :param weights: how the ranking weighs titles, names and words together (ranking.py).
    """
    started = time.perf_counter()
    request = resolve_request(live, request)
    # Whoosh's parser was a quarter of a repeated request; the result is only read from here.
    parsed = live.cached(("parsed", request.q), lambda: _resolved(live, parse_query(request.q)))
    notes = list(parsed.notes)
    notes += [
        f"No document has {facet} {value!r}."
        for facet, values in request.selected.items()
        for value in values
        if value not in live.columns.masks[facet]
    ]
    scores = _match(live, parsed, weights)
    unknown = [word for word in parsed.words if not is_known(live, word)]
    suggestion = correct_query(live, request.q, unknown) if unknown else None
    if scores is not None and len(scores) < few_results and unknown:
        parsed, scores = _tolerate_typos(live, request.q, parsed, scores, unknown, notes, weights)
    if parsed.query is not None and not scores and len(parsed.words) > 1:
        any_word = parse_query(request.q, any_word=True)
        any_scores = _match(live, any_word, weights)
        if any_scores:
            parsed, scores = any_word, any_scores
            notes.append("No document contains all of your words; showing documents with any of them.")
    searched = time.perf_counter()
    sort = request.sort if request.q.strip() or request.sort != "relevance" else "newest"
    # Paging and re-sorting repeat the same filtering and counting: remember it.
    key = (
        "facets",
        repr(parsed.query),
        repr(sorted(parsed.filters.items())),
        repr(sorted(parsed.excluded.items())),
        parsed.year_range,
        tuple(parsed.excluded_years),
        repr(parsed.any_of),
        tuple(sorted((facet, tuple(sorted(values))) for facet, values in request.selected.items())),
        sort,
    )
    (docnums, ranks), facet_counts = live.cached(
        key, lambda: _filter_count_sort(live, parsed, scores, request.selected, sort)
    )
    counted = time.perf_counter()
    first = (request.page - 1) * request.per_page
    last = first + request.per_page
    return SearchOutcome(
        parsed=parsed,
        page_hits=list(zip(docnums[first:last], ranks[first:last])),
        total=len(docnums),
        facet_counts=facet_counts,
        suggestion=suggestion,
        notes=notes,
        timings={"search_ms": (searched - started) * 1000, "facets_ms": (counted - searched) * 1000},
    )


def resolve_request(live: LiveIndex, request: SearchRequest) -> SearchRequest:
    """The request with facet values spelled as this generation has them (topic=health)."""
    resolve = live.columns.resolve
    selected = {facet: list(dict.fromkeys(resolve(facet, v) for v in values)) for facet, values in request.selected.items()}
    return replace(request, selected=selected) if selected != request.selected else request


def _resolved(live: LiveIndex, parsed: ParsedQuery) -> ParsedQuery:
    """The parsed query with its field values spelled as this generation has them."""
    resolve = live.columns.resolve

    def spelled(filters: dict[str, set[str]]) -> dict[str, set[str]]:
        return {facet: {resolve(facet, value) for value in values} for facet, values in filters.items()}

    any_of = [(facet, [v if facet == "year" else resolve(facet, v) for v in values]) for facet, values in parsed.any_of]
    return replace(parsed, filters=spelled(parsed.filters), excluded=spelled(parsed.excluded), any_of=any_of)


def _filter_count_sort(live: LiveIndex, parsed: ParsedQuery, scores, selected, sort: str):
    matched = _apply_query_filters(live, parsed, scores)
    browsing = scores is None and matched is live.columns.docnums
    hits, facet_counts = _filter_and_count(live, matched, selected, browsing)
    if browsing:  # no scores: the generation's precomputed order, filtered; newest by default
        order = live.columns.order("newest" if sort == "relevance" else sort)
        members = live.columns.members(hits, order)
        return _compact(members, [0.0] * len(members)), facet_counts
    ordered = _sort(live, live.columns.members(hits, matched), scores, sort)
    return _compact([d for d, _ in ordered], [score for _, score in ordered]), facet_counts


def _compact(docnums: list[int], scores: list[float]) -> tuple[array, array]:
    """Hits as two typed arrays: 16 bytes a hit in the cache instead of ~110 as tuples."""
    return array("l", docnums), array("d", scores)


def _match(live: LiveIndex, parsed: ParsedQuery, weights: RankingWeights) -> dict[int, float] | None:
    """Docnum -> score for the text query, or None to browse every document."""
    if parsed.query is None:
        return None if not parsed.words else {}
    query = scored_query(live, parsed)

    def scores() -> dict[int, float]:
        with live.searcher() as searcher:
            return rank_all(searcher, query, weights)

    # Keyed by the query as parsed: expanding prefixes gives the same answer within a generation.
    return live.cached(("match", repr(parsed.query), weights), scores)


def scored_query(live: LiveIndex, parsed: ParsedQuery):
    """The Whoosh query that is scored: the parsed one with prefixes reaching their stems, and
    three or more plain words asking for the words that carry most of the query (MostWords)."""
    return expand_prefixes(most_words(parsed.query), live.words_starting_with)


def explain_hits(live: LiveIndex, outcome: SearchOutcome, weights: RankingWeights = DEFAULT_WEIGHTS) -> list[list[dict]]:
    """The parts of each page hit's score, recomputed by the code that ranked it."""
    if outcome.parsed.query is None:
        return [[] for _ in outcome.page_hits]
    query = scored_query(live, outcome.parsed)
    docnums = [docnum for docnum, _ in outcome.page_hits]
    with live.searcher() as searcher:
        parts = explain(searcher, query, docnums, weights)
    return [[part.as_dict() for part in parts[docnum]] for docnum in docnums]


def _tolerate_typos(live, q, parsed, scores, unknown, notes, weights):
    """Retry with one-edit alternatives for long unknown words; keep whichever finds more."""
    alternatives = {}
    for word in unknown:
        if len(word) >= TYPO_MIN_LENGTH:
            close = suggest_word(live, word, max_distance=1)
            if close:
                alternatives[word.lower()] = [close]
    if not alternatives:
        return parsed, scores
    tolerant = parse_query(q, alternatives=alternatives)
    tolerant_scores = _match(live, tolerant, weights)
    if tolerant_scores and len(tolerant_scores) > len(scores):
        spelled = ", ".join(f"{word} → {close[0]}" for word, close in alternatives.items())
        notes.append(f"Also matched close spellings ({spelled}).")
        return tolerant, tolerant_scores
    return parsed, scores


def _apply_query_filters(live: LiveIndex, parsed: ParsedQuery, scores) -> list[int]:
    """Docnums matching the text and the filters written in the query (region:x, year:a..b)."""
    columns = live.columns
    candidates = columns.docnums if scores is None else [d for d in scores if d in columns.ids]
    if parsed.filters or parsed.excluded:
        candidates = [d for d in candidates if _passes_query_fields(columns, d, parsed)]
    if parsed.year_range:
        candidates = [d for d in candidates if _year_within(columns.years[d], parsed.year_range)]
    if parsed.excluded_years:
        candidates = [
            d for d in candidates if not any(_year_within(columns.years[d], span) for span in parsed.excluded_years)
        ]
    for facet, values in parsed.any_of:
        candidates = [d for d in candidates if _has_any(columns, d, facet, values)]
    return candidates


def _has_any(columns, docnum: int, facet: str, values: list) -> bool:
    """Whether the document has one of `values` (year spans for "year")."""
    if facet == "year":
        return any(_year_within(columns.years[docnum], span) for span in values)
    return not set(columns.values[facet][docnum]).isdisjoint(values)


def _year_within(year: int | None, span: tuple[int | None, int | None]) -> bool:
    """Whether `year` lies in the (low, high) range, either end open; an undated one never does."""
    low, high = span
    return year is not None and (low is None or year >= low) and (high is None or year <= high)


def _passes_query_fields(columns, docnum: int, parsed: ParsedQuery) -> bool:
    for facet, wanted in parsed.filters.items():
        if wanted - set(columns.values[facet][docnum]):
            return False  # field syntax ANDs: region:a region:b needs both
    return not any(set(columns.values[facet][docnum]) & unwanted for facet, unwanted in parsed.excluded.items())


def _filter_and_count(live, candidates: list[int], selected: dict[str, list[str]], browsing: bool):
    """Apply facet selections and count each facet as if its own selection were off.

    Values of one facet combine with OR, facets with AND; a facet's counts ignore its
    own selection (disjunctive faceting). All of it is bitset arithmetic on `Columns`.
    """
    columns = live.columns
    hits = columns.all_docs if browsing else columns.bitset(candidates)
    wanted = {}
    for facet, values in selected.items():
        if values:
            wanted[facet] = 0
            for value in values:
                wanted[facet] |= columns.masks[facet].get(value, 0)
    counts = {}
    for facet in FACETS:
        base = hits
        for other, mask in wanted.items():
            if other != facet:
                base &= mask
        counts[facet] = columns.value_counts(facet, base)
    for mask in wanted.values():
        hits &= mask
    return hits, counts


def _sort(live, docnums: list[int], scores, sort: str) -> list[tuple[int, float]]:
    """Order hits; ties fall back to newest first, then title."""
    columns = live.columns
    score_of = (lambda d: scores.get(d, 0.0)) if scores else (lambda d: 0.0)
    year_of = lambda d: columns.years[d] or 0  # noqa: E731 - tiny key helpers
    title_of = lambda d: columns.titles[d].casefold()  # noqa: E731
    keys = {
        "relevance": lambda d: (-score_of(d), -year_of(d), title_of(d)),
        "newest": lambda d: (-year_of(d), -score_of(d), title_of(d)),
        "oldest": lambda d: (columns.years[d] is None, year_of(d), -score_of(d), title_of(d)),  # undated last
        "title": lambda d: (title_of(d), -year_of(d)),
    }
    return [(d, score_of(d)) for d in sorted(docnums, key=keys[sort])]
