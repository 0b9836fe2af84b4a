"""Partners, grouping, the organization filter and the map over an archive-shaped index.

The conftest's `archive_index` holds four years of proposals, every organization and the
outcome data, linked by the indexer. Expected values are computed here from the exported
documents (one row per document, with its organization_id), independently of the code
that ranks partners, groups results or places dots.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from searching import all_results, search_total


@pytest.fixture(scope="module")
def client(archive_app):
    return archive_app.test_client()


def rows(client, **params) -> list[dict]:
    response = client.get("/api/export", query_string={**params, "format": "ndjson"})
    assert response.status_code == 200
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


@pytest.fixture(scope="module")
def proposals(client) -> list[dict]:
    return rows(client, kind="proposal")


def sample_proposals(proposals: list[dict], count: int = 6) -> list[dict]:
    """Linked proposals with metrics and regions, spread over the archive."""
    usable = [p for p in proposals if p["organization_id"] and p["metrics"] and p["regions"]]
    return usable[:: max(1, len(usable) // count)][:count]


def expected_partners(proposals: list[dict], metrics: set, regions: set, own: str) -> dict[str, dict]:
    """organization id -> shared metrics, shared regions and sharing proposals, counted here."""
    regions = regions - {"Other", "Not stated"}  # places the region table does not know, or none: not shared
    metrics = metrics - {"Not stated"}
    found: dict[str, dict] = defaultdict(lambda: {"metrics": set(), "regions": set(), "proposals": 0})
    for proposal in proposals:
        org = proposal["organization_id"]
        shared_metrics, shared_regions = metrics & set(proposal["metrics"]), regions & set(proposal["regions"])
        if org and org != own and shared_metrics and shared_regions:
            found[org]["metrics"] |= shared_metrics
            found[org]["regions"] |= shared_regions
            found[org]["proposals"] += 1
    return found


def test_a_proposals_partners_are_the_organizations_sharing_a_metric_and_a_region(client, proposals):
    for proposal in sample_proposals(proposals):
        body = client.get(f"/api/doc/{proposal['id']}").get_json()
        partners = body["partners"]
        expected = expected_partners(proposals, set(proposal["metrics"]), set(proposal["regions"]), proposal["organization_id"])
        assert partners["partners_total"] == len(expected), proposal["id"]
        assert len(partners["partners"]) == min(10, len(expected))
        scores = [partner["score"] for partner in partners["partners"]]
        assert scores == sorted(scores, reverse=True)
        for partner in partners["partners"]:
            assert partner["id"] != proposal["organization_id"]
            assert set(partner["shared"]["metrics"]) == expected[partner["id"]]["metrics"]
            assert set(partner["shared"]["regions"]) == expected[partner["id"]]["regions"]
            assert partner["proposals"] == expected[partner["id"]]["proposals"]


def test_a_partners_link_lists_exactly_its_sharing_proposals(client, proposals):
    proposal = sample_proposals(proposals)[0]
    body = client.get(f"/api/doc/{proposal['id']}").get_json()
    for partner in body["partners"]["partners"][:4]:
        parts = urlsplit(partner["search_url"])
        found = all_results(client, **parse_qs(parts.query))
        assert len(found) == partner["proposals"] == search_total(client, partner["search_url"])
        for result in found:
            assert result["organization_id"] == partner["id"] and result["kind"] == "proposal"
            assert set(result["metrics"]) & set(proposal["metrics"]) and set(result["regions"]) & set(proposal["regions"])


def test_everyone_on_a_metric_in_a_region_is_the_grouped_search(client, proposals):
    proposal = sample_proposals(proposals)[1]
    clusters = client.get(f"/api/doc/{proposal['id']}").get_json()["partners"]["clusters"]
    assert clusters
    for cluster in clusters:
        assert cluster["metric"] in proposal["metrics"] and cluster["region"] in proposal["regions"]
        assert parse_qs(urlsplit(cluster["url"]).query)["group"] == ["organization"]
        assert cluster["organizations"] == search_total(client, cluster["url"])
        holders = {p["organization_id"] or p["id"] for p in proposals
                   if cluster["metric"] in p["metrics"] and cluster["region"] in p["regions"]}  # fmt: skip
        assert cluster["organizations"] == len(holders)


def test_an_organizations_partners_come_from_all_its_proposals(client, proposals):
    by_org = defaultdict(list)
    for proposal in proposals:
        if proposal["organization_id"]:
            by_org[proposal["organization_id"]].append(proposal)
    org_id = next(org for org, own in by_org.items() if len(own) >= 3)
    metrics = {m for p in by_org[org_id] for m in p["metrics"]}
    regions = {r for p in by_org[org_id] for r in p["regions"]}
    body = client.get(f"/api/doc/{org_id}").get_json()
    assert body["kind"] == "organization"
    expected = expected_partners(proposals, metrics, regions, org_id)
    assert body["partners"]["partners_total"] == len(expected)
    assert org_id not in {partner["id"] for partner in body["partners"]["partners"]}
    page = BeautifulSoup(client.get(f"/doc/{org_id}").get_data(as_text=True), "html.parser")
    shown = [urlsplit(a["href"]).path for a in page.select("#partners a.partner-name")]  # with ?back=
    assert shown == [partner["url"] for partner in body["partners"]["partners"]]
    assert all(href.startswith("/doc/organization/") for href in shown)


def test_an_article_has_no_partners(client):
    article = client.get("/api/search", query_string={"kind": "article", "per_page": 1}).get_json()["results"]
    if article:
        assert client.get(f"/api/doc/{article[0]['id']}").get_json()["partners"] is None


def test_the_organization_filter_is_an_organization_and_its_proposals(client, proposals):
    org_id = next(p["organization_id"] for p in proposals if p["organization_id"])
    own = [p["id"] for p in proposals if p["organization_id"] == org_id]
    found = all_results(client, organization=org_id)
    assert sorted(r["id"] for r in found) == sorted([org_id, *own])
    page = BeautifulSoup(client.get("/", query_string={"organization": org_id}).get_data(as_text=True), "html.parser")
    chip = page.select_one("ul.chips li.chip a")
    name = client.get(f"/api/doc/{org_id}").get_json()["title"]
    assert chip.get_text(" ", strip=True).startswith(f"Organization: {name}")
    assert "organization=" not in chip["href"]
    nothing = client.get("/api/search", query_string={"organization": "organization/no-such"}).get_json()
    assert nothing["total"] == 0 and any("No organization has the id" in note for note in nothing["notes"])


@pytest.mark.parametrize("query", ["food", "youth arts", "homeless"])
def test_group_counts_are_the_documents_of_each_organization_matching_the_query(client, query):
    documents = rows(client, q=query)
    sizes = Counter(row["organization_id"] or row["id"] for row in documents)
    grouped = client.get("/api/search", query_string={"q": query, "group": "organization", "per_page": 100}).get_json()
    assert grouped["total"] == len(sizes) and grouped["total_documents"] == len(documents)
    assert grouped["total"] < grouped["total_documents"]  # linked proposals really collapse
    for result in grouped["results"][:15]:
        key = result["organization_id"] or result["id"]
        assert result["group_count"] == sizes[key]
        if result["organization_id"]:
            assert search_total(client, result["group_url"]) == sizes[key]
    facet = {item["value"]: item["count"] for item in grouped["facets"]["kind"]["values"]}
    assert facet.get("proposal") == len({row["organization_id"] or row["id"] for row in documents if row["kind"] == "proposal"})


def test_map_dots_are_the_organizations_of_the_matches_sized_by_their_documents(client):
    documents = rows(client, q="food")
    per_org = Counter(row["organization_id"] for row in documents if row["organization_id"])
    body = client.get("/api/map", query_string={"q": "food"}).get_json()
    assert body["organizations_found"] == len(per_org)
    assert len(body["organizations"]) + body["outside_county"] + body["without_location"] == len(per_org)
    assert body["unlinked_documents"] == sum(1 for row in documents if not row["organization_id"])
    assert body["organizations"], "organizations with zips in LA County match food"
    for dot in body["organizations"]:
        assert dot["count"] == per_org[dot["id"]] and dot["url"] == "/doc/" + dot["id"]
        assert 0 <= dot["x"] <= body["outline"]["width"] and 0 <= dot["y"] <= body["outline"]["height"]
        location = client.get("/api/doc/" + dot["id"]).get_json()["location"]
        assert location["in_la_county"] and (dot["lat"], dot["lon"]) == (location["lat"], location["lon"])
    counts = [dot["count"] for dot in body["organizations"]]
    assert counts == sorted(counts, reverse=True)
    radii = {dot["count"]: dot["r"] for dot in body["organizations"]}
    assert [radii[c] for c in sorted(radii)] == sorted(radii.values())  # more documents, bigger dot
    page = BeautifulSoup(client.get("/map?q=food").get_data(as_text=True), "html.parser")
    assert len(page.select("svg.la-map circle.dot")) == len(body["organizations"]) + len(body["legend"])
    notes = page.select_one("ul.map-notes").get_text()
    if body["outside_county"]:
        assert f"{body['outside_county']} organization" in notes and "outside LA County" in notes


def test_the_first_page_shows_recent_winners_and_organizations(client):
    overview = client.get("/api/overview").get_json()
    assert overview["organizations"] == search_total(client, "/?kind=organization")
    assert overview["recent_winners"]
    years = [winner["year"] for winner in overview["recent_winners"]]
    assert years == sorted(years, reverse=True)
    winners = all_results(client, outcome="Winner", kind="proposal", sort="newest")
    assert [w["id"] for w in overview["recent_winners"]] == [w["id"] for w in winners[: len(years)]]
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    assert [a["href"] for a in soup.select("section.winners li a")] == [w["url"] for w in overview["recent_winners"]]
    assert f"{overview['organizations']:,} organizations" in soup.select_one("#archive-size").get_text(" ", strip=True)


def test_the_longest_organization_id_still_filters_its_search(client):
    """Ids come from file names (the archive has a 255-character one): partner and group
    links carry them in `organization=`, so that filter must take every id there is."""
    longest = max((row["id"] for row in rows(client, kind="organization")), key=len)
    assert len(longest) > 200
    found = all_results(client, organization=longest)
    assert longest in {result["id"] for result in found}
    grouped = client.get("/api/search", query_string={"organization": longest, "group": "organization"}).get_json()
    assert grouped["total"] == 1 and grouped["results"][0]["group_count"] == len(found)
    assert search_total(client, grouped["results"][0]["group_url"]) == len(found)


def test_other_is_not_a_region_partners_share(client, proposals):
    """"Other" gathers every place the region table does not know (a juvenile hall, a
    city abroad): two proposals "in" it need not be anywhere near each other."""
    in_other = [p for p in proposals if "Other" in p["regions"] and p["metrics"] and p["organization_id"]]
    assert in_other
    for proposal in in_other[:6]:
        partners = client.get(f"/api/doc/{proposal['id']}").get_json()["partners"]
        assert "Other" not in partners["based_on"]["regions"]
        assert all("Other" not in partner["shared"]["regions"] for partner in partners["partners"])
        assert all(cluster["region"] != "Other" for cluster in partners["clusters"])


def test_links_from_a_document_to_its_partners_keep_the_way_back_to_the_results(client, proposals):
    """A reader who came from a search and follows a partner still gets back to that search,
    as from a similar proposal (the referrer is then the document, not the results)."""
    proposal = sample_proposals(proposals)[0]
    results = "/?q=food&region=South+LA"
    page = BeautifulSoup(
        client.get(f"/doc/{proposal['id']}", query_string={"back": results}).get_data(as_text=True), "html.parser"
    )
    links = page.select("#partners a.partner-name")
    assert links
    for link in links[:3]:
        partner = BeautifulSoup(client.get(link["href"]).get_data(as_text=True), "html.parser")
        assert partner.select_one("a.back")["href"] == results
