"""The smallest window holding every word, for many documents at once (engine.ranking.smallest_spans),
against a brute force over every window of every document."""

from __future__ import annotations

import random

import numpy as np
import pytest

from engine.ranking import smallest_spans


def _brute_force(per_word: list[list[int]]) -> int:
    """Fewest words from a window's first position to its last holding every word (at least
    the number of words), trying every window."""
    every = sorted({position for positions in per_word for position in positions})
    best = min(
        last - first + 1
        for first in every
        for last in every
        if last >= first and all(any(first <= position <= last for position in positions) for positions in per_word)
    )
    return max(best, len(per_word))


@pytest.mark.parametrize("seed", range(30))
def test_smallest_spans_are_the_smallest_windows_holding_every_word(seed):
    rng = random.Random(seed)
    words = rng.randint(2, 4)
    documents = sorted(rng.sample(range(5000), 25))
    positions = {
        document: [sorted(rng.sample(range(rng.choice([3, 40, 400])), rng.randint(1, 3))) for _ in range(words)]
        for document in documents
    }
    keys = [
        np.array([(document << 32) + position for document in documents for position in positions[document][word]], dtype=np.int64)
        for word in range(words)
    ]
    found, spans = smallest_spans(keys)
    assert found.tolist() == documents
    assert spans.tolist() == [_brute_force(positions[document]) for document in documents]


def test_words_at_the_same_position_and_far_apart():
    # "afterschool" holds after and school at one position: a window of one, at least two words.
    keys = [np.array([(7 << 32) + 5, (9 << 32) + 0]), np.array([(7 << 32) + 5, (9 << 32) + 1_000_000])]
    found, spans = smallest_spans(keys)
    assert found.tolist() == [7, 9] and spans.tolist() == [2, 1_000_001]
