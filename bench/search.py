"""`/api/search` latency through the real view code, with Flask's test client (no HTTP)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from search_app import create_app, warm_up

from .corpus import SHARED
from .stats import percentile, summarize

QUERIES = SHARED / "bench" / "queries.txt"
PER_PAGE = 10  # results, so 10 snippets per request
PHASES = ("search_ms", "facets_ms", "snippets_ms")  # from the response's "timings"
SLOWEST_SHOWN = 5  # queries listed as the slowest


@dataclass(frozen=True)
class BenchQuery:
    """One line of queries.txt: words plus facet filters."""

    line: str
    params: tuple[tuple[str, str], ...]  # (name, value) pairs for the query string

    def query_string(self) -> str:
        return urlencode(self.params)


def load_queries(path: Path = QUERIES) -> list[BenchQuery]:
    """Parse queries.txt: `words | facet=value; facet=value`; `#` lines are comments."""
    queries = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words, _, filters = line.partition("|")
        params = [("q", words.strip())]
        for item in filters.split(";"):
            name, _, value = item.partition("=")
            if name.strip() and value.strip():
                params.append((name.strip(), value.strip()))
        params.append(("per_page", str(PER_PAGE)))
        queries.append(BenchQuery(line=line, params=tuple(params)))
    return queries


def measure_search(index_dir: Path, queries: list[BenchQuery], repeat: int) -> dict:
    """Run every query once cold, then `repeat` times warm; summarise wall time and phases."""
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    warm_up(app)  # as the server does before it takes requests: a one-off cost per server start, not per query
    client = app.test_client()
    # As a started server is probed before it gets traffic (http_load.py): the test client's
    # first request imports the IDNA codec (werkzeug's EnvironBuilder), 2-9 ms no search pays.
    client.get("/healthz")
    # The first pass fills the generation's caches (matches, facet counts, highlighted
    # results): it is reported apart, as what a query costs the first time it is asked.
    cold = []
    for query in queries:
        started = time.perf_counter()
        client.get("/api/search", query_string=MultiDict(query.params))
        cold.append((time.perf_counter() - started) * 1000)
    wall: list[float] = []
    phases: dict[str, list[float]] = {phase: [] for phase in PHASES}
    per_query: dict[str, list[float]] = {query.line: [] for query in queries}
    per_query_phases: dict[str, dict[str, list[float]]] = {q.line: {p: [] for p in PHASES} for q in queries}
    totals: dict[str, int] = {}
    errors: list[str] = []
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            response = client.get("/api/search", query_string=MultiDict(query.params))
            elapsed = (time.perf_counter() - started) * 1000
            body = response.get_json(silent=True) or {}
            if response.status_code != 200 or not body.get("ok"):
                errors.append(f"{query.line!r}: HTTP {response.status_code} {body.get('error', '')}")
                continue
            wall.append(elapsed)
            per_query[query.line].append(elapsed)
            totals[query.line] = body["total"]
            for phase in PHASES:
                value = float(body["timings"].get(phase, 0.0))
                phases[phase].append(value)
                per_query_phases[query.line][phase].append(value)
    return {
        "queries": len(queries),
        "requests": len(wall),
        "wall_ms": summarize(wall),
        "cold_wall_ms": summarize(cold),
        "phases_ms": {phase: summarize(values) for phase, values in phases.items()},
        "slowest": _slowest(per_query, per_query_phases, totals),
        "errors": errors,
    }


def _slowest(per_query: dict, per_query_phases: dict, totals: dict) -> list[dict]:
    medians = {line: percentile(times, 0.5) for line, times in per_query.items() if times}
    ranked = sorted(medians, key=lambda line: medians[line], reverse=True)[:SLOWEST_SHOWN]
    return [
        {
            "query": line,
            "total_hits": totals.get(line),
            "wall_ms": medians[line],
            **{phase: percentile(per_query_phases[line][phase], 0.5) for phase in PHASES},
        }
        for line in ranked
    ]
