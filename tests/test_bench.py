"""Smoke test of the benchmark: `python -m bench.run --quick` runs and prints every table.

Nothing here asserts a timing: the quick run only proves the benchmark still works.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
QUICK_TIMEOUT = 120  # seconds; the quick run takes a few
HEADINGS = (
    "## Relevance (1x",
    "## Relevance over the archive with its organizations",
    "## First-time latency against Tantivy",
    "## Full rebuild",
    "## Incremental update",
    "## Index size on disk",
    "## Search latency",
    "## Slowest queries",
    "## HTTP load",
    "## Server memory after the load",
    "## Matrix, map, grouping and export",
    "## Targets",
)


@pytest.fixture
def bench(monkeypatch):
    """Import a module of `bench/`, a dev tool that is not installed, from the checkout."""
    monkeypatch.syspath_prepend(str(REPO))
    return lambda name: importlib.import_module(f"bench.{name}")


def test_quick_run_prints_every_table(tmp_path):
    output = tmp_path / "latest.json"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--json", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=QUICK_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    for heading in HEADINGS:
        assert heading in completed.stdout, heading
    assert "(not run)" not in completed.stdout
    results = json.loads(output.read_text(encoding="utf-8"))
    assert set(results) == {"meta", "scales", "targets"}
    assert results["scales"]["1"]["problems"] == []
    assert results["scales"]["1"]["http"]["workers"], "no gunicorn worker was found"


def test_first_time_rounds_print_a_row_a_round_beside_tantivy():
    completed = subprocess.run(
        [sys.executable, "-m", "bench.first_time", "--quick"],
        cwd=REPO, capture_output=True, text=True, timeout=QUICK_TIMEOUT, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = [line.split("|")[1:-1] for line in completed.stdout.splitlines() if line.startswith("| 1x")]
    assert len(rows) == 1
    scale, round_number, *figures = (cell.strip() for cell in rows[0])
    assert (scale, round_number) == ("1x", "1") and all(float(figure) > 0 for figure in figures)


def test_paired_rounds_ask_both_checkouts_every_query(index_dir):
    """This checkout against itself: a row a round and one over all, every figure measured."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.paired", "--index", str(index_dir), "--baseline", str(REPO),
         "--baseline-index", str(index_dir), "--baseline-python", sys.executable, "--rounds", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=QUICK_TIMEOUT, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = [line.split("|")[1:-1] for line in completed.stdout.splitlines() if line.startswith("| 1 ") or line.startswith("| all ")]
    assert [row[0].strip() for row in rows] == ["1", "all"]
    assert all(float(cell) > 0 for row in rows for cell in row[1:])


def test_queries_file_parses_words_and_filters(bench, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text("# comment\n\nparks | region=South LA; region=East LA\n| goal=play\nmental health\n", encoding="utf-8")
    parsed = bench("search").load_queries(queries)
    assert [query.params for query in parsed] == [
        (("q", "parks"), ("region", "South LA"), ("region", "East LA"), ("per_page", "10")),
        (("q", ""), ("goal", "play"), ("per_page", "10")),
        (("q", "mental health"), ("per_page", "10")),
    ]


@pytest.mark.parametrize(
    ("samples", "fraction", "expected"),
    [([5.0], 0.95, 5.0), ([1.0, 2.0, 3.0], 0.5, 2.0), ([1.0, 2.0], 0.5, 1.5), ([4.0, 1.0, 3.0, 2.0], 1.0, 4.0)],
)
def test_percentile_interpolates(bench, samples, fraction, expected):
    assert bench("stats").percentile(samples, fraction) == expected


def test_summarize_without_samples(bench):
    assert bench("stats").summarize([]) == {"n": 0, "min": None, "median": None, "p95": None, "max": None}


def test_markdown_table_aligns_numbers_right(bench):
    table = bench("report").markdown_table(["name", "ms"], [["a", 1.5], ["bb", 12.25]])
    assert table.splitlines() == ["| name |    ms |", "|------|------:|", "| a    |  1.50 |", "| bb   | 12.25 |"]


def test_a_merged_organization_s_name_finds_the_organization_it_is_one_with(bench):
    """The project answers a merged-away file's name with its organization (aliases redirect):
    that counts as found, as the file itself does for a peer that indexed it."""
    documents = [
        {"id": "organization/la-compost", "kind": "organization", "title": "LA Compost", "alias_of": "organization/l-a-compost"},
        {"id": "organization/l-a-compost", "kind": "organization", "title": "L.A. Compost", "alias_of": ""},
    ]
    items = {item.query: item.targets for item in bench("relevance").known_items(documents)}
    assert items["LA Compost"] == {"organization/la-compost", "organization/l-a-compost"}
    assert items["L A Compost"] == {"organization/l-a-compost"}
