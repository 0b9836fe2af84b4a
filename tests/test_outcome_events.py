"""Outcomes are events, (organization, proposal, outcome, year): issue 22's first point.

Checked on the archive laid out with its organizations and `_data`, against counts taken
here from the raw `winners.yaml`: winning proposals per year, organizations that won in
the selected year and no other, facet counts and matrix cells equal to the totals of the
searches they link to, labels ("Winner 2019") on cards, pages and exports.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import Counter

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ARCHIVE_YEARS, SHARED_CORPUS
from searching import all_results, search_total
from test_matrix import matrix

WINNER = "Winner"


@pytest.fixture(scope="module")
def client(archive_app):
    return archive_app.test_client()


def raw_winners() -> list[dict]:
    return [entry for entry in yaml.safe_load((SHARED_CORPUS / "data" / "winners.yaml").read_text()) if isinstance(entry, dict)]


def page_key(url: str) -> str:
    """A challenge URL as written in either file, compared without scheme, case or slashes."""
    return url.lower().split("://", 1)[-1].removeprefix("www.").rstrip("/")


def has_event(result: dict, outcome: str, year: int) -> bool:
    return any(o["outcome"] == outcome and o["year"] == year for o in result["outcomes"])


@pytest.mark.parametrize("year", ARCHIVE_YEARS)
def test_winning_proposals_of_a_year_are_the_winners_file_entries_of_that_year(client, year):
    expected = Counter(entry["year"] for entry in raw_winners())[int(year)]
    found = all_results(client, outcome="winner", year=year, kind="proposal")
    assert len(found) == expected > 0
    entries = [entry for entry in raw_winners() if entry["year"] == int(year)]
    pages = {page_key(entry.get("url", "")) for entry in entries}
    for result in found:  # 2013 proposals have no page of their own (their entries name the organization)
        assert not result["source_url"] or page_key(result["source_url"]) in pages, result["id"]
    assert all(has_event(result, WINNER, int(year)) for result in found)


@pytest.mark.parametrize("year", ["2014", "2019", "2020"])
def test_a_year_and_an_outcome_find_what_won_that_year_and_nothing_else(client, year):
    found = all_results(client, outcome="winner", year=year)
    organizations = [result for result in found if result["kind"] == "organization"]
    assert organizations, "organizations that won are found beside their proposals"
    for result in found:
        assert has_event(result, WINNER, int(year)), (result["id"], result["outcomes"])
    winning_proposals = {result["id"] for result in found if result["kind"] == "proposal"}
    for organization in organizations:  # each won through a proposal of that year, or is named by an entry
        proposals = {o["proposal_id"] for o in organization["outcomes"] if o["outcome"] == WINNER and o["year"] == int(year)}
        assert proposals <= winning_proposals | {None}


def test_an_organization_that_won_in_another_year_is_not_a_winner_of_this_one(client):
    """CASA of Los Angeles won in 2015 and was a finalist in 2019: not a 2019 winner by accident."""
    earlier = [r for r in all_results(client, outcome="winner", kind="organization") if not has_event(r, WINNER, 2019)]
    assert earlier, "the archive has organizations that won only in other years"
    ids_2019 = {r["id"] for r in all_results(client, outcome="winner", year="2019", kind="organization")}
    assert not ids_2019 & {r["id"] for r in earlier}


@pytest.mark.parametrize(
    "selection", [{"outcome": "Winner"}, {"year": "2019"}, {"outcome": "Finalist", "year": "2019"}, {"outcome": ["Winner", "Finalist"], "kind": "organization"}]
)
def test_every_outcome_and_year_count_is_the_total_of_the_search_it_links_to(client, selection):
    facets = client.get("/api/search", query_string={**selection, "per_page": "1"}).get_json()["facets"]
    for name in ("outcome", "year"):
        for value in facets[name]["values"]:
            if value["count"] and not value["selected"]:
                alone = {**{k: v for k, v in selection.items() if k != name}, name: value["value"]}
                assert value["count"] == search_total(client, "/?" + "&".join(f"{k}={v}" for k, v in _pairs(alone))), (name, value)


def _pairs(params: dict):
    for key, value in params.items():
        for one in [value] if isinstance(value, str) else value:
            yield key, one


@pytest.mark.parametrize(("rows", "cols"), [("year", "outcome"), ("outcome", "year")])
def test_the_year_by_outcome_matrix_counts_events(client, rows, cols):
    body = matrix(client, rows=rows, cols=cols)
    cells = {(cell["row"], cell["col"]): cell for line in body["cells"] for cell in line}
    for (row, col), cell in cells.items():
        assert cell["count"] == search_total(client, cell["url"]), (row, col)
    year_of = (lambda pair: pair[0]) if rows == "year" else (lambda pair: pair[1])
    outcome_of = (lambda pair: pair[1]) if rows == "year" else (lambda pair: pair[0])
    finalist_years = {year_of(pair) for pair, cell in cells.items() if outcome_of(pair) == "Finalist" and cell["count"]}
    assert finalist_years <= {"2018", "2019"}, "finalist lists exist for 2018 and 2019 only"
    winners = Counter(entry["year"] for entry in raw_winners())
    for year in ARCHIVE_YEARS:  # the proposals that won plus the organizations behind them
        pair = (year, WINNER) if rows == "year" else (WINNER, year)
        assert cells[pair]["count"] >= winners[int(year)]
        assert cells[pair]["count"] <= 2 * winners[int(year)]


def test_documents_carry_outcome_events_and_proposals_their_organizations_record(client):
    found = all_results(client, outcome="winner")
    for result in itertools.islice(found, 40):
        for event in result["outcomes"]:
            assert set(event) >= {"outcome", "year", "proposal_id", "label"}
            assert event["label"] == (f"{event['outcome']} {event['year']}" if event["year"] else event["outcome"])
    doc = client.get("/api/doc/proposal/2013/enrichla-a-garden-in-every-school").get_json()
    assert doc["outcomes"] == [] or all(o["proposal_id"] == doc["id"] for o in doc["outcomes"])
    assert "Winner 2014" in [o["label"] for o in doc["organization_outcomes"]]
    page = BeautifulSoup(client.get("/doc/proposal/2013/enrichla-a-garden-in-every-school").get_data(as_text=True), "html.parser")
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True) for dt in page.select("dl.facts dt")}
    assert "Winner 2014" in facts["Organization's outcomes"]


def test_cards_and_exports_name_the_year_of_each_outcome(client):
    html = client.get("/?outcome=winner&year=2019&kind=proposal").get_data(as_text=True)
    labels = [span.get_text(strip=True) for span in BeautifulSoup(html, "html.parser").select(".results .outcome")]
    assert labels and set(labels) <= {"Winner 2019", "Finalist 2019"} and "Winner 2019" in labels
    response = client.get("/api/export", query_string={"outcome": "winner", "year": "2014", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows and all("Winner 2014" in row["outcomes"].split("; ") for row in rows)
