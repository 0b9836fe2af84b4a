"""Profile the two hot paths with cProfile: `python -m bench.profile search|rebuild`.

- `search` runs every benchmark query through `/api/search` (test client) after a warm-up;
- `rebuild` runs one full rebuild; with `--workers 1` (the default here) parsing happens in
  this process, so its cost shows up next to Whoosh's instead of hiding in worker processes.

Both print the top functions by cumulative and by own time. Pass `--index-dir` to profile
searches on an existing index instead of building the 1x corpus first.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

from werkzeug.datastructures import MultiDict

from index_store import IndexStore
from indexer.pipeline import index_paths
from search_app import create_app

from .corpus import sample_corpus, shared_corpus, write_scaled
from .search import load_queries

DEFAULT_TOP = 30  # functions listed per ordering


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("search", "rebuild"))
    parser.add_argument("--scale", type=int, default=1, help="Corpus multiple to build (default 1).")
    parser.add_argument("--quick", action="store_true", help="Use the repo's small corpus/ instead of ../shared.")
    parser.add_argument("--index-dir", type=Path, help="search: profile this existing index instead of building one.")
    parser.add_argument("--repeat", type=int, default=3, help="search: passes over the queries (default 3).")
    parser.add_argument("--workers", type=int, default=1, help="rebuild: parser processes (default 1, to see parsing).")
    parser.add_argument("--top", type=int, default=DEFAULT_TOP, help=f"Functions listed (default {DEFAULT_TOP}).")
    parser.add_argument("--output", type=Path, help="Also save the raw profile here (for snakeviz, pstats).")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="la2050-profile-"))
    try:
        if args.what == "search" and args.index_dir:
            profile = profile_search(args.index_dir, args.repeat)
        else:
            scaled = write_scaled(sample_corpus() if args.quick else shared_corpus(), args.scale, workdir / "corpus")
            index_dir = workdir / "index"
            if args.what == "rebuild":
                profile = profile_rebuild(scaled.roots, index_dir, args.workers)
            else:
                index_paths(IndexStore(index_dir), scaled.roots, rebuild=True)
                profile = profile_search(index_dir, args.repeat)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.output:
        profile.dump_stats(str(args.output))
    sys.stdout.write(format_profile(profile, args.top))
    return 0


def profile_rebuild(roots: list[Path], index_dir: Path, workers: int) -> cProfile.Profile:
    """One full rebuild of `roots` under cProfile."""
    profile = cProfile.Profile()
    profile.enable()
    index_paths(IndexStore(index_dir), roots, rebuild=True, workers=workers)
    profile.disable()
    return profile


def profile_search(index_dir: Path, repeat: int) -> cProfile.Profile:
    """Every benchmark query, `repeat` times, through `/api/search` under cProfile."""
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    queries = load_queries()
    for query in queries:  # warm-up outside the profile: opening the generation, caches
        client.get("/api/search", query_string=MultiDict(query.params))
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(repeat):
        for query in queries:
            client.get("/api/search", query_string=MultiDict(query.params))
    profile.disable()
    return profile


def format_profile(profile: cProfile.Profile, top: int) -> str:
    """The top functions by cumulative time, then by own (total) time."""
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs()
    for order in ("cumulative", "tottime"):
        out.write(f"\n## Top {top} by {order} time\n")
        stats.sort_stats(order).print_stats(top)
    return out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
