"""group=organization: one hit per organization, counted against the documents behind it.

The conftest's index links no proposal to an organization (each document is then a
group of its own), so these tests link some on the live columns themselves, as the
indexer does, and check the grouped answer against counts made here.
"""

from __future__ import annotations

from collections import Counter

import pytest
from bs4 import BeautifulSoup

from search_app import create_app
from search_app.state import live_index
from searching import all_results

QUERY = "gardens"


@pytest.fixture(scope="module")
def linked_app(index_dir):
    """An app of this module's own: `linked` changes its live columns (the session's `app`
    stays unlinked for the other tests)."""
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True})


@pytest.fixture(scope="module")
def linked(linked_app):
    """Link the matching documents to three made-up organizations, round robin; -> doc id -> organization id."""
    ids = [result["id"] for result in all_results(linked_app.test_client(), q=QUERY)]
    assert len(ids) >= 6
    organization_of = {doc_id: f"organization/test-{n % 3}" for n, doc_id in enumerate(ids[:9])}
    with linked_app.app_context():
        columns = live_index().columns
        columns.organization_ids = {columns.by_id[doc_id]: org for doc_id, org in organization_of.items()}
    return organization_of


@pytest.fixture
def linked_client(linked_app, linked):
    return linked_app.test_client()


def test_a_group_is_an_organization_with_its_best_document_and_count(linked_client, linked):
    documents = all_results(linked_client, q=QUERY)
    grouped = all_results(linked_client, q=QUERY, group="organization")
    key = {d["id"]: linked.get(d["id"], d["id"]) for d in documents}
    expected_sizes = Counter(key.values())
    first_of = {}
    for document in documents:  # relevance order: the first document of a group is its best
        first_of.setdefault(key[document["id"]], document["id"])
    assert [r["id"] for r in grouped] == list(first_of.values())
    assert [r["group_count"] for r in grouped] == [expected_sizes[key[r["id"]]] for r in grouped]
    body = linked_client.get("/api/search", query_string={"q": QUERY, "group": "organization"}).get_json()
    assert body["total"] == len(expected_sizes) == len(documents) - 9 + 3
    assert body["total_documents"] == len(documents)
    assert body["group"] == "organization" and body["query"]["group"] == "organization"


def test_grouped_facet_counts_count_organizations(linked_client, linked):
    documents = all_results(linked_client, q=QUERY)
    body = linked_client.get("/api/search", query_string={"q": QUERY, "group": "organization"}).get_json()
    for facet, field in (("region", "regions"), ("year", "year")):
        holders: dict[str, set] = {}
        for document in documents:
            values = document[field] if field == "regions" else [str(document[field])] if document[field] else []
            for value in values:
                holders.setdefault(value, set()).add(linked.get(document["id"], document["id"]))
        shown = {item["value"]: item["count"] for item in body["facets"][facet]["values"]}
        assert shown == {value: len(groups) for value, groups in holders.items()}


def test_grouped_paging_and_sorting_keep_working(linked_client, linked):
    everything = all_results(linked_client, q=QUERY, group="organization", sort="title")
    pages = [linked_client.get("/api/search", query_string={"q": QUERY, "group": "organization", "sort": "title",
                                                     "per_page": "5", "page": str(n)}).get_json() for n in (1, 2)]  # fmt: skip
    assert [r["id"] for p in pages for r in p["results"]] == [r["id"] for r in everything[:10]]
    assert pages[0]["pages"] == -(-pages[0]["total"] // 5)
    assert sum(r["group_count"] for r in everything) == pages[0]["total_documents"]


def test_the_page_toggles_grouping_and_keeps_it_through_filters(linked_client, linked):
    soup = BeautifulSoup(linked_client.get(f"/?q={QUERY}&group=organization").get_data(as_text=True), "html.parser")
    body = linked_client.get("/api/search", query_string={"q": QUERY, "group": "organization"}).get_json()
    summary = soup.select_one("#result-count").get_text(" ", strip=True)
    assert summary.startswith(f"{body['total']} organizations ({body['total_documents']} matching results)")
    assert soup.select_one("#search-form input[name=group]")["value"] == "organization"
    assert soup.select_one("#facet-form input[name=group]")["value"] == "organization"
    toggle = soup.select_one("p.group-toggle a")
    assert toggle.get_text() == "every document" and "group=" not in toggle["href"]
    region_link = soup.select_one("#facet-region li label a")["href"]
    assert "group=organization" in region_link
    counts = [int(li.select_one(".group-count").get_text().split()[0]) for li in soup.select("ol.results li.result")]
    assert counts == [r["group_count"] for r in body["results"]]


def test_without_links_every_document_is_its_own_group(client):
    plain = client.get("/api/search", query_string={"q": QUERY}).get_json()
    grouped = client.get("/api/search", query_string={"q": QUERY, "group": "organization"}).get_json()
    assert grouped["total"] == grouped["total_documents"] == plain["total"]
    assert grouped["group"] == "organization" and plain["group"] is None


@pytest.mark.parametrize("value", ["org", "Organization ", "documents", "<script>"])
def test_an_unknown_group_gets_a_400_with_the_allowed_values(client, value):
    response = client.get("/api/search", query_string={"group": value})  # exact values, as for sort
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("group must be one of organization, not ")
