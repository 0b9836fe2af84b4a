"""Words and meaning together: the lexical score fused with the query's vector.

People ask for "help for people sleeping in their cars"; the proposals say "safe parking".
A plain-word query is also compared in meaning with every document (semantic.py), and
the two rankings are fused linearly, each min-max normalised over the documents ranked:

    fused = (1 - WEIGHT) * lexical / best lexical + WEIGHT * max(0, cosine - typical) / (highest - typical)

where `typical` is the median cosine of every document with the query (how close an
unrelated document is) and `highest` the best among the documents ranked: a min-max
normalisation whose floor does not depend on how few documents the words matched (with
two matches, a plain min-max would give one of them the whole weight and the other none).

The documents ranked, counted in the total, the facets, the matrix, the map and the export
are one set: those the words match (with the query's and the page's filters), and those the
words miss whose cosine with the query is at least FLOOR and among the MEANING_ONLY closest.
A filter only ever removes documents from it. Queries with syntax (quotes, fields, `-`,
`*`, OR) ask for exactly what they say and are not fused; neither is a request with
`semantic=0`. Linear fusion of normalised scores beat reciprocal-rank fusion on the judged
needs (shared/relevance/README.md); the weight was chosen on needs e01-e10 and r01-r12
only (README, Relevance), the floor from the cosines' spread (below it, no judged need's
top ten changed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .generations import LiveIndex
from .semantic import document_vectors, query_vector

__all__ = ["FLOOR", "MEANING_ONLY", "NAMED_LIFT", "PHRASE_LIFT", "WEIGHT", "Fusion", "Tiers", "fuse"]

WEIGHT = 0.35  # the meaning's share of a fused score (chosen on the tuned needs: README, Relevance)
FLOOR = 0.3  # cosine a document the words miss needs (about the closest 1% for a question)
MEANING_ONLY = 100  # at most this many documents enter by meaning alone (the closest)
# Tiers the words decided and meaning must not undo (a fused score is at most 1): a
# document whose title or organization name *is* the query was asked for by name; one whose
# heading holds three or more of the words side by side as typed is a remembered title or
# summary (fused without this tier, summary known items fell from 0.985 to 0.964 MRR@10).
# Those holding most of a question's words when few do (engine.Fill) get no tier: lifting
# them lowered the tuned everyday needs' nDCG@10 from 0.601 to 0.556.
NAMED_LIFT = 2.0
PHRASE_LIFT = 1.0


@dataclass(frozen=True)
class Fusion:
    """How a search's scores were fused: enough to explain any document's score."""

    lexical_scale: float  # (1 - WEIGHT) / best lexical score
    semantic_scale: float  # WEIGHT / (highest - typical cosine)
    typical: float  # the median cosine over every document: meaning adds only above it
    # Per docnum, the cosine with the query of a ranked document, `typical` for the others:
    # an array, not a dict, so a broad search does no Python work per document for it.
    cosines: np.ndarray
    tiers: Tiers

    def cosine(self, docnum: int) -> float:
        """The document's cosine with the query if it was ranked, else the typical cosine."""
        return float(self.cosines[docnum])

    def semantic_part(self, docnum: int) -> float:
        """The meaning's part; an organization's own document scaled by the organization prior
        as its words were (it restates its proposals' work: ranking.py)."""
        value = self.semantic_scale * max(0.0, self.cosine(docnum) - self.typical)
        return value * self.tiers.prior if docnum in self.tiers.prior_scaled else value

    def tier_part(self, docnum: int) -> tuple[str, float] | None:
        """(what, lift) for a document the lexical ranking put in a tier of its own, else None."""
        if docnum in self.tiers.named:
            return "name is the query", NAMED_LIFT
        if docnum in self.tiers.phrased:
            return "words as typed in the heading", PHRASE_LIFT
        return None


@dataclass(frozen=True)
class Tiers:
    """What the lexical ranking decided that meaning must not undo (see NAMED_LIFT)."""

    named: frozenset[int] = frozenset()
    phrased: frozenset[int] = frozenset()  # ranking.Ranked.phrased
    prior_scaled: frozenset[int] = frozenset()  # organizations the organization prior scaled
    prior: float = 1.0


def fuse(
    live: LiveIndex, text: str, scores: dict[int, float], tiers: Tiers = Tiers(), weight: float = WEIGHT
) -> tuple[Fusion | None, dict[int, float]]:
    """(Fusion, fused scores over the lexical matches and the documents close in meaning), or
    (None, scores) when the query has no word the model knows.

    :param tiers: what the lexical ranking put first, kept first.
    """
    vector = query_vector(text)
    if not vector.any():
        return None, scores
    vectors = document_vectors(live)
    cosines = vectors.similarities(vector)
    missed_by_words = vectors.present & (cosines >= FLOOR)
    missed_by_words[np.fromiter(scores, dtype=np.intp, count=len(scores))] = False
    close = np.flatnonzero(missed_by_words)
    if len(close) > MEANING_ONLY:  # the closest, ties in docnum order
        close = close[np.lexsort((close, -cosines[close]))[:MEANING_ONLY]]
    missed = close.tolist()
    ranked = [*scores, *missed]
    if not ranked:
        return None, scores
    docnums = np.array(ranked, dtype=np.intp)
    ranked_cosines = cosines[docnums].astype(np.float64)
    typical = float(np.median(cosines[vectors.present])) if vectors.present.any() else 0.0
    highest = float(np.max(ranked_cosines))
    best = max(scores.values(), default=0.0)
    ranked_or_typical = np.full(len(cosines), typical, dtype=np.float64)
    ranked_or_typical[docnums] = ranked_cosines
    fusion = Fusion(
        lexical_scale=(1 - weight) / best if best > 0 else 0.0,
        semantic_scale=weight / (highest - typical) if highest > typical else 0.0,
        typical=typical,
        cosines=ranked_or_typical,
        tiers=tiers,
    )
    # The same arithmetic as Fusion.semantic_part and tier_part (which explain uses), as arrays.
    semantic = fusion.semantic_scale * np.maximum(0.0, ranked_cosines - typical)
    if tiers.prior_scaled:
        semantic[np.isin(docnums, list(tiers.prior_scaled))] *= tiers.prior
    lexical = np.zeros(len(ranked), dtype=np.float64)  # the documents meaning added have none
    lexical[: len(scores)] = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    fused = fusion.lexical_scale * lexical + semantic
    if tiers.phrased:
        fused[np.isin(docnums, list(tiers.phrased - tiers.named))] += PHRASE_LIFT
    if tiers.named:
        fused[np.isin(docnums, list(tiers.named))] += NAMED_LIFT
    return fusion, dict(zip(ranked, fused.tolist()))
