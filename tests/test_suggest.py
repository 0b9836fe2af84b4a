"""`/api/suggest`: organizations, metrics, topics and regions by prefix, word start or part,
with counts that are the totals of what they open; hostile input is a 400, never a 5xx."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vocabulary.fold import fold


@pytest.fixture(scope="module")
def client(archive_app):
    return archive_app.test_client()


def suggest(client, status: int = 200, **params) -> dict:
    response = client.get("/api/suggest", query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    return response.get_json()


def values(body: dict) -> list[tuple[str, str]]:
    return [(item["type"], item["value"]) for item in body["suggestions"]]


def test_a_prefix_finds_the_organization_first_and_links_to_it(client):
    body = suggest(client, q="heal the b")
    first = body["suggestions"][0]
    assert (first["type"], first["value"], first["url"]) == ("organization", "Heal the Bay", "/doc/organization/heal-the-bay")
    document = client.get("/api/doc/organization/heal-the-bay").get_json()
    assert first["count"] == len(document["proposals"])


def test_names_starting_with_the_text_come_before_names_containing_it(client):
    body = suggest(client, q="heal", limit=50)
    folded = [fold(item["value"]) for item in body["suggestions"]]
    ranks = [0 if name.startswith("heal") else 1 if " heal" in f" {name}" else 2 for name in folded]
    assert ranks == sorted(ranks) and ranks[0] == 0 and all("heal" in name for name in folded)
    assert {"topic", "metric", "organization"} <= {item["type"] for item in body["suggestions"]}


def test_a_values_count_is_the_total_of_the_search_it_opens(client):
    for item in suggest(client, q="health", limit=10)["suggestions"]:
        if item["type"] != "organization":
            assert item["url"].startswith("/?")
            total = client.get(item["url"].replace("/?", "/api/search?", 1)).get_json()["total"]
            assert item["count"] == total, item


@pytest.mark.parametrize("typed", ["nino", "NIÑO", "Niño", "  niño  "])
def test_accents_and_case_are_ignored(client, typed):
    assert ("organization", "Para Los Niños") in values(suggest(client, q=typed))


@pytest.mark.parametrize("typed", ["sfv", "SFV", "Pacoima", "san fern"])
def test_abbreviations_and_neighbourhoods_find_their_region(client, typed):
    assert ("region", "San Fernando Valley") in values(suggest(client, q=typed, type="region"))


def test_type_and_limit(client):
    body = suggest(client, q="a", type="metric", limit=3)
    assert len(body["suggestions"]) == 3 and body["more"] > 0
    assert {item["type"] for item in body["suggestions"]} == {"metric"}
    assert len(suggest(client, q="a", limit=50)["suggestions"]) == 50
    assert suggest(client, q="qqzzxxvv")["suggestions"] == []
    for nothing in ("   ", "\x00\x01", "!!!***", "%"):  # nothing to match: an empty answer, not an error
        assert suggest(client, q=nothing)["suggestions"] == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "q is required"),
        ({"q": ""}, "q is required"),
        ({"q": "a" * 101}, "the limit is 100"),
        ({"q": "heal", "limit": "0"}, "limit must be between"),
        ({"q": "heal", "limit": "51"}, "limit must be between"),
        ({"q": "heal", "limit": "1e9"}, "limit must be a whole number"),
        ({"q": "heal", "type": "<script>"}, "type must be one of"),
    ],
)
def test_hostile_input_is_a_400(client, params, message):
    body = suggest(client, 400, **params)
    assert body["ok"] is False and message in body["error"]


@settings(max_examples=150, deadline=None)
@given(typed=st.text(max_size=120), limit=st.one_of(st.none(), st.text(max_size=6), st.integers(-5, 80).map(str)))
def test_any_input_is_an_answer_or_a_400(client, typed, limit):
    params = {"q": typed, **({"limit": limit} if limit is not None else {})}
    response = client.get("/api/suggest", query_string=params)
    assert response.status_code in (200, 400)
    body = response.get_json()
    assert body["ok"] is (response.status_code == 200)

