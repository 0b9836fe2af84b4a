"""Words fused with meaning (engine/hybrid.py): a document the words miss is found by its
meaning, `semantic=0` is the keyword ranking, every view counts the one set the page ranks,
and `explain` shows the lexical part, the semantic part and how they were fused."""

from __future__ import annotations

import json

import pytest
from test_semantic import CARS, fixture_client  # noqa: F401 - the fixture corpus where only meaning bridges


@pytest.fixture(scope="module")
def client(fixture_client):  # noqa: F811
    return fixture_client[1]


def search(client, q: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": q, "explain": 1, "per_page": 50, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(body: dict) -> list[str]:
    return [result["id"].rsplit("/", 1)[-1] for result in body["results"]]


def kinds(result: dict) -> set[str]:
    return {part["kind"] for part in result["explain"]["parts"]}


SLEEPING = "sleeping in their cars"  # no document holds "sleeping" or "cars"


def test_a_document_the_words_miss_is_found_by_its_meaning(client):
    body = search(client, SLEEPING)
    assert body["query"]["semantic"]
    found = {result["id"].rsplit("/", 1)[-1]: result for result in body["results"]}
    assert {"safe-parking", "safe-parking-2"} <= set(found)
    for slug in ("safe-parking", "safe-parking-2"):  # no word of the query is in them: meaning alone
        assert kinds(found[slug]) == {"semantic"}
    assert ids(search(client, SLEEPING, semantic=0)) == []


def test_semantic_0_is_the_keyword_ranking(client):
    for q in ("homework help", "violin lessons for children", "vegetables"):
        body = search(client, q, semantic=0)
        assert not body["query"]["semantic"]
        assert all("semantic" not in kinds(result) for result in body["results"])
        scores = [result["explain"]["score"] for result in body["results"]]
        assert scores == sorted(scores, reverse=True)
        fused = search(client, q)
        assert fused["query"]["semantic"] and set(ids(body)) <= set(ids(fused))


def test_explain_parts_add_up_to_the_fused_score(client):
    body = search(client, "violin lessons for children")
    assert body["results"]
    for result in body["results"]:
        assert "semantic" in {part["kind"] for part in result["explain"]["parts"]}
        assert sum(part["value"] for part in result["explain"]["parts"]) == pytest.approx(result["score"], abs=1e-4)


@pytest.mark.parametrize("q", [CARS, SLEEPING, "violin lessons for children", "vegetables"])
def test_the_total_is_what_the_export_matrix_and_facets_count_and_filters_only_narrow(client, q):
    body = search(client, q)
    export = client.get("/api/export", query_string={"q": q, "format": "ndjson"})
    rows = [json.loads(line) for line in export.get_data(as_text=True).splitlines() if line]
    assert int(export.headers["X-Total-Count"]) == len(rows) == body["total"]
    assert [row["id"] for row in rows][: len(body["results"])] == [result["id"] for result in body["results"]]
    matrix = client.get("/api/matrix", query_string={"q": q, "rows": "region", "cols": "goal"}).get_json()
    assert matrix["total"] == body["total"]
    for value in body["facets"]["region"]["values"]:
        narrowed = search(client, q, region=value["value"])
        assert narrowed["total"] == value["count"] <= body["total"]


def test_syntax_asks_for_exactly_what_it_says(client):
    body = search(client, '"safe parking"')
    assert not body["query"]["semantic"]
    assert set(ids(body)) == {"safe-parking", "safe-parking-2"}
