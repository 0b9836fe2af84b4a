"""Export of every matching document as CSV, JSON and NDJSON, checked against the search API.

The expected documents come from paging through /api/search (100 a page), so an export
that drops, repeats or reorders rows, or stops at one page, fails.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from search_app.export import FIELDS, spreadsheet_cell
from searching import all_results

SEARCHES = [{}, {"q": "food"}, {"q": "youth", "region": "South LA", "sort": "title"}, {"kind": "proposal", "year": "2019"}]


def export(client, format_name: str, **params):
    response = client.get("/api/export", query_string={**params, "format": format_name})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.is_streamed
    return response


def csv_rows(response) -> list[dict]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # a spreadsheet reads it as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize("search", SEARCHES, ids=repr)
def test_csv_has_every_matching_document_in_order(client, search):
    expected = all_results(client, **search)
    response = export(client, "csv", **search)
    assert response.content_type == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert int(response.headers["X-Total-Count"]) == len(rows) == len(expected)
    assert [row["id"] for row in rows] == [result["id"] for result in expected]
    for row, result in zip(rows, expected):
        assert row["title"] == result["title"] and row["kind"] == result["kind"]
        assert row["regions"] == "; ".join(result["regions"]) and row["metrics"] == "; ".join(result["metrics"])
        assert row["year"] == ("" if result["year"] is None else str(result["year"]))
        assert row["goal"] == result["goal"]
        assert row["url"] == "/doc/" + result["id"]  # relative: SEARCH_BASE_URL unset


def test_csv_header_names_every_column(client):
    rows = csv_rows(export(client, "csv", q="food"))
    assert tuple(rows[0].keys()) == FIELDS
    assert {"id", "kind", "title", "organization", "organization_id", "year", "goal", "regions", "metrics",
            "outcomes", "topics", "url"} <= set(FIELDS)  # fmt: skip


@pytest.mark.parametrize("search", SEARCHES[1:3], ids=repr)
def test_json_and_ndjson_hold_the_same_rows_as_csv(client, search):
    csv_ids = [row["id"] for row in csv_rows(export(client, "csv", **search))]
    body = json.loads(export(client, "json", **search).get_data(as_text=True))
    assert body["ok"] is True and body["total"] == len(body["documents"]) == len(csv_ids)
    assert body["fields"] == list(FIELDS)
    assert [row["id"] for row in body["documents"]] == csv_ids
    ndjson = export(client, "ndjson", **search)
    assert ndjson.content_type == "application/x-ndjson"
    lines = [json.loads(line) for line in ndjson.get_data(as_text=True).splitlines()]
    assert lines == body["documents"]
    assert all(isinstance(row["regions"], list) and isinstance(row["outcomes"], list) for row in lines)


def test_a_grouped_export_has_one_row_per_group_with_its_count(client):
    search = {"q": "gardens", "group": "organization"}
    grouped = client.get("/api/search", query_string={**search, "per_page": "100"}).get_json()
    rows = csv_rows(export(client, "csv", **search))
    assert len(rows) == grouped["total"]
    assert [row["id"] for row in rows] == [result["id"] for result in grouped["results"]]
    assert sum(int(row["group_count"]) for row in rows) == grouped["total_documents"]


def test_an_empty_result_exports_the_header_only(client):
    rows = csv_rows(export(client, "csv", q="zzqqxxvv"))
    assert rows == []
    assert json.loads(export(client, "json", q="zzqqxxvv").get_data(as_text=True))["documents"] == []
    assert export(client, "ndjson", q="zzqqxxvv").get_data() == b""


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "xlsx"}, "format must be one of csv, json, ndjson, not 'xlsx'"),
        ({"group": "x"}, "group must be one of organization, not 'x'"),
        ({"q": "x" * 501}, "q is 501 characters long; the limit is 500"),
    ],
)
def test_bad_parameters_get_a_400(client, params, message):
    response = client.get("/api/export", query_string=params)
    assert response.status_code == 400 and response.get_json()["error"] == message


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (["South LA", "Westside"], "South LA; Westside"),
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1", "'+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        (None, ""),
        (2016, "2016"),
        ("Niño", "Niño"),
    ],
)
def test_a_csv_cell_joins_lists_and_never_becomes_a_formula(value, cell):
    assert spreadsheet_cell(value) == cell


def test_the_results_page_links_to_the_csv_of_its_search(client):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get("/?q=food&region=South+LA").get_data(as_text=True), "html.parser")
    link = soup.find("a", string="Download CSV")
    assert link["href"].startswith("/api/export?")
    rows = csv_rows(client.get(link["href"]))
    assert len(rows) == client.get("/api/search?q=food&region=South+LA").get_json()["total"]
