"""Bounded work per request (issue 25): a CPU budget, capped prefix expansion, explain
computed once per page. No timing thresholds: a budget of 1 ms is spent by any real
search, and the cost of explain is counted in evaluations, not seconds."""

from __future__ import annotations

import pytest

from search_app import create_app, scoring
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
    """Explaining once re-evaluated the whole query for each hit: 5 s for co* on 100 results."""
    calls = []
    evaluate = scoring._evaluate

    def counted(node, *args):
        calls.append(node)
        return evaluate(node, *args)

    monkeypatch.setattr(scoring, "_evaluate", counted)
    counts = {}
    for per_page in (5, 50):
        client = make_client()  # a fresh cache: the search itself is scored again too
        calls.clear()
        body = client.get("/api/search", query_string={"q": "co* OR gardens", "explain": "1", "per_page": per_page}).get_json()
        assert len(body["results"]) == per_page
        counts[per_page] = len(calls)
    assert counts[5] == counts[50], counts
