"""Snippets and title highlighting: marks the query's words, escapes everything else."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from search_app.query import highlight_terms, parse_query
from search_app.snippets import Highlighter


def highlighter(query: str) -> Highlighter:
    return Highlighter(*highlight_terms(parse_query(query)))


def marked(html: str) -> list[str]:
    return [mark.get_text() for mark in BeautifulSoup(html, "html.parser").find_all("mark")]


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("garden", "Community Gardens and a gardening club", ["Gardens", "gardening"]),
        ("nino", "El Niño programs", ["Niño"]),
        ("garden", "ｇａｒｄｅｎ café", ["ｇａｒｄｅｎ"]),  # full-width letters fold as the index folds them
        ("educ*", "Education and educators", ["Education", "educators"]),
        ('"community college"', "Our community college partners", ["community", "college"]),
        ("food -music", "food, not music", ["food"]),
        ("title:park", "A park", ["park"]),
        ("studies", "We study what studies show", ["study", "studies"]),
    ],
)
def test_marks_words_that_match_the_query(query, text, expected):
    assert marked(highlighter(query).highlight_all(text)) == expected


def test_document_content_is_escaped_around_marks():
    text = "<script>alert(1)</script> gardens <img src=x onerror=alert(2)>"
    html = str(highlighter("gardens").snippet(text))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None
    assert [m.get_text() for m in soup.find_all("mark")] == ["gardens"]
    assert "&lt;script&gt;" in html


def test_snippet_is_short_and_has_at_most_two_fragments():
    text = ". ".join(f"Sentence {n} about nothing in particular" for n in range(50))
    text += ". Gardens appear here. " + ". ".join(f"Filler {n}" for n in range(60)) + ". Youth appear here."
    html = str(highlighter("gardens youth").snippet(text, fragments=2, max_chars=300))
    assert marked(html) == ["Gardens", "Youth"]
    assert len(BeautifulSoup(html, "html.parser").get_text()) <= 300 + 6  # ellipses


def test_no_match_gives_the_start_of_the_text():
    html = str(highlighter("zebra").snippet("A long text. " * 100, max_chars=120))
    assert marked(html) == []
    assert html.startswith("A long text.") and html.endswith("…")


def test_empty_query_marks_nothing():
    assert marked(highlighter("").highlight_all("Gardens")) == []
