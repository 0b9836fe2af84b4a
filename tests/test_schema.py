"""The spelling vocabulary a document contributes: every distinct word, once, folded."""

from __future__ import annotations

import re

import pytest
from conftest import SHARED_CORPUS

from indexer.fields import spelling_words
from indexer.sources import discover, parse_source
from index_format.analysis import ACCENT_FOLDING


def reference_words(*texts: str) -> set[str]:
    """Lower-case, accent-folded runs of 2-30 letters or digits, numbers left out."""
    folded = " ".join(texts).lower().translate(ACCENT_FOLDING)
    return {word for word in re.findall(r"[^\W_]{2,30}", folded) if not word.isdigit()}


def test_every_distinct_word_once_numbers_and_single_letters_left_out():
    words = spelling_words("Niño's CAFÉ, a café in 2019", "snake_case e.g. U.S.A. cafe gardens")
    assert words.split() == ["nino", "cafe", "in", "snake", "case", "gardens"]


@pytest.mark.parametrize("folder", ["2013", "2016", "2020"])
def test_the_same_words_as_splitting_the_whole_text(folder):
    sources, _ = discover([SHARED_CORPUS / "proposals" / folder])
    for source in sources[:40]:
        document = parse_source(source).document
        heading = "\n".join([document.title, document.organization, document.summary])
        words = spelling_words(heading, document.text).split()
        assert len(words) == len(set(words))
        assert set(words) == reference_words(heading, document.text)
