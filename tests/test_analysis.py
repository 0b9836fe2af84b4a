"""The one-pass analyzer must produce exactly what Whoosh's filter chain produces."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index_format.analysis import PARAGRAPH_GAP, FoldStemAnalyzer, index_term, stem_word
from index_format.memo import Memo
from index_format.whoosh_compat import accent_map, analysis

from conftest import SHARED_CORPUS

SAMPLE = (
    "The Niño's café in Boyle Heights is naïve about e.g. U.S.A. budgets of 3.14 million; "
    "THE communities' gardening programs and a CO-OP for youth-led gardens."
)


def reference_analyzer():
    return (
        analysis.RegexTokenizer()
        | analysis.LowercaseFilter()
        | analysis.CharsetFilter(accent_map)
        | analysis.StopFilter()
        | analysis.StemFilter(stemfn=stem_word)
    )


def tokens(analyzer, text, **options):
    return [
        (t.text, getattr(t, "pos", None), getattr(t, "startchar", None), getattr(t, "endchar", None), t.stopped)
        for t in analyzer(text, **options)
    ]


def real_answer_text() -> str:
    path = next(iter(sorted((SHARED_CORPUS / "proposals" / "2016").glob("*.md"))))
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"positions": True},
        {"positions": True, "chars": True},
        {"positions": True, "chars": True, "removestops": False},
        {"positions": True, "start_pos": 7, "chars": True, "start_char": 100},
        {"tokenize": False},
        {"mode": "query"},
    ],
)
@pytest.mark.parametrize("text", [SAMPLE, "", "   ", "a an the", real_answer_text()])
def test_same_tokens_as_the_whoosh_chain(text, options):
    text = without_paragraph_breaks(text)
    assert tokens(FoldStemAnalyzer(), text, **options) == tokens(reference_analyzer(), text, **options)


def without_paragraph_breaks(text: str) -> str:
    """The text with each blank line made a single space (same length: offsets agree)."""
    return re.sub(r"\n\s*\n", lambda match: " " * len(match.group()), text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab é.\n", max_size=40), st.sampled_from([{}, {"removestops": False}]))
def test_a_paragraph_break_moves_the_words_after_it_by_a_gap(text, options):
    """Positions are the ones without breaks, plus PARAGRAPH_GAP per break before the word."""
    breaks_before = [match.end() for match in re.finditer(r"\n\s*\n", text)]
    expected = [
        (term, position + PARAGRAPH_GAP * sum(end <= start for end in breaks_before), start, end, stopped)
        for term, position, start, end, stopped in tokens(
            reference_analyzer(), without_paragraph_breaks(text), positions=True, chars=True, **options
        )
    ]
    assert tokens(FoldStemAnalyzer(), text, positions=True, chars=True, **options) == expected


def test_no_phrase_position_spans_a_paragraph_break():
    positions, kept = FoldStemAnalyzer().term_positions("the needs of our community\n\nCollege matriculation")
    assert kept == 5
    assert positions["colleg"][0] - positions["communiti"][0] == 1 + PARAGRAPH_GAP


@pytest.mark.parametrize(
    ("word", "term"),
    [("Niño", "nino"), ("Gardens", "garden"), ("communities", "communiti"), ("CAFÉ", "cafe"), ("parks", "park")],
)
def test_index_term_folds_and_stems(word, term):
    assert index_term(word) == term


@pytest.mark.parametrize(
    ("one", "other"),
    [("swimming", "swim"), ("getting", "get"), ("programming", "program"), ("children", "child"),
     ("teenagers", "teens"), ("Women", "woman")],
)
def test_word_forms_a_reader_takes_for_one_word_share_a_term(one, other):
    """Snowball instead of Porter (swimming was "swimm") and irregular forms folded."""
    assert index_term(one) == index_term(other)


def test_news_is_not_new():
    """Porter made "news" "new": "local news" matched every "Pilot or new project"."""
    assert index_term("news") != index_term("new")


def test_analyzer_compares_equal_for_schema_checks():
    assert FoldStemAnalyzer() == FoldStemAnalyzer()
    assert FoldStemAnalyzer() != FoldStemAnalyzer(minsize=3)


@pytest.mark.parametrize("text", [SAMPLE, "", "a an the", "the gardens, the gardens!", real_answer_text()])
def test_term_positions_match_the_tokens_indexing_would_see(text):
    expected: dict[str, list[int]] = {}
    for token in FoldStemAnalyzer()(text, positions=True):
        expected.setdefault(token.text, []).append(token.pos)
    positions, kept = FoldStemAnalyzer().term_positions(text)
    assert positions == expected
    assert kept == sum(len(p) for p in expected.values())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab.é1_- ,Ñ\n", max_size=40))
def test_same_words_as_whoosh_on_dotted_and_accented_text(text):
    # The tokenizer's expression is written differently from RegexTokenizer's default.
    text = without_paragraph_breaks(text)
    assert tokens(FoldStemAnalyzer(), text, positions=True, chars=True) == tokens(
        reference_analyzer(), text, positions=True, chars=True
    )


def test_memo_computes_once_and_forgets_everything_when_full():
    calls = []

    def double(value):
        calls.append(value)
        return value * 2

    memo = Memo(double, limit=2)
    assert [memo[1], memo[1], memo[2]] == [2, 2, 4]
    assert calls == [1, 2]
    assert memo[3] == 6  # the third key: the memo was full, so it starts over
    assert dict(memo) == {3: 6}
