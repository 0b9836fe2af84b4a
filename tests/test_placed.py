"""Every proposal placed (issue 22, parts 3 and 6), through the API and the pages of the
archive laid out as github.com/la2050/archive, checked against counts taken here from the
raw files: a proposal without a region answer has regions read from its text (marked
inferred) or "Not stated"; region and metric counts account for every proposal; labels say
whether they count proposals, organizations or documents."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml


NOT_STATED = "Not stated"  # the facet value, spelled here as a user sees it
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---", re.DOTALL)
# "Watts" as a place: not "1,000 watts" (a unit after a number)
WATTS = re.compile(r"(?<![\d,] )(?<!\d)\bWatts\b")


@pytest.fixture(scope="module")
def client(archive_app):
    return archive_app.test_client()


def raw_front_matters(folder) -> dict[str, dict]:
    """file stem -> front matter of the published files of a folder, read with plain PyYAML."""
    fronts = {}
    for path in sorted(folder.glob("*.md")):
        front = yaml.safe_load(FRONT_MATTER.match(path.read_text(encoding="utf-8")).group(1))
        if front.get("published") is not False:
            fronts[path.stem] = front
    return fronts


def search(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def every_result(client, **params) -> list[dict]:
    """All results of a search, page by page."""
    results, page = [], 1
    while True:
        body = search(client, per_page=100, page=page, **params)
        results += body["results"]
        if page >= body["pages"]:
            return results
        page += 1


def facet(body: dict, name: str) -> dict[str, int]:
    assert not body["facets"][name]["truncated"]
    return {value["value"]: value["count"] for value in body["facets"][name]["values"]}


@pytest.fixture(scope="module")
def proposals_2013(client) -> list[dict]:
    return every_result(client, kind="proposal", year="2013")


def test_every_2013_proposal_is_placed_from_its_text_or_not_stated(archive_root, proposals_2013):
    raw = raw_front_matters(archive_root / "_projects" / "2013")
    assert len(raw) == 276 and len(proposals_2013) == len(raw)
    # 2013's form asked no region or metric question: nothing was answered.
    assert not any("where" in str(key).lower() or "metric" in str(key).lower() for front in raw.values() for key in front)
    inferred = [p for p in proposals_2013 if p["regions_inferred"]]
    not_stated = [p for p in proposals_2013 if p["regions"] == [NOT_STATED]]
    assert len(inferred) + len(not_stated) == len(raw)
    assert not any(NOT_STATED in p["regions"] for p in inferred)
    assert len(inferred) > len(raw) / 2
    assert all(p["metrics"] == [NOT_STATED] for p in proposals_2013)


def test_a_2013_proposal_that_names_watts_is_in_south_la(archive_root, proposals_2013):
    raw = raw_front_matters(archive_root / "_projects" / "2013")
    by_stem = {p["id"].rsplit("/", 1)[1]: p for p in proposals_2013}
    naming = [stem for stem, front in raw.items() if WATTS.search(f"{front.get('title', '')}\n{front.get('project_summary', '')}")]
    assert len(naming) >= 3
    for stem in naming:
        assert "South LA" in by_stem[stem]["regions"] and by_stem[stem]["regions_inferred"], stem


def test_region_and_metric_facets_count_every_proposal(client, proposals_2013):
    body = search(client, kind="proposal", year="2013")
    regions = facet(body, "region")
    assert regions[NOT_STATED] == sum(p["regions"] == [NOT_STATED] for p in proposals_2013)
    assert regions == dict(Counter(region for p in proposals_2013 for region in p["regions"]))
    assert facet(body, "metric") == {NOT_STATED: body["total"]}
    # Over all years: every proposal carries at least one region and one metric, and the
    # facets count exactly the values the proposals carry.
    every = every_result(client, kind="proposal")
    assert all(p["regions"] and p["metrics"] for p in every)
    body = search(client, kind="proposal")
    assert len(every) == body["total"]
    assert facet(body, "region") == dict(Counter(region for p in every for region in p["regions"]))
    assert NOT_STATED in facet(body, "metric")


def test_a_region_filter_returns_that_region_answered_or_inferred(client, proposals_2013):
    south = every_result(client, region="South LA")
    assert south and all("South LA" in p["regions"] and p["kind"] == "proposal" for p in south)
    assert sum(p["regions_inferred"] for p in south if p["year"] == 2013) == sum("South LA" in p["regions"] for p in proposals_2013)
    not_stated = every_result(client, region="not stated")  # folded like any region
    assert {p["kind"] for p in not_stated} == {"proposal"}
    assert all(p["regions"] == [NOT_STATED] and not p["regions_inferred"] for p in not_stated)


def test_organizations_and_articles_never_are_not_stated(client):
    organizations = search(client, kind="organization")
    assert organizations["total"] > 0
    assert facet(organizations, "region") == {} and facet(organizations, "metric") == {}
    body = search(client, region="Not stated")
    assert body["left_out_by_proposal_facets"] == {"facets": ["region"], "organizations": organizations["total"], "articles": 0}
    assert search(client, kind="proposal")["left_out_by_proposal_facets"] is None


def test_pages_say_inferred_and_what_a_region_filter_leaves_out(client, proposals_2013):
    inferred = next(p for p in proposals_2013 if p["regions_inferred"])
    page = client.get(inferred["url"]).get_data(as_text=True)
    assert "inferred from the text" in page
    document = client.get("/api/doc/" + inferred["id"]).get_json()
    assert document["regions_inferred"] is True and document["regions"] == inferred["regions"]
    answered = search(client, kind="proposal", year="2019", per_page=1)["results"][0]
    assert not answered["regions_inferred"]
    assert "inferred from the text" not in client.get(answered["url"]).get_data(as_text=True)
    results = client.get("/", query_string={"region": "South LA", "q": "garden"}).get_data(as_text=True)
    left_out = search(client, q="garden", kind="organization")["total"]
    assert left_out > 0
    assert re.search(rf"Only proposals state a region:\s+{left_out:,} organizations", results)
    assert "Not stated" in client.get("/", query_string={"kind": "proposal", "year": "2013"}).get_data(as_text=True)


def test_all_winners_covers_every_year_with_winners(client, archive_root):
    winners = yaml.safe_load((archive_root / "_data" / "winners.yaml").read_text(encoding="utf-8"))
    entries = winners if isinstance(winners, list) else [e for group in winners.values() for e in group]
    years = sorted({int(entry["year"]) for entry in entries if entry.get("year")})
    assert 2021 in years  # winners only as organizations: no 2021 proposal exists
    assert not (archive_root / "_projects" / "2021").exists()
    overview = client.get("/api/overview").get_json()
    assert "kind=" not in overview["links"]["winners"]
    assert overview["winners"]["years"] == years
    assert (overview["winners"]["first"], overview["winners"]["last"]) == (years[0], years[-1])
    listed = client.get(overview["links"]["winners"].replace("/?", "/api/search?", 1)).get_json()
    assert set(facet(listed, "year")) >= {str(year) for year in years}
    kinds = facet(listed, "kind")
    assert (kinds["proposal"], kinds["organization"]) == (overview["winners"]["proposals"], overview["winners"]["organizations"])
    landing = client.get("/").get_data(as_text=True)
    assert f"All winners, {years[0]}–{years[-1]}" in landing
    assert f"{overview['winners']['proposals']} proposals and {overview['winners']['organizations']} organizations" in landing


def test_years_with_organizations_only_are_not_proposal_years(client, archive_root):
    proposal_years = sorted(int(folder.name) for folder in (archive_root / "_projects").iterdir())
    overview = client.get("/api/overview").get_json()
    assert overview["years"] == {"first": proposal_years[0], "last": proposal_years[-1], "count": len(proposal_years)}
    assert overview["documents"] == overview["proposals"] + overview["organizations"] + overview["articles"]
    body = search(client, outcome="Winner")
    notes = {value["value"]: value.get("note") for value in body["facets"]["year"]["values"]}
    assert notes["2021"] == "organizations only"
    assert all(notes[str(year)] is None for year in proposal_years if str(year) in notes)
    assert "(organizations only)" in client.get("/", query_string={"outcome": "Winner"}).get_data(as_text=True)
    landing = client.get("/").get_data(as_text=True)
    assert re.search(rf"sent in <strong>{len(proposal_years)}</strong> years \({proposal_years[0]}–{proposal_years[-1]}\)", landing)


def test_the_matrix_counts_every_2013_proposal(client, archive_root, proposals_2013):
    files = len(raw_front_matters(archive_root / "_projects" / "2013"))
    matrix = client.get("/api/matrix", query_string={"rows": "region", "cols": "metric", "year": "2013"}).get_json()
    assert [(col["value"], col["total"]) for col in matrix["cols"]] == [(NOT_STATED, files)]
    rows = {row["value"]: row["total"] for row in matrix["rows"]}
    assert rows == dict(Counter(region for p in proposals_2013 for region in p["regions"]))
    cells = {(cell["row"], cell["col"]): cell["count"] for line in matrix["cells"] for cell in line}
    assert cells[(NOT_STATED, NOT_STATED)] == rows[NOT_STATED]


def test_the_partner_finder_reaches_a_2013_proposal_placed_from_its_text(client):
    skid_row = "proposal/2013/100-in-100-skid-row-innovates"  # names Skid Row: Central LA
    assert client.get(f"/api/doc/{skid_row}").get_json()["regions"] == ["Central LA"]
    body = client.get(
        "/api/partners", query_string={"text": "housing for homeless people on skid row", "region": "Central LA"}
    ).get_json()
    closest = [item["id"] for partner in body["partners"] for item in partner["closest"]]
    assert skid_row in closest
    assert not any(NOT_STATED in partner["shared"][name] for partner in body["partners"] for name in ("metrics", "regions"))
