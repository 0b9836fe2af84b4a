"""Keys of a search's cached answers: frozen dataclasses naming every input of each answer.

A search caches its parsed query, its text matches and its filtered, counted and sorted
hits per generation (generations.LiveIndex.cached). An input left out of a key hands one
search another's answer: the ranking weights were once left out, so a search with other
weights (bench/tune.py) got the scores of the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from .query import ParsedQuery
from .ranking import RankingWeights
from .selection import Constraints


@dataclass(frozen=True)
class Parsed:
    """Key of a query as parsed and spelled as the generation has its values."""

    q: str
    as_words: frozenset[str]


@dataclass(frozen=True)
class MatchKey:
    """Key of the text matches and their scores (`Ranked`): every input of the ranking."""

    query: str  # repr of the parsed Whoosh query, before its prefixes are expanded
    typed_terms: tuple[str, ...]
    weights: RankingWeights
    max_prefix_terms: int  # how many words a prefix or wildcard stands for

    @classmethod
    def of(cls, parsed: ParsedQuery, weights: RankingWeights, max_prefix_terms: int) -> "MatchKey":
        return cls(repr(parsed.query), parsed.typed_terms, weights, max_prefix_terms)


@dataclass(frozen=True)
class SearchKey:
    """Key of a search's filtered, counted and sorted hits (`Found`): the text matches as
    ranked, what narrows them, the order and what followed or fused."""

    match: MatchKey  # the final query (after any retry) and how it was scored
    constraints: Constraints  # the query's filters, the organization and the selections (canonical)
    sort: str
    group: str
    meaning_of: str | None  # the text meaning was read from, when words and meaning were fused
    filled: bool  # documents with some of the words followed those with most (Fill)
