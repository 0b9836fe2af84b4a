"""Test-client tests of the HTML pages, parsed with BeautifulSoup: what a reader sees and follows.

The JSON API is the reference: a page must show the same totals, results and counts as
`/api/search` for the same parameters, so expected values come from there.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

HOSTILE_TITLE = "<script>alert('title')</script> Gardens <img src=x onerror=alert(1)>"
SCRIPT_PATHS = ["/static/app.js", "/static/suggest.js"]  # our own scripts, linked by fingerprint (?v=)


# --- helpers ------------------------------------------------------------------------------


def get_page(client, url: str, status: int = 200, **params) -> BeautifulSoup:
    """Fetch an HTML page and parse it."""
    response = client.get(url, query_string=params or None)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def api(client, url: str = "/api/search", **params) -> dict:
    response = client.get(url, query_string=params or None)
    assert response.status_code == 200
    return response.get_json()


def shown_total(soup: BeautifulSoup) -> int:
    """The number in the result count line ("1,234 results")."""
    summary = soup.select_one("#result-count")
    assert summary is not None
    assert re.search(r"\bresults?\b", summary.get_text())
    return int(summary.strong.get_text().replace(",", ""))


def result_ids(soup: BeautifulSoup) -> list[str]:
    return [link["href"].removeprefix("/doc/") for link in soup.select("ol.results li.result h2 a")]


def query_of(href: str) -> dict[str, list[str]]:
    """The parameters of a link, parsed as the server will parse them."""
    parts = urlsplit(href)
    assert parts.path == "/" and not parts.netloc, href
    return parse_qs(parts.query)


def facet_checkboxes(soup: BeautifulSoup, facet: str) -> dict[str, dict]:
    """Facet value -> {count, checked, href} as the facet list shows them."""
    boxes = {}
    for item in soup.select(f"fieldset#facet-{facet} li"):
        checkbox = item.find("input", attrs={"type": "checkbox"})
        assert checkbox is not None and checkbox["name"] == facet
        label = soup.find("label", attrs={"for": checkbox["id"]})
        assert label is not None, f"checkbox {checkbox['id']} has no label"
        boxes[checkbox["value"]] = {
            "count": int(label.select_one(".count").get_text()),
            "checked": checkbox.has_attr("checked"),
            "href": label.a["href"],
        }
    return boxes


def assert_inert(soup: BeautifulSoup) -> None:
    """No document content became markup: only our own script, no handlers, no javascript: links."""
    scripts = soup.find_all("script")
    assert [script.get("src", "").split("?v=")[0] for script in scripts] == SCRIPT_PATHS
    assert all(not script.string for script in scripts)
    for element in soup.find_all(True):
        handlers = [name for name in element.attrs if name.lower().startswith("on")]
        assert not handlers, f"<{element.name}> has {handlers}"
        for name in ("href", "src", "action", "formaction"):
            value = element.get(name)
            if isinstance(value, str):
                assert not re.sub(r"\s", "", value).lower().startswith(("javascript:", "data:", "vbscript:")), value
    assert soup.find("img") is None and soup.find("b") is None


@pytest.fixture(scope="module")
def hostile_id(app) -> str:
    """The id of the conftest's hostile proposal."""
    results = api(app.test_client(), q="org:evil")["results"]
    assert [result["title"] for result in results] == [HOSTILE_TITLE]
    return results[0]["id"]


# --- the search page ------------------------------------------------------------------------


def test_browsing_everything(client):
    """An empty search (the form submitted blank) browses every document, newest first."""
    soup = get_page(client, "/", q="")
    expected = api(client)
    assert shown_total(soup) == expected["total"]
    assert soup.select_one("form#search-form input#q")["value"] == ""
    assert result_ids(soup) == [result["id"] for result in expected["results"]]
    assert soup.select("ul.chips") == [] and soup.select(".suggestion") == []
    for facet in ("region", "metric", "goal", "year", "kind"):
        boxes = facet_checkboxes(soup, facet)
        assert {value: box["count"] for value, box in boxes.items()} == {
            item["value"]: item["count"] for item in expected["facets"][facet]["values"]
        }
        assert not any(box["checked"] for box in boxes.values())


def test_query_and_region(client):
    soup = get_page(client, "/", q="gardens", region="South LA")
    expected = api(client, q="gardens", region="South LA")
    assert shown_total(soup) == expected["total"] < api(client, q="gardens")["total"]
    assert "gardens" in soup.select_one("#result-count").get_text()
    assert soup.select_one("input#q")["value"] == "gardens"
    # The search form carries the selection along when the words change.
    assert [(i["name"], i["value"]) for i in soup.select("form#search-form input[type=hidden]")] == [("region", "South LA")]

    regions = facet_checkboxes(soup, "region")
    assert regions["South LA"]["checked"]
    assert [value for value, box in regions.items() if box["checked"]] == ["South LA"]
    assert {value: box["count"] for value, box in regions.items()} == {
        item["value"]: item["count"] for item in expected["facets"]["region"]["values"]
    }
    # A facet link toggles its value: off for the selected one, added for the others.
    assert query_of(regions["South LA"]["href"]) == {"q": ["gardens"]}
    assert query_of(regions["Westside"]["href"]) == {"q": ["gardens"], "region": ["South LA", "Westside"]}


def test_chips_remove_and_clear(client):
    soup = get_page(client, "/", q="food", region=["Westside", "South LA"], goal="live")
    chips = {chip.a.get_text(" ", strip=True).removesuffix(" ×"): chip.a["href"] for chip in soup.select("ul.chips li.chip")}
    assert set(chips) == {"Region: Westside", "Region: South LA", "Goal: live"}
    assert query_of(chips["Region: Westside"]) == {"q": ["food"], "region": ["South LA"], "goal": ["live"]}
    assert query_of(chips["Goal: live"]) == {"q": ["food"], "region": ["Westside", "South LA"]}

    clear = soup.select_one("ul.chips a.clear-all")
    assert clear.get_text(strip=True) == "Clear all"
    assert query_of(clear["href"]) == {"q": ["food"]}

    after_removal = get_page(client, chips["Goal: live"])
    assert shown_total(after_removal) == api(client, q="food", region=["Westside", "South LA"])["total"]
    assert len(after_removal.select("ul.chips li.chip")) == 2
    cleared = get_page(client, clear["href"])
    assert shown_total(cleared) == api(client, q="food")["total"]
    assert cleared.select("ul.chips") == []


def test_clear_all_keeps_the_words_sort_and_page_size(client):
    soup = get_page(client, "/", q="food", region="Westside", sort="newest", per_page="5", page="2")
    assert query_of(soup.select_one("ul.chips a.clear-all")["href"]) == {"q": ["food"], "sort": ["newest"], "per_page": ["5"]}


def test_did_you_mean_link(client):
    soup = get_page(client, "/", q="gardns", region="South LA")
    link = soup.select_one(".suggestion a")
    assert link.get_text() == "gardens"
    assert query_of(link["href"]) == {"q": ["gardens"], "region": ["South LA"]}
    followed = get_page(client, link["href"])
    assert followed.select(".suggestion") == []
    assert shown_total(followed) == api(client, q="gardens", region="South LA")["total"]


def test_notes_are_shown(client):
    soup = get_page(client, "/", q='"unbalanced')
    notes = [note.get_text() for note in soup.select("p.note")]
    assert notes == api(client, q='"unbalanced')["notes"] and notes


def test_snippets_mark_the_matched_words(client):
    soup = get_page(client, "/", q="gardens")
    snippets = soup.select("ol.results li.result p.snippet")
    assert len(snippets) == 10
    marked = [mark.get_text() for snippet in snippets for mark in snippet.find_all("mark")]
    assert marked and all(word.lower().startswith("garden") for word in marked)
    # Only <mark> is markup inside a snippet.
    assert {tag.name for snippet in snippets for tag in snippet.find_all(True)} == {"mark"}


def test_pagination_links(client):
    total = api(client, q="school")["total"]
    first = get_page(client, "/", q="school", sort="title")
    nav = first.select_one("nav.pagination")
    assert nav.select_one("[aria-current=page]").get_text() == "1"
    assert nav.select_one("a[rel=prev]") is None
    assert f"of {-(-total // 10)}" in nav.select_one(".of").get_text()
    next_link = nav.select_one("a[rel=next]")
    assert query_of(next_link["href"]) == {"q": ["school"], "sort": ["title"], "page": ["2"]}

    second = get_page(client, next_link["href"])
    assert second.select_one("nav.pagination [aria-current=page]").get_text() == "2"
    assert second.select_one("ol.results")["start"] == "11"
    assert result_ids(second) == [r["id"] for r in api(client, q="school", sort="title", page=2)["results"]]
    assert not set(result_ids(first)) & set(result_ids(second))
    prev_link = second.select_one("nav.pagination a[rel=prev]")
    assert query_of(prev_link["href"]) == {"q": ["school"], "sort": ["title"]}
    numbered = {a.get_text(): query_of(a["href"]) for a in second.select("nav.pagination a:not([rel])")}
    assert numbered["3"]["page"] == ["3"]


def test_one_page_has_no_pagination(client):
    soup = get_page(client, "/", q="org:evil")
    assert shown_total(soup) == 1
    assert "1 result" in soup.select_one("#result-count").get_text()
    assert soup.select("nav.pagination") == []


def test_no_results_offers_help(client):
    soup = get_page(client, "/", q="zzzqqqxxx", region="Westside")
    assert shown_total(soup) == 0
    empty = soup.select_one("div.empty")
    assert empty is not None and "zzzqqqxxx" in empty.get_text()
    assert any(query_of(a["href"]) == {"q": ["zzzqqqxxx"]} for a in empty.find_all("a"))


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "gardens"},
        {"q": "food", "region": ["Westside", "Antelope Valley"], "sort": "newest"},
        {"q": "food", "group": "organization"},
        {"q": "school", "page": "3", "per_page": "20"},
        {"q": "gardns"},
        {"q": "region:sfv year:2016"},
        {"goal": "play", "kind": "proposal"},
    ],
)
def test_page_and_json_agree(client, params):
    soup = get_page(client, "/", **params)
    expected = api(client, **params)
    assert shown_total(soup) == expected["total"]
    assert result_ids(soup) == [result["id"] for result in expected["results"]]
    alternate = soup.find("link", rel="alternate", type="application/json")
    assert api(client, alternate["href"])["total"] == expected["total"]


# --- the document page ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def proposal(app) -> dict:
    """A real proposal with sections, regions, metrics and similar proposals (found once)."""
    client = app.test_client()
    for result in api(client, q="community garden", kind="proposal", year="2016")["results"]:
        doc = api(client, "/api/doc/" + result["id"])
        if doc["sections"] and doc["regions"] and doc["metrics"] and doc["similar"] and doc["goal"]:
            return doc
    pytest.fail("no complete proposal in the test corpus")


def test_document_sections(client, proposal):
    soup = get_page(client, proposal["url"])
    main = soup.select_one("main.document")
    assert main.h1.get_text() == proposal["title"]
    sections = [section for section in main.find_all("section") if not {"similar", "partners"} & set(section.get("class", []))]
    assert [section.h2.get_text() for section in sections] == [s["question"] for s in proposal["sections"]]
    for section, expected in zip(sections, proposal["sections"]):
        paragraphs = [p.get_text() for p in section.find_all("p")]
        assert paragraphs == expected["answer"].split("\n\n")


def test_document_facet_links(client, proposal):
    soup = get_page(client, proposal["url"])
    facts = soup.select_one("dl.facts")
    links = {a.get_text(): query_of(a["href"]) for a in facts.find_all("a") if a["href"].startswith("/?")}
    for region in proposal["regions"]:
        assert links[region] == {"region": [region]}
    for metric in proposal["metrics"]:
        assert links[metric] == {"metric": [metric]}
    assert links[proposal["goal"].capitalize()] == {"goal": [proposal["goal"]]}
    assert links[str(proposal["year"])] == {"year": [str(proposal["year"])]}
    # Following a facet link finds a search that includes this document.
    region_page = get_page(client, "/", region=proposal["regions"][0], q=f'title:"{proposal["title"]}"')
    assert proposal["id"] in result_ids(region_page)
    org_page = get_page(client, facts.find("a", string=proposal["organization"])["href"])
    assert proposal["id"] in result_ids(org_page)


def test_similar_proposals(client, proposal):
    soup = get_page(client, proposal["url"])
    similar = soup.select_one("section.similar")
    assert similar.h2.get_text() == "Similar proposals"
    hrefs = [a["href"] for a in similar.find_all("a")]
    assert [urlsplit(href).path for href in hrefs] == [item["url"] for item in proposal["similar"]]
    assert proposal["url"] not in [urlsplit(href).path for href in hrefs]
    assert get_page(client, hrefs[0]).select_one("main.document h1").get_text() == proposal["similar"][0]["title"]


def test_article_page_shows_its_text(client):
    article = api(client, kind="article", q="fridges")["results"][0]
    soup = get_page(client, article["url"])
    text = soup.select_one("section.article-text")
    assert text is not None and text.find("p") is not None
    assert soup.select_one("main.document h1").get_text() == article["title"]


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "heading", "message"),
    [
        ("/doc/proposal/2019/no-such-proposal", 404, "Not found", "no-such-proposal"),
        ("/no/such/page", 404, "Not found", "not found"),
        ("/?page=abc", 400, "Something is not right", "page"),
        ("/?page=0", 400, "Something is not right", "page"),
        ("/?per_page=1000", 400, "Something is not right", "per_page"),
        ("/?sort=bogus", 400, "Something is not right", "sort"),
        ("/?q=" + "a" * 501, 400, "Something is not right", "limit"),
    ],
)
def test_error_pages(client, url, status, heading, message):
    soup = get_page(client, url, status)
    assert soup.select_one("main h1").get_text() == heading
    alert = soup.select_one("[role=alert]")
    assert message.lower() in alert.get_text().lower()
    assert soup.select_one("main a")["href"] == "/"


def test_a_page_beyond_the_last_redirects_to_the_last(client):
    last = api(client, q="food", region="South LA")["pages"]
    assert last > 1
    response = client.get("/", query_string={"q": "food", "region": "South LA", "page": 999})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"q": ["food"], "region": ["South LA"], "page": [str(last)]}
    nothing = client.get("/", query_string={"q": "qqzzxxvv", "page": 2})  # one (empty) page
    assert nothing.status_code == 302 and nothing.headers["Location"] == "/?q=qqzzxxvv"


def test_post_to_a_page_is_refused(client):
    response = client.post("/", data={"q": "x"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("[role=alert]") is not None


# --- escaping -----------------------------------------------------------------------------------


def test_hostile_proposal_is_inert_in_results(client, hostile_id):
    soup = get_page(client, "/", q="gardens", per_page="50")
    assert_inert(soup)
    link = soup.find("a", href="/doc/" + hostile_id)
    assert link is not None
    assert link.get_text() == HOSTILE_TITLE  # shown as text, with the matched word marked
    assert [mark.get_text() for mark in link.find_all("mark")] == ["Gardens"]
    result = link.find_parent("li")
    assert result.select_one(".org").get_text() == "<b>Evil</b> Org"
    assert result.select_one(".snippet mark") is not None


def test_hostile_proposal_is_inert_on_its_page(client, hostile_id):
    soup = get_page(client, "/doc/" + hostile_id)
    assert_inert(soup)
    assert soup.title.get_text().startswith(HOSTILE_TITLE)
    assert soup.select_one("main.document h1").get_text() == HOSTILE_TITLE
    text = soup.select_one("main.document").get_text()
    assert "javascript:" not in text  # the challenge_url is dropped, neither link nor text
    assert "Original" not in [dt.get_text() for dt in soup.select("dl.facts dt")]
    assert api(client, "/api/doc/" + hostile_id)["source_url"] == ""
    # Links built from the hostile organisation name carry it as data only.
    org_link = soup.select_one("dl.facts").find("a", string="<b>Evil</b> Org")
    assert query_of(org_link["href"]) == {"q": ['org:"<b>Evil</b> Org"']}
    assert hostile_id in result_ids(get_page(client, org_link["href"]))


@pytest.mark.parametrize(
    "url",
    [
        "/?q=<script>alert(1)</script>",
        '/?q="><img src=x onerror=alert(1)>',
        "/?q=gardens&region=<script>alert(1)</script>",
        "/?q=javascript:alert(1)",
        "/doc/<script>alert(1)</script>",
    ],
)
def test_user_input_is_inert(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_inert(BeautifulSoup(response.get_data(as_text=True), "html.parser"))


# --- headers ------------------------------------------------------------------------------------


def content_security_policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/?q=gardens&region=South+LA", 200),
        ("/doc/proposal/2019/hostile-gardens", 200),
        ("/doc/nope", 404),
        ("/?page=abc", 400),
        ("/api/search?q=gardens", 200),
        ("/api/doc/nope", 404),
        ("/healthz", 200),
        ("/static/app.js", 200),
    ],
)
def test_security_headers(client, url, status, hostile_id):
    with client.get(url.replace("proposal/2019/hostile-gardens", hostile_id)) as response:  # closes the static file
        assert response.status_code == status
        policy = content_security_policy(response.headers["Content-Security-Policy"])
        script_sources = policy.get("script-src", policy.get("default-src"))
        assert script_sources, policy
        assert "'unsafe-inline'" not in script_sources and "'unsafe-eval'" not in script_sources
        assert "*" not in script_sources
        assert policy.get("object-src") == ["'none'"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]
        assert response.headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN") or policy.get("frame-ancestors")


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("http://localhost/?q=gardens&region=South+LA", "/?q=gardens&region=South+LA"),
        ("http://localhost/", "/"),
        ("http://evil.example/?q=x", "/"),  # another site: never linked back to
        ("http://localhost/doc/other", "/"),
        (None, "/"),
    ],
)
def test_document_page_links_back_to_the_results_it_came_from(client, referrer, expected):
    doc_id = client.get("/api/search", query_string={"q": "gardens"}).get_json()["results"][0]["id"]
    headers = {"Referer": referrer} if referrer else {}
    page = BeautifulSoup(client.get(f"/doc/{doc_id}", headers=headers).data, "html.parser")
    assert page.select_one("a.back")["href"] == expected


@pytest.mark.parametrize(
    ("back", "expected"),
    [
        ("/?q=gardens&region=South+LA", "/?q=gardens&region=South+LA"),
        ("//evil.example/?q=x", "/"),
        ("http://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/doc/other", "/"),
    ],
)
def test_similar_proposals_keep_the_way_back_to_the_results(client, back, expected):
    """A similar proposal's page is reached from a document page, not from the results."""
    doc_id = client.get("/api/search", query_string={"q": "gardens", "kind": "proposal"}).get_json()["results"][0]["id"]
    page = BeautifulSoup(client.get(f"/doc/{doc_id}", query_string={"back": back}).data, "html.parser")
    assert page.select_one("a.back")["href"] == expected
    similar = page.select_one("section.similar a")
    assert parse_qs(urlsplit(similar["href"]).query) == {"back": [expected]}
    followed = BeautifulSoup(client.get(similar["href"]).data, "html.parser")
    assert followed.select_one("a.back")["href"] == expected


def test_filters_follow_the_results_in_the_page(client):
    """Results first in reading and tab order (a phone shows one column); a link jumps to the filters."""
    soup = get_page(client, "/", q="gardens")
    layout = soup.select_one("div.layout")
    assert [child.name for child in layout.find_all(recursive=False)] == ["main", "aside"]
    assert soup.select_one("main .to-filters a")["href"] == "#facet-form"
    assert soup.select_one("#facet-form") is not None
    assert all(form.get("autocomplete") == "off" for form in soup.select("form"))
