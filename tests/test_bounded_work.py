"""Bounded work per request (issue 25): a CPU budget, capped prefix expansion, explain
computed once per page. No timing thresholds: a budget of 1 ms is spent by any real
search, and the cost of explain is counted in evaluations, not seconds."""

from __future__ import annotations

import gc
import time

import pytest

from engine import BudgetExceeded, scoring
from engine.budget import Budget
from search_app import create_app
from search_app.state import live_index

PREFIXES = " OR ".join(f"{a}{b}*" for a in "bcdfgmprst" for b in "aeiou")  # 50 two-letter prefixes


@pytest.fixture
def make_client(index_dir):
    apps = []

    def make(**config):
        app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, **config})
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        with app.app_context():
            live_index().close()


def test_a_search_over_its_budget_is_refused_with_a_clear_message(make_client):
    client = make_client(REQUEST_BUDGET_MS=1)
    for path in ("/api/search", "/"):
        response = client.get(path, query_string={"q": PREFIXES, "explain": "1", "per_page": "100"})
        assert response.status_code == 400
        assert "needs more than the 1 ms of work one request may use" in response.get_data(as_text=True)
    # The same search with the default budget answers.
    assert make_client().get("/api/search", query_string={"q": "gardens"}).status_code == 200


def test_a_prefix_stands_for_at_most_the_configured_number_of_words_with_a_note(make_client):
    uncapped = make_client(MAX_PREFIX_TERMS=100_000).get("/api/search", query_string={"q": "co*"}).get_json()
    capped = make_client(MAX_PREFIX_TERMS=3).get("/api/search", query_string={"q": "co*"}).get_json()
    assert uncapped["notes"] == [] and 0 < capped["total"] < uncapped["total"]
    assert capped["notes"] == [
        "co* stands for more than 3 indexed words; only the 3 most frequent are searched "
        "(SEARCH_MAX_PREFIX_TERMS). Type more letters to reach the others."
    ]
    wildcard = make_client(MAX_PREFIX_TERMS=3).get("/api/search", query_string={"q": "co?m*"}).get_json()
    assert wildcard["notes"][0].startswith("co?m* stands for more than 3 indexed words")


def test_explain_evaluates_each_query_node_once_however_many_results_it_explains(make_client, monkeypatch):
    """Explaining once re-evaluated the whole query for each hit: 5 s for co* on 100 results.
    Now each node is evaluated once per index segment for the whole page (a page whose hits
    lie in more segments evaluates more, never more per hit)."""
    explained = []
    evaluated = scoring._evaluated

    def counted(node, segment, *args):
        explained.append((id(node), id(segment)))
        return evaluated(node, segment, *args)

    monkeypatch.setattr(scoring, "_evaluated", counted)
    evaluate_calls = []
    evaluate = scoring._evaluate

    def evaluate_counted(node, *args):
        evaluate_calls.append(node)
        return evaluate(node, *args)

    monkeypatch.setattr(scoring, "_evaluate", evaluate_counted)
    body = make_client().get("/api/search", query_string={"q": "co* OR gardens", "explain": "1", "per_page": 50}).get_json()
    assert len(body["results"]) == 50
    assert len(explained) > 50  # explained hit by hit, node by node
    # Evaluations beyond the search's own: at most one per distinct (node, segment) explained.
    searched = make_client()
    evaluate_calls.clear()
    searched.get("/api/search", query_string={"q": "co* OR gardens", "per_page": 50})
    search_only = len(evaluate_calls)
    evaluate_calls.clear()
    make_client().get("/api/search", query_string={"q": "co* OR gardens", "explain": "1", "per_page": 50})
    assert len(evaluate_calls) - search_only <= len(set(explained)) * 2  # a node and its children, once


def _spend_cpu(seconds: float) -> None:
    started = time.thread_time()
    while time.thread_time() - started < seconds:
        pass


def test_garbage_collection_is_not_counted_as_the_requests_work():
    """A collection in the request's thread (here made slow on purpose) costs no budget."""
    budget = Budget(100)

    def slow_collection(phase: str, _info: dict) -> None:
        if phase == "start":
            _spend_cpu(0.15)

    gc.callbacks.append(slow_collection)  # after the budget's own timer, so inside its measure
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(slow_collection)
    budget.check()  # 150 ms of collection, 100 ms budget: not refused
    _spend_cpu(0.15)
    with pytest.raises(BudgetExceeded):  # the request's own work still counts
        budget.check()
