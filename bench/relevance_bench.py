"""The relevance part of `make bench`: every engine on the judged needs and known items,
and the project's first-time latency against Tantivy doing the same work.

Run at 1x on the index the latency figures came from, after them (so the project's
caches are those of one pass over the benchmark queries, as the latency pass left them:
relevance queries are new to it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .engines import indexed_documents, project_engine
from .peers import TantivyPeer, peer_engines
from .relevance import judge_needs, known_item_mrr, known_items, load_needs
from .search import BenchQuery
from .stats import summarize

PROJECT = "la2050-search"
FACET_PARAMS = ("region", "metric", "goal", "kind", "year")


def measure_relevance(index_dir: Path, queries: list[BenchQuery], repeat: int, latency: bool = True) -> dict:
    """nDCG@10 / P@10 / unjudged per split and known-item MRR@10 for each engine; with
    `latency`, Tantivy's first-time latency for the ratio."""
    documents = indexed_documents(index_dir)
    needs, qrels = load_needs()
    everyday_needs, everyday_qrels = load_needs(kind="everyday")
    items = known_items([document.__dict__ for document in documents])
    tantivy = TantivyPeer(documents)
    engines = {PROJECT: project_engine(index_dir), **peer_engines(documents, tantivy)}
    figures: dict = {"needs": len(needs), "everyday_needs": len(everyday_needs), "known_items": len(items), "engines": {}}
    for name, engine in engines.items():
        started = time.perf_counter()
        judged = judge_needs(engine, needs, qrels)
        everyday = judge_needs(engine, everyday_needs, everyday_qrels)
        figures["engines"][name] = {
            "everyday": {
                "splits": everyday["splits"],
                "per_need": {need: row["ndcg"] for need, row in everyday["per_need"].items()},
                "unjudged_top": {
                    need: [d for d in row["top"] if d not in everyday_qrels.get(need, {})]
                    for need, row in everyday["per_need"].items()
                },
            },
            "splits": judged["splits"],
            "per_need": {need: {k: v for k, v in row.items() if k != "top"} for need, row in judged["per_need"].items()},
            "unjudged_top": {need: [d for d in row["top"] if d not in qrels.get(need, {})] for need, row in judged["per_need"].items()},
            "known_items": known_item_mrr(engine, items),
        }
        _progress(f"relevance: {name} in {time.perf_counter() - started:.1f} s")
    if latency:
        figures["tantivy_latency_ms"] = tantivy_latency(tantivy, queries, repeat)
    return figures


def tantivy_latency(tantivy: TantivyPeer, queries: list[BenchQuery], repeat: int) -> dict:
    """Search + every facet counted + 10 snippets, for each benchmark query, `repeat` passes."""
    times = []
    for _ in range(repeat):
        for query in queries:
            params = dict(query.params)
            filters = [(name, value) for name, value in query.params if name in FACET_PARAMS]
            started = time.perf_counter()
            tantivy.full_search(params.get("q", ""), filters)
            times.append((time.perf_counter() - started) * 1000)
    return summarize(times)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)
