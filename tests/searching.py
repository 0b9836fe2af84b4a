"""Helpers for tests that check a view's numbers against the search API (test-client only)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

PAGE = 100  # the API's largest page


def search_total(client, url: str) -> int:
    """The `total` of the search a page link (`/?…`) stands for, asked of the JSON API."""
    parts = urlsplit(url)
    assert parts.path == "/" and not parts.netloc, url
    response = client.get("/api/search", query_string={**parse_qs(parts.query), "per_page": "1"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def all_results(client, **params) -> list[dict]:
    """Every result of a search, page by page through the JSON API."""
    results, page = [], 1
    while True:
        query = {**params, "per_page": str(PAGE), "page": str(page)}
        body = client.get("/api/search", query_string=query).get_json()
        results += body["results"]
        if page >= body["pages"]:
            return results
        page += 1
