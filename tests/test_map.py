"""The map page, its per-year and per-goal charts, and the county outline behind them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from engine.la_outline import COUNTY, REGIONS, Projection, inside, region_shapes
from searching import search_total


def map_body(client, **params) -> dict:
    response = client.get("/api/map", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


@pytest.mark.parametrize("search", [{}, {"q": "food"}, {"q": "youth", "region": "Westside", "year": "2016"},
                                    {"q": "gardens", "group": "organization"}], ids=repr)  # fmt: skip
def test_every_bar_is_the_total_of_the_search_it_links_to(client, search):
    body = map_body(client, **search)
    assert set(body["charts"]) == {"year", "goal"}
    for chart in body["charts"].values():
        assert chart["bars"], chart
        for bar in chart["bars"]:
            assert bar["count"] == search_total(client, bar["url"]), bar
            assert parse_qs(urlsplit(bar["url"]).query)["kind"] == ["proposal"]
    years = [bar["value"] for bar in body["charts"]["year"]["bars"]]
    assert years == sorted(years)


def test_bars_count_the_matching_proposals(client):
    body = map_body(client, q="food")
    proposals = client.get("/api/search?q=food&kind=proposal&per_page=1").get_json()
    by_year = proposals["facets"]["year"]["values"]
    bars = {bar["value"]: bar["count"] for bar in body["charts"]["year"]["bars"]}
    assert {year: count for year, count in bars.items() if count} == {item["value"]: item["count"] for item in by_year}
    # Every year between the first and the last is drawn, a year without proposals as zero.
    first, last = min(map(int, bars)), max(map(int, bars))
    assert list(bars) == [str(year) for year in range(first, last + 1)]
    assert 0 in bars.values()  # the sample corpus has 2016 and 2019 only
    assert sum(bar["count"] for bar in body["charts"]["goal"]["bars"]) <= proposals["total"]


def test_the_map_page_draws_svg_with_text_equivalents(client):
    soup = BeautifulSoup(client.get("/map?q=food").get_data(as_text=True), "html.parser")
    svg = soup.select_one("figure.map svg.la-map")
    assert svg is not None and svg["aria-labelledby"] == "map-caption"
    assert len(svg.select("path.region")) == len(REGIONS)
    assert {text.get_text() for text in svg.select("text.region-label")} == set(REGIONS)
    assert soup.select_one("#map-caption").get_text().strip()
    body = map_body(client, q="food")
    for facet in ("year", "goal"):
        table = soup.select_one(f"#chart-{facet} table.chart-table")
        shown = [(tr.th.get_text(), int(tr.td.a.get_text())) for tr in table.select("tbody tr")]
        expected = [(bar["value"].capitalize() if facet == "goal" else bar["value"], bar["count"])
                    for bar in body["charts"][facet]["bars"]]  # fmt: skip
        assert shown == expected
        assert len(soup.select(f"#chart-{facet} svg rect.bar")) == len(expected)
    nav = {a.get_text(): a["href"] for a in soup.select("nav.views a")}
    assert parse_qs(urlsplit(nav["Matrix"]).query) == {"q": ["food"]}
    assert soup.select_one("nav.views a[aria-current]").get_text() == "Map and years"


def test_a_search_without_matches_gives_an_empty_map_that_says_so(client):
    body = map_body(client, q="zzqqxxvv")
    assert body["empty"] is True and body["organizations"] == [] and body["total"] == 0
    assert all(chart["bars"] == [] for chart in body["charts"].values())
    soup = BeautifulSoup(client.get("/map?q=zzqqxxvv").get_data(as_text=True), "html.parser")
    assert "nothing to map" in soup.select_one("p.empty").get_text()
    assert soup.select("svg.la-map") == []
    assert [p.get_text() for p in soup.select(".chart p.empty")] == ["No proposals match this search."] * 2


@pytest.mark.parametrize(
    ("place", "lon", "lat", "region"),
    [
        ("Lancaster", -118.14, 34.70, "Antelope Valley"),
        ("Van Nuys", -118.45, 34.19, "San Fernando Valley"),
        ("Santa Clarita", -118.54, 34.39, "San Fernando Valley"),
        ("Santa Monica", -118.49, 34.02, "Westside"),
        ("Downtown LA", -118.25, 34.05, "Central LA"),
        ("Hollywood", -118.33, 34.10, "Central LA"),
        ("Boyle Heights", -118.205, 34.035, "East LA"),
        ("Highland Park", -118.19, 34.11, "East LA"),
        ("Watts", -118.24, 33.94, "South LA"),
        ("Torrance", -118.34, 33.835, "South Bay"),
        ("Long Beach", -118.17, 33.80, "Gateway Cities"),
        ("Whittier", -118.03, 33.98, "Gateway Cities"),
        ("Pasadena", -118.14, 34.15, "San Gabriel Valley"),
        ("Pomona", -117.75, 34.055, "San Gabriel Valley"),
    ],
)
def test_places_fall_in_their_region_of_the_outline(place, lon, lat, region):
    assert [name for name, outline in REGIONS.items() if inside(outline, lon, lat)] == [region], place
    assert inside(COUNTY, lon, lat)


@pytest.mark.parametrize(("place", "lon", "lat"), [("Ventura", -119.23, 34.28), ("Anaheim", -117.91, 33.84),
                                                   ("San Bernardino", -117.29, 34.11), ("Pacific", -118.6, 33.9)])  # fmt: skip
def test_places_outside_the_county_are_outside_the_outline(place, lon, lat):
    assert not inside(COUNTY, lon, lat), place


def test_the_projection_keeps_the_county_inside_the_drawing():
    projection = Projection()
    points = [projection.point(lon, lat) for lon, lat in COUNTY]
    assert min(x for x, _ in points) >= 0 and max(x for x, _ in points) <= projection.width
    assert min(y for _, y in points) >= 0 and max(y for _, y in points) <= projection.height
    north, south = projection.point(-118.2, 34.8), projection.point(-118.2, 33.8)
    assert north[1] < south[1]  # north is up
    assert all(shape["path"].startswith("M") and shape["path"].endswith("Z") for shape in region_shapes(projection))
