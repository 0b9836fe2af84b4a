"""Bitsets of document numbers (index_store.columns.Columns), against sets."""

from __future__ import annotations

import random

import pytest

from index_store.columns import Columns


@pytest.mark.parametrize("seed", range(20))
def test_a_bitset_holds_exactly_its_documents_and_members_keep_their_order(seed):
    rng = random.Random(seed)
    top = rng.choice([1, 8, 9, 64, 20_000])
    held = set(rng.sample(range(top), rng.randint(0, min(top, 3_000))))
    bitset = Columns.bitset(held)
    assert {bit for bit in range(bitset.bit_length()) if bitset >> bit & 1} == held
    asked = [rng.randrange(2 * top) for _ in range(rng.choice([0, 3, 500]))]  # some past the last bit
    assert Columns.members(bitset, asked) == [docnum for docnum in asked if docnum in held]
    assert Columns.members(bitset, dict.fromkeys(asked)) == [docnum for docnum in dict.fromkeys(asked) if docnum in held]


def test_no_documents_make_an_empty_bitset_with_no_members():
    assert Columns.bitset([]) == 0 and Columns.bitset(iter(())) == 0
    assert Columns.members(0, [0, 1, 7, 8]) == []
