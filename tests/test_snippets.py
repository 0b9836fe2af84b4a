"""Snippets and title highlighting: marks the query's words, escapes everything else."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from index_format.analysis import ACCENT_FOLDING, stem_word
from engine.query import highlight_terms, parse_query
from engine.snippets import SCAN_CHARS, Highlighter, _fold


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


def test_escaping_is_markupsafes_in_titles_and_every_fragment():
    """Every character markupsafe escapes is escaped as it escapes it, in and around marks,
    in a title and in a snippet of two fragments with ellipses."""
    from markupsafe import escape

    special = "a&b <c> 'd' \"e\""
    text = f"{special} gardens {special}. " + "Filler words here. " * 40 + f"{special} youth {special}."
    snippet = highlighter("gardens youth").snippet(text, fragments=2, max_chars=120)
    assert str(escape(special)) in str(snippet) and str(snippet).count("<mark>") == 2
    assert str(snippet).startswith(str(escape(special)[:5])) and "…" in str(snippet)
    title = highlighter("gardens").highlight_all(f"{special} gardens")
    assert str(title) == f"{escape(special)} <mark>gardens</mark>"
    assert str(highlighter("zebra").snippet(special * 40, max_chars=40)).startswith(str(escape(special)))


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


def reference_fold(text: str) -> str:
    """Lower-case, then fold every character through ACCENT_FOLDING, as the analyzer does."""
    lowered = text.lower()
    return lowered.translate(ACCENT_FOLDING) if len(lowered) == len(text) else text


def words_with_offsets(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"\w+", text)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aZé É ñÑçßÿÐðµ’“”•–—…x.İΣσς ΩłőẞÅĹƏ\u2028-'", max_size=60))
def test_fold_finds_the_same_words_at_the_same_offsets_as_folding_each_character(text):
    assert len(_fold(text)) == len(text)
    assert words_with_offsets(_fold(text)) == words_with_offsets(reference_fold(text))


def test_a_word_the_index_matched_is_marked_whatever_its_case():
    # The analyzer lower-cases before folding: "ÐÓRA" is indexed as "dora".
    marked = Highlighter(frozenset({stem_word("dora")})).highlight_all("ÐÓRA and Dora")
    assert str(marked) == "<mark>ÐÓRA</mark> and <mark>Dora</mark>"


def test_a_word_only_found_past_the_scanned_start_is_still_marked():
    """Matching reads the first SCAN_CHARS characters; a text whose only match lies
    further on is searched to its end rather than shown unmarked."""
    text = "Our programs serve families. " * (SCAN_CHARS // 20) + "Riders take the Metro everywhere."
    assert len(text) > SCAN_CHARS
    snippet = highlighter("metro").snippet(text)
    assert marked(snippet) == ["Metro"]
    assert str(snippet).startswith("…")
