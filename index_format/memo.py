"""A memo for hot one-argument functions: a dict that fills itself on a miss."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class Memo(dict):
    """`memo[key]` is `function(key)`, computed once; the memo empties itself when full.

    Indexing looks up every word of every document (two million at 1x), and the lookup
    itself is the cost: `functools.lru_cache` with a size bound reorders its entries on
    every hit, which made a lookup about three times a plain dict's. Here a hit is one
    C-level dict lookup (pass `memo.__getitem__` to `map`), and memory stays bounded by
    forgetting everything at `limit` entries, which hostile input alone reaches.
    """

    def __init__(self, function: Callable[[Any], Any], limit: int):
        super().__init__()
        self.function = function
        self.limit = limit

    def __missing__(self, key: Hashable) -> Any:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.function(key)
        return value
