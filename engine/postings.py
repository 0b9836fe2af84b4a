"""A term's postings in one segment, read once per search and counted against its budget.

The reading itself is the format's (index_format.segment); here each posting list a
search reads is memoised for the rest of that search (scoring and ranking read the same
words' postings) and is the unit its budget counts.

A search may also share what it reads with the generation's later searches
(`share_postings`): people's queries share their common words ("youth", "community",
"los angeles"), and decoding a broad word's postings is a large part of a first-time
search (1.6 ms for "los" in the answers of 17,660 documents). The lists are kept in the
generation's cache, weighed by their bytes and evicted with its other entries; their
arrays are made read-only, since every later search reads the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, TypeVar

from index_format.segment import Postings, Segment

from .budget import check_budget

__all__ = ["PostingsKey", "every_term_postings", "share_postings", "term_postings"]

SHARED_KEY = "shared postings"  # where term_postings finds the generation's cache in its memo
T = TypeVar("T")


class Cache(Protocol):
    """What shares posting lists between searches: `LiveIndex.cached`'s signature."""

    def cached(self, key, compute: Callable[[], T]) -> T: ...


@dataclass(frozen=True)
class PostingsKey:
    """A term's postings in one segment of the generation whose cache holds them."""

    segment: int  # Segment.position
    fieldname: str
    text: str | bytes


def share_postings(memo: dict, cache: Cache) -> dict:
    """`memo`, its searches' posting lists now read through (and kept in) `cache`."""
    memo[SHARED_KEY] = cache
    return memo


def term_postings(segment: Segment, fieldname: str, text, memo: dict) -> Postings | None:
    """(docnums, weights, values) of a term in one segment; None if it is not there."""
    key = (id(segment), fieldname, text)
    if key not in memo:
        check_budget(memo)  # a posting list read is the unit of a search's work
        cache = memo.get(SHARED_KEY)
        if cache is None:
            memo[key] = segment.postings(fieldname, text)
        else:
            shared_key = PostingsKey(segment.position, fieldname, text)
            memo[key] = cache.cached(shared_key, lambda: _read_only(segment.postings(fieldname, text)))
    return memo[key]


def _read_only(postings: Postings | None) -> Postings | None:
    """The postings with arrays no later search can change."""
    if postings is not None:
        postings.docnums.setflags(write=False)
        postings.weights.setflags(write=False)
    return postings


def every_term_postings(segment: Segment, fieldname: str, words, memo: dict) -> list[Postings] | None:
    """`term_postings` of each of `words` (in order); None if one is not there or there are none."""
    found = []
    for word in words:
        postings = term_postings(segment, fieldname, word, memo)
        if postings is None:
            return None
        found.append(postings)
    return found or None
