"""A term's postings in one segment, read once per search and counted against its budget.

The reading itself is the format's (index_format.segment); here each posting list a
search reads is memoised for the rest of that search (scoring and ranking read the same
words' postings) and is the unit its budget counts.
"""

from __future__ import annotations

from index_format.segment import Postings, Segment

from .budget import check_budget


def term_postings(segment: Segment, fieldname: str, text, memo: dict) -> Postings | None:
    """(docnums, weights, values) of a term in one segment; None if it is not there."""
    key = (id(segment), fieldname, text)
    if key not in memo:
        check_budget(memo)  # a posting list read is the unit of a search's work
        memo[key] = segment.postings(fieldname, text)
    return memo[key]


def every_term_postings(segment: Segment, fieldname: str, words, memo: dict) -> list[Postings] | None:
    """`term_postings` of each of `words` (in order); None if one is not there or there are none."""
    found = []
    for word in words:
        postings = term_postings(segment, fieldname, word, memo)
        if postings is None:
            return None
        found.append(postings)
    return found or None
