"""Boost parts kept as arrays add up exactly as one `Part` list a document did (engine/boosts.py)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from engine.boosts import Boosts, Part, Sums


def _addends(rng: random.Random, documents: int, parts: int) -> list[list[float | None]]:
    """Per part, each document's addend or None; magnitudes far apart, where rounding shows."""
    def value() -> float | None:
        if rng.random() < 0.3:
            return None
        return rng.choice([1.0, 1e-9, 1e9, 3.0]) * rng.uniform(-10, 10)

    return [[value() for _ in range(documents)] for _ in range(parts)]


@pytest.mark.parametrize("seed", range(20))
def test_sums_add_each_document_as_the_builtin_sum_adds_its_floats(seed):
    rng = random.Random(seed)
    addends = _addends(rng, 200, rng.randint(1, 8))
    sums = Sums(200)
    for part in addends:
        sums.add(np.array([0.0 if value is None else value for value in part]))
    expected = [sum(part[document] for part in addends if part[document] is not None) for document in range(200)]
    assert sums.value().tolist() == [float(value) for value in expected]


def test_a_sum_the_compensation_changes_is_the_builtin_sums():
    # 1e16 + 1.0 - 1e16 is 0.0 added left to right and 1.0 compensated (Python 3.12 and later).
    sums = Sums(1)
    for value in (1e16, 1.0, -1e16):
        sums.add(np.array([value]))
    assert sums.value().tolist() == [sum([1e16, 1.0, -1e16])]


def test_scores_are_the_base_plus_each_documents_parts_in_the_order_added():
    rng = random.Random(7)
    scores = {docnum: rng.uniform(0, 20) for docnum in (2, 5, 9, 11, 30)}
    boosts = Boosts(scores, 40)
    boosts.add_many("title", "title", "garden", np.array([5, 11, 31]), np.array([0.1, 1e-9, 7.0]))  # 31 is no match
    boosts.add_many("choices", "choices", "garden", np.array([11, 2]), np.array([1e9, 0.3]))
    boosts.add(11, Part("title match", "title", "garden", 3.0))
    boosts.add(30, Part("phrase", "heading", "community garden", 0.25))

    assert boosts.parts_of(11) == [
        Part("title", "title", "garden", 1e-9), Part("choices", "choices", "garden", 1e9), Part("title match", "title", "garden", 3.0),
    ]
    assert boosts.parts_of(9) == [] and boosts.parts_of(31) == []
    expected = {
        docnum: (scores[docnum] + sum(part.value for part in boosts.parts_of(docnum))) if boosts.parts_of(docnum) else scores[docnum]
        for docnum in scores
    }
    assert boosts.scores() == expected
    assert list(boosts.scores()) == list(scores)  # in the matches' order
    assert boosts.boosted_docnums() == {2, 5, 11, 30}
    assert boosts.holding("choices") == {2, 11}


@pytest.mark.parametrize("seed", range(10))
def test_documents_with_parts_of_their_own_add_them_after_their_parts_of_many(seed):
    """Names, phrases and spans come one to three a document, on top of any parts of many:
    each score is still its base plus the builtin sum of `parts_of`, in order."""
    rng = random.Random(seed)
    scores = {docnum: rng.uniform(0, 20) for docnum in rng.sample(range(300), 120)}
    boosts = Boosts(scores, 300)
    docnums = np.array(list(scores))
    for part, addends in enumerate(_addends(rng, len(docnums), rng.randint(0, 5))):
        held = np.array([value is not None for value in addends])
        values = np.array([0.0 if value is None else value for value in addends])
        boosts.add_many("title", "title", f"w{part}", docnums[held], values[held])
    for docnum in rng.sample(list(scores), 40):
        for _ in range(rng.randint(1, 3)):
            boosts.add(docnum, Part("phrase", "heading", "w", rng.choice([1.0, 1e-9, 1e9]) * rng.uniform(-5, 5)))
    expected = {
        docnum: scores[docnum] + sum(part.value for part in boosts.parts_of(docnum)) if boosts.parts_of(docnum) else scores[docnum]
        for docnum in scores
    }
    assert boosts.scores() == expected


def test_parts_for_many_documents_cannot_follow_parts_a_document_at_a_time():
    boosts = Boosts({1: 1.0}, 2)
    boosts.add(1, Part("title match", "title", "x", 1.0))
    with pytest.raises(ValueError):
        boosts.add_many("title", "title", "x", np.array([1]), np.array([1.0]))
