"""Meaning, not only words: the vectors' API (engine/semantic.py), similar proposals
and the "describe your work" partner finder, over a small fixture corpus and the archive.

The fixture's proposals are written so that the words of the queries below appear in no
document: only the vectors can bridge them ("sleeping in their cars" / "safe parking").
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from index_format.embedding import DIMENSIONS
from index_store import IndexStore
from indexer.pipeline import index_paths
from search_app import create_app
from engine.semantic import document_vectors, query_vector

FIXTURE = {
    "safe-parking": ("Safe Parking LA", "Safe parking for homeless families",
                     "Homeless families who live in their vehicles get a safe place to park overnight, with restrooms and case managers.", ("South LA",)),
    "safe-parking-2": ("Safe Parking LA", "Overnight lots in the Valley",
                       "More safe overnight parking lots for homeless people living in vehicles.", ("San Fernando Valley",)),
    "gardens": ("Green Roots", "Community gardens",
                "Neighbors grow vegetables together in raised beds and share the harvest.", ("South LA",)),
    "tutoring": ("Bright Minds", "After-school tutoring",
                 "Volunteers help middle school students with math homework every afternoon.", ("Westside",)),
    "orchestra": ("Youth Strings", "A youth orchestra",
                  "Free violin and cello lessons and concerts for children in public schools.", ("East LA",)),
    "library": ("Read Together", "Story time at the library",
                "Librarians read aloud with toddlers and their parents every week.", ("Central LA",)),
}
CARS = "help for people sleeping in their cars"


def fixture_proposal(organization: str, title: str, answer: str, regions) -> str:
    front = {
        "published": True, "project_id": "9000001", "year_submitted": 2019, "category": "live",
        "title": title, "organization_name": organization,
        "In which areas of Los Angeles will you be directly working?": list(regions),
        "Which metrics will your submission impact?": ["Homelessness"],
        "What does your organization do?": answer,
    }
    return "---\n" + json.dumps(front, indent=1) + "\n---\n"


@pytest.fixture(scope="module")
def fixture_client(tmp_path_factory):
    root = tmp_path_factory.mktemp("meaning")
    folder = root / "proposals" / "2019"
    folder.mkdir(parents=True)
    for slug, fields in FIXTURE.items():
        (folder / f"{slug}.md").write_text(fixture_proposal(*fields), encoding="utf-8")
    index_paths(IndexStore(root / "index"), [root / "proposals"], rebuild=True, workers=1)
    app = create_app({"INDEX_DIR": str(root / "index"), "TESTING": True})
    return app, app.test_client()


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def test_a_synonym_pair_is_found_through_the_vectors_only(fixture_client):
    app, client = fixture_client
    for fields in FIXTURE.values():  # the bridge is meaning: no query word in any document
        assert not {"sleeping", "cars", "car"} & words(" ".join(fields[:3]))
    with app.app_context():
        from search_app.state import live_index

        live = live_index()
        vectors = document_vectors(live)
        scores = vectors.similarities(query_vector(CARS))
        ranked = [live.columns.ids[d] for d in np.argsort(-scores) if vectors.present[d]]
    assert set(ranked[:2]) == {"proposal/2019/safe-parking", "proposal/2019/safe-parking-2"}
    answer = client.get("/api/partners", query_string={"text": CARS}).get_json()
    assert answer["partners"][0]["name"] == "Safe Parking LA"
    assert answer["partners"][0]["proposals"] == 2 and "close in meaning" in answer["partners"][0]["why"]


def test_the_vectors_are_aligned_with_document_numbers(fixture_client):
    app, _client = fixture_client
    with app.app_context():
        from search_app.state import live_index

        live = live_index()
        vectors = document_vectors(live)
        assert vectors.matrix.shape[1] == DIMENSIONS and vectors.matrix.dtype == np.float32
        for docnum in live.columns.docnums:
            assert vectors.present[docnum]
            assert abs(float(np.linalg.norm(vectors.matrix[docnum])) - 1) < 1e-4
        assert int(vectors.present.sum()) == len(live.columns.docnums)
        assert document_vectors(live) is vectors  # once per generation


def test_similar_never_lists_the_same_organization(fixture_client):
    _app, client = fixture_client
    answer = client.get("/api/similar/proposal/2019/safe-parking").get_json()
    assert answer["ok"] and answer["similar"]
    assert {item["organization"] for item in answer["similar"]} & {"Safe Parking LA"} == set()
    assert [item["id"] for item in answer["similar"]] == [item["id"] for item in client.get("/api/doc/proposal/2019/safe-parking").get_json()["similar"]]
    scores = [item["similarity"] for item in answer["similar"]]
    assert scores == sorted(scores, reverse=True)
    assert client.get("/api/similar/proposal/2019/nothing-here").status_code == 404
    assert client.get("/api/similar/proposal/2019/gardens?count=0").status_code == 400


def test_similar_excludes_a_linked_organizations_own_proposals_and_page(archive_app):
    client = archive_app.test_client()
    rows = [json.loads(line) for line in client.get("/api/export?format=ndjson&kind=proposal").get_data(as_text=True).splitlines()]
    by_org: dict[str, list[str]] = {}
    for row in rows:
        if row["organization_id"]:
            by_org.setdefault(row["organization_id"], []).append(row["id"])
    busy = sorted((org for org, ids in by_org.items() if len(ids) >= 3), key=lambda org: -len(by_org[org]))[:5]
    assert busy
    for org in busy:
        for doc_id in [org, *by_org[org][:2]]:
            similar = client.get(f"/api/similar/{doc_id}", query_string={"count": 20}).get_json()["similar"]
            assert len(similar) == 20
            assert all(item["organization_id"] != org and item["kind"] == "proposal" for item in similar), doc_id


def test_describe_your_work_takes_the_usual_filters(fixture_client):
    _app, client = fixture_client
    answer = client.get("/api/partners", query_string={"text": CARS, "region": "San Fernando Valley"}).get_json()
    assert [partner["name"] for partner in answer["partners"]] == ["Safe Parking LA"]
    assert answer["partners"][0]["closest"][0]["id"] == "proposal/2019/safe-parking-2"
    assert answer["partners"][0]["shared"]["regions"] == ["San Fernando Valley"]


def test_describe_your_work_spells_its_filters_as_a_search_does(archive_app):
    """topic=health is the topic "Health", on the partner finder as on the search page."""
    client = archive_app.test_client()
    text = "community health workers bring care to families"
    typed, spelled = (client.get("/api/partners", query_string={"text": text, "topic": topic}).get_json() for topic in ("health", "Health"))
    assert typed["selected"] == {"topic": ["Health"]}
    assert typed["partners"] and typed["partners"] == spelled["partners"]


@pytest.mark.parametrize("text, status", [("x" * 10_000, 400), ("", 400), ("   ", 400), ("école maternelle gratuite pour mon fils", 200),
                                          ("the of and", 200), ("\x00\ud7ff <script>alert(1)</script>", 200)])
def test_describe_your_work_answers_or_refuses_naming_the_limit(fixture_client, text, status):
    _app, client = fixture_client
    response = client.get("/api/partners", query_string={"text": text})
    assert response.status_code == status
    if len(text) > 2000:
        assert "the limit is 2000" in response.get_json()["error"]


def test_the_partner_finder_page_has_a_box_and_escapes_the_text(fixture_client):
    _app, client = fixture_client
    page = client.get("/partners").get_data(as_text=True)
    assert '<textarea id="describe-text" name="text"' in page
    response = client.get("/partners", query_string={"text": CARS + " <b>bold</b>", "region": "South LA"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "Safe Parking LA" in page and "close in meaning" in page
    assert client.get("/partners", query_string={"text": "y" * 5000}).status_code == 400
