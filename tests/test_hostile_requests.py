"""Requests an attacker would send, each once a 5xx or a leak (issue 25), now a clean answer.

url_for's reserved arguments, a word longer than a snippet window, control and bidi
characters in every parameter and in document text, numbers written with other digits,
settings of the wrong type, the Host header and the 503 page. Each test names its finding.
"""

from __future__ import annotations

import json
import re
import logging
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from index_format.visible_text import has_invisible_controls
from index_store import FACETS, IndexStore
from indexer.pipeline import index_paths
from search_app import InvalidSetting, create_app
from search_app.state import live_index

RESERVED = ("endpoint", "_anchor", "_method", "_scheme", "_external")
PAGES = ("/", "/matrix", "/map", "/partners", "/api/search", "/api/matrix", "/api/map", "/api/export", "/api/partners")
LONG_WORD = "supercalifragilistic" * 8  # 160 letters
UNSEEN = "\x00\x1b[31m\x9b\u202e\u2066"  # NUL, an ESC sequence, C1 CSI, RLO, LRI


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("name", RESERVED)
def test_url_for_reserved_arguments_are_ignored(client, path, name):
    response = client.get(path, query_string={"q": "gardens", "text": "school gardens for children", name: "1"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert name not in response.get_data(as_text=True).split("<footer")[0] or path.startswith("/api/export")


@pytest.fixture(scope="module")
def odd_index(tmp_path_factory) -> Path:
    """An index of proposals with a 160-letter word, YAML-escaped controls and bidi marks."""
    root = tmp_path_factory.mktemp("odd")
    folder = root / "proposals" / "2019"
    folder.mkdir(parents=True)
    long_word = textwrap.dedent(
        f"""\
        ---
        project_id: '9100001'
        year_submitted: 2019
        category: learn
        title: Long words
        organization_name: Wordy
        What does your organization do?: We say {LONG_WORD} to every school garden.
        ---
        """
    )
    (folder / "long-word.md").write_text(long_word, encoding="utf-8")
    escaped = textwrap.dedent(
        """\
        ---
        project_id: '9100002'
        year_submitted: 2019
        category: play
        title: "Escaped \\e[31mred\\e[0m and \\u202Egnidaer\\u202C title"
        organization_name: "Org \\x9b2J \\u2066name\\u2069"
        In which areas of Los Angeles will you be directly working?:
          - "South LA\\e]52;c;ZWNobyBoaQ==\\a"
        What does your organization do?: "Gardens \\x00 and \\u202Ereversed\\u202C text."
        ---
        """
    )
    (folder / "escaped.md").write_text(escaped, encoding="utf-8")
    directory = root / "index"
    report = index_paths(IndexStore(directory), [root], rebuild=True)
    assert report.documents == 2, report
    return directory


@pytest.fixture(scope="module")
def odd_client(odd_index):
    app = create_app({"INDEX_DIR": str(odd_index), "TESTING": True})
    yield app.test_client()
    with app.app_context():
        live_index().close()


def test_a_word_longer_than_a_snippet_window_is_found_and_shown(odd_client):
    for path in ("/api/search", "/"):
        response = odd_client.get(path, query_string={"q": LONG_WORD})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = odd_client.get("/api/search", query_string={"q": LONG_WORD}).get_json()
    assert body["total"] == 1 and LONG_WORD[:100] in body["results"][0]["snippet_html"]


def test_control_and_bidi_characters_of_documents_are_removed_at_indexing(odd_client):
    body = odd_client.get("/api/search", query_string={"per_page": 100}).get_json()
    shown = json.dumps(body, ensure_ascii=False)
    assert not has_invisible_controls(shown.replace("\n", "")), [c for c in shown if has_invisible_controls(c)]
    titles = {result["title"] for result in body["results"]}
    assert "Escaped [31mred[0m and gnidaer title" in titles
    for result in body["results"]:
        page = odd_client.get(f"/doc/{result['id']}").get_data(as_text=True)
        assert not has_invisible_controls(page.replace("\n", "").replace("\r", "").replace("\t", ""))


@pytest.mark.parametrize("name", ["q", "organization", *FACETS])
def test_control_and_bidi_characters_of_parameters_never_reach_a_page(client, name):
    for path in ("/", "/api/search", "/matrix", "/map"):
        response = client.get(path, query_string={name: f"x{UNSEEN}y", "q": f"gardens{UNSEEN}" if name != "q" else f"x{UNSEEN}y"})
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        text = response.get_data(as_text=True)
        assert not has_invisible_controls(text.replace("\n", "").replace("\r", "").replace("\t", "")), path


@pytest.mark.parametrize("value", ["１", "1_0", "٣", " 1_000", "+1_1"])
@pytest.mark.parametrize("name", ["page", "per_page"])
def test_numbers_in_other_digits_or_with_underscores_are_refused(client, name, value):
    response = client.get("/api/search", query_string={name: value})
    assert response.status_code == 400
    assert response.get_json()["error"] == f"{name} must be a whole number, not {value!r}"


def test_a_matrix_limit_in_other_digits_is_refused(client):
    assert client.get("/api/matrix", query_string={"limit": "１２"}).status_code == 400


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SEARCH_RESULTS_PER_PAGE", '"ten"', "SEARCH_RESULTS_PER_PAGE must be a whole number, not 'ten'"),
        ("SEARCH_MAX_PER_PAGE", "0", "SEARCH_MAX_PER_PAGE must be at least 1, not 0"),
        ("SEARCH_PER_PAGE_CHOICES", "10", "SEARCH_PER_PAGE_CHOICES must be a list of whole numbers"),
        ("SEARCH_REQUEST_BUDGET_MS", "true", "SEARCH_REQUEST_BUDGET_MS must be a whole number, not True"),
        ("SEARCH_BASE_URL", '"javascript:x"', "SEARCH_BASE_URL must be an http(s) URL"),
    ],
)
def test_a_setting_of_the_wrong_type_stops_the_app_naming_it(monkeypatch, index_dir, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidSetting, match=re.escape(message)):
        create_app({"INDEX_DIR": str(index_dir)})


def test_links_and_redirects_never_come_from_the_host_header(client):
    headers = {"Host": "evil.example"}
    beyond = client.get("/?q=gardens&page=9999", headers=headers)
    assert beyond.status_code == 302 and beyond.headers["Location"].startswith("/?")
    for path in ("/?q=gardens", "/api/search?q=gardens", "/doc/nope", "/api/export?format=json&q=gardens"):
        assert "evil.example" not in client.get(path, headers=headers).get_data(as_text=True), path


def test_absolute_links_come_from_the_configured_base_url(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "BASE_URL": "https://search.example.org/"})
    body = app.test_client().get("/api/export?format=json&q=gardens", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "https://search.example.org/doc/" in body and "evil.example" not in body


def test_the_503_page_says_the_search_is_unavailable_and_logs_the_details(tmp_path, caplog):
    hidden = tmp_path / "secret-index-location"
    client = create_app({"INDEX_DIR": str(hidden), "TESTING": True}).test_client()
    with caplog.at_level(logging.ERROR):
        for path in ("/?q=x", "/api/search?q=x", "/healthz"):
            response = client.get(path)
            assert response.status_code == 503
            text = response.get_data(as_text=True)
            assert "search is unavailable" in text.lower()
            assert "secret-index-location" not in text and "la2050-search" not in text and "index" not in text.lower().replace("search index", "")
    assert "secret-index-location" in caplog.text


def test_serve_stops_before_starting_when_a_setting_is_wrong(index_dir):
    from click.testing import CliRunner

    from la2050_search.cli import main

    result = CliRunner().invoke(
        main, ["serve", "--index-dir", str(index_dir), "--port", "0"], env={"SEARCH_RESULTS_PER_PAGE": '"ten"'}
    )
    assert result.exit_code == 1
    assert "Error: SEARCH_RESULTS_PER_PAGE must be a whole number, not 'ten'" in result.output
