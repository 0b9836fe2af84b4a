"""The matrix a researcher steers: any two axes, counts or shares, zero years, CSV, and the
search it counts shown with removable chips; the map's complete paged list."""

from __future__ import annotations

import csv
import io
import itertools
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from index_store import FACETS
from search_app import explore
from search_app.state import live_index
from test_matrix import matrix


@pytest.fixture(scope="module")
def archive_client(archive_app):
    """The archive laid out with its organizations: hundreds on the map, several list pages."""
    return archive_app.test_client()


@pytest.mark.parametrize("rows, cols", list(itertools.permutations(FACETS, 2)))
def test_every_pair_of_facets_is_a_matrix(client, rows, cols):
    body = matrix(client, rows=rows, cols=cols, q="food")
    assert body["dimensions"]["rows"] == rows and body["dimensions"]["cols"] == cols
    for row, cells in zip(body["rows"], body["cells"]):
        assert [cell["col"] for cell in cells] == [col["value"] for col in body["cols"]]
        assert all(cell["row"] == row["value"] for cell in cells)


def test_the_page_offers_every_axis_and_keeps_the_search(client):
    soup = BeautifulSoup(client.get("/matrix?q=food&region=South+LA&rows=year&cols=goal").get_data(as_text=True), "html.parser")
    form = soup.select_one("form.axes")
    for name in ("rows", "cols"):
        assert [o["value"] for o in form.select(f"select[name={name}] option")] == list(FACETS)
    assert form.select_one("select[name=rows] option[selected]")["value"] == "year"
    assert form.select_one("select[name=cols] option[selected]")["value"] == "goal"
    assert [o["value"] for o in form.select("select[name=share] option")] == ["", "row", "col", "year"]
    hidden = {(i["name"], i["value"]) for i in form.select("input[type=hidden]")}
    assert hidden == {("q", "food"), ("region", "South LA")}
    no_year = BeautifulSoup(client.get("/matrix?rows=region&cols=goal").get_data(as_text=True), "html.parser")
    assert "year" not in [o["value"] for o in no_year.select("select[name=share] option")]


@pytest.mark.parametrize("share, axis", [("row", "rows"), ("col", "cols")])
def test_a_share_is_the_cell_over_its_row_or_column_total(client, share, axis):
    body = matrix(client, q="food", rows="region", cols="goal", share=share)
    assert body["share"] == share
    totals = {item["value"]: item["total"] for item in body[axis]}
    for line in body["cells"]:
        for cell in line:
            whole = totals[cell["row"] if share == "row" else cell["col"]]
            assert cell["share"] == pytest.approx(round(100 * cell["count"] / whole, 1) if whole else 0.0)


def test_a_years_share_is_of_every_document_of_that_year(client):
    body = matrix(client, q="food", rows="year", cols="goal", share="year")
    for row, line in zip(body["rows"], body["cells"]):
        of_year = client.get("/api/search", query_string={"year": row["value"], "per_page": 1}).get_json()["total"]
        for cell in line:
            assert cell["share"] == pytest.approx(round(100 * cell["count"] / of_year, 1) if of_year else 0.0)
    assert matrix(client, 400, rows="region", cols="goal", share="year")["error"] == "share=year needs year as rows or cols"
    assert "share must be one of" in matrix(client, 400, share="most")["error"]


def test_every_year_in_range_is_an_axis_value_even_without_documents(client):
    body = matrix(client, rows="year", cols="goal", kind="proposal")  # the sample has 2016 and 2019
    years = [row["value"] for row in body["rows"]]
    assert years == [str(year) for year in range(int(years[0]), int(years[-1]) + 1)]
    empty = [row for row in body["rows"] if row["total"] == 0]
    assert {row["value"] for row in empty} >= {"2017", "2018"}
    for row in empty:
        assert client.get(row["url"].replace("/?", "/api/search?")).get_json()["total"] == 0
    page = BeautifulSoup(client.get("/matrix?rows=year&cols=goal&kind=proposal").get_data(as_text=True), "html.parser")
    assert "2017" in [th.a.get_text() for th in page.select("table.matrix tbody th")]


@pytest.mark.parametrize("share", ["", "row"])
def test_the_csv_is_the_matrix_itself(client, share):
    params = {"q": "food", "rows": "region", "cols": "goal", "share": share}
    body = matrix(client, **params)
    response = client.get("/api/matrix", query_string={**params, "format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0][1:-1] == [col["value"] for col in body["cols"]] and lines[0][-1] == "Total"
    key = "share" if share else "count"
    for line, row, cells in zip(lines[1:], body["rows"], body["cells"]):
        assert line[0] == row["value"] and int(line[-1]) == row["total"]
        assert [float(value) for value in line[1:-1]] == [cell[key] for cell in cells]
    assert lines[-1][0] == "Total" and [int(v) for v in lines[-1][1:-1]] == [col["total"] for col in body["cols"]]


def test_csv_cells_never_become_formulas(client):
    text = client.get("/api/matrix", query_string={"rows": "metric", "cols": "goal", "limit": "all", "format": "csv"}).get_data(as_text=True)
    for line in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        assert not line[0].startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize("path", ["/matrix", "/map"])
def test_matrix_and_map_show_the_search_with_removable_chips(client, path):
    page = client.get(path, query_string={"q": "food", "region": "sfv", "goal": "learn", "rows": "year", "cols": "goal"})
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    title = soup.title.get_text()
    assert "“food”" in title and "Region: San Fernando Valley" in title and "Goal: learn" in title
    chips = {a.get_text(" ", strip=True): a["href"] for a in soup.select("ul.chips li.chip a")}
    assert set(chips) == {"Region: San Fernando Valley ×", "Goal: learn ×"}
    removed = urlsplit(chips["Region: San Fernando Valley ×"])
    assert removed.path == path  # removing a filter stays on this view
    query = parse_qs(removed.query)
    assert "region" not in query and query["q"] == ["food"] and query["goal"] == ["learn"]
    if path == "/matrix":
        assert query["rows"] == ["year"] and query["cols"] == ["goal"]
    clear = parse_qs(urlsplit(soup.select_one("ul.chips a.clear-all")["href"]).query)
    assert "region" not in clear and "goal" not in clear and clear["q"] == ["food"]


@pytest.mark.parametrize("path", ["/api/matrix", "/api/map"])
def test_a_chip_removes_the_value_as_typed_in_another_spelling(archive_client, path):
    """topic=health ran as the topic "Health": its chip shows that and its link drops it."""
    view = archive_client.get(path, query_string={"topic": "health", "goal": "learn", "rows": "year", "cols": "goal"}).get_json()
    chip = next(chip for chip in view["chips"] if chip["facet"] == "topic")
    assert chip["value"] == "Health"
    assert "topic" not in parse_qs(urlsplit(chip["remove_url"]).query)


@pytest.mark.parametrize("path", ["/api/matrix", "/map"])
def test_a_view_reads_one_generation(client, monkeypatch, path):
    """The search, its counts and its chips come from the generation the request took: a
    rebuild swapping generations mid-request once mixed two (a 500 on the map)."""
    taken = []

    def counted_live_index():
        taken.append(live_index())
        return taken[-1]

    monkeypatch.setattr(explore, "live_index", counted_live_index)
    assert client.get(path, query_string={"q": "food", "goal": "learn"}).status_code == 200
    assert len(taken) == 1


def test_the_map_is_one_labelled_image_with_a_complete_paged_list(archive_client):
    client = archive_client
    body = client.get("/api/map").get_json()
    everyone = [dot["id"] for dot in body["organizations"]]
    pages = body["table_pages"]["pages"]
    listed = []
    for number in range(1, pages + 1):
        soup = BeautifulSoup(client.get("/map", query_string={"list_page": number}).get_data(as_text=True), "html.parser")
        svg = soup.select_one("svg.la-map")
        assert svg["role"] == "img" and svg["aria-labelledby"] == "map-caption"
        assert svg.select("a") == []  # nothing inside the image for a screen reader to wander through
        listed += [a["href"].removeprefix("/doc/") for a in soup.select("table.map-organizations tbody th a")]
    assert pages > 2 and listed == everyone
    assert client.get("/map", query_string={"list_page": pages + 1}).status_code == 400
    assert client.get("/api/map", query_string={"list_page": "x"}).status_code == 400


def test_a_limited_year_axis_keeps_the_gaps_inside_its_range():
    from search_app.matrix import _limited

    axis = [("2012", 0), ("2013", 5), ("2014", 0), ("2015", 3), ("2016", 0), ("2017", 0), ("2018", 1)]
    assert _limited(axis, 2, "year") == ([("2013", 5), ("2014", 0), ("2015", 3)], 4)
    assert _limited(axis, 3, "year") == (axis[1:], 1)
    regions = [("South LA", 5), ("Westside", 0), ("East LA", 3)]
    assert _limited(regions, 2, "region") == ([("South LA", 5), ("East LA", 3)], 1)
