"""One hit per organization: collapse ordered hits, and count facet values by group.

A document's group is its organization: `Columns.organization_ids` links a proposal to
`organization/<slug>`, and an organization's own document is that id. A document with no
organization (an article, an unlinked proposal) is a group of its own, so grouping never
hides a match. As with Meilisearch's `distinct`, a grouped search's `total` counts groups
and `total_documents` the documents behind them; its facet counts count groups too.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Protocol

from .generations import LiveIndex

GROUPS = ("organization",)  # the values `group=` accepts


def collapse(live: LiveIndex, group: str, docnums: list[int], ranks: list[float]) -> tuple[array, array, array]:
    """The first hit of each group in `docnums`' order (its best one), with its score and group size."""
    keys = live.group_keys
    position: dict[str, int] = {}
    leaders, leader_ranks, sizes = array("l"), array("d"), array("l")
    for docnum, rank in zip(docnums, ranks):
        key = keys[docnum]
        at = position.get(key)
        if at is None:
            position[key] = len(leaders)
            leaders.append(docnum)
            leader_ranks.append(rank)
            sizes.append(1)
        else:
            sizes[at] += 1
    return leaders, leader_ranks, sizes


@dataclass(frozen=True)
class GroupMask:
    """Key of one group's bitset."""

    group: str  # the organization id


def docnums_in(bits: int) -> list[int]:
    """The document numbers whose bit is set, ascending: a scan of the set bytes only,
    so a sparse bitset (one metric in one region) costs far less than every document."""
    raw = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    return [offset << 3 | bit for offset, byte in enumerate(raw) if byte for bit in range(8) if byte >> bit & 1]


def group_mask(live: LiveIndex, key: str) -> int:
    """The bitset of one group's documents (an organization and its proposals)."""

    def build() -> int:
        return live.columns.bitset(docnum for docnum, group in live.group_keys.items() if group == key)

    return live.cached(GroupMask(key), build)


class ValueCounter(Protocol):
    """What `value_counter` returns: `masks` may be left out."""

    def __call__(self, facet: str, bits: int, masks: dict[str, int] | None = None, /) -> dict[str, int]: ...


def value_counter(live: LiveIndex, group: str) -> ValueCounter:
    """`count(facet, bits, masks=None)`: documents per value, or groups per value when
    `group` is set; `masks` (selection.Selection.value_masks) are the facet's values as selections couple them."""
    columns = live.columns
    if not group:
        return columns.value_counts
    keys = live.group_keys

    def count(facet: str, bits: int, masks: dict[str, int] | None = None) -> dict[str, int]:
        counts = {}
        for value, mask in (columns.masks[facet] if masks is None else masks).items():
            if bits & mask:
                counts[value] = len({keys[docnum] for docnum in docnums_in(bits & mask)})
        return counts

    return count
