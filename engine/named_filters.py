"""Places, years and outcomes named in plain words become filters the user can see.

"summer jobs for teenagers in the Valley" names a region, "2019 winners" a year and an
outcome. An outcome as a word matches nothing meant, so it is *applied*: taken out of the
words and shown as a chip saying which words it came from; removing the chip searches the
same text with those words kept as words (`as_words=outcome`). So is a year beside an
outcome ("2019 winners") or alone; beside other words it may be part of a name ("World
Games 2015") and is offered. A place is *offered*: the words stay and the page offers the
region's filter. Measured on the five
judged everyday needs that name a place (bench: e02, e08, e12, e17, e20), applying the
region's filter gave nDCG@10 0.082 and keeping the words 0.245: a proposal that serves
Compton often lists only "LA County", and one listing Gateway Cities need not be about
what was asked. A place the region table does not know stays a word, and so does a
generic name ("Los Angeles", "LA"): it narrows nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from vocabulary.outcomes import match_outcome
from vocabulary.regions import place_region

__all__ = ["NAMED_FACETS", "Named", "take_named_filters"]

NAMED_FACETS = ("region", "year", "outcome")  # what plain words may name, in chip order
APPLIED = frozenset({"year", "outcome"})  # the others are offered (see the docstring)
LONGEST_PLACE = 4  # words in the longest place name looked for ("san fernando valley area")
SHORTEST_PLACE = 3  # characters: "av" and "la" are too often something else
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_OUTCOME_WORDS = frozenset({"winner", "winners", "finalist", "finalists"})
# "the" belongs to "the Valley"; a preposition before a place ("in", "near") only introduces it.
_BEFORE_PLACE = frozenset({"in", "near", "around", "at", "from", "of", "for"})


@dataclass(frozen=True)
class Named:
    """One filter read from the query's words."""

    words: str  # as typed: "the Valley"
    facet: str  # region | year | outcome
    value: str  # the facet value: "San Fernando Valley", "2019", "Winner"
    applied: bool  # a filter of this search; else offered, the words searched as words
    without: str = ""  # an offered filter's search text without its words ("summer jobs for teenagers")


def take_named_filters(text: str, as_words: frozenset[str] = frozenset()) -> tuple[str, list[Named]]:
    """The text without the words that name a filter, and those filters, in the order typed.

    :param as_words: facets whose names stay words (the user removed their chip).
    """
    words = _WORD.findall(text)
    kept: list[str] = []
    named: list[Named] = []
    index = 0
    while index < len(words):
        found = _named_at(words, index, as_words)
        if found is None:
            kept.append(words[index])
            index += 1
            continue
        length, filter_ = found
        if filter_.facet in APPLIED:
            named.append(filter_)
        else:
            before = words[:index]
            if before and before[-1].lower() in _BEFORE_PLACE:
                before = before[:-1]
            named.append(replace(filter_, without=" ".join(before + words[index + length :])))
            kept.extend(words[index : index + length])
        index += length
    if any(filter_.facet == "year" for filter_ in named) and kept and not any(f.facet == "outcome" for f in named):
        # "World Games 2015": with other words and no outcome, a year may belong to a name.
        kept = words
        named = [replace(f, applied=False, without=_without(words, f.words)) if f.facet == "year" else f for f in named]
    if not any(filter_.applied for filter_ in named):
        return text, named
    return " ".join(kept), named


def _without(words: list[str], phrase: str) -> str:
    """The words with the first occurrence of `phrase` (one word) left out."""
    rest = list(words)
    rest.remove(phrase)
    return " ".join(rest)


def _named_at(words: list[str], index: int, as_words: frozenset[str]) -> tuple[int, Named] | None:
    """(words used, filter) for the longest filter starting at `index`, or None."""
    if "region" not in as_words:
        for length in range(min(LONGEST_PLACE, len(words) - index), 0, -1):
            phrase = " ".join(words[index : index + length])
            region = place_region(phrase) if len(phrase) >= SHORTEST_PLACE else None
            if region:
                return length, Named(phrase, "region", region, applied="region" in APPLIED)
    word = words[index]
    if "year" not in as_words and _YEAR.fullmatch(word):
        return 1, Named(word, "year", word, applied="year" in APPLIED)
    if "outcome" not in as_words and word.lower() in _OUTCOME_WORDS:
        return 1, Named(word, "outcome", match_outcome(word) or word, applied="outcome" in APPLIED)
    return None
