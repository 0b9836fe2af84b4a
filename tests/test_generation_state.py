"""What a generation holds: derived data built once, per-query answers cached under keys
that name every input (a search with other ranking weights is its own search)."""

from __future__ import annotations

from dataclasses import is_dataclass, replace

import pytest

from index_store import IndexStore
from search_app import create_app
from engine.searching import SearchRequest, run_search
from engine.generations import LiveIndex
from engine.ranking import DEFAULT_WEIGHTS
from search_app.state import live_index

# Titles and names count for nothing: the order of words alone.
WORDS_ONLY = replace(
    DEFAULT_WEIGHTS, title=0.0, title_match=0.0, title_equal=0.0, organization_match=0.0, organization_equal=0.0
)


@pytest.fixture
def live(index_dir):
    live = LiveIndex.open(IndexStore(index_dir).open_current())
    yield live
    live.close()


def fresh_search(index_dir, request: SearchRequest, **kwargs):
    """The page hits of the same search on a generation opened anew: nothing cached."""
    live = LiveIndex.open(IndexStore(index_dir).open_current())
    try:
        return run_search(live, request, **kwargs).page_hits
    finally:
        live.close()


@pytest.mark.parametrize("semantic", [False, True])
def test_a_search_with_other_weights_gets_the_scores_of_those_weights(live, index_dir, semantic):
    request = SearchRequest(q="youth arts", semantic=semantic)
    default = run_search(live, request).page_hits
    words_only = run_search(live, request, weights=WORDS_ONLY).page_hits
    assert words_only == fresh_search(index_dir, request, weights=WORDS_ONLY)
    assert default == fresh_search(index_dir, request)
    assert words_only != default  # the fixture is a real test: the weights change the scores


def test_a_search_with_another_prefix_limit_gets_its_own_matches(live, index_dir):
    wide = SearchRequest(q="gar*en*", semantic=False)  # a wildcard stands for its words
    narrow = replace(wide, max_prefix_terms=1)
    assert fresh_search(index_dir, wide) != fresh_search(index_dir, narrow)  # a real test
    assert run_search(live, wide).page_hits == fresh_search(index_dir, wide)
    assert run_search(live, narrow).page_hits == fresh_search(index_dir, narrow)


def test_every_cached_answer_is_keyed_by_a_frozen_dataclass_and_derived_data_stays_out(index_dir):
    """String-keyed namespaces could collide and hid what an answer depends on; a
    generation's derived data is held by its attributes, not by the bounded cache."""
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    client = app.test_client()
    doc_id = client.get("/api/search", query_string={"q": "gardens"}).get_json()["results"][0]["id"]
    for url in (
        "/?q=gardens", "/?q=gardns+youth", "/?q=gar*en*", "/?q=gard*", "/api/search?q=parks&group=organization",
        "/api/suggest?q=heal", "/api/overview", "/docs", "/api/map?q=food", f"/doc/{doc_id}",
        f"/api/similar/{doc_id}", "/api/partners?text=After-school+coding+classes",
    ):
        assert client.get(url).status_code == 200, url
    with app.app_context():
        live = live_index()
        keys = list(live._cache)
        kinds = {type(key).__name__ for key in keys}
        assert {"Parsed", "MatchKey", "SearchKey", "Card", "SnippetSource", "FacetsView", "ApiDocs", "Overview"} <= kinds
        for key in keys:
            assert is_dataclass(key) and type(key).__dataclass_params__.frozen, key
            hash(key)
        built = {name for name in ("group_keys", "suggestion_entries", "document_vectors", "sorted_vocabulary") if name in vars(live)}
        assert built == {"group_keys", "suggestion_entries", "document_vectors", "sorted_vocabulary"}
        assert live.group_keys is live.group_keys  # built once for the generation
