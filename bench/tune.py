"""Choose the ranking weights on data: `python -m bench.tune --index-dir DIR [--top 15]`.

Each query's matches are scored once with every signal measured apart (BM25F, the
title's BM25, title and organization cover, closeness of the words); any weighting is
then a sum, so a grid of weightings costs a sort per query each. Judged on the tuned
needs only (bench/relevance.py: TUNED_NEEDS; the others stay held out) and on the
known-item queries of every other proposal (the rest check the choice), it prints the
weightings that keep title MRR@10 >= 0.99 and summary MRR@10 >= 0.97, best nDCG@10 first.
Give it an index of the archive with its organizations (bench/views.py lays one out) to
choose the organization prior as well: over proposals alone it changes nothing.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine import RankingWeights
from engine.tuning import UNIT, measure, ranked
from index_store import IndexStore

from .engines import indexed_documents
from .relevance import TUNED_NEEDS, known_items, load_needs, ndcg, reciprocal_rank

SHORTLIST = 150  # best weightings on the needs whose known-item MRR is measured
GRID = {  # the last of several grids (earlier ones, 0 to 2 for each, found these ranges)
    "title": (0.25, 0.5),
    "title_match": (0.1,),
    "title_equal": (1.0,),  # equal names rank first: not a tuned weight (see ranking.py)
    "organization_match": (0.0, 0.1),
    "organization_equal": (1.0,),
    "phrase": (0.5, 1.0),
    "proximity": (0.05, 0.1, 0.2),
    "phrase_in_answers": (0.0, 0.1, 0.25, 1.0),
    "proximity_in_answers": (0.0, 0.05),
    "organization_prior": (0.4, 0.6, 0.8, 1.0),
}
def _weighting(names: list[str], values: tuple[Any, ...]) -> RankingWeights:
    """UNIT with the grid's `values` for the weights `names` (floats, or an int for phrase_words)."""
    return replace(UNIT, **dict(zip(names, values)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tune", description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True, help="An index of ../shared/corpus.")
    parser.add_argument("--top", type=int, default=15, help="Weightings to print.")
    args = parser.parse_args(argv)
    documents = indexed_documents(args.index_dir)
    needs, qrels = load_needs()
    items = known_items([d.__dict__ for d in documents])
    tuning_items = items[::2]
    generation = IndexStore(args.index_dir).open_current()
    with generation.reader() as reader:
        stored = dict(reader.live_documents())  # live documents by docnum (deletions skipped)
        ids = {d: s["id"] for d, s in stored.items()}
        years = {d: s.get("year") for d, s in stored.items()}
        titles = {d: s.get("title", "") for d, s in stored.items()}
        organizations = frozenset(d for d, s in stored.items() if s.get("kind") == "organization")
        tuned = [(n, measure(reader, n.query, ids, years, titles, organizations)) for n in needs if n.id in TUNED_NEEDS]
        print(f"[tune] measured {len(tuned)} needs", file=sys.stderr)
        known = [(item, measure(reader, item.query, ids, years, titles, organizations)) for item in tuning_items]
        print(f"[tune] measured {len(known)} known items", file=sys.stderr)
    names = list(GRID)
    graded = []
    for values in itertools.product(*GRID.values()):
        weights = _weighting(names, values)
        graded.append((sum(ndcg(ranked(m, weights), qrels[n.id]) for n, m in tuned) / len(tuned), values))
    graded.sort(key=lambda row: -row[0])
    print(f"[tune] graded {len(graded)} weightings on the needs", file=sys.stderr)
    rows = []
    for quality, values in graded[:SHORTLIST]:
        weights = _weighting(names, values)
        mrr: dict[str, list[float]] = {}
        for item, matches in known:
            mrr.setdefault(item.kind, []).append(reciprocal_rank(ranked(matches, weights), item.targets))
        figures = {kind: sum(v) / len(v) for kind, v in mrr.items()}
        rows.append((quality, figures.get("title", 0.0), figures.get("summary", 0.0), values))
    good = [row for row in rows if row[1] >= 0.99 and row[2] >= 0.97] or rows
    good.sort(key=lambda row: (-row[0], -row[1] - row[2]))
    print("| nDCG@10 tuned | title MRR | summary MRR | " + " | ".join(names) + " |")
    for quality, title, summary, values in good[: args.top]:
        print(f"| {quality:.4f} | {title:.4f} | {summary:.4f} | " + " | ".join(f"{v:g}" for v in values) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
