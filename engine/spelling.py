""""Did you mean": corrections for words the index has never seen.

The vocabulary is the unstemmed `spell` field, so suggestions are real words, never
stems. Candidates are limited by first letter and length before computing edit
distances, which keeps a lookup to a few hundred comparisons; answers are cached per
generation in `LiveIndex.suggestions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Initial:
    """Key of the vocabulary's words that start with one letter, with their frequencies."""

    letter: str


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
    best, best_rank = None, None
    for candidate, frequency in live.cached(Initial(word[0]), lambda: _words_starting_with(live, word[0])):
        if abs(len(candidate) - len(word)) > max_distance:
            continue
        distance = edit_distance(word, candidate, max_distance)
        if distance <= max_distance and analyse(candidate):  # never a stop word: searching ignores it
            rank = (distance, -frequency, candidate)
            if best_rank is None or rank < best_rank:
                best, best_rank = candidate, rank
    return best


def correct_query(live: LiveIndex, text: str, words: list[str]) -> str | None:
    """The query with each unknown word replaced by its correction, or None if none."""
    corrected = text
    for word in dict.fromkeys(words):
        suggestion = suggest_word(live, word)
        if suggestion:
            corrected = _replace_word(corrected, word, suggestion)
    return corrected if corrected != text else None


def _words_starting_with(live: LiveIndex, initial: str) -> list[tuple[str, int]]:
    """The vocabulary words with this first letter (typos rarely hit the first letter)."""
    return [(word, frequency) for word, frequency in live.vocabulary.items() if word[0] == initial]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), stopping past `limit`."""
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _replace_word(text: str, word: str, replacement: str) -> str:
    # Not a field name (`foo:bar`) and not inside a field's value.
    return re.sub(rf"(?<![\w:]){re.escape(word)}(?![\w:])", replacement, text, flags=re.IGNORECASE)
