"""The export of organizations and the `fields=` parameter of every export, on the archive.

Each organization row is checked against the organization's raw file (EIN, zip, website)
and against its own page through the API (proposals, years, outcomes with their years).
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from search_app.export import ALL_FIELDS, FIELDS, ORGANIZATION_FIELDS

from test_organizations import front, slug

ORGANIZATION_COLUMNS = ("website", "ein", "zip", "home_region", "org_type", "proposals", "years", "outcomes", "topics")


@pytest.fixture(scope="module")
def client(archive_app):
    return archive_app.test_client()


@pytest.fixture(scope="module")
def raw(archive_root) -> dict[str, dict]:
    return {f"organization/{slug(p)}": front(p) for p in sorted((archive_root / "_organizations").glob("*.md"))}


def rows(client, **params) -> list[dict]:
    response = client.get("/api/export", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def cells(text: str) -> list[str]:
    return text.split("; ") if text else []


def test_an_export_of_organizations_has_what_a_funder_needs(client, raw):
    exported = rows(client, kind="organization")
    assert set(ORGANIZATION_COLUMNS) <= set(exported[0])
    total = client.get("/api/search", query_string={"kind": "organization", "per_page": 1}).get_json()["total"]
    assert len(exported) == total
    for row in exported[::25]:
        doc = client.get(f"/api/doc/{row['id']}").get_json()
        files = [raw[row["id"]]] + [raw[alias["id"]] for alias in doc["aliases"]]  # its own first, then merged ones
        eins = [str(f.get("ein") or "").strip() for f in files]
        assert row["ein"] == next((ein for ein in eins if ein), "")
        assert row["zip"] in {str(f.get("zip") or "").strip() for f in files}
        assert cells(row["website"]) == doc["websites"]
        assert int(row["proposals"]) == len(doc["proposals"])
        assert cells(row["years"]) == [str(year) for year in doc["years"]]
        assert row["home_region"] == doc["home_region"] and row["org_type"] == doc["org_type"]
        assert cells(row["outcomes"]) == [f"{o['outcome']} {o['year']}" if o["year"] else o["outcome"] for o in doc["outcomes"]]
        assert cells(row["topics"]) == doc["topics"]


def test_outcomes_carry_their_years(client):
    exported = rows(client, kind="organization", outcome="winner")
    assert exported
    years = [cell for row in exported for cell in cells(row["outcomes"])]
    assert any(re.fullmatch(r"Winner (19|20)\d\d", cell) for cell in years)


def test_a_grouped_export_describes_each_group_s_organization(client):
    exported = rows(client, q="food", group="organization")
    assert {*ORGANIZATION_COLUMNS, "group_count"} <= set(exported[0])
    for row in exported[:20]:
        organization_id = row["id"] if row["kind"] == "organization" else row["organization_id"]
        if not organization_id:
            assert row["ein"] == row["proposals"] == ""
            continue
        doc = client.get(f"/api/doc/{organization_id}").get_json()
        assert int(row["proposals"]) == len(doc["proposals"]) and row["ein"] == doc["ein"]


def test_other_exports_keep_their_columns(client):
    assert tuple(rows(client, q="food", kind="proposal")[0]) == FIELDS


@pytest.mark.parametrize("format_name", ["csv", "json", "ndjson"])
def test_fields_choose_the_columns_in_their_order(client, format_name):
    chosen = "title,ein,home_region,outcomes,id"
    response = client.get("/api/export", query_string={"q": "food", "fields": chosen, "format": format_name})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    if format_name == "csv":
        assert text.lstrip("\ufeff").splitlines()[0] == chosen
    elif format_name == "json":
        body = json.loads(text)
        assert body["fields"] == chosen.split(",") and list(body["documents"][0]) == chosen.split(",")
    else:
        assert list(json.loads(text.splitlines()[0])) == chosen.split(",")


@pytest.mark.parametrize(
    "fields, message",
    [("id,website2", "unknown field 'website2'"), ("group_count", "grouped exports only"), ("<script>", "unknown field")],
)
def test_an_unknown_field_is_a_400_naming_the_fields(client, fields, message):
    response = client.get("/api/export", query_string={"fields": fields})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert message in error
    if "unknown" in message:
        assert all(name in error for name in ALL_FIELDS[:-1])


def test_openapi_lists_the_field_names(client):
    parameters = client.get("/api/openapi.json").get_json()["paths"]["/api/export"]["get"]["parameters"]
    fields = next(p for p in parameters if p["name"] == "fields")
    assert all(name in fields["description"] for name in (*FIELDS, *ORGANIZATION_FIELDS, "group_count"))
