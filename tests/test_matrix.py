"""The region × metric matrix (and year × goal, region × goal) through the API and the page.

Every count is checked two independent ways: against the `total` of the search its link
opens (run through /api/search) and against a count of the exported documents made here
in the test, so the matrix cannot agree with itself by accident.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from index_store import FACETS
from search_app import create_app
from searching import search_total

SEARCHES = [
    {"q": "food"},
    {"q": "food", "region": "South LA"},
    {"q": "youth", "region": ["Westside", "South LA"], "goal": "learn"},
    {"q": "region:sfv arts"},
    {"kind": "proposal", "year": "2016"},
    {"q": "gardens", "group": "organization"},
]
LIST_OF = {"region": "regions", "metric": "metrics"}  # facet -> exported column


def matrix(client, status: int = 200, **params) -> dict:
    response = client.get("/api/matrix", query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    assert response.mimetype == "application/json"
    return response.get_json()


def exported(client, **params) -> list[dict]:
    response = client.get("/api/export", query_string={**params, "format": "ndjson"})
    assert response.status_code == 200
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def values_of(row: dict, facet: str) -> list[str]:
    if facet in LIST_OF:
        return row[LIST_OF[facet]]
    if facet == "year":
        return [str(row["year"])] if row["year"] is not None else []
    return [row[facet]] if row[facet] else []


@pytest.mark.parametrize("search", SEARCHES, ids=lambda s: repr(s))
@pytest.mark.parametrize(("rows", "cols"), [("region", "metric"), ("year", "goal")])
def test_every_cell_is_the_total_of_the_search_it_links_to(client, search, rows, cols):
    body = matrix(client, **search, rows=rows, cols=cols, limit="6")
    assert body["ok"] is True and body["dimensions"]["rows"] == rows and body["dimensions"]["cols"] == cols
    assert body["total"] == search_total(client, body["search_url"])
    assert body["cells"], "each of these searches has matches in the matrix"
    for line in body["cells"]:
        for cell in line:
            assert cell["count"] == search_total(client, cell["url"]), cell
    for axis in ("rows", "cols"):
        for item in body[axis]:
            assert item["total"] == search_total(client, item["url"]), item


@pytest.mark.parametrize("search", SEARCHES[:3], ids=lambda s: repr(s))
def test_cells_match_counts_made_from_the_exported_documents(client, search):
    body = matrix(client, **search, limit="all")
    documents = exported(client, **{k: v for k, v in search.items() if k not in ("region", "metric")})
    wanted_regions = search.get("region")
    wanted_regions = [wanted_regions] if isinstance(wanted_regions, str) else wanted_regions
    expected = Counter()
    for document in documents:
        for region in document["regions"]:
            if wanted_regions and region not in wanted_regions:
                continue
            for metric in document["metrics"]:
                expected[region, metric] += 1
    shown = {(cell["row"], cell["col"]): cell["count"] for line in body["cells"] for cell in line if cell["count"]}
    assert shown == dict(expected)
    assert body["hidden"] == {"rows": 0, "cols": 0}


def test_axes_are_sorted_by_totals_and_years_in_order(client):
    body = matrix(client, q="food", limit="all")
    for axis in ("rows", "cols"):
        totals = [item["total"] for item in body[axis]]
        assert totals == sorted(totals, reverse=True)
    years = matrix(client, rows="year", cols="goal")
    assert [item["value"] for item in years["rows"]] == sorted(item["value"] for item in years["rows"])


def test_a_selected_row_facet_shows_only_its_selected_values(client):
    body = matrix(client, q="food", region=["Westside", "South LA"])
    assert {item["value"] for item in body["rows"]} == {"Westside", "South LA"}


def test_the_long_axis_is_limited_with_a_way_to_show_all(client):
    everything = matrix(client, limit="all")
    limited = matrix(client)
    assert limited["limit"] == 15 and everything["limit"] is None
    assert len(limited["cols"]) == 15 < len(everything["cols"])
    assert limited["hidden"]["cols"] == len(everything["cols"]) - 15
    assert [c["value"] for c in limited["cols"]] == [c["value"] for c in everything["cols"][:15]]
    assert parse_qs(urlsplit(limited["show_all_url"]).query)["limit"] == ["all"]


def test_grouped_cells_count_organizations(client):
    documents = matrix(client, q="gardens", limit="all")
    grouped = matrix(client, q="gardens", group="organization", limit="all")
    assert grouped["counting"] == "organizations" and documents["counting"] == "documents"
    assert grouped["total_documents"] == documents["total"]
    by_cell = {(c["row"], c["col"]): c["count"] for line in grouped["cells"] for c in line}
    for line in documents["cells"]:
        for cell in line:
            assert by_cell.get((cell["row"], cell["col"]), 0) <= cell["count"]


def test_a_search_without_matches_gives_an_empty_matrix_that_says_so(client):
    body = matrix(client, q="zzqqxxvv")
    assert body["total"] == 0 and body["empty"] is True
    assert body["rows"] == [] and body["cols"] == [] and body["cells"] == []
    page = BeautifulSoup(client.get("/matrix?q=zzqqxxvv").get_data(as_text=True), "html.parser")
    assert "No documents match this search" in page.select_one("p.empty").get_text()
    assert page.select("table.matrix") == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rows": "town"}, "rows must be one of " + ", ".join(FACETS) + ", not 'town'"),
        ({"cols": "<b>"}, "cols must be one of " + ", ".join(FACETS) + ", not '<b>'"),
        ({"rows": "goal", "cols": "goal"}, "rows and cols must be two different facets, not 'goal' twice"),
        ({"limit": "-3"}, "limit must be a whole number from 1 to 10000, or 'all', not '-3'"),
        ({"group": "city"}, "group must be one of organization, not 'city'"),
        ({"page": "x"}, "page must be a whole number, not 'x'"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_allowed_values(client, params, message):
    body = matrix(client, 400, **params)
    assert body["ok"] is False and body["error"] == message and body["status"] == 400
    page = client.get("/matrix", query_string=params)
    assert page.status_code == 400 and message.split(",")[0] in page.get_data(as_text=True)


def test_the_page_shows_the_same_matrix_with_links_and_no_script_needed(client):
    params = {"q": "food", "region": "South LA"}
    body = matrix(client, **params)
    soup = BeautifulSoup(client.get("/matrix", query_string=params).get_data(as_text=True), "html.parser")
    table = soup.select_one("table#matrix")
    assert table.caption and "rows" in table.caption.get_text()
    heads = [th.select_one(".label").get_text() for th in table.select("thead th.col-head")]
    assert heads == [col["value"] for col in body["cols"]]
    for tr, line in zip(table.select("tbody tr"), body["cells"], strict=True):
        assert tr.th.a.get_text() == line[0]["row"]
        for td, cell in zip(tr.select("td"), line, strict=True):
            link = td.find("a")
            assert (link["href"], int(link.get_text())) == (cell["url"], cell["count"]) if cell["count"] else link is None
    assert soup.find("link", rel="alternate")["href"].startswith("/api/matrix?")
    nav = {a.get_text(): a["href"] for a in soup.select("nav.views a")}
    assert parse_qs(urlsplit(nav["Results"]).query) == {"q": ["food"], "region": ["South LA"]}
    presets = [a.get_text() for a in soup.select("ul.presets a")]
    assert presets == ["Year × Goal", "Region × Goal"]


@pytest.mark.parametrize(
    "search",
    [{"q": "gardn"}, {"q": "gardens zzqqxxvv"}, {"q": "food", "region": "Atlantis"}, {"organization": "organization/none"}],
    ids=repr,
)
@pytest.mark.parametrize("view", ["matrix", "map"])
def test_the_matrix_and_map_say_what_the_search_did(client, search, view):
    """A close spelling, the any-word fallback, a value or organization no document has:
    the matrix and map count the search as it ran, so they say so as its results page does."""
    notes = client.get("/api/search", query_string=search).get_json()["notes"]
    assert notes
    assert client.get(f"/api/{view}", query_string=search).get_json()["notes"] == notes
    page = BeautifulSoup(client.get(f"/{view}", query_string=search).get_data(as_text=True), "html.parser")
    assert [p.get_text() for p in page.select("p.note")] == notes


@pytest.mark.parametrize(
    ("page", "twin"),
    [("/matrix?q=food&rows=year&cols=goal", "/api/matrix"), ("/map?q=food&group=organization", "/api/map")],
)
def test_the_json_link_of_a_view_opens_its_own_twin(client, page, twin):
    """On the matrix or the map, "JSON" is that view's JSON, with its search and its axes,
    not the result list's."""
    soup = BeautifulSoup(client.get(page).get_data(as_text=True), "html.parser")
    link = {a.get_text(): a["href"] for a in soup.select("nav.views a")}["JSON"]
    assert urlsplit(link).path == twin
    assert parse_qs(urlsplit(link).query) == parse_qs(urlsplit(page).query)
    assert client.get(link).get_json() == client.get(twin + "?" + urlsplit(page).query).get_json()


def test_a_limited_year_axis_keeps_its_largest_years_in_time_order(client):
    """The page says it shows "the N largest" values: for years too, not the N earliest."""
    everything = matrix(client, rows="year", cols="goal", limit="all")["rows"]
    assert len(everything) > 2
    largest = sorted(everything, key=lambda item: -item["total"])[:2]
    limited = matrix(client, rows="year", cols="goal", limit="2")
    assert [row for row in limited["rows"] if row["total"]] == sorted(largest, key=lambda item: item["value"])
    # The years between them without documents stay: a gap is shown, not hidden.
    first, last = (int(row["value"]) for row in sorted(largest, key=lambda item: item["value"]))
    assert [row["value"] for row in limited["rows"]] == [str(year) for year in range(first, last + 1)]
    assert limited["hidden"]["rows"] == len(everything) - len(limited["rows"])


@pytest.mark.parametrize("few_results", [0, 1000])
def test_every_view_tries_close_spellings_as_the_results_page_does(index_dir, few_results):
    """FEW_RESULTS decides when a misspelled word matches its close spellings: the matrix,
    map and export must count what the results page lists, whatever it is set to."""
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "FEW_RESULTS": few_results}).test_client()
    params = {"q": "gardenz", "semantic": "0"}  # meaning reads "gardenz" as gardens: words alone here
    total = client.get("/api/search", query_string=params).get_json()["total"]
    assert matrix(client, **params)["total"] == total
    assert client.get("/api/map", query_string=params).get_json()["total"] == total
    assert len(exported(client, **params)) == total
    if few_results == 0:
        assert total == 0  # no close spellings at all: the fixture is a real test
    else:
        assert total > 0
