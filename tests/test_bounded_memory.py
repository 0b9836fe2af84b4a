"""Caches are bounded by the bytes they hold, measured (issue 25).

The per-generation cache once weighed a facet view by its number of keys: 1,000 requests
with long facet values took a worker from 70 MB to 1 GB. Here the bytes Python allocates
over hundreds of such requests stay within a small multiple of SEARCH_CACHE_BYTES.
"""

from __future__ import annotations

import sys

import tracemalloc
from array import array

import numpy as np

from index_store import FACETS
from search_app import create_app
from engine.generations import held_bytes
from search_app.state import live_index

CACHE_BYTES = 4 * 1024**2
# Enough to fill the cache several times over (unbounded, each request kept about 1 MB: a
# hundred would allocate ~90 MB), few enough to run in seconds under tracemalloc.
REQUESTS = 100


def test_held_bytes_counts_what_a_value_reaches_once():
    text = "x" * 10_000
    assert held_bytes(text) >= 10_000
    assert held_bytes([text, text]) < 2 * 10_000  # shared: counted once
    assert held_bytes({"a": [text], "b": {"c": ("y" * 5_000,)}}) >= 15_000
    assert held_bytes(array("d", range(1_000))) >= 8_000
    assert held_bytes(np.zeros(1_000)) >= 8_000
    assert held_bytes(2**80_000) >= 10_000  # a bitset of 80,000 documents


def test_held_bytes_of_many_numbers_is_a_bound_from_above():
    """Scores (thousands of docnum -> score) are weighed in one pass: never below what they hold."""
    scores = {docnum: docnum * 0.5 for docnum in range(5_000)}
    exact = sys.getsizeof(scores) + sum(map(sys.getsizeof, scores)) + sum(map(sys.getsizeof, scores.values()))
    assert exact <= held_bytes(scores) <= exact * 1.1
    mixed = [1, 2**200, 0.5] * 20  # a huge int among small ones: each counted as large
    assert held_bytes(mixed) >= sys.getsizeof(mixed) + 60 * sys.getsizeof(2**200)
    assert held_bytes([["x" * 1_000] * 40]) < 2_000  # not numbers: shared items counted once


def test_hundreds_of_distinct_long_facet_requests_stay_within_the_cache_bytes(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "CACHE_BYTES": CACHE_BYTES})
    client = app.test_client()
    client.get("/?q=gardens")  # the generation opened, the templates compiled
    tracemalloc.start()
    try:
        before, _peak = tracemalloc.get_traced_memory()
        for number in range(REQUESTS):
            facet = FACETS[number % len(FACETS)]
            values = [f"{'long value ' * 17}{number}-{n}" for n in range(50)]
            response = client.get("/", query_string={"q": "gardens", facet: values})
            assert response.status_code == 200
        after, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with app.app_context():
        live = live_index()
        weight = live._cache_weight
        live.close()
    assert CACHE_BYTES // 2 < weight <= CACHE_BYTES  # the requests filled the cache to its bound
    grown = after - before
    print(f"\n{REQUESTS} long-facet requests: {grown / 1024**2:.1f} MB more allocated, cache {weight / 1024**2:.1f} of {CACHE_BYTES / 1024**2:.0f} MB")
    assert grown < 3 * CACHE_BYTES, grown
