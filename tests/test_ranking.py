"""Ranking: an exact title first, words together above the same words scattered, and
`explain=1` listing score parts that add up to the score."""

from __future__ import annotations

import textwrap

import pytest

from index_store import IndexStore
from indexer.pipeline import index_paths
from search_app import create_app

FILLER = "Our neighbours meet every week to plan the work ahead and share what they learned."


def proposal(slug: str, title: str, summary: str, answer: str, organization: str = "Neighbourhood Partners") -> tuple[str, str]:
    text = textwrap.dedent(
        f"""\
        ---
        published: true
        year_submitted: 2016
        category: connect
        project_id: '{abs(hash(slug)) % 10_000_000}'
        organization_name: {organization}
        title: {title}
        project_summary: {summary}
        In which areas of Los Angeles will you be directly working?:
          - South LA
        What does your organization do?: >-
          {answer} {FILLER}
        ---
        """
    )
    return slug, text


DOCUMENTS = [
    # The exact title: its words appear once, and its summary is about something else.
    proposal("bikes-for-the-people", "Bikes for the People", "Repair workshops on Saturdays.", "We fix old frames."),
    # Documents with the same words many times in their summaries and answers.
    *(
        proposal(
            f"bike-program-{n}",
            f"Cycling program {n}",
            "Bike rides for people, bike lessons for people, a bike library for people.",
            "Every bike goes to people who need a bike; people ride the bike to work, people love the bike.",
        )
        for n in range(4)
    ),
    # The same words in the same fields: "after school program" together in one, apart in
    # the other (which BM25F scores alike and the tie-break, title order, would put first).
    proposal("phrase", "Homework help", "Tutoring after school program days.", "Students stay for reading."),
    proposal("scattered", "Aardvark homework", "School tutoring days after program.", "Students stay for reading."),
    # An organization named exactly as the query.
    proposal("org", "Reading corners", "Books in laundromats.", "We place shelves.", organization="Story Lanterns"),
    proposal("org-mention", "Lantern stories", "Story lanterns and story nights, lantern walks.", "A story lantern parade.", organization="Glow Collective"),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("ranking-corpus")
    folder = corpus / "proposals" / "2016"
    folder.mkdir(parents=True)
    for slug, text in DOCUMENTS:
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("ranking-index")
    report = index_paths(IndexStore(index_dir), [corpus], rebuild=True, workers=1)
    assert report.documents == len(DOCUMENTS), report
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def search(client, q: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(body: dict) -> list[str]:
    return [result["id"].rsplit("/", 1)[-1] for result in body["results"]]


@pytest.mark.parametrize("q", ["bikes for the people", "Bikes for the People", "bike people"])
def test_a_query_equal_to_a_title_ranks_that_document_first(client, q):
    body = search(client, q, explain=1)
    assert ids(body)[0] == "bikes-for-the-people"
    kinds = {part["kind"] for part in body["results"][0]["explain"]["parts"]}
    assert {"title equal", "title match"} <= kinds


def test_without_the_title_boosts_bm25f_alone_ranks_it_lower(client):
    """The fixture is a real test: the repeated words outscore the title on BM25F alone."""
    body = search(client, "bikes for the people", explain=1)
    base = {
        result["id"]: sum(part["value"] for part in result["explain"]["parts"] if part["kind"] == "bm25f")
        for result in body["results"]
    }
    title_doc = body["results"][0]["id"]
    assert base[title_doc] < max(base.values())


def test_a_query_equal_to_an_organization_ranks_it_first(client):
    assert ids(search(client, "story lanterns"))[0] == "org"


def test_words_standing_together_rank_above_the_same_words_scattered(client):
    body = search(client, "after school program", explain=1)
    order = ids(body)
    assert order.index("phrase") < order.index("scattered")
    parts = {result["id"].rsplit("/", 1)[-1]: result["explain"]["parts"] for result in body["results"]}
    assert any(part["kind"] == "phrase" for part in parts["phrase"])
    assert not any(part["kind"] == "phrase" for part in parts["scattered"])
    base = {doc: sum(p["value"] for p in doc_parts if p["kind"] == "bm25f") for doc, doc_parts in parts.items()}
    assert base["phrase"] == pytest.approx(base["scattered"])  # BM25F alone cannot tell them apart


EXPLAINED = [
    "bikes for the people", "after school program", "bike OR lanterns", '"after school" -lunch', "bik*",
    "story lanterns", "story&lantern", "(bike people) OR lanterns",
]


@pytest.mark.parametrize(
    "which, q",
    [("client", q) for q in EXPLAINED]
    + [("archive_client", q) for q in [*EXPLAINED, "tree planting", "garden&keepers", "(tree planting) OR keepers"]],
)
def test_explain_parts_add_up_to_the_score(request, which, q):
    """Over proposals alone and beside an organization (whose prior is a part too); a
    joined word inside an OR lists only the fields where it matches as a whole."""
    body = search(request.getfixturevalue(which), q, explain=1)
    assert body["results"]
    for result in body["results"]:
        parts = result["explain"]["parts"]
        assert parts and all({"kind", "field", "terms", "value"} <= part.keys() for part in parts)
        assert sum(part["value"] for part in parts) == pytest.approx(result["score"], abs=1e-3)
        assert result["explain"]["score"] == pytest.approx(result["score"], abs=1e-3)


def test_explain_is_left_out_unless_asked(client):
    assert all("explain" not in result for result in search(client, "bike")["results"])
    assert all("explain" not in result for result in search(client, "bike", explain=0)["results"])


def test_an_exact_archive_title_ranks_first(index_dir):
    """Real proposals: a short title whose words are common elsewhere."""
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    titles = {}
    for q in ("community", "youth", "arts"):
        for result in search(client, q, per_page=100)["results"]:
            if result["kind"] == "proposal" and 2 <= len(result["title"].split()) <= 4:
                titles.setdefault(result["title"], result["id"])
    assert len(titles) >= 5
    for title, doc_id in list(titles.items())[:15]:
        same = {r["id"] for r in search(client, title, per_page=10)["results"] if r["title"].casefold() == title.casefold()}
        top = search(client, title, per_page=1)["results"][0]
        assert top["id"] in same | {doc_id}, title


ORGANIZATION = """\
---
published: true
organization_id: '9001'
title: Garden Keepers
org_type: Nonprofit
org_summary: Urban tree planting and tree care.
project_ids:
  - '9001001'
---
"""


@pytest.fixture(scope="module")
def archive_client(tmp_path_factory):
    """An organization beside its proposal and another organization's proposal on the same topic."""
    corpus = tmp_path_factory.mktemp("prior-corpus")
    (corpus / "_organizations").mkdir()
    (corpus / "_organizations" / "garden-keepers.md").write_text(ORGANIZATION, encoding="utf-8")
    folder = corpus / "_projects" / "2016"
    folder.mkdir(parents=True)
    planting = proposal("shade-for-pacoima", "Shade for Pacoima", "Neighbours plant street trees.",
                        "Tree planting days every month; each tree gets a keeper.", organization="Garden Keepers")
    own_id = f"project_id: '{abs(hash(planting[0])) % 10_000_000}'"
    assert own_id in planting[1]
    planting = (planting[0], planting[1].replace(own_id, "project_id: '9001001'"))
    aside = proposal("aside", "Library visits", "Story time for toddlers.", "Twice a year an after school program visits.")
    for slug, text in [planting, aside, *DOCUMENTS]:
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("prior-index")
    index_paths(IndexStore(index_dir), [corpus], rebuild=True, workers=1)
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def test_a_topic_ranks_the_work_above_the_organization_restating_it(archive_client):
    fused = [result["id"] for result in search(archive_client, "tree planting")["results"]]
    assert fused.index("proposal/2016/shade-for-pacoima") < fused.index("organization/garden-keepers")
    body = search(archive_client, "tree planting", explain=1, semantic=0)  # the words' parts alone
    order = [result["id"] for result in body["results"]]
    assert order.index("proposal/2016/shade-for-pacoima") < order.index("organization/garden-keepers")
    parts = {result["id"]: result["explain"]["parts"] for result in body["results"]}
    prior = [part for part in parts["organization/garden-keepers"] if part["kind"] == "organization prior"]
    assert len(prior) == 1 and prior[0]["value"] < 0
    assert not any(part["kind"] == "organization prior" for part in parts["proposal/2016/shade-for-pacoima"])
    # The fixture is a real test: without the prior, the short organization document wins.
    without_prior = sum(part["value"] for part in parts["organization/garden-keepers"] if part is not prior[0])
    assert without_prior > body["results"][order.index("proposal/2016/shade-for-pacoima")]["score"]


@pytest.mark.parametrize("q", ["garden keepers", "Garden Keepers", "keepers garden"])
def test_an_organization_asked_by_name_still_ranks_first(archive_client, q):
    assert search(archive_client, q)["results"][0]["id"] == "organization/garden-keepers"


@pytest.mark.parametrize("q", ['org:"garden keepers"', 'title:"Garden Keepers"', "org:keepers org:garden"])
def test_an_organization_asked_by_name_in_a_field_has_no_prior(archive_client, q):
    """org:"…" asks for the organization by name as much as plain words do: its own
    document is not scaled below the proposals that name it (before, 0.6 of their score)."""
    results = {result["id"]: result for result in search(archive_client, q, explain=1)["results"]}
    own = results["organization/garden-keepers"]
    assert "organization prior" not in {part["kind"] for part in own["explain"]["parts"]}
    assert own["score"] == max(result["score"] for result in results.values())


def test_the_parts_of_a_joined_word_count_as_the_name(archive_client):
    """home&community searches its parts in one field; a name spelled so is still asked for."""
    body = search(archive_client, "garden&keepers", explain=1)
    assert body["results"][0]["id"] == "organization/garden-keepers"
    assert "title equal" in {part["kind"] for part in body["results"][0]["explain"]["parts"]}


def test_words_together_in_the_heading_outweigh_words_together_in_the_answers(archive_client):
    """A phrase in a summary says what the proposal is about; in an answer it is often an aside."""
    body = search(archive_client, "after school program", explain=1)
    parts = {result["id"].rsplit("/", 1)[-1]: result["explain"]["parts"] for result in body["results"]}
    (in_heading,) = [part for part in parts["phrase"] if part["kind"] == "phrase"]
    (in_answers,) = [part for part in parts["aside"] if part["kind"] == "phrase"]
    assert (in_heading["field"], in_answers["field"]) == ("heading", "body")
    assert in_heading["value"] > 5 * in_answers["value"] > 0


def test_one_word_of_a_longer_name_is_a_topic_not_the_name(archive_client):
    """"arts" would otherwise spare Ryman Arts, Free Arts, Arts for LA... from the prior."""
    parts = {r["id"]: r["explain"]["parts"] for r in search(archive_client, "keepers", explain=1)["results"]}
    assert any(part["kind"] == "organization prior" for part in parts["organization/garden-keepers"])
