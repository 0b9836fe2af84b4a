"""The views over a whole search: matrix, map, grouping, export (`python -m bench.views`).

They need organizations, which the scaled search corpus does not have, so this builds its
own index of the archive laid out as github.com/la2050/archive (`_projects/`,
`_organizations/`, `_data/` from ../shared/corpus, plus the articles) and asks, through
Flask's test client (the real view code, no HTTP), every line of queries.txt of
`/api/matrix` (three pairs of facets), `/api/map` and `/api/search?group=organization`,
200 document pages spread over the archive (`/doc/<id>`, with their similar proposals),
each kind in a fresh app so every request is the first time its search is asked (nothing
cached but the generation itself), plus the same over the whole archive with no query.
The export streams the whole archive as CSV, read to its last byte.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from werkzeug.datastructures import MultiDict

from index_store import IndexStore
from indexer.pipeline import index_paths
from search_app import create_app

from .corpus import SHARED
from .search import BenchQuery, load_queries
from .stats import summarize

ARCHIVE_LAYOUT = {"_projects": "proposals", "_organizations": "organizations", "_data": "data"}
VIEWS = {  # name -> (path, extra parameters)
    "matrix region × metric": ("/api/matrix", (("rows", "region"), ("cols", "metric"))),
    "matrix year × goal": ("/api/matrix", (("rows", "year"), ("cols", "goal"))),
    "matrix region × goal, grouped": ("/api/matrix", (("rows", "region"), ("cols", "goal"), ("group", "organization"))),
    "map (dots, year and goal charts)": ("/api/map", ()),
    "search grouped by organization": ("/api/search", (("group", "organization"),)),
}
EXPORT_RUNS = 3
DOCUMENT_PAGES = 200  # document pages asked, spread evenly over the archive's ids


def build_archive_index(folder: Path) -> Path:
    """Lay out ../shared/corpus as the archive under `folder` and index it; -> the index dir."""
    root = folder / "archive"
    for name, source in ARCHIVE_LAYOUT.items():
        shutil.copytree(SHARED / "corpus" / source, root / name)
    index_dir = folder / "index"
    index_paths(IndexStore(index_dir), [root, SHARED / "corpus" / "articles"], rebuild=True)
    return index_dir


def measure_views(index_dir: Path, queries: list[BenchQuery]) -> dict:
    """First-time latency of each view over every query and the whole archive, and the export."""
    everything = BenchQuery(line="(the whole archive)", params=())
    figures: dict = {"views": {}}
    for name, (path, extra) in VIEWS.items():
        client = _fresh_client(index_dir)
        times, errors = [], []
        for query in [everything, *queries]:
            params = MultiDict([(k, v) for k, v in query.params if k != "per_page"] + list(extra))
            started = time.perf_counter()
            response = client.get(path, query_string=params)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors.append(f"{name} {query.line!r}: HTTP {response.status_code}")
        figures["views"][name] = {"ms": summarize(times), "errors": errors}
    figures["views"]["document page (/doc/<id>)"] = _measure_document_pages(index_dir)
    figures["export"] = _measure_export(index_dir)
    overview = _fresh_client(index_dir).get("/api/overview").get_json()
    figures["documents"], figures["organizations"] = overview["documents"], overview["organizations"]
    return figures


def _fresh_client(index_dir: Path):
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    client.get("/healthz")  # opens the generation: once per server start, not per query
    return client


def _measure_document_pages(index_dir: Path) -> dict:
    """First-time HTML page of documents spread over the archive (proposals, organizations,
    articles): the page with its similar proposals, outcomes and partners, in a fresh app."""
    generation = IndexStore(index_dir).open_current()
    with generation.reader() as reader:
        ids = sorted(stored["id"] for _docnum, stored in reader.live_documents())
    step = max(1, len(ids) // DOCUMENT_PAGES)
    client = _fresh_client(index_dir)
    times, errors = [], []
    for doc_id in ids[::step][:DOCUMENT_PAGES]:
        started = time.perf_counter()
        response = client.get("/doc/" + doc_id, follow_redirects=True)  # a merged-away alias answers 308
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            errors.append(f"/doc/{doc_id}: HTTP {response.status_code}")
    return {"ms": summarize(times), "errors": errors}


def _measure_export(index_dir: Path) -> dict:
    """The whole archive as CSV, each run in a fresh app (its search not cached)."""
    seconds, size, rows = [], 0, 0
    for _ in range(EXPORT_RUNS):
        client = _fresh_client(index_dir)
        started = time.perf_counter()
        response = client.get("/api/export", query_string={"format": "csv"})
        size = len(response.get_data())  # the stream read to its end
        seconds.append(time.perf_counter() - started)
        rows = int(response.headers["X-Total-Count"])
    return {"seconds": summarize(seconds), "bytes": size, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.views", description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the figures as JSON.")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="la2050-bench-views-"))
    try:
        index_dir = build_archive_index(folder)
        figures = measure_views(index_dir, load_queries())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    from .report import VIEW_HEADERS, markdown_table, views_rows

    sys.stdout.write(markdown_table(VIEW_HEADERS, views_rows({"1": {"views": figures}})) + "\n")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
