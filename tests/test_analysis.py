"""The one-pass analyzer must produce exactly what Whoosh's filter chain produces."""

from __future__ import annotations

import pytest

from indexer.analysis import FoldStemAnalyzer, index_term
from indexer.whoosh_compat import accent_map, analysis

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
        | analysis.StemFilter()
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
    assert tokens(FoldStemAnalyzer(), text, **options) == tokens(reference_analyzer(), text, **options)


@pytest.mark.parametrize(
    ("word", "term"),
    [("Niño", "nino"), ("Gardens", "garden"), ("communities", "commun"), ("CAFÉ", "cafe"), ("parks", "park")],
)
def test_index_term_folds_and_stems(word, term):
    assert index_term(word) == term


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
