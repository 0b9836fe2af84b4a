"""The first page: the archive's size and entry points instead of its newest documents."""

from __future__ import annotations

from bs4 import BeautifulSoup

from searching import search_total


def landing(client) -> BeautifulSoup:
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_the_first_page_shows_the_archive_not_a_result_list(client):
    soup = landing(client)
    assert soup.select("ol.results") == [] and soup.select("#result-count") == []
    assert soup.select_one("form#search-form input#q")["value"] == ""
    overview = client.get("/api/overview").get_json()
    proposals = client.get("/api/search?kind=proposal&per_page=1").get_json()
    assert overview["proposals"] == proposals["total"]
    years = sorted(int(item["value"]) for item in proposals["facets"]["year"]["values"])
    assert overview["years"] == {"first": years[0], "last": years[-1], "count": len(years)}
    size = soup.select_one("#archive-size").get_text(" ", strip=True)
    assert f"{overview['proposals']:,} proposals" in size and f"{len(years)} years" in size
    assert soup.find("link", rel="alternate")["href"] == "/api/overview"


def test_every_entry_point_opens_a_search_with_its_count(client):
    overview = client.get("/api/overview").get_json()
    assert overview["goals"] and overview["regions"] and overview["metrics"]
    for section in ("goals", "regions", "metrics", "kinds"):
        for item in overview[section]:
            assert item["count"] == search_total(client, item["url"]), item
    assert len(overview["metrics"]) == min(12, overview["metric_count"])
    counts = [item["count"] for item in overview["metrics"]]
    assert counts == sorted(counts, reverse=True)


def test_the_page_lists_the_same_entry_points_as_its_json(client):
    soup, overview = landing(client), client.get("/api/overview").get_json()
    for section in ("goals", "regions", "metrics"):
        items = soup.select(f"section[aria-labelledby={section}-title] ul.entries li")
        shown = [(li.a["href"], int(li.select_one(".count").get_text())) for li in items]
        assert shown == [(item["url"], item["count"]) for item in overview[section]]
    explore = {a.get_text(): a["href"] for a in soup.select("section.explore-links a")}
    assert explore["Region × metric"] == "/matrix?rows=region&cols=metric"
    assert explore["The whole archive as CSV"] == "/api/export?format=csv"
    browse = soup.find("a", string=lambda text: text and text.startswith("browse all"))
    assert search_total(client, browse["href"]) == overview["documents"]


def test_an_empty_search_still_browses_everything(client):
    soup = BeautifulSoup(client.get("/?q=").get_data(as_text=True), "html.parser")
    total = client.get("/api/search").get_json()["total"]
    assert int(soup.select_one("#result-count strong").get_text().replace(",", "")) == total
