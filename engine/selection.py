"""Facet selections as bitsets: what a search's filters keep, and what each value would count.

Values of one facet combine with OR, facets with AND. An outcome and a year selected
together mean events: `year=2019&outcome=Winner` keeps what won in 2019, not what won
some year and appears in 2019 (`Columns.facet_masks`). Counting a facet leaves out its own
selection (disjunctive faceting), and with it that selection's hold on the coupled facet,
so every count equals the total of the search its link runs.
"""

from __future__ import annotations

from typing import Protocol

from index_store.columns import Columns

__all__ = ["query_mask", "restrict", "selection_masks", "value_masks"]

Span = tuple[int | None, int | None]  # years from, to; either end open


class QueryFilters(Protocol):
    """The filters a query writes (engine/query.py ParsedQuery)."""

    filters: dict[str, set[str]]  # region:a region:b: all of them
    excluded: dict[str, set[str]]  # -region:a: none of them
    year_range: Span | None
    excluded_years: list[Span]
    any_of: list[tuple[str, list]]  # region:a OR region:b: one of them (spans for year)


def selection_masks(columns: Columns, selected: dict[str, list[str]], leave_out: tuple[str, ...] = ()) -> dict[str, int]:
    """Facet -> bitset of the documents having any of its selected values, the facets of
    `leave_out` unselected."""
    kept = {facet: values for facet, values in selected.items() if values and facet not in leave_out}
    wanted = {}
    for facet, values in kept.items():
        masks, bits = columns.facet_masks(facet, kept), 0
        for value in values:
            bits |= masks.get(value, 0)
        wanted[facet] = bits
    return wanted


def restrict(columns: Columns, bits: int, selected: dict[str, list[str]], leave_out: tuple[str, ...] = ()) -> int:
    """`bits` narrowed by every facet's selection except those of `leave_out`."""
    for mask in selection_masks(columns, selected, leave_out).values():
        bits &= mask
    return bits


def value_masks(columns: Columns, facet: str, selected: dict[str, list[str]]) -> dict[str, int]:
    """Value -> bitset of one facet, as the other facets' selections couple it (for counts
    and matrix cells: years under `outcome=Winner` hold what won that year)."""
    return columns.facet_masks(facet, {other: values for other, values in selected.items() if other != facet})


def query_mask(columns: Columns, parsed: QueryFilters) -> int | None:
    """The documents the filters written in the query keep, as one bitset; None when it writes none.

    Field syntax ANDs values (`region:a region:b` needs both), unlike a URL selection; years
    are spans over each document's own year (`year:2015..2018`)."""
    if not (parsed.filters or parsed.excluded or parsed.year_range or parsed.excluded_years or parsed.any_of):
        return None
    bits = columns.all_docs
    for facet, wanted in parsed.filters.items():
        for value in wanted:
            bits &= columns.masks[facet].get(value, 0)
    for facet, unwanted in parsed.excluded.items():
        for value in unwanted:
            bits &= ~columns.masks[facet].get(value, 0)
    if parsed.year_range:
        bits &= columns.dated_within(parsed.year_range)
    for span in parsed.excluded_years:
        bits &= ~columns.dated_within(span)
    for facet, values in parsed.any_of:
        either = 0
        for value in values:
            either |= columns.dated_within(value) if facet == "year" else columns.masks[facet].get(value, 0)
        bits &= either
    return bits
