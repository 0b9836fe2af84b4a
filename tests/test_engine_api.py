"""The engine's public API, called as the benchmark and the tuner call it: no Flask, no
request, only `engine`'s own names (issue 23)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

import engine
from engine import LiveIndex, SearchRequest, count, explain, search, similar, suggest
from index_store import IndexStore
from servers import REPO

REQUESTS = [
    SearchRequest(q="youth arts"),
    SearchRequest(q="bike", semantic=False),
    SearchRequest(q="", selected={"kind": ["proposal"]}),
    SearchRequest(q="garden", group="organization"),
]


@pytest.fixture(scope="module")
def live(index_dir):
    live = LiveIndex.open(IndexStore(index_dir).open_current())
    yield live
    live.close()


def test_the_public_api_is_what_the_package_names():
    assert set(engine.__all__) >= {"search", "count", "explain", "similar", "suggest", "SearchRequest", "SearchOutcome", "LiveIndex"}
    assert all(hasattr(engine, name) for name in engine.__all__)


def test_importing_the_engine_loads_no_web_framework():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, engine; print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'werkzeug', 'jinja2', 'search_app'}))"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.q or "browse")
def test_count_is_the_total_of_the_same_search(live, request_):
    outcome = search(live, request_)
    assert outcome.total > 0
    assert count(live, request_) == outcome.total
    assert count(live, replace(request_, page=3, per_page=1)) == outcome.total  # the page does not matter


def test_explain_gives_each_page_hit_parts_that_add_up_to_its_score(live):
    outcome = search(live, SearchRequest(q="youth arts", per_page=5))
    parts = explain(live, outcome)
    assert len(parts) == len(outcome.page_hits) > 0
    for (_docnum, score), hit_parts in zip(outcome.page_hits, parts):
        assert sum(part["value"] for part in hit_parts) == pytest.approx(score, abs=1e-3)


def test_similar_gives_other_proposals_best_first(live):
    docnum = search(live, SearchRequest(q="", selected={"kind": ["proposal"]})).page_hits[0][0]
    found = similar(live, docnum, 3)
    assert 0 < len(found) <= 3
    assert docnum not in {d for d, _ in found}
    assert all(live.columns.values["kind"][d] == ("proposal",) for d, _ in found)
    assert [cosine for _, cosine in found] == sorted((cosine for _, cosine in found), reverse=True)


def test_suggest_finds_a_facet_value_by_its_beginning(live):
    value = next(iter(live.columns.masks["region"]))
    answer = suggest(live, value[:4], ("region",), 50, lambda params: str(params))
    assert value in [suggestion["value"] for suggestion in answer["suggestions"]]
