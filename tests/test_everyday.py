"""Queries in people's own words: a question finds what its keywords find, contractions and
function words need not match, swim/swimming and cleanup/clean up match, form choices are
not the applicant's words, and places, years and outcomes named in words become filters."""

from __future__ import annotations

import textwrap

import pytest

from conftest import index_client


def proposal(slug: str, year: int, title: str, answer: str, *, regions=("South LA",), resources=()) -> tuple[str, str]:
    regions_yaml = "".join(f"\n  - {region}" for region in regions)
    resources_yaml = "".join(f"\n  - {resource}" for resource in resources) or " []"
    text = textwrap.dedent(
        f"""\
        ---
        published: true
        year_submitted: {year}
        category: live
        project_id: '{abs(hash(slug)) % 10_000_000}'
        organization_name: Org {slug}
        title: {title}
        project_summary: A program of ours.
        Which metrics will your submission impact?:
          - Obesity
        In which areas of Los Angeles will you be directly working?:{{regions}}
        How can the LA2050 community and other stakeholders help your proposal succeed?:{{resources}}
        What does your organization do?: >-
          {answer}
        ---
        """
    )
    return slug, text.replace("{regions}", regions_yaml).replace("{resources}", resources_yaml)


DOCUMENTS = [
    proposal("swim", 2019, "Pool days", "We give swimming lessons to children in Pacoima.", regions=("San Fernando Valley",)),
    proposal("cleanup", 2018, "River day", "A monthly cleanup of the river banks with neighbours."),
    proposal("after-school", 2019, "Safe evenings", "An afterschool program for teens in Watts."),
    proposal("murals", 2016, "Mural walls", "Painting murals with young artists.", resources=("Money (financial capital)",)),
    proposal("valley-jobs", 2016, "First paychecks", "Summer jobs for teenagers at local shops.", regions=("San Fernando Valley",)),
    proposal("city-jobs", 2019, "Paid internships", "Summer jobs for teenagers in city offices.", regions=("Central LA",)),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    files = {f"proposals/{text.split('year_submitted: ')[1][:4]}/{slug}.md": text for slug, text in DOCUMENTS}
    return index_client(tmp_path_factory, "everyday", files)


def search(client, q: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(body: dict) -> set[str]:
    return {result["id"].rsplit("/", 1)[-1] for result in body["results"]}


def most(body: dict) -> set[str]:
    """The documents holding most of the words: all of them, or those ranked above the fill."""
    held = [part["kind"] == "holds most words" for result in body["results"] for part in result.get("explain", {}).get("parts", [])]
    if not any(held):
        return ids(body)
    return {
        result["id"].rsplit("/", 1)[-1] for result in body["results"]
        if any(part["kind"] == "holds most words" for part in result["explain"]["parts"])
    }


def test_a_question_finds_what_its_keywords_find(client):
    question = search(client, "where can my kid get swimming lessons?")
    assert ids(question) == ids(search(client, "swimming lessons")) == {"swim"}
    assert {"where", "can", "my", "get"} <= set(question["query"]["left_out"])


@pytest.mark.parametrize("q", ["kids who can't swim", "children that don't swim", "what's swimming"])
def test_a_contraction_is_not_a_required_word(client, q):
    assert ids(search(client, q)) == {"swim"}


@pytest.mark.parametrize(("one", "other"), [("swim", "swimming"), ("cleanup", "clean up"), ("after school", "afterschool")])
def test_spellings_a_reader_takes_for_one_word_match_alike(client, one, other):
    assert ids(search(client, one)) == ids(search(client, other)) != set()


def test_a_query_of_function_words_only_still_answers(client):
    body = search(client, "what is this")
    assert body["ok"] and body["query"]["left_out"] == []  # nothing to read into it: taken as typed


def test_a_ticked_form_choice_does_not_make_a_proposal_match_free_text(client):
    assert ids(search(client, "money")) == set()  # "Money (financial capital)" was ticked, never written
    assert ids(search(client, "obesity")) == set()  # a metric ticked from the list
    assert search(client, "metric:obesity", per_page=50)["total"] == len(DOCUMENTS)  # the field still finds it
    assert ids(search(client, "murals region:south")) == {"murals"}


def test_a_year_alone_becomes_a_removable_filter(client):
    body = search(client, "2019")
    assert ids(body) == {"swim", "after-school", "city-jobs"}
    (chip,) = body["chips"]
    assert (chip["facet"], chip["value"], chip["from_words"]) == ("year", "2019", "2019")
    removed = client.get(chip["remove_url"].replace("/?", "/api/search?")).get_json()
    assert removed["chips"] == [] and removed["query"]["text"] == "2019"  # a word again


def test_a_year_beside_other_words_is_offered_it_may_belong_to_a_name(client):
    body = search(client, "summer jobs 2019")
    assert body["chips"] == [] and {"valley-jobs", "city-jobs"} <= ids(body)
    (offer,) = body["offered_filters"]
    assert (offer["facet"], offer["value"]) == ("year", "2019")
    assert ids(client.get(offer["apply_url"].replace("/?", "/api/search?")).get_json()) == {"city-jobs"}


def test_a_year_beside_an_outcome_is_applied():
    from engine.query import parse_query

    parsed = parse_query("2019 winners")
    assert (parsed.year_range, parsed.filters, parsed.text) == ((2019, 2019), {"outcome": {"Winner"}}, "")


def test_in_the_valley_offers_the_san_fernando_valley_filter_and_removing_it_unfilters(client):
    body = search(client, "summer jobs for teenagers in the Valley", explain=1)
    assert most(body) == {"valley-jobs", "city-jobs"}  # offered, not applied: the words are searched
    (offer,) = body["offered_filters"]
    assert (offer["value"], offer["from_words"]) == ("San Fernando Valley", "the Valley")
    applied = client.get(offer["apply_url"].replace("/?", "/api/search?")).get_json()
    assert ids(applied) == {"valley-jobs"}
    (chip,) = applied["chips"]
    assert chip["value"] == "San Fernando Valley"
    unfiltered = client.get(chip["remove_url"].replace("/?", "/api/search?") + "&explain=1").get_json()
    assert most(unfiltered) == {"valley-jobs", "city-jobs"}


def test_the_results_page_shows_the_offer_and_the_chip(client):
    page = client.get("/", query_string={"q": "swimming in Pacoima"}).get_data(as_text=True)
    assert "Region: San Fernando Valley</a> (from “Pacoima”)" in page
    page = client.get("/", query_string={"q": "2019"}).get_data(as_text=True)
    assert "Year: 2019 (from “2019”)" in page


def test_a_place_the_region_table_does_not_know_stays_a_word(client):
    body = search(client, "swimming in Atlantis")
    assert body["offered_filters"] == [] and body["query"]["text"] == "swimming Atlantis"
    assert any("any of them" in note for note in body["notes"])  # no document holds both words


@pytest.mark.parametrize("q", ["the of and", "?!.,;", "x" * 3 + " " + "long prose " * 40, "¿dónde puedo nadar?"])
def test_bad_input_gets_results_or_a_clear_note_never_an_error(client, q):
    body = search(client, q[:500])
    assert body["ok"]
    assert body["results"] or body["notes"] or body["total"] == 0


def test_an_unknown_as_words_value_is_refused(client):
    response = client.get("/api/search", query_string={"q": "x", "as_words": "planet"})
    assert response.status_code == 400


def test_a_question_whose_key_words_few_documents_hold_gets_a_full_page_strongest_first(client):
    """Three words that only one document holds most of: the others follow, and say why."""
    body = search(client, "swimming lessons for teenagers at shops", explain=1, semantic=0)
    assert any("hold most of your words" in note for note in body["notes"])
    assert len(body["results"]) > 1
    first, *rest = body["results"]
    assert "holds most words" in {part["kind"] for part in first["explain"]["parts"]}
    assert all(result["score"] < first["score"] for result in rest)
    for result in body["results"]:  # the parts add up to the score, filled or not
        assert sum(part["value"] for part in result["explain"]["parts"]) == pytest.approx(result["explain"]["score"])


@pytest.mark.parametrize("q", ["¿dónde puedo nadar?", "日本語の検索"])
def test_a_query_in_another_language_gets_a_note_when_nothing_matches(client, q):
    body = search(client, q)
    assert body["total"] == 0 and any("written in English" in note for note in body["notes"])


def test_punctuation_alone_browses_with_a_note(client):
    body = search(client, "?!.,;")
    assert body["total"] == len(DOCUMENTS) and "There are no words to search for: showing every document." in body["notes"]


def test_a_remembered_title_with_its_function_words_still_ranks_its_proposal_first(client):
    """"Where"/"do" need not match, but the title is measured with them: equal, and first."""
    body = search(client, "Safe evenings", explain=1)
    assert ids(body) and body["results"][0]["id"].endswith("/after-school")
    words = search(client, "where do safe evenings happen", explain=1)
    assert words["results"][0]["id"].endswith("/after-school")
