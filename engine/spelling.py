""""Did you mean": corrections for words the index has never seen.

The vocabulary is the unstemmed `spell` field, so suggestions are real words, never
stems. Candidates share the typed word's first letter; their edit distances are measured
by rapidfuzz's optimal-string-alignment distance in C, all of a letter's words in one call:
the same distance as the Python loop it replaced, ~20 times faster a word, so that a long
query of unknown words (a paragraph in another language) no longer spends the request's
work budget on spelling. Answers are cached per generation (`LiveIndex.cached`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from index_format.schema import SEARCH_FIELDS

from .generations import LiveIndex
from .query import analyse

MAX_DISTANCE = 2  # edits a correction may be from the typed word
MIN_WORD = 3  # shorter words are too ambiguous to correct


@dataclass(frozen=True)
class Known:
    """Key of whether a word's stems are indexed."""

    word: str  # lower-cased


@dataclass(frozen=True)
class Closest:
    """Key of the most frequent word within `max_distance` edits of `word`."""

    word: str  # lower-cased
    max_distance: int


def is_known(live: LiveIndex, word: str) -> bool:
    """A word is known if the index has it, as written or through its stem (Niño -> ninos)."""
    if word.lower() in live.vocabulary:
        return True
    return live.cached(Known(word.lower()), lambda: _stems_indexed(live, word))


def _stems_indexed(live: LiveIndex, word: str) -> bool:
    stems = analyse(word)
    if not stems:
        return True  # a stop word: nothing to correct
    with live.reader() as reader:
        return all(any(reader.doc_frequency(field, stem) for field in SEARCH_FIELDS) for stem in stems)


def suggest_word(live: LiveIndex, word: str, max_distance: int = MAX_DISTANCE) -> str | None:
    """The most frequent vocabulary word within `max_distance` edits, or None."""
    word = word.lower()
    if len(word) < MIN_WORD or word in live.vocabulary or word.isdigit():
        return None
    return live.cached(Closest(word, max_distance), lambda: _closest(live, word, max_distance))


def _closest(live: LiveIndex, word: str, max_distance: int) -> str | None:
    return closest_word(live.spelling_candidates.get(word[0], ()), word, max_distance)


def closest_word(candidates: tuple[str, ...], word: str, max_distance: int) -> str | None:
    """The nearest of `candidates` within `max_distance` edits that is not a stop word;
    among equally near ones the first in `candidates`' order (`candidates_by_initial`:
    most frequent, then alphabetical)."""
    if not candidates:
        return None
    # Damerau-Levenshtein in its optimal-string-alignment form: an adjacent swap is one
    # edit. Distances past the cutoff come back as cutoff + 1. One thread: no pool to spin.
    distances = cdist([word], candidates, scorer=OSA.distance, score_cutoff=max_distance, dtype=np.int32, workers=1)[0]
    for distance in range(max_distance + 1):
        for index in np.flatnonzero(distances == distance):
            candidate = candidates[index]
            if analyse(candidate):  # never a stop word: searching ignores it
                return candidate
    return None


def correct_query(live: LiveIndex, text: str, words: list[str]) -> str | None:
    """The query with each unknown word replaced by its correction, or None if none."""
    corrected = text
    for word in dict.fromkeys(words):
        suggestion = suggest_word(live, word)
        if suggestion:
            corrected = _replace_word(corrected, word, suggestion)
    return corrected if corrected != text else None


def candidates_by_initial(vocabulary: dict[str, int]) -> dict[str, tuple[str, ...]]:
    """First letter -> the words with it (typos rarely hit the first letter), most frequent
    first, then alphabetical."""
    grouped: dict[str, list[str]] = {}
    for word, _frequency in sorted(vocabulary.items(), key=lambda pair: (-pair[1], pair[0])):
        grouped.setdefault(word[0], []).append(word)
    return {initial: tuple(words) for initial, words in grouped.items()}


def _replace_word(text: str, word: str, replacement: str) -> str:
    # Not a field name (`foo:bar`) and not inside a field's value.
    return re.sub(rf"(?<![\w:]){re.escape(word)}(?![\w:])", replacement, text, flags=re.IGNORECASE)
