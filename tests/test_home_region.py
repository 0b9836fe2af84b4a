"""Where organizations are based: `location.region` from the zip code, the `home_region`
filter and facet, and the map by home base or by where proposals work.

Expected values come from the raw files and the `zipcodes` table read here, not from the
index: every organization found for a region has that region and a zip of its own files.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import zipcodes

from vocabulary.values import NOT_STATED as HOME_NOT_STATED
from indexer.locations import OUTSIDE_LA_COUNTY, home_region
from vocabulary.regions import CANONICAL_REGIONS

from organization_groups import groups_and_pairs
from searching import all_results
from test_organizations import front, slug

GEOGRAPHIC = CANONICAL_REGIONS[:9]  # the regions on the map's outline (the rest are no place)
KNOWN = {"90011": "South LA", "91601": "San Fernando Valley", "90401": "Westside", "93534": "Antelope Valley",
         "90802": "Gateway Cities", "90033": "East LA", "90012": "Central LA", "91776": "San Gabriel Valley",
         "90710": "South Bay"}  # fmt: skip


@pytest.fixture(scope="module")
def client(archive_app):
    return archive_app.test_client()


@pytest.fixture(scope="module")
def zips_of(archive_root) -> dict[str, set[str]]:
    """Organization id -> the five-digit zips its files (all files of one organization) give."""
    raw = {slug(p): front(p) for p in sorted((archive_root / "_organizations").glob("*.md"))}
    raw = {key: org for key, org in raw.items() if org.get("published") is not False}
    groups, _pairs, _ein_only = groups_and_pairs(raw)
    group_of = {key: {key} for key in raw} | {member: group for group in groups for member in group}
    zips = {key: {m.group(1) for m in [re.match(r"^(\d{5})", str(raw[k].get("zip") or "").strip()) for k in group_of[key]] if m}
            for key in raw}  # fmt: skip
    return {f"organization/{key}": found for key, found in zips.items()}


def test_every_zip_of_the_county_has_a_region():
    county = [entry for entry in zipcodes.filter_by(state="CA") if entry["county"] == "Los Angeles County"]
    assert len(county) > 400
    regions = Counter(home_region(entry) for entry in county)
    assert set(regions) <= set(GEOGRAPHIC), regions
    for zip_code, region in KNOWN.items():
        assert home_region(zipcodes.matching(zip_code)[0]) == region, zip_code


def test_the_facet_counts_every_organization_once(client):
    body = client.get("/api/search", query_string={"kind": "organization", "per_page": 1}).get_json()
    counts = {value["value"]: value["count"] for value in body["facets"]["home_region"]["values"]}
    assert sum(counts.values()) == body["total"]
    assert {HOME_NOT_STATED, OUTSIDE_LA_COUNTY, "South LA", "Westside"} <= set(counts)
    assert body["facets"]["home_region"]["label"] == "Based in"


@pytest.mark.parametrize("region", ["South LA", "Antelope Valley", OUTSIDE_LA_COUNTY])
def test_organizations_found_by_home_region_are_based_there(client, zips_of, region):
    found = all_results(client, home_region=region)
    assert found and all(result["kind"] == "organization" for result in found)
    for result in found:
        assert result["home_region"] == region
        location = client.get(f"/api/doc/{result['id']}").get_json()["location"]
        assert location["region"] == region and location["zip"] in zips_of[result["id"]], result["id"]
        entry = zipcodes.matching(location["zip"])[0]
        assert (entry["county"] == "Los Angeles County") == (region != OUTSIDE_LA_COUNTY)
        if location["zip"] in KNOWN:
            assert KNOWN[location["zip"]] == region


def test_not_stated_is_every_organization_without_a_zip(client, zips_of):
    found = {result["id"] for result in all_results(client, home_region=HOME_NOT_STATED)}
    organizations = {r["id"] for r in all_results(client, kind="organization")}
    without = {org_id for org_id in organizations if not any(zipcodes.matching(z) for z in zips_of[org_id])}
    assert found == without and len(found) > 100


def test_home_region_spellings_and_query_syntax(client):
    total = lambda **params: client.get("/api/search", query_string=params).get_json()["total"]  # noqa: E731
    expected = total(home_region="San Fernando Valley")
    assert expected > 0
    assert total(home_region="sfv") == total(home_region="the valley") == total(q="home_region:sfv") == expected
    assert total(home_region="outside la county") == total(home_region=OUTSIDE_LA_COUNTY) > 0


def test_pages_show_where_an_organization_is_based(client):
    page = client.get("/doc/organization/harmony-project").get_data(as_text=True)
    assert "Based in" in page and 'href="/?home_region=Central+LA"' in page
    body = client.get("/api/doc/organization/harmony-project").get_json()
    assert body["location"]["region"] == "Central LA" and body["home_region"] == "Central LA"
    results = client.get("/?home_region=South+LA").get_data(as_text=True)
    assert "Based in" in results and results.count('<span class="home-region">Based in South LA</span>') == 10
    outside = client.get("/", query_string={"home_region": OUTSIDE_LA_COUNTY}).get_data(as_text=True)
    assert outside.count('<span class="home-region">Based outside LA County</span>') == 10
    unknown = client.get("/", query_string={"home_region": HOME_NOT_STATED}).get_data(as_text=True)
    assert 'class="home-region"' not in unknown


def test_openapi_lists_the_filter_and_the_map_choice(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "home_region" in {p["name"] for p in paths["/api/search"]["get"]["parameters"]}
    by = next(p for p in paths["/api/map"]["get"]["parameters"] if p["name"] == "by")
    assert by["schema"]["enum"] == ["home", "work"]


def test_the_map_by_home_base_or_by_where_proposals_work(client):
    home = client.get("/api/map", query_string={"q": "food"}).get_json()
    work = client.get("/api/map", query_string={"q": "food", "by": "work"}).get_json()
    assert home["by"] == "home" and "home base" in home["by_label"]
    assert work["by"] == "work" and "say they work" in work["by_label"]
    region_facet = client.get("/api/search", query_string={"q": "food", "per_page": 1}).get_json()["facets"]["region"]
    expected = {value["value"]: value["count"] for value in region_facet["values"]}
    counted = {place["region"]: place["documents"] for place in work["work_regions"]}
    assert {region: counted[region] for region in expected} == expected
    assert {place["region"] for place in work["work_regions"] if place["drawn"]} <= set(GEOGRAPHIC)
    page = client.get("/map?q=food&by=work").get_data(as_text=True)
    assert 'class="dot work"' in page and "Where the proposals say they work" in page
    assert 'href="/map?q=food"' in page  # the way back to home bases
    drawn = client.get("/map?q=food").get_data(as_text=True).count('class="dot"')
    assert drawn == len(home["organizations"]) + len(home["legend"])  # dots by home base, and the legend's
    assert client.get("/api/map?by=elsewhere").status_code == 400
