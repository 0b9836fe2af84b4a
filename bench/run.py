"""Run the benchmark: `python -m bench.run [--quick] [--scales 1,5,10] [--repeat N] ...`.

For each scale it writes the scaled corpus to a temporary folder, then measures full
rebuilds, incremental updates, index size, `/api/search` latency through the view code,
and HTTP load plus worker memory against `la2050-search serve`. Tables go to stdout,
progress to stderr. Timings are compared with the targets but never change the exit
status; only a broken run (an exception, a failed command) exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .calibration import machine_seconds
from .corpus import REPO, Corpus, sample_corpus, shared_corpus, write_scaled
from .http_load import measure_http
from .indexing import measure_rebuilds, measure_updates
from .relevance_bench import measure_relevance
from .report import evaluate_targets, render
from .search import BenchQuery, load_queries, measure_search
from .views import build_archive_index, measure_views

DEFAULT_SCALES = "1,5"  # 10x rebuilds take minutes each: opt in with --scales 1,5,10
DEFAULT_REPEAT = 3
DEFAULT_HTTP_SECONDS = 20.0
QUICK_HTTP_SECONDS = 2.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Smoke run: the repo's corpus/, 1x, one run, 2 s HTTP.")
    parser.add_argument("--scales", help=f"Comma-separated corpus multiples (default {DEFAULT_SCALES}; quick: 1).")
    parser.add_argument("--repeat", type=int, help=f"Runs per figure (default {DEFAULT_REPEAT}; quick: 1).")
    parser.add_argument(
        "--http-seconds",
        type=float,
        help=f"Length of the HTTP load (default {DEFAULT_HTTP_SECONDS:g}; quick: {QUICK_HTTP_SECONDS:g}; 0 skips it).",
    )
    parser.add_argument("--json", type=Path, help="Also write every figure as JSON (e.g. bench/results/latest.json).")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary corpus and index folders.")
    args = parser.parse_args(argv)
    scales = args.scales or ("1" if args.quick else DEFAULT_SCALES)
    try:
        args.scales = sorted({int(part) for part in scales.split(",") if part.strip()})
    except ValueError:
        parser.error(f"--scales must be whole numbers separated by commas, not {scales!r}")
    if not args.scales or min(args.scales) < 1:
        parser.error("--scales needs at least one multiple of 1 or more")
    args.repeat = args.repeat or (1 if args.quick else DEFAULT_REPEAT)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    if args.http_seconds is None:
        args.http_seconds = QUICK_HTTP_SECONDS if args.quick else DEFAULT_HTTP_SECONDS
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpus = sample_corpus() if args.quick else shared_corpus()
    queries = load_queries()
    workdir = Path(tempfile.mkdtemp(prefix="la2050-bench-"))
    results: dict[str, Any] = {"meta": _meta(corpus, args), "scales": {}}
    try:
        for scale in args.scales:
            results["scales"][str(scale)] = bench_scale(corpus, scale, queries, args, workdir / f"scale-{scale}")
    finally:
        if args.keep:
            _progress(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["meta"]["machine_seconds_end"] = machine_seconds()
    results["targets"] = evaluate_targets(results["scales"], quick=args.quick)
    sys.stdout.write(render(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _progress(f"wrote {args.json}")
    return 0


def bench_scale(corpus: Corpus, scale: int, queries: list[BenchQuery], args: argparse.Namespace, folder: Path) -> dict:
    """Every figure for one scale; the folder is removed afterwards unless --keep."""
    scaled = write_scaled(corpus, scale, folder / "corpus")
    _progress(f"{scale}x: wrote {scaled.files} files in {scaled.seconds:.1f} s")
    index_dir = folder / "index"
    figures: dict = {"corpus_files": scaled.files, "corpus_seconds": scaled.seconds, "problems": []}

    figures["rebuild"] = measure_rebuilds(scaled.roots, index_dir, args.repeat)
    _progress(f"{scale}x: rebuild median {figures['rebuild']['seconds']['median']:.2f} s, "
              f"{figures['rebuild']['cached_seconds']['median']:.2f} s reusing parsed documents "
              f"({figures['rebuild']['documents']} documents)")

    figures["search"] = measure_search(index_dir, queries, args.repeat)
    figures["problems"] += figures["search"]["errors"]
    _progress(f"{scale}x: search p50 {figures['search']['wall_ms']['median']:.1f} ms, "
              f"p95 {figures['search']['wall_ms']['p95']:.1f} ms")

    if scale == 1:  # judgments and known items are of the archive itself, not of scaled copies
        figures["relevance"] = measure_relevance(index_dir, queries, args.repeat)
        ratio = figures["search"]["cold_wall_ms"]["p95"] / figures["relevance"]["tantivy_latency_ms"]["p95"]
        figures["relevance"]["first_time_p95_ratio"] = ratio
        _progress(f"{scale}x: first-time p95 is {ratio:.2f}x Tantivy's (search + facets + snippets)")

    if args.http_seconds > 0:
        figures["http"] = measure_http(index_dir, queries, args.http_seconds, folder / "server.log")
        figures["problems"] += figures["http"]["error_samples"]
        if figures["http"]["errors"]:
            figures["problems"] += [f"server log: {line}" for line in figures["http"]["server_log"]]
        _progress(f"{scale}x: HTTP {figures['http']['requests_per_second']:.0f} req/s, "
                  f"p95 {figures['http']['latency_ms']['p95']:.1f} ms, {figures['http']['errors']} errors")

    if scale == 1:  # the views need organizations: an archive-shaped index of its own (quick: the sample's)
        views_index = index_dir if args.quick else build_archive_index(folder / "archive-views")
        # What users search: proposals beside their organizations' own documents.
        figures["relevance_archive"] = measure_relevance(views_index, queries, args.repeat, latency=False)
        figures["views"] = measure_views(views_index, queries)
        figures["problems"] += [e for view in figures["views"]["views"].values() for e in view["errors"]]
        _progress(f"{scale}x: matrix p95 {figures['views']['views']['matrix region × metric']['ms']['p95']:.1f} ms, "
                  f"export {figures['views']['export']['seconds']['median']:.2f} s")

    # Updates last: they add segments, and search figures should come from a fresh rebuild.
    figures["update"] = measure_updates(scaled.roots, index_dir, args.repeat)
    figures["problems"] += figures["update"]["problems"]
    _progress(f"{scale}x: update 1 file (CLI) median {figures['update']['one_file_cli']['median']:.2f} s")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return figures


def _meta(corpus: Corpus, args: argparse.Namespace) -> dict:
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "corpus": corpus.name,
        "corpus_folders": [str(folder) for folder in corpus.folders],
        "quick": args.quick,
        "repeat": args.repeat,
        "http_seconds": args.http_seconds,
        "machine_seconds_start": machine_seconds(),
    }


def _git_commit() -> str:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        )
    except OSError:
        return "unknown"
    return completed.stdout.strip() or "unknown"


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
