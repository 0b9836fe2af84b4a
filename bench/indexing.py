"""Indexing figures: full rebuilds, incremental updates (library and CLI), size on disk."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from index_format.storage import segment_count
from index_store import IndexStore
from indexer.pipeline import index_paths

from .corpus import edit_proposal, pick_proposals
from .stats import summarize

CLI_TIMEOUT = 600  # seconds: a 10x update through the CLI is far below this
CHANGED_MANY = 100  # files changed for the "many files" update


def cli_path() -> str:
    """The `la2050-search` script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "la2050-search"
    return str(script) if script.exists() else "la2050-search"


def measure_rebuilds(roots: list[Path], index_dir: Path, repeat: int) -> dict:
    """Full rebuilds of `roots` into `index_dir`, `repeat` times each way; the last stays live.

    Each round rebuilds twice: parsing every file (`reparse`, as a first build does), then
    reusing the documents that build parsed (as a rebuild after an upgrade of the index
    code does: see indexer/parse_cache.py).
    """
    shutil.rmtree(index_dir, ignore_errors=True)
    store = IndexStore(index_dir)
    timings: dict[str, list[float]] = {"parsed": [], "cached": []}
    documents = 0
    for _ in range(repeat):
        for way, reparse in (("parsed", True), ("cached", False)):
            started = time.perf_counter()
            report = index_paths(store, roots, rebuild=True, reparse=reparse)
            timings[way].append(time.perf_counter() - started)
            documents = report.documents
    generation = store.open_current()
    return {
        "documents": documents,
        "seconds": summarize(timings["parsed"]),
        "docs_per_second": summarize([documents / seconds for seconds in timings["parsed"]]),
        "cached_seconds": summarize(timings["cached"]),
        "cached_docs_per_second": summarize([documents / seconds for seconds in timings["cached"]]),
        "cache_bytes": _folder_bytes(store.cache_path("parsed")),
        "size_bytes": generation.size_bytes(),
        "segments": _segment_count(generation),
    }


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def measure_updates(roots: list[Path], index_dir: Path, repeat: int) -> dict:
    """Incremental updates after changing 1 file and `CHANGED_MANY` files, plus a no-op.

    The 1-file case is timed twice: as a library call and as the end-to-end CLI command
    (interpreter start, imports, hashing every file, indexing, swap).
    """
    store = IndexStore(index_dir)
    chosen = pick_proposals(roots, CHANGED_MANY)
    revision = 0
    one_library, one_cli, many_library, noop_cli = [], [], [], []
    mismatches: list[str] = []
    for _ in range(repeat):
        revision += 1
        edit_proposal(chosen[0], revision)
        started = time.perf_counter()
        report = index_paths(store, roots)
        one_library.append(time.perf_counter() - started)
        _check(report.updated, 1, "1 file, library", mismatches)

        revision += 1
        edit_proposal(chosen[0], revision)
        one_cli.append(run_cli_index(roots, index_dir))

        noop_cli.append(run_cli_index(roots, index_dir))

        revision += 1
        for path in chosen:
            edit_proposal(path, revision)
        started = time.perf_counter()
        report = index_paths(store, roots)
        many_library.append(time.perf_counter() - started)
        _check(report.updated, len(chosen), f"{len(chosen)} files, library", mismatches)
    generation = store.open_current()
    return {
        "one_file_library": summarize(one_library),
        "one_file_cli": summarize(one_cli),
        "no_change_cli": summarize(noop_cli),
        "many_files": len(chosen),
        "many_files_library": summarize(many_library),
        "size_bytes_after": generation.size_bytes(),
        "segments_after": _segment_count(generation),
        "problems": mismatches,
    }


def run_cli_index(roots: list[Path], index_dir: Path, *options: str) -> float:
    """Seconds for `la2050-search index ROOTS --index-dir D -q [OPTIONS]`, start to exit.

    :raises RuntimeError: when the command fails.
    """
    command = [cli_path(), "index", *map(str, roots), "--index-dir", str(index_dir), "--quiet", *options]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {completed.returncode}: {completed.stderr[-2000:]}")
    return elapsed


def _check(actual: int, expected: int, label: str, problems: list[str]) -> None:
    if actual != expected:
        problems.append(f"{label}: {actual} documents updated, expected {expected}")


def _segment_count(generation) -> int:
    """Segments in the generation's index (files do not show them)."""
    return segment_count(generation.index)
