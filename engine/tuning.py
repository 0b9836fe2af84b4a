"""The ranking's signals measured apart, so that any weighting of them is a sum (bench/tune.py).

A query's matches are scored once with unit weights: BM25F, the title's BM25, title and
organization cover, closeness of the words per field, and whether the organization prior
applies. `ranked` then orders them under any `RankingWeights` as `ranking.rank_all` would,
without searching again. It lives beside the ranking it mirrors, from the same functions,
so the two cannot drift apart (the tuner once copied them and did).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .query import any_word_query, parse_query
from .ranking import RankingWeights, _boosts, _closeness, _span_part, prior_targets, query_words
from .scoring import most_words, score_all

__all__ = ["UNIT", "Match", "measure", "ranked"]

KEEP = 300  # best BM25F matches kept per query besides those with a boost
UNIT = RankingWeights(
    1.0, 1.0, 1.0, 1.0, 1.0, phrase=1.0, proximity=1.0, phrase_in_answers=1.0, proximity_in_answers=1.0,
    organization_prior=1.0, candidates=200,
)
# Spans are measured per field (Match.spans), since the engine keeps the best field after
# weighting: the boosts are measured without them, so they are not computed twice.
WITHOUT_SPANS = replace(UNIT, phrase=0.0, proximity=0.0, phrase_in_answers=0.0, proximity_in_answers=0.0)


@dataclass
class Match:
    """One matched document's signals, measured with unit weights."""

    id: str
    year: int
    title: str
    base: float
    title_bm25: float
    signals: dict[str, float]  # weight name -> value / top (cover, 1 for equal)
    spans: dict[str, float]  # field -> words / smallest span holding them all (1: a phrase)
    phrase_length: float  # the phrase boost's share for this query's length
    organization: bool = False  # an organization's own document, not asked for by name (the prior scales it)


def measure(
    reader, text: str, ids: dict[int, str], years: dict[int, int | None], titles: dict[int, str], organizations: frozenset[int]
) -> list[Match]:
    """Every signal of the query's best matches, so that a weighting is a sum (see `ranked`)."""
    parsed = parse_query(text)
    query = parsed.query
    if query is None:
        return []
    query = most_words(query)  # as the engine scores it
    memo: dict = {}
    scores = score_all(reader, query, memo)
    if not scores and len(text.split()) > 1:
        query = any_word_query(parsed).query
        scores = score_all(reader, query, memo)
    boosts = _boosts(reader, query, dict(scores), WITHOUT_SPANS, memo)
    words = query_words(query) if scores else None
    priors = prior_targets(reader, organizations, scores, query, memo)
    title_of = {d: sum(p.value for p in boosts.parts_of(d) if p.kind == "title") for d in scores}
    top = max((scores[d] + title_of[d] for d in scores), default=1.0) or 1.0
    distinct = list(dict.fromkeys(words or []))
    candidates = sorted(scores, key=lambda d: scores[d] + title_of[d], reverse=True)[: UNIT.candidates]
    spans = _closeness(reader, distinct, candidates, memo) if len(distinct) > 1 else {}
    length = min(1.0, (len(distinct) - 1) / (UNIT.phrase_words - 1)) if distinct else 0.0
    # Documents far down with no signal of their own never reach a top ten: left out.
    kept = set(sorted(scores, key=lambda d: scores[d], reverse=True)[:KEEP]) | boosts.boosted_docnums()
    matches = []
    for docnum in kept:
        base = scores[docnum]
        signals: dict[str, float] = {}
        for part in boosts.parts_of(docnum):
            if part.kind != "title":
                kind = part.kind.replace(" ", "_")
                signals[kind] = signals.get(kind, 0.0) + part.value / top
        matches.append(Match(
            ids[docnum], years[docnum] or 0, titles[docnum], base, title_of[docnum], signals,
            spans.get(docnum, {}), length, docnum in priors,
        ))
    return matches


def ranked(matches: list[Match], weights: RankingWeights, cutoff: int = 10) -> list[str]:
    """Top ids under `weights` (`top` recomputed for its title weight and the organization
    prior; the best-weighted span field, as the engine takes it), ties as the engine breaks them."""
    if not matches:
        return []

    def own(m: Match) -> float:
        return (m.base + weights.title * m.title_bm25) * (weights.organization_prior if m.organization else 1.0)

    top = max(map(own, matches))

    def score(m: Match) -> float:
        boosts = sum(getattr(weights, k) * v for k, v in m.signals.items())
        span = max((_span_part(f, c, "", m.phrase_length, 1.0, weights).value for f, c in m.spans.items()), default=0.0)
        return own(m) + top * (boosts + span)

    order = sorted(matches, key=lambda m: (-score(m), -m.year, m.title.casefold()))
    return [m.id for m in order[:cutoff]]
