"""Type-ahead: organizations, metrics, topics and regions whose names start with or contain
what was typed, each with its count and the page it opens.

The names are folded once per generation (case, accents, punctuation: "nino" finds "Niño
Cocina"), so a keystroke costs one pass over ~2,000 short strings. A value spelled the way
the query syntax understands it also matches (`sfv` and `Pacoima` find San Fernando Valley,
`obesity` its metric), through the same tables `region:` and `metric:` use. An organization
of several files is found by the name of each, and offered once. The facet
finder boxes of the results page ask the same question for one facet (`type=region`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from vocabulary.facets import FACET_LABELS, FACETS, canonical_value
from vocabulary.fold import fold

from .generations import LiveIndex

ORGANIZATION = "organization"
TYPES = (ORGANIZATION, "metric", "topic", "region")  # offered by default, in this order on a tie
MAX_TYPED = 100  # characters: a name is never longer; more is not typing
DEFAULT_LIMIT = 8  # suggestions when the request names no limit
MAX_LIMIT = 50  # the facet finder asks for every matching value of one facet
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Entry:
    """One thing that can be suggested."""

    type: str  # organization or a facet name
    value: str  # as shown: the organization's name or the facet value
    folded: str  # " " + folded words + " ": word starts are found as " " + prefix
    count: int  # an organization's proposals, a value's documents
    target: str  # an organization's id, or the facet value itself


def suggest(live: LiveIndex, typed: str, types: tuple[str, ...], limit: int, link) -> dict:
    """The best `limit` entries for `typed`: names starting with it first, then names with a
    word starting with it, then names containing it; more documents first within each."""
    started = time.perf_counter()
    needle = fold(typed)
    if not needle:
        types = ()
    aliased = {kind: _aliased(live, kind, typed) for kind in types}
    found = []
    for entry in live.suggestion_entries:
        if entry.type not in aliased:
            continue
        if entry.folded.startswith(" " + needle) or entry.target == aliased[entry.type]:
            rank = 0
        elif " " + needle in entry.folded:
            rank = 1
        elif needle in entry.folded:
            rank = 2
        else:
            continue
        found.append((rank, -entry.count, types.index(entry.type), entry.value.casefold(), entry))
    found.sort(key=lambda item: item[:4])
    found = _once_each(found)
    return {
        "ok": True,
        "q": typed,
        "suggestions": [_shown(entry, link) for *_order, entry in found[:limit]],
        "more": max(0, len(found) - limit),
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
        "generation": live.generation.number,
    }


def _once_each(found: list[tuple]) -> list[tuple]:
    """The sorted matches with each target once, at its best: an organization matched by
    two of its names (indexer/org_identity.py) is one suggestion."""
    offered, kept = set(), []
    for item in found:
        key = (item[-1].type, item[-1].target)
        if key not in offered:
            offered.add(key)
            kept.append(item)
    return kept


def _aliased(live: LiveIndex, kind: str, typed: str) -> str | None:
    """The facet value `typed` stands for in the query syntax (sfv, Pacoima), if any."""
    if kind == ORGANIZATION:
        return None
    value = canonical_value(kind, typed)
    return live.columns.resolve(kind, value) if value else None


def _shown(entry: Entry, link) -> dict:
    if entry.type == ORGANIZATION:
        label, url = "Organization", "/doc/" + entry.target
    else:
        label, url = FACET_LABELS.get(entry.type, entry.type), link({entry.type: [entry.target]})
    return {"type": entry.type, "label": label, "value": entry.value, "count": entry.count, "url": url}


def suggestion_entries(live: LiveIndex) -> list[Entry]:
    """Every organization and facet value of the generation, folded (`LiveIndex.suggestion_entries` keeps them)."""
    columns = live.columns
    entries = []
    for docnum in columns.members(columns.masks["kind"].get(ORGANIZATION, 0), columns.docnums):
        doc_id, name = columns.ids[docnum], columns.titles[docnum]
        count = len(columns.proposals_of(doc_id))
        for spelled in [name, *(alias["name"] for alias in columns.link_of(doc_id).get("aliases", []))]:
            entries.append(Entry(ORGANIZATION, name, f" {fold(spelled)} ", count, doc_id))
    for facet in FACETS:
        for value, mask in columns.masks[facet].items():
            entries.append(Entry(facet, value, f" {fold(value)} ", mask.bit_count(), value))
    return entries
