"""The search engine, which knows nothing of Flask: the web app, the benchmark and the
tuner call it (issue 23).

Its public API, the names below:

- `search(live, request, weights)` -> `SearchOutcome`: one search of the live generation
  (match, fall back, filter, count facets, sort, page), the request's values spelled
  as the generation spells them, once. Its `selection` (a `Selection`) is what the search
  kept, as bitsets: the views read the hits, the hits with some facets unselected and a
  facet's values from it rather than searching again.
- `count(live, request)`: how many hits the same search has.
- `explain(live, outcome)`: the parts of each page hit's score.
- `similar(live, docnum, count)`: the proposals closest in meaning to a document.
- `suggest(live, typed, types, limit, link)`: type-ahead over names and facet values.
- `warm_up(live)`: load what the first search would otherwise wait for (warming.py).
- The types callers hold: `SearchRequest`, `SearchOutcome`, `LiveIndex` (one generation
  and what it derives) with its `GenerationTracker`, `RankingWeights` and `DEFAULT_WEIGHTS`,
  `Constraints` (a query's filters, an organization and the URL's selections in one form)
  and `Selection` (constraints over a generation's matches), and the one error type,
  `BadRequest` (a `BudgetExceeded` is one).
- What requests may say: `SORTS`, `GROUPS`, `NAMED_FACETS`, `FEW_RESULTS`, `MAX_PREFIX_TERMS`.

The views build on a few modules' public functions besides: `grouping` (bitsets to
document numbers, counts per group), `query` and `snippets` (highlighting), `semantic`
(query vectors, nearest documents), `suggestions` (its limits), `la_outline` (the county
and its regions) and `tuning` (the ranking's signals for bench/tune.py). Nothing outside
the engine imports a private name of it (tests/test_layout.py). It reads an index only
through the format's `IndexReader` (`LiveIndex.reader()`) and segments.

Inside: `query.py` parses the text once into the project's query tree (`query_tree.py`:
frozen nodes, read leniently, with any-word matching and close spellings as rewrites of
it; the scoring reads its form in the format's query nodes), with `sentences.py` and
`named_filters.py`;
`postings.py` reads a term's postings, `scoring.py` scores every match as arrays (BM25F),
`ranking.py` adds the boosts (kept as arrays over the matches in `boosts.py`),
`hybrid.py` fuses words with meaning (`semantic.py`), `spelling.py` corrects,
`selection.py` compiles what narrows a search to one form and evaluates it as bitsets,
`grouping.py` counts and groups, `searching.py` runs it all with `budget.py` bounding
the work and `search_keys.py` naming what is cached in the generation
(`generations.py`), which `warming.py` prepares before the first search.
"""

from __future__ import annotations

from .budget import BudgetExceeded
from .errors import BadRequest
from .generations import GenerationTracker, LiveIndex
from .grouping import GROUPS
from .named_filters import NAMED_FACETS
from .ranking import DEFAULT_WEIGHTS, RankingWeights
from .searching import FEW_RESULTS, MAX_PREFIX_TERMS, SORTS, SearchOutcome, SearchRequest, count
from .searching import explain_hits as explain
from .searching import run_search as search
from .selection import Constraints, Selection
from .semantic import similar_documents as similar
from .warming import warm_up
from .suggestions import suggest

__all__ = [
    "BadRequest",
    "BudgetExceeded",
    "Constraints",
    "DEFAULT_WEIGHTS",
    "FEW_RESULTS",
    "GROUPS",
    "GenerationTracker",
    "LiveIndex",
    "MAX_PREFIX_TERMS",
    "NAMED_FACETS",
    "RankingWeights",
    "SORTS",
    "SearchOutcome",
    "SearchRequest",
    "Selection",
    "count",
    "explain",
    "search",
    "similar",
    "suggest",
    "warm_up",
]
