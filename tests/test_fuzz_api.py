"""Property-based requests: whatever the parameters, never a 5xx, always the error contract.

Hypothesis builds query strings from every parameter `/api/search` and `/` read, unknown
and repeated ones, any text (control characters included, surrogates excluded, since a
URL cannot carry them), very long values, and numbers far outside their range; document
ids carry `../`, slashes and controls. Schemathesis then generates requests from
`/api/openapi.json` and checks that every response conforms to the published schema.
Both run against the WSGI app in-process (no network), over the conftest's real index.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import pytest
import schemathesis
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index_format.visible_text import has_invisible_controls
from index_store import FACETS
from indexer.documents import SkipDocument
from indexer.sources import SourceFile, parse_bytes
from search_app.openapi import openapi_document
from engine.query import analyse
from engine.snippets import Highlighter
from servers import assert_security_headers

# Every parameter a search view reads, every facet, the matrix's, and url_for's reserved names.
KNOWN = ["q", "sort", "page", "per_page", "explain", "group", "organization", "rows", "cols", "limit", "format", "text",
         *FACETS, "endpoint", "_anchor", "_method", "_scheme", "_external"]  # fmt: skip
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
long_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=450, max_size=1200)
numbers = st.integers(min_value=-(10**40), max_value=10**40).map(str)
words = st.sampled_from(["gardens", "food", "youth", "south la", "art*", '"community college"', "-school",
                         "year:2016..2019", "region:westside", "org:\"", "(", "OR", "*", "../.."])  # fmt: skip
values = st.one_of(any_text, long_text, numbers, words, st.sampled_from(["relevance", "title", "1", "100", "101", ""]))
names = st.one_of(st.sampled_from(KNOWN), any_text)
query = st.lists(st.tuples(names, values), max_size=12)  # repeated and unknown parameters included


@pytest.fixture(scope="module")
def fuzz_app(app):
    """The session's app: fuzzed requests only read the index."""
    return app


def is_canonical_redirect(response) -> bool:
    """Werkzeug redirects `/doc//x` to `/doc/x` (merged slashes): fine if it stays on this site."""
    if response.status_code != 308:
        return False
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc) in (("", ""), ("http", "localhost")), location
    assert_security_headers(response.headers)
    return True


def assert_api_answer(response) -> None:
    """A JSON success, or the JSON error contract with a 4xx status; never a 5xx."""
    if is_canonical_redirect(response):
        return
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 200:
        assert body["ok"] is True
    else:
        assert 400 <= response.status_code < 500
        assert body["ok"] is False and body["status"] == response.status_code
        assert isinstance(body["error"], str) and body["error"] and body["errors"] == [body["error"]]
    assert_security_headers(response.headers)


def is_last_page_redirect(response) -> bool:
    """A page past the end redirects to the same search's last page, on this site."""
    if response.status_code != 302:
        return False
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) in (("", "", "/"), ("http", "localhost", "/")), location
    assert_security_headers(response.headers)
    return True


def assert_page_answer(response) -> None:
    """An HTML page, or a proper 4xx page that says what went wrong; never a 5xx."""
    if is_canonical_redirect(response) or is_last_page_redirect(response):
        return
    assert response.status_code in (200, 400, 404), response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    if response.status_code != 200:  # parsed only here: a results page takes ~10 ms to parse
        alert = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("p.error[role=alert]")
        assert alert is not None and alert.get_text().strip()
    assert_security_headers(response.headers)


@FUZZ
@given(params=query)
def test_api_search_never_fails(fuzz_app, params):
    with fuzz_app.test_client() as client:
        assert_api_answer(client.get("/api/search", query_string=params))


@FUZZ
@given(params=query)
def test_search_page_never_fails(fuzz_app, params):
    with fuzz_app.test_client() as client:
        assert_page_answer(client.get("/", query_string=params))


@FUZZ
@given(params=query, path=st.sampled_from(["/matrix", "/map", "/partners", "/api/matrix", "/api/map", "/api/export", "/api/partners"]))
def test_matrix_map_and_export_never_fail(fuzz_app, params, path):
    with fuzz_app.test_client() as client:
        response = client.get(path, query_string=params)
        if path.startswith("/api/"):
            if response.status_code == 200 and path == "/api/export":
                return  # CSV or NDJSON: test_export.py reads them
            assert_api_answer(response)
        else:
            assert_page_answer(response)


@FUZZ
@given(title=any_text.filter(str.strip), answer=st.one_of(any_text, long_text), word=st.text("abcdefghij", min_size=1, max_size=200))
def test_any_document_text_indexes_and_shows_without_controls(tmp_path_factory, title, answer, word):
    """Whatever a document's title and answers hold (controls, bidi marks, a word of 200
    letters), parsing keeps no invisible character and its snippet renders."""
    folder = tmp_path_factory.mktemp("text") / "proposals" / "2019"
    folder.mkdir(parents=True)
    front = {"project_id": "1", "year_submitted": 2019, "title": title, "What does your organization do?": f"{answer} {word} end"}
    path = folder / "one.md"
    path.write_text("---\n" + json.dumps(front) + "\n---\n", encoding="utf-8")
    # parse_bytes, not parse_source: the vector parse_source adds is another matter (see the report of issue 25).
    try:
        document = parse_bytes(SourceFile(str(path), "proposals/2019/one.md"), path.read_bytes())
    except SkipDocument:
        return  # a title of only invisible characters: skipped with a reason
    for text in (document.title, document.text, *(section.answer for section in document.sections)):
        assert not has_invisible_controls(text.replace("\n", "").replace("\t", "").replace("\r", ""))
    snippet = Highlighter(frozenset(analyse(word))).snippet(document.text, fragments=2, max_chars=300)
    assert not has_invisible_controls(str(snippet).replace("\n", "").replace("\t", "").replace("\r", ""))


doc_ids = st.one_of(
    any_text.filter(bool),
    st.lists(st.sampled_from(["..", ".", "proposal", "2019", "article", "%2e%2e", "etc", "passwd", "", "\x00", "é"]),
             min_size=1, max_size=8).map("/".join),
    st.sampled_from(["../../etc/passwd", "proposal/../../../etc/passwd", "..%2F..%2Fetc", "/etc/passwd", "a" * 5000]),
)  # fmt: skip


@FUZZ
@given(doc_id=doc_ids, params=query)
def test_document_pages_never_fail(fuzz_app, doc_id, params):
    path = quote(doc_id, safe="/")
    with fuzz_app.test_client() as client:
        assert_page_answer(client.get(f"/doc/{path}", query_string=params))
        assert_api_answer(client.get(f"/api/doc/{path}", query_string=params))


# --- schemathesis: responses conform to the published OpenAPI document --------------------


# The schema the app publishes (it needs no index); requests go to the app over the real index.
schema = schemathesis.openapi.from_dict(openapi_document())


def rejects_valid_data_only_beyond_the_last_page(ctx, response, case) -> None:
    """Schemathesis' positive-data check, less the one limit a schema cannot state.

    `page` may be anything up to 10,000 by the schema, but which pages exist depends on the
    documents: a page beyond the last is a 400 by design (the tests in test_hostile_input.py).
    """
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and response.status_code == 400:  # 404: unknown id
        error = response.json()["error"]
        # Nor that a matrix's rows and cols (each any facet) must differ, that share=year needs
        # year as an axis, which pages of the map's list exist, that group_count needs group, or
        # that a description needs a visible character.
        expected = {
            "/api/search": ("is beyond the last page",),
            "/api/matrix": ("must be two different facets", "share=year needs year as rows or cols"),
            "/api/map": ("list_page must be between 1 and",),
            "/api/export": ("is a column of grouped exports only",),
            "/api/partners": ("text is required",),  # text of spaces or control characters alone (removed)
        }
        assert any(part in error for part in expected.get(case.path, ())), f"valid request refused: {error}"


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_conforms_to_its_openapi_document(case, fuzz_app):
    """No 5xx, documented statuses and content types, responses valid against their schemas.

    Not schemathesis' negative-data check: a query string carries only text, so the
    "number" it sends for a string parameter (`region=0.0`) is a valid string, and empty
    `sort`, `page` or `per_page` mean the default by design. The limits themselves are
    tested directly in test_hostile_input.py.
    """
    case.call_and_validate(
        app=fuzz_app,
        headers={"Accept-Encoding": "identity"},  # the WSGI client does not decode brotli or gzip (tests/test_delivery.py does)
        excluded_checks=[schemathesis.checks.positive_data_acceptance, schemathesis.checks.negative_data_rejection],
        additional_checks=[rejects_valid_data_only_beyond_the_last_page],
    )
