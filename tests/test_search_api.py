"""Test-client tests of the JSON API: the envelope contract, facets, sorting, paging and query syntax.

Expected values are computed independently of the code under test wherever possible: from
the unfiltered result list, from separate queries, or from set algebra over result ids,
so the tests keep holding when the corpus or the ranking changes.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from engine.query import analyse

FACETS = ("region", "metric", "goal", "year", "kind", "outcome", "topic", "org_type", "home_region")
SEARCH_KEYS = {"ok", "query", "total", "page", "per_page", "took_ms", "suggestion", "results", "facets"}
CARD_KEYS = {"id", "kind", "title", "url", "organization", "organization_id", "year", "goal", "regions", "metrics", "outcomes", "topics"}
RESULT_KEYS = CARD_KEYS | {"title_html", "snippet_html", "score"}
DOC_KEYS = CARD_KEYS | {"ok", "sections", "similar"}
HEALTH_KEYS = {"ok", "generation", "documents"}
ERROR_KEYS = {"ok", "error", "status"}
JSON_ENDPOINTS = {"/api/search", "/api/doc/<path:doc_id>", "/api/openapi.json", "/healthz",
                  "/api/matrix", "/api/map", "/api/export", "/api/overview", "/api/similar/<path:doc_id>",
                  "/api/partners", "/api/suggest"}  # fmt: skip
VIEW_KEYS = {  # the views over a whole search (test_matrix.py, test_map.py, test_export.py, test_landing.py)
    "/api/matrix": {"ok", "dimensions", "rows", "cols", "cells", "total", "empty"},
    "/api/map": {"ok", "total", "organizations", "outside_county", "without_location", "charts", "empty"},
    "/api/export": {"ok", "total", "fields", "documents"},
    "/api/overview": {"ok", "documents", "proposals", "organizations", "goals", "regions", "metrics"},
}
MAX_PER_PAGE = 100  # the default MAX_PER_PAGE setting


# --- the contract helper ------------------------------------------------------------------


def assert_envelope(response, status: int = 200) -> dict:
    """Check status, content type and the envelope for whichever endpoint answered.

    Success bodies are checked against the shape of their endpoint; every error body,
    from any endpoint, must be `{"ok": false, "error": str, "status": int}` with the
    HTTP status repeated inside.
    """
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body, dict)
    if status >= 400:
        assert ERROR_KEYS <= body.keys(), body
        assert body["ok"] is False
        assert isinstance(body["error"], str) and body["error"].strip()
        assert body["status"] == status
        if "errors" in body:
            assert body["errors"] and all(isinstance(e, str) for e in body["errors"])
        return body
    path = response.request.path
    if path == "/api/search":
        _assert_search_shape(body)
    elif path.startswith("/api/doc/"):
        _assert_document_shape(body)
    elif path == "/healthz":
        assert HEALTH_KEYS <= body.keys() and body["ok"] is True
        assert isinstance(body["generation"], int) and body["documents"] > 0
    elif path == "/api/openapi.json":
        assert body["openapi"].startswith("3.")
        assert {"/api/search", "/api/doc/{doc_id}", "/healthz", *VIEW_KEYS} <= body["paths"].keys()
    elif path in VIEW_KEYS:
        assert VIEW_KEYS[path] <= body.keys() and body["ok"] is True, VIEW_KEYS[path] - body.keys()
    else:
        pytest.fail(f"no envelope known for {path}")
    return body


def _assert_search_shape(body: dict) -> None:
    assert SEARCH_KEYS <= body.keys(), SEARCH_KEYS - body.keys()
    assert body["ok"] is True
    assert isinstance(body["query"], dict) and isinstance(body["query"]["q"], str)
    assert isinstance(body["total"], int) and body["total"] >= 0
    assert isinstance(body["page"], int) and body["page"] >= 1
    assert isinstance(body["per_page"], int) and 1 <= body["per_page"] <= MAX_PER_PAGE
    assert isinstance(body["took_ms"], (int, float)) and body["took_ms"] >= 0
    assert body["suggestion"] is None or isinstance(body["suggestion"], str)
    assert len(body["results"]) <= body["per_page"]
    for result in body["results"]:
        _assert_card(result, RESULT_KEYS)
        assert isinstance(result["title_html"], str) and isinstance(result["snippet_html"], str)
        assert isinstance(result["score"], (int, float))
    assert set(body["facets"]) == set(FACETS)
    for name, facet in body["facets"].items():
        assert {"values", "truncated"} <= facet.keys(), name
        assert isinstance(facet["truncated"], bool)
        for item in facet["values"]:
            assert {"value", "count", "selected"} <= item.keys()
            assert isinstance(item["value"], str) and item["value"]
            assert isinstance(item["count"], int) and item["count"] >= 0
            assert isinstance(item["selected"], bool)
        values = [item["value"] for item in facet["values"]]
        assert len(values) == len(set(values)), f"{name} lists a value twice"


def _assert_document_shape(body: dict) -> None:
    _assert_card(body, DOC_KEYS)
    assert body["ok"] is True
    for section in body["sections"]:
        assert isinstance(section["question"], str) and isinstance(section["answer"], str)
    for similar in body["similar"]:
        _assert_card(similar, CARD_KEYS)


def _assert_card(card: dict, keys: set[str]) -> None:
    assert keys <= card.keys(), keys - card.keys()
    assert card["kind"] in ("proposal", "article")
    assert isinstance(card["title"], str) and isinstance(card["organization"], str)
    assert card["url"] == "/doc/" + card["id"]
    assert card["year"] is None or isinstance(card["year"], int)
    assert isinstance(card["goal"], str)
    assert isinstance(card["regions"], list) and all(isinstance(r, str) for r in card["regions"])
    assert isinstance(card["metrics"], list) and all(isinstance(m, str) for m in card["metrics"])


# --- helpers ------------------------------------------------------------------------------


def search(client, **params) -> dict:
    """One page of /api/search, envelope-checked."""
    return assert_envelope(client.get("/api/search", query_string=params))


def search_all(client, **params) -> list[dict]:
    """Every result of a search, across all pages, in order."""
    results, page = [], 1
    while True:
        body = search(client, **params, per_page=MAX_PER_PAGE, page=page)
        results.extend(body["results"])
        if page * MAX_PER_PAGE >= body["total"]:
            assert len(results) == body["total"]
            return results
        page += 1


def ids(client, **params) -> set[str]:
    """The documents the words match: the set algebra of the syntax (a -b, a OR b) holds over
    words, so meaning (which adds documents close to plain words only) is left out."""
    params.setdefault("semantic", "0")
    return {result["id"] for result in search_all(client, **params)}


def counts(body: dict, facet: str) -> dict[str, int]:
    return {item["value"]: item["count"] for item in body["facets"][facet]["values"]}


def facet_values(result: dict, facet: str) -> list[str]:
    """A result's values for a facet, as the facet lists them (strings)."""
    value = {"region": result["regions"], "metric": result["metrics"]}.get(facet, result.get(facet))
    if isinstance(value, list):
        return value
    return [] if value in (None, "") else [str(value)]


def tally(results: list[dict], facet: str) -> dict[str, int]:
    return dict(Counter(value for result in results for value in facet_values(result, facet)))


@pytest.fixture(scope="module")
def everything(app) -> list[dict]:
    """Every document, through an unfiltered browse: the reference for facet arithmetic."""
    return search_all(app.test_client())


# --- contract -----------------------------------------------------------------------------


def test_every_json_endpoint_is_covered(app):
    """The contract tables below name every JSON endpoint the app has."""
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/") or rule.rule == "/healthz"}
    assert rules == JSON_ENDPOINTS


@pytest.mark.parametrize(
    "url",
    [
        "/api/search",
        "/api/search?q=gardens",
        "/api/search?q=food&region=South+LA&sort=newest&per_page=5&page=2",
        "/api/search?q=gardns",
        "/api/search?q=%22unbalanced",
        "/api/search?q=zzzqqqxxx",  # no results is still a success
        "/healthz",
        "/api/openapi.json",
        "/api/matrix?q=food&rows=year&cols=goal",
        "/api/matrix?q=zzzqqqxxx",
        "/api/map?q=food&group=organization",
        "/api/export?q=food&format=json",
        "/api/overview",
    ],
)
def test_success_envelope(client, url):
    assert_envelope(client.get(url))


def test_document_envelope(client):
    for result in search(client, q="gardens", per_page=5)["results"]:
        body = assert_envelope(client.get("/api/doc/" + result["id"]))
        assert {key: body[key] for key in CARD_KEYS} == {key: result[key] for key in CARD_KEYS}
        assert all(similar["id"] != body["id"] and similar["kind"] == "proposal" for similar in body["similar"])


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/search?sort=bogus", 400, "sort"),
        ("/api/search?page=abc", 400, "page"),
        ("/api/search?page=0", 400, "page"),
        ("/api/search?page=-3", 400, "page"),
        ("/api/search?per_page=0", 400, "per_page"),
        ("/api/search?per_page=101", 400, "per_page"),
        ("/api/search?per_page=1000", 400, "per_page"),
        ("/api/search?per_page=ten", 400, "per_page"),
        ("/api/search?page=10000", 400, "beyond the last page"),
        ("/api/search?q=" + "a" * 501, 400, "q"),
        ("/api/search?region=" + "x" * 201, 400, "region"),
        ("/api/doc/no/such/document", 404, "no document"),
        ("/api/search?group=city", 400, "group must be one of organization"),
        ("/api/matrix?rows=city", 400, "rows must be one of"),
        ("/api/matrix?cols=region", 400, "two different facets"),
        ("/api/map?sort=bogus", 400, "sort"),
        ("/api/export?format=pdf", 400, "format must be one of csv, json, ndjson"),
        ("/api/no-such-endpoint", 404, ""),
    ],
)
def test_error_envelope(client, url, status, message):
    body = assert_envelope(client.get(url), status)
    assert message.lower() in body["error"].lower()


@pytest.mark.parametrize("url", ["/api/search", "/api/doc/anything", "/healthz", "/api/openapi.json", "/api/matrix", "/api/export"])
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_write_methods_are_refused(client, url, method):
    response = getattr(client, method)(url, json={})
    assert_envelope(response, 405)
    assert "GET" in response.headers["Allow"]


def test_longest_query_is_accepted(client):
    assert search(client, q="a" * 500)["total"] == 0


def test_openapi_documents_the_envelopes(client):
    """The published schemas require exactly what the contract helper checks."""
    schemas = assert_envelope(client.get("/api/openapi.json"))["components"]["schemas"]
    assert set(schemas["SearchResponse"]["required"]) == SEARCH_KEYS
    assert set(schemas["Error"]["required"]) == ERROR_KEYS
    assert set(schemas["Health"]["required"]) == HEALTH_KEYS
    assert set(schemas["SearchResponse"]["properties"]["facets"]["required"]) == set(FACETS)


# --- browsing, filters and disjunctive facets -----------------------------------------------


def test_empty_query_browses_everything_newest_first(client, everything):
    body = search(client, per_page=MAX_PER_PAGE)
    assert body["total"] == len(everything) == assert_envelope(client.get("/healthz"))["documents"]
    assert body["notes"] == [] and body["suggestion"] is None
    years = [result["year"] or 0 for result in everything]
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize("facet", FACETS)
def test_unfiltered_facet_counts_match_the_documents(client, everything, facet):
    body = search(client)
    assert counts(body, facet) == tally(everything, facet)
    assert not any(item["selected"] for item in body["facets"][facet]["values"])


@pytest.mark.parametrize(
    "selection",
    [
        {"year": ["2016"]},
        {"year": ["2019", "2021"]},
        {"goal": ["learn"]},
        {"goal": ["play", "create"]},
        {"kind": ["article"]},
        {"kind": ["proposal"], "year": ["2019"], "goal": ["live"]},
        {"region": ["Westside"], "goal": ["connect"]},
    ],
)
def test_facet_filters(client, everything, selection):
    """OR within a facet, AND across facets; the filtered facets show their selections."""
    expected = {
        result["id"]
        for result in everything
        if all(set(facet_values(result, facet)) & set(values) for facet, values in selection.items())
    }
    assert expected, "the selection should match something in the test corpus"
    assert ids(client, **selection) == expected
    body = search(client, **selection)
    for facet, values in selection.items():
        assert {item["value"] for item in body["facets"][facet]["values"] if item["selected"]} == set(values)


def test_two_regions_count_disjunctively(client, everything):
    base = search(client, q="food")
    base_results = search_all(client, q="food")
    region_counts = counts(base, "region")
    # Two regions that each cover part of the results, so the union is a real test.
    a, b = sorted((value for value, count in region_counts.items() if 0 < count < base["total"]), key=region_counts.get)[:2]

    selected = search(client, q="food", region=[a, b])
    in_either = [result for result in base_results if {a, b} & set(result["regions"])]
    assert selected["total"] == len(in_either) == len(ids(client, q="food", region=[a]) | ids(client, q="food", region=[b]))
    assert ids(client, q="food", region=[a, b]) == {result["id"] for result in in_either}

    # The selected facet's own counts do not change; the others narrow to the selection.
    assert counts(selected, "region") == region_counts
    for facet in ("goal", "year", "kind", "metric"):
        assert counts(selected, facet) == tally(in_either, facet), facet
    assert sum(counts(selected, "goal").values()) < sum(counts(base, "goal").values())
    assert {item["value"] for item in selected["facets"]["region"]["values"] if item["selected"]} == {a, b}


def test_region_counts_follow_other_facets(client, everything):
    """With a region and a goal selected, region counts ignore the region but respect the goal."""
    goal = "connect"
    with_goal = [result for result in everything if result["goal"] == goal]
    region = max(tally(with_goal, "region").items(), key=lambda item: item[1])[0]
    body = search(client, region=[region], goal=[goal])
    assert counts(body, "region") == tally(with_goal, "region")
    in_region = [result for result in everything if region in result["regions"]]
    assert counts(body, "goal") == tally(in_region, "goal")


def test_selected_value_without_matches_stays_listed(client):
    body = search(client, region=["Nowhere At All"])
    assert body["total"] == 0 and body["results"] == []
    assert {"value": "Nowhere At All", "count": 0, "selected": True}.items() <= next(
        item for item in body["facets"]["region"]["values"] if item["value"] == "Nowhere At All"
    ).items()


def test_toggle_links_switch_one_value_on_every_page(client):
    """Each facet value's link adds it to the search (or removes it when selected), the same
    on page 1 and page 2 (the links are remembered per search, the view made anew)."""
    first = search(client, q="food", goal=["learn"], per_page=2)
    second = search(client, q="food", goal=["learn"], per_page=2, page=2)
    assert first["facets"] == second["facets"]
    for facet, view in first["facets"].items():
        for item in view["values"]:
            url = item["toggle_url"]
            parameters = parse_qs(urlsplit(url).query)
            value = str(item["value"])
            if facet == "goal" and item["selected"]:
                assert value not in parameters.get("goal", []), url
            else:  # this value's own link: it adds this value, keeps the rest, starts at page 1
                assert value in parameters.get(facet, []), (value, url)
                assert "learn" in parameters["goal"] and parameters["q"] == ["food"] and "page" not in parameters, url
            assert item["selected"] == (facet == "goal" and item["value"] == "learn")


# --- sorting and paging -------------------------------------------------------------------


def _sort_key(sort: str):
    return {
        "newest": lambda result: -(result["year"] or 0),
        "relevance": lambda result: -result["score"],
        "title": lambda result: result["title"].casefold(),
    }[sort]


@pytest.mark.parametrize("q", ["food", ""])
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest", "title"])
def test_sort_orders(client, q, sort):
    results = search_all(client, q=q, sort=sort)
    assert {result["id"] for result in results} == ids(client, q=q)
    if sort == "oldest":  # undated documents last, as with newest
        assert results == sorted(results, key=lambda result: (result["year"] is None, result["year"] or 0))
    elif sort == "relevance" and not q:
        years = [result["year"] or 0 for result in results]  # browsing: newest first
        assert years == sorted(years, reverse=True)
    else:
        assert results == sorted(results, key=_sort_key(sort))
    if sort == "relevance" and q:
        assert results[0]["score"] > results[-1]["score"]


@pytest.mark.parametrize("per_page", [1, 7, 10, 100])
def test_pages_cover_every_result_once(client, per_page):
    reference = [result["id"] for result in search_all(client, q="school", sort="title")]
    pages = -(-len(reference) // per_page)
    seen = []
    for page in range(1, min(pages, 4) + 1):
        body = search(client, q="school", sort="title", per_page=per_page, page=page)
        assert (body["page"], body["per_page"], body["total"]) == (page, per_page, len(reference))
        seen.extend(result["id"] for result in body["results"])
    assert seen == reference[: len(seen)]
    last = search(client, q="school", sort="title", per_page=per_page, page=pages)
    assert len(last["results"]) == len(reference) - (pages - 1) * per_page
    body = assert_envelope(client.get("/api/search", query_string={"q": "school", "per_page": per_page, "page": pages + 1}), 400)
    assert "beyond the last page" in body["error"]


def test_default_page_size(client):
    body = search(client, q="school")
    assert (body["page"], body["per_page"], len(body["results"])) == (1, 10, 10)


def test_no_results_has_one_page(client):
    body = search(client, q="zzzqqqxxx", page=1)
    assert body["total"] == 0
    assert_envelope(client.get("/api/search?q=zzzqqqxxx&page=2"), 400)


# --- query syntax -------------------------------------------------------------------------


def test_phrase_is_stricter_than_words(client):
    phrase = ids(client, q='"healthy food"')
    words = ids(client, q="healthy food")
    assert phrase and phrase <= words
    reversed_phrase = ids(client, q='"food healthy"')
    assert len(reversed_phrase) < len(phrase)


def test_exclusion(client):
    assert ids(client, q="garden -school") == ids(client, q="garden") - ids(client, q="school")


def test_or(client):
    either = ids(client, q="garden OR library")
    assert either == ids(client, q="garden") | ids(client, q="library")
    assert ids(client, q="garden library") < either


def test_prefix(client):
    prefix = ids(client, q="gard*")
    assert ids(client, q="garden") | ids(client, q="gardening") <= prefix
    body = search(client, q="gard*")
    marked = re.findall(r"<mark>(.*?)</mark>", " ".join(r["title_html"] + r["snippet_html"] for r in body["results"]))
    assert marked and all(word.lower().startswith("gard") for word in marked)


def test_title_field(client):
    titled = search_all(client, q="title:garden")
    assert titled and {result["id"] for result in titled} < ids(client, q="garden")
    assert all("garden" in result["title"].lower() for result in titled)


def test_org_field(client):
    results = search_all(client, q="org:evil")
    assert [result["organization"] for result in results] == ["<b>Evil</b> Org"]


@pytest.mark.parametrize(
    ("q", "region"),
    [("region:sfv", "San Fernando Valley"), ("region:westside", "Westside"), ('region:"south la"', "South LA")],
)
def test_region_field_folds_to_the_canonical_name(client, everything, q, region):
    body = search(client, q=q)
    assert body["query"]["field_filters"] == {"region": [region]}
    assert body["notes"] == []
    expected = {result["id"] for result in everything if region in result["regions"]}
    assert ids(client, q=q) == expected == ids(client, region=[region])


def test_region_field_combines_with_words(client):
    assert ids(client, q="garden region:sfv") == ids(client, q="garden") & ids(client, region=["San Fernando Valley"])


@pytest.mark.parametrize(("q", "low", "high"), [("year:2016..2019", 2016, 2019), ("year:2019", 2019, 2019), ("year:2019..2016", 2016, 2019)])
def test_year_range(client, everything, q, low, high):
    body = search(client, q=q)
    assert body["query"]["year_range"] == [low, high]
    expected = {result["id"] for result in everything if result["year"] is not None and low <= result["year"] <= high}
    assert ids(client, q=q) == expected


@pytest.mark.parametrize(
    ("facet", "typed", "value"),
    [("region", "south la", "South LA"), ("region", "sfv", "San Fernando Valley"), ("goal", "Learn", "learn"), ("kind", "Proposal", "proposal")],
)
def test_facet_parameters_fold_like_the_query_syntax(client, facet, typed, value):
    body = search(client, **{facet: typed})
    assert body["query"][facet] == [value]
    assert body["total"] > 0 and body["notes"] == []
    assert ids(client, **{facet: [typed]}) == ids(client, **{facet: [value]})


@pytest.mark.parametrize(("facet", "value"), [("region", "Narnia"), ("year", "abc"), ("metric", "Happiness index")])
def test_facet_value_no_document_has_is_reported(client, facet, value):
    body = search(client, **{facet: value})
    assert body["total"] == 0
    assert body["notes"] == [f"No document has {facet} {value!r}."]


def test_field_names_are_case_insensitive(client):
    assert ids(client, q="TITLE:garden") == ids(client, q="title:garden") != set()
    assert ids(client, q="-Title:garden") == ids(client, q="-title:garden")


@pytest.mark.parametrize("q", ["the", "a", "The AND of"])
def test_a_query_of_words_too_common_to_index_shows_everything(client, everything, q):
    body = search(client, q=q)
    assert body["total"] == len(everything)
    assert body["notes"] and "not searched" in body["notes"][0]


def test_blank_query_is_no_query(client, everything):
    body = search(client, q="   ")
    assert body["query"]["q"] == "" and body["total"] == len(everything) and body["notes"] == []


def test_control_characters_in_the_query_are_spaces(client):
    body = search(client, q="garden\x00school")
    assert body["query"]["q"] == "garden school"
    assert "\x00" not in client.get("/", query_string={"q": "garden\x00school"}).get_data(as_text=True)


@pytest.mark.parametrize(
    ("q", "parts"),
    [
        ("region:sfv OR region:westside", ["region:sfv", "region:westside"]),
        ('region:"south la" OR region:sfv OR region:westside', ["region:sfv", "region:westside", 'region:"south la"']),
        ("year:2016 OR year:2019", ["year:2016", "year:2019"]),
        ("garden year:2019 OR year:..2016", ["garden year:2019", "garden year:..2016"]),
    ],
)
def test_or_between_values_of_one_field_is_their_union(client, q, parts):
    body = search(client, q=q)
    assert body["notes"] == [] and body["query"]["field_any_of"]
    union = set().union(*(ids(client, q=part) for part in parts))
    assert ids(client, q=q) == union
    assert all(ids(client, q=part) for part in parts) and len(union) > max(len(ids(client, q=part)) for part in parts)


def test_or_chain_in_parentheses_combines_with_words(client):
    chain = ids(client, q="region:sfv OR region:westside")
    assert ids(client, q="(region:sfv OR region:westside) garden -school") == chain & (ids(client, q="garden") - ids(client, q="school"))


def test_a_misspelled_hyphenated_word_still_finds_the_phrase(client):
    body = search(client, q="colege-students")
    assert body["total"] > 0 and any("close spellings" in note for note in body["notes"])
    assert ids(client, q="colege-students") == ids(client, q='"college students"')


def test_or_between_fields_says_every_filter_applies(client):
    body = search(client, q="region:sfv OR goal:learn")
    assert body["notes"] == ["Every filter here applies: OR joins words, or values of one field (region:sfv OR region:westside)."]
    assert ids(client, q="region:sfv OR goal:learn") == ids(client, q="region:sfv goal:learn")


def test_excluded_year_removes_that_year(client, everything):
    body = search(client, q="-year:2016")
    assert body["query"]["year_exclusions"] == [[2016, 2016]]
    assert body["query"]["year_range"] is None
    in_2016 = {result["id"] for result in everything if result["year"] == 2016}
    assert in_2016
    assert ids(client, q="-year:2016") == {result["id"] for result in everything} - in_2016
    assert ids(client, q="garden -year:2016") == ids(client, q="garden") - in_2016


@pytest.mark.parametrize(("q", "excluded"), [("-garden", "garden"), ('-"community garden"', '"community garden"'), ("-garden -youth", "garden OR youth")])
def test_query_of_exclusions_only_is_everything_without_them(client, everything, q, excluded):
    without = {result["id"] for result in everything} - ids(client, q=excluded)
    assert without and ids(client, q=excluded)
    assert ids(client, q=q) == without


def test_prefix_reaches_words_whose_stem_is_shorter(client):
    """"community" is indexed as its stem "commun", which `communit*` does not start with."""
    community = ids(client, q="community")
    assert community
    assert community <= ids(client, q="communit*")
    assert ids(client, q="educat*") >= ids(client, q="education")


def test_a_phrase_never_spans_two_answers(client):
    """One answer of skate-4-education ends "...of our community", the next begins "College"."""
    skate = "proposal/2019/skate-4-education"
    assert skate in ids(client, q="community college")
    assert skate not in ids(client, q='"community college"')
    assert ids(client, q='"community college"')  # documents that say it are still found


def test_hyphenated_words_are_a_phrase_not_an_exclusion(client):
    low_income = ids(client, q="low-income")
    assert low_income
    assert low_income == ids(client, q='"low income"')
    assert ids(client, q="low-income families") == low_income & ids(client, q="families")


@pytest.mark.parametrize(
    ("q", "note"),
    [
        ('"unbalanced', r"quote"),
        ("(", r"parenthes"),
        ("garden (school", r"parenthes"),
        ("-", r"lone"),
        ("NOT OR x", r"pars|literal|operator"),
        ("garden OR", r"operator"),
        ("foo:bar", r"unknown field foo"),
        ("region:atlantis garden", r"region"),
        ("year:soon", r"year"),
        ("*", r"wildcard|letters"),
    ],
)
def test_malformed_queries_are_searched_with_a_note(client, q, note):
    body = search(client, q=q)
    assert body["query"]["q"] == q
    assert any(re.search(note, text, re.IGNORECASE) for text in body["notes"]), body["notes"]


def test_literal_fallback_still_finds_the_words(client):
    body = search(client, q='garden "school')
    assert body["query"]["literal"] is True
    assert ids(client, q='garden "school') == ids(client, q="garden school")


@pytest.mark.parametrize(("typed", "meant"), [("gardns", "gardens"), ("educaton", "education")])
def test_did_you_mean(client, typed, meant):
    body = search(client, q=typed)
    assert body["suggestion"] == meant
    assert body["total"] > 0  # close spellings are matched as well
    corrected = search(client, q=meant)
    assert corrected["suggestion"] is None
    assert body["total"] <= corrected["total"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("community gardns", "community gardens"), ("gard* educaton", "gard* education"), ("gardns region:sfv", "gardens region:sfv")],
)
def test_did_you_mean_keeps_the_rest_of_the_query(client, typed, meant):
    assert search(client, q=typed)["suggestion"] == meant


@pytest.mark.parametrize(
    "q",
    [
        "gardens",
        "education",
        '"healthy food"',
        "region:sfv",
        "gard*",  # a prefix is not a misspelling ("grad*")
    ],
)
def test_no_suggestion_for_known_words(client, q):
    assert search(client, q=q)["suggestion"] is None


@pytest.mark.parametrize("typed", ["thw", "foo", "ane", "fro"])
def test_suggestions_are_never_stop_words(client, typed):
    """A stop word is ignored by the search: suggesting one ("thw" -> "the") finds nothing."""
    suggestion = search(client, q=typed)["suggestion"]
    assert suggestion is None or analyse(suggestion)


def test_any_word_fallback(client):
    body = search(client, q="gardens qqzzxxv")
    assert any("any of them" in note for note in body["notes"]), body["notes"]
    assert ids(client, q="gardens qqzzxxv") == ids(client, q="gardens")


def test_no_fallback_when_all_words_match(client):
    assert search(client, q="community gardens")["notes"] == []


def test_matched_words_are_marked(client):
    body = search(client, q="gardens")
    assert body["results"]
    for result in body["results"]:
        marked = re.findall(r"<mark>(.*?)</mark>", result["title_html"] + result["snippet_html"])
        assert marked, result["id"]
        assert all(word.lower().startswith("garden") for word in marked)


def test_excluded_words_are_not_marked(client):
    body = search(client, q="food -garden")
    marked = re.findall(r"<mark>(.*?)</mark>", " ".join(r["title_html"] + r["snippet_html"] for r in body["results"]))
    assert marked and all(word.lower().startswith("food") for word in marked)


def test_unknown_document_is_404(client):
    body = assert_envelope(client.get("/api/doc/proposal/2019/no-such-proposal"), 404)
    assert "no-such-proposal" in body["error"]


@pytest.mark.parametrize(
    "query",
    ["garden", "gardn", "youth garden zebra", '"community garden"', "region:sfv parks", "year:2015..2018 -arts", "((("],
)
def test_a_query_asked_again_gets_the_same_answer(client, query):
    # Parsed queries are remembered per generation: nothing a search does may change them.
    def answer():
        body = assert_envelope(client.get("/api/search", query_string={"q": query, "region": "South LA"}))
        return {key: value for key, value in body.items() if key not in ("took_ms", "timings")}

    first = answer()
    assert answer() == first == answer()
