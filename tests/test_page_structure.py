"""What a screen reader and a phone reader find on each page, through the test client: one
h1, titles naming the search, the error under its h1, the sort named for what it does,
a document's sections linked from its top, the combobox left to JavaScript, the API docs."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from search_app.openapi import openapi_document


def soup_of(client, url: str, status: int = 200, **params) -> BeautifulSoup:
    response = client.get(url, query_string=params or None)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.mark.parametrize(
    "params, heading, title",
    [
        ({"q": "food"}, "Results: “food”", "“food” – LA2050 Ideas Archive search"),
        ({"q": "food", "region": "sfv", "year": "2016"}, "Results: “food” · Region: San Fernando Valley, Year: 2016",
         "“food” · Region: San Fernando Valley, Year: 2016 – LA2050 Ideas Archive search"),
        ({"q": "qqzzxxvvq"}, "Results: “qqzzxxvvq”", "“qqzzxxvvq” – LA2050 Ideas Archive search"),
        ({"q": "", "goal": "learn"}, "Results: Goal: learn", "Goal: learn – LA2050 Ideas Archive search"),
        ({"q": ""}, "Every document", "LA2050 Ideas Archive search"),
    ],
)  # fmt: skip
def test_a_results_page_has_one_h1_and_a_title_naming_the_search(client, params, heading, title):
    soup = soup_of(client, "/", **params)
    assert [h1.get_text(" ", strip=True) for h1 in soup.select("h1")] == [heading]
    assert soup.select_one("main h1") is not None
    assert soup.title.get_text() == title


def test_hostile_words_in_a_title_stay_text(client):
    soup = soup_of(client, "/", q="<script>alert(1)</script>")
    assert soup.select("script:not([src])") == []
    assert "<script>alert(1)</script>" in soup.title.get_text()


@pytest.mark.parametrize("url, status", [("/doc/nowhere", 404), ("/?q=food&page=zero", 400), ("/matrix?rows=year&cols=year", 400)])
def test_the_error_message_is_under_the_h1_inside_main(client, url, status):
    soup = soup_of(client, url, status)
    main = soup.select_one("main#main")
    heading, message = main.select_one("h1"), main.select_one("p.error[role=alert]")
    assert heading is not None and message is not None and message.get_text().strip()
    assert heading.find_next("p") is message  # the message comes right after the h1
    assert soup.select("body > p.error") == []


@pytest.mark.parametrize(
    "params, options, chosen",
    [
        ({"q": "food"}, ["Relevance", "Newest first", "Oldest first", "Title A–Z"], "Relevance"),
        ({"q": "", "region": "South LA"}, ["Newest first", "Oldest first", "Title A–Z"], "Newest first"),
        ({"q": "", "sort": "newest"}, ["Newest first", "Newest first", "Oldest first", "Title A–Z"], "Newest first"),
    ],
)
def test_the_sort_control_says_what_the_order_is(client, params, options, chosen):
    select = soup_of(client, "/", **params).select_one("select#sort")
    assert [option.get_text() for option in select.select("option")] == options
    assert select.select_one("option[selected]").get_text() == chosen


def test_without_words_the_default_order_is_indeed_newest_first(client):
    default = client.get("/api/search", query_string={"region": "South LA", "per_page": 20}).get_json()["results"]
    newest = client.get("/api/search", query_string={"region": "South LA", "per_page": 20, "sort": "newest"}).get_json()["results"]
    assert [r["id"] for r in default] == [r["id"] for r in newest]


def test_a_document_links_to_its_sections_from_the_top(client):
    doc_id = client.get("/api/search", query_string={"q": "community garden", "kind": "proposal"}).get_json()["results"][0]["id"]
    soup = soup_of(client, "/doc/" + doc_id)
    nav = soup.select_one("main nav[aria-label='On this page']")
    assert nav is not None and nav.find_previous("h1") is not None
    links = {a.get_text(): a["href"] for a in nav.select("a")}
    assert links["Similar proposals"] == "#similar" and soup.select_one("section#similar h2").get_text() == "Similar proposals"
    if "Who else works on this" in links:
        assert soup.select_one(links["Who else works on this"]) is not None


def test_the_search_box_is_a_plain_form_without_javascript(client):
    for url in ("/", "/?q=food"):
        soup = soup_of(client, url)
        box = soup.select_one("form#search-form input#q")
        assert box["type"] == "search" and box["name"] == "q" and not box.has_attr("role")
        assert soup.select_one("#q-suggestions") is None  # the list is made by suggest.js
        assert any("suggest.js" in script["src"] for script in soup.select("script[src]"))


def test_the_api_docs_page_documents_every_endpoint_with_a_real_example(client):
    soup = soup_of(client, "/docs")
    assert [h1.get_text() for h1 in soup.select("h1")] == ["LA2050 Ideas Archive search API"]
    document = openapi_document()
    sections = soup.select("section.endpoint")
    assert [s.select_one("h2").get_text() for s in sections] == [f"GET {path}" for path in document["paths"]]
    for section, (path, operations) in zip(sections, document["paths"].items()):
        names = [th.code.get_text() for th in section.select("table.parameters tbody th")]
        assert names == [p["name"] for p in operations["get"].get("parameters", [])]
        example = section.select_one(".example-request a")["href"]
        answer = client.get(example)
        assert answer.status_code == 200, example
        shown = section.select_one("pre.example-response").get_text()
        if answer.mimetype == "application/json":  # the real answer's keys, in its order
            top_keys = [line.split('"')[1] for line in shown.splitlines() if line.startswith('  "')]
            assert top_keys and top_keys == list(answer.get_json())[: len(top_keys)]
        else:
            assert shown.splitlines()[0] == answer.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert soup.select_one("footer a[href='/docs']") is not None
