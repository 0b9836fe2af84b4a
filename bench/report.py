"""Turn benchmark results into Markdown tables and PASS/MISS lines against the targets.

Targets are reported, never enforced: a MISS does not change the exit status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

PHASE_LABELS = {"search_ms": "search (match, spelling)", "facets_ms": "facet counting", "snippets_ms": "snippets"}


@dataclass(frozen=True)
class Target:
    """A goal for one figure at one scale: `measure(scale_results) <= limit` (or >=)."""

    label: str
    scale: int
    measure: Callable[[dict], float | None]
    limit: float
    unit: str
    at_least: bool = False  # True for throughput, where bigger is better

    def verdict(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        met = value >= self.limit if self.at_least else value <= self.limit
        return "PASS" if met else "MISS"


def _get(*keys: str) -> Callable[[dict], float | None]:
    def measure(results: dict) -> float | None:
        value: Any = results  # JSON: dicts down to a number
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    return measure


def _best_peer_margin(split: str, key: str = "relevance", everyday: bool = False) -> Callable[[dict], float | None]:
    """The project's nDCG@10 minus the best peer's on a split of the (keyword or everyday)
    needs (> 0: ahead), in the relevance run named `key`."""

    def measure(results: dict) -> float | None:
        engines = results.get(key, {}).get("engines")
        if not engines:
            return None
        project, *peers = (engine["everyday"] if everyday else engine for engine in engines.values())
        return project["splits"][split]["ndcg"] - max(peer["splits"][split]["ndcg"] for peer in peers)

    return measure


def _everyday_ndcg(split: str) -> Callable[[dict], float | None]:
    def measure(results: dict) -> float | None:
        engines = results.get("relevance", {}).get("engines")
        return next(iter(engines.values()))["everyday"]["splits"][split]["ndcg"] if engines else None

    return measure


def _project_mrr(kind: str) -> Callable[[dict], float | None]:
    def measure(results: dict) -> float | None:
        engines = results.get("relevance", {}).get("engines")
        return next(iter(engines.values()))["known_items"].get(kind, {}).get("mrr") if engines else None

    return measure


def _max_worker_rss(results: dict) -> float | None:
    workers = results.get("http", {}).get("workers") or []
    values = [worker["rss_mb"] for worker in workers if worker.get("rss_mb") is not None]
    return max(values) if values else None


TARGETS = (
    Target("full rebuild, every file parsed, median", 1, _get("rebuild", "seconds", "median"), 4.0, "s"),
    Target("full rebuild, parsed documents reused, median", 1, _get("rebuild", "cached_seconds", "median"), 4.0, "s"),
    Target("incremental, 1 file, CLI end to end, median", 1, _get("update", "one_file_cli", "median"), 1.0, "s"),
    Target("search p50 (/api/search)", 1, _get("search", "wall_ms", "median"), 8.0, "ms"),
    Target("search p95 (/api/search)", 1, _get("search", "wall_ms", "p95"), 25.0, "ms"),
    Target("search p50, first time (cold caches)", 1, _get("search", "cold_wall_ms", "median"), 8.0, "ms"),
    Target("search p95, first time (cold caches)", 1, _get("search", "cold_wall_ms", "p95"), 25.0, "ms"),
    Target("HTTP throughput", 1, _get("http", "requests_per_second"), 250.0, "req/s", at_least=True),
    Target("HTTP p95", 1, _get("http", "latency_ms", "p95"), 60.0, "ms"),
    Target("HTTP errors", 1, _get("http", "errors"), 0, ""),
    Target("memory per worker (RSS after load)", 1, _max_worker_rss, 250.0, "MB"),
    Target("title known-item MRR@10", 1, _project_mrr("title"), 0.99, "", at_least=True),
    Target("summary-words known-item MRR@10", 1, _project_mrr("summary"), 0.97, "", at_least=True),
    Target("nDCG@10 ahead of the best peer, tuned needs", 1, _best_peer_margin("tuned"), 0.0, "", at_least=True),
    Target("nDCG@10 ahead of the best peer, held-out needs", 1, _best_peer_margin("held out"), 0.0, "", at_least=True),
    Target("with organizations: nDCG@10 ahead of the best peer, tuned needs", 1,
           _best_peer_margin("tuned", "relevance_archive"), 0.0, "", at_least=True),
    Target("with organizations: nDCG@10 ahead of the best peer, held-out needs", 1,
           _best_peer_margin("held out", "relevance_archive"), 0.0, "", at_least=True),
    Target("first-time p95 / Tantivy's (search, facets, snippets)", 1, _get("relevance", "first_time_p95_ratio"), 1.0, "x"),
    Target("everyday needs nDCG@10, held out", 1, _everyday_ndcg("held out"), 0.62, "", at_least=True),
    Target("everyday needs nDCG@10 ahead of the best peer, held out", 1,
           _best_peer_margin("held out", everyday=True), 0.0, "", at_least=True),
    Target("matrix region × metric p95, first time", 1, _get("views", "views", "matrix region × metric", "ms", "p95"), 25.0, "ms"),
    Target("map p95, first time", 1, _get("views", "views", "map (dots, year and goal charts)", "ms", "p95"), 25.0, "ms"),
    Target("search grouped by organization p95, first time", 1,
           _get("views", "views", "search grouped by organization", "ms", "p95"), 25.0, "ms"),
    Target("document page p95, first time", 1, _get("views", "views", "document page (/doc/<id>)", "ms", "p95"), 25.0, "ms"),
    Target("export of the whole archive as CSV, median", 1, _get("views", "export", "seconds", "median"), 1.0, "s"),
    Target("full rebuild, every file parsed, median", 10, _get("rebuild", "seconds", "median"), 45.0, "s"),
    Target("full rebuild, parsed documents reused, median", 10, _get("rebuild", "cached_seconds", "median"), 45.0, "s"),
    Target("search p95 (/api/search)", 10, _get("search", "wall_ms", "p95"), 80.0, "ms"),
)


def evaluate_targets(scales: dict, *, quick: bool = False) -> list[dict]:
    """Each target with its measured value and PASS / MISS / n/a (scale not run).

    :param quick: the figures come from the tiny smoke corpus, so no verdict is given.
    """
    rows = []
    for target in TARGETS:
        results = scales.get(str(target.scale))
        value = target.measure(results) if results else None
        comparison = ">=" if target.at_least else "<="
        rows.append(
            {
                "target": f"{target.label} at {target.scale}x {comparison} {target.limit:g} {target.unit}".strip(),
                "measured": value,
                "unit": target.unit,
                "verdict": "n/a (quick)" if quick else target.verdict(value),
            }
        )
    return rows


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table with padded columns; numbers right-aligned."""
    cells = [[str(header) for header in headers]] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    numeric = [all(_is_number(row[column]) for row in rows) if rows else False for column in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        padded = [cell.rjust(width) if num else cell.ljust(width) for cell, width, num in zip(row, widths, numeric)]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (width + 1) + ":" if num else "-" * (width + 2) for width, num in zip(widths, numeric))
    rule += "|"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) or value is None


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _mb(size_bytes: int | None) -> float | None:
    return None if size_bytes is None else size_bytes / 1e6


def render(results: dict) -> str:
    """Every section as Markdown, in a fixed order, ready to paste into the README."""
    scales, meta = results["scales"], results["meta"]
    parts = [
        "# la2050-search benchmark",
        f"Corpus: {meta['corpus']} ({', '.join(meta['corpus_folders'])}); scales {', '.join(scales) or 'none'}; "
        f"{meta['repeat']} run(s) per figure; {meta['cpus']} CPUs; Python {meta['python']}; "
        f"commit {meta['commit']}.",
    ]
    if "machine_seconds_start" in meta:
        parts.append(
            f"Machine speed (bench/calibration.py, lower is faster): {meta['machine_seconds_start']:.3f} s at the "
            f"start, {meta.get('machine_seconds_end', float('nan')):.3f} s at the end."
        )
    if meta["quick"]:
        parts.append("Quick smoke run: a tiny corpus and one repetition. Figures are not comparable with the targets.")
    for title, headers, make_rows in SECTIONS:
        rows = make_rows(scales)
        table = markdown_table(headers, rows) if rows else "(not run)"
        parts.append(f"## {title}\n\n{table}")
    target_rows = [[t["target"], t["measured"], t["unit"], t["verdict"]] for t in results["targets"]]
    parts.append("## Targets\n\n" + markdown_table(["target", "measured", "unit", "verdict"], target_rows))
    problems = [f"- {scale}x: {issue}" for scale, figures in scales.items() for issue in figures.get("problems", [])]
    if problems:
        parts.append("## Problems\n\n" + "\n".join(problems))
    return "\n\n".join(parts) + "\n"


def _stat_row(prefix: list, summary: dict) -> list:
    return [*prefix, summary["n"], summary["min"], summary["median"], summary["p95"]]


def _rebuild_rows(scales: dict) -> list[list]:
    rows = []
    for scale, figures in scales.items():
        if "rebuild" in figures:
            rebuild = figures["rebuild"]
            for way, prefix in (("every file parsed", ""), ("parsed documents reused", "cached_")):
                if prefix + "seconds" in rebuild:  # not in results saved before the parse cache
                    rate = round(rebuild[prefix + "docs_per_second"]["median"])
                    rows.append([*_stat_row([f"{scale}x", way, rebuild["documents"]], rebuild[prefix + "seconds"]), rate])
    return rows


UPDATE_CASES = (
    ("one_file_library", "1 file (library call)"),
    ("one_file_cli", "1 file (CLI, end to end)"),
    ("no_change_cli", "nothing changed (CLI, end to end)"),
    ("many_files_library", "{many} files (library call)"),
)


def _update_rows(scales: dict) -> list[list]:
    rows = []
    for scale, figures in scales.items():
        update = figures.get("update")
        for key, label in UPDATE_CASES if update else ():
            rows.append(_stat_row([f"{scale}x", label.format(many=update["many_files"])], update[key]))
    return rows


def _size_rows(scales: dict) -> list[list]:
    rows = []
    for scale, figures in scales.items():
        rebuild, update = figures.get("rebuild"), figures.get("update", {})
        if rebuild:
            per_doc = round(rebuild["size_bytes"] / rebuild["documents"]) if rebuild["documents"] else None
            after = _mb(update.get("size_bytes_after"))
            rows.append([f"{scale}x", rebuild["documents"], _mb(rebuild["size_bytes"]), per_doc, rebuild["segments"],
                         after, update.get("segments_after"), _mb(rebuild.get("cache_bytes"))])
    return rows


def _search_rows(scales: dict) -> list[list]:
    rows = []
    for scale, figures in scales.items():
        search = figures.get("search")
        if search:
            if "cold_wall_ms" in search:
                rows.append(_stat_row([f"{scale}x", "whole request, first time (cold caches)"], search["cold_wall_ms"]))
            rows.append(_stat_row([f"{scale}x", "whole request, asked again"], search["wall_ms"]))
            for phase, summary in search["phases_ms"].items():
                rows.append(_stat_row([f"{scale}x", PHASE_LABELS[phase]], summary))
    return rows


def _slowest_rows(scales: dict) -> list[list]:
    return [
        [f"{scale}x", query["query"], query["total_hits"], query["wall_ms"], query["search_ms"], query["facets_ms"],
         query["snippets_ms"]]
        for scale, figures in scales.items()
        for query in figures.get("search", {}).get("slowest", [])
    ]


KNOWN_ITEM_KINDS = ("title", "summary", "organization")
RELEVANCE_HEADERS = ["engine", "nDCG@10 all", "tuned", "held out", "P@10", "unjudged in top 10", "title MRR@10",
                     "summary MRR@10", "organization MRR@10"]


EVERYDAY_HEADERS = ["engine", "nDCG@10 all", "tuned", "held out", "P@10", "unjudged in top 10"]


def _relevance_rows(key: str, everyday: bool = False) -> Callable[[dict], list[list]]:
    """The table of one relevance run (`relevance`, or `relevance_archive` with organizations):
    the keyword needs with the known items, or (`everyday`) the everyday needs alone."""

    def rows(scales: dict) -> list[list]:
        found = []
        for figures in scales.values():
            for name, engine in figures.get(key, {}).get("engines", {}).items():
                splits = (engine["everyday"] if everyday else engine)["splits"]
                known = {} if everyday else engine["known_items"]
                found.append([
                    name,
                    *(f'{splits[split]["ndcg"]:.3f}' for split in ("all", "tuned", "held out")),
                    f'{splits["all"]["precision"]:.3f}',
                    splits["all"]["unjudged"],
                    *([] if everyday else (f'{known[kind]["mrr"]:.3f}' if kind in known else "–" for kind in KNOWN_ITEM_KINDS)),
                ])
        return found

    return rows


def _latency_rows(scales: dict) -> list[list]:
    rows = []
    for scale, figures in scales.items():
        relevance = figures.get("relevance")
        if relevance:
            project, tantivy = figures["search"]["cold_wall_ms"], relevance["tantivy_latency_ms"]
            rows.append([f"{scale}x", "la2050-search /api/search, first time", project["n"], project["median"], project["p95"], None])
            rows.append([f"{scale}x", "Tantivy: search + facet counts + 10 snippets", tantivy["n"], tantivy["median"],
                         tantivy["p95"], round(relevance["first_time_p95_ratio"], 2)])
    return rows


def _http_rows(scales: dict) -> list[list]:
    rows = []
    for scale, figures in scales.items():
        load = figures.get("http")
        if load:
            latency = load["latency_ms"]
            rows.append([f"{scale}x", load["clients"], load["seconds"], load["requests"], load["requests_per_second"],
                         latency["p50"], latency["p95"], latency["p99"], load["errors"],
                         load.get("server_cpu_seconds"), load.get("client_cpu_seconds")])
    return rows


def _memory_rows(scales: dict) -> list[list]:
    rows = []
    for scale, figures in scales.items():
        load = figures.get("http")
        if load:
            for label, process in [("gunicorn master", load["master"])] + [("worker", w) for w in load["workers"]]:
                rows.append([f"{scale}x", label, str(process["pid"]), process["rss_mb"], process["peak_mb"]])
    return rows


VIEW_HEADERS = ["scale", "view (first time asked)", "requests", "min", "median", "p95", "unit"]


def views_rows(scales: dict) -> list[list]:
    """The matrix, map, grouping and export figures (bench/views.py)."""
    rows = []
    for scale, figures in scales.items():
        views = figures.get("views")
        if views:
            for name, view in views["views"].items():
                rows.append([*_stat_row([f"{scale}x", name], view["ms"]), "ms"])
            export = views["export"]
            label = f"export, whole archive as CSV ({export['rows']:,} rows, {export['bytes'] / 1e6:.1f} MB)"
            rows.append([*_stat_row([f"{scale}x", label], export["seconds"]), "s"])
    return rows


SECTIONS = (  # (title, column headings, rows from the per-scale results)
    ("Full rebuild", ["scale", "files", "documents", "runs", "min s", "median s", "p95 s", "docs/s (median)"], _rebuild_rows),
    ("Incremental update", ["scale", "change", "runs", "min s", "median s", "p95 s"], _update_rows),
    ("Index size on disk",
     ["scale", "documents", "after rebuild MB", "bytes/doc", "segments", "after updates MB", "segments after",
      "parse cache MB"],
     _size_rows),
    ("Search latency (/api/search, test client, 10 snippets, 5 facets)",
     ["scale", "part", "requests", "min ms", "median ms", "p95 ms"], _search_rows),
    ("Slowest queries (median over runs)",
     ["scale", "query", "hits", "total ms", "search ms", "facets ms", "snippets ms"], _slowest_rows),
    ("Relevance (1x: 20 judged needs, r01-r12 tuned on, r13-r20 held out; known items from every proposal)",
     RELEVANCE_HEADERS, _relevance_rows("relevance")),
    ("Relevance over the archive with its organizations (the same needs; organizations are never judged)",
     RELEVANCE_HEADERS, _relevance_rows("relevance_archive")),
    ("Relevance on everyday needs (1x: 20 needs typed in people's own words, e01-e10 tuned on, e11-e20 held out)",
     EVERYDAY_HEADERS, _relevance_rows("relevance", everyday=True)),
    ("Everyday needs over the archive with its organizations",
     EVERYDAY_HEADERS, _relevance_rows("relevance_archive", everyday=True)),
    ("First-time latency against Tantivy (same queries, same run)",
     ["scale", "engine", "requests", "median ms", "p95 ms", "p95 ratio"], _latency_rows),
    ("HTTP load (la2050-search serve, 2 workers, keep-alive clients)",
     ["scale", "clients", "seconds", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "server CPU s",
      "client CPU s"], _http_rows),
    ("Server memory after the load", ["scale", "process", "pid", "RSS MB", "peak RSS MB"], _memory_rows),
    ("Matrix, map, grouping and export (archive with organizations, test client)", VIEW_HEADERS, views_rows),
)
