"""A search's constraints in one form, and the bitsets they keep.

A search is narrowed by the filters its query writes (`region:a -region:b year:2015..2018
(goal:learn OR goal:play)`), by the organization it names, and by the URL's selections
(`region=a&region=b&year=2019`). They compile once per search to one frozen form,
`Constraints`, which names the search in the cache (search_keys.SearchKey) and which
one mechanism, `Clause.bits`, evaluates as bitsets:

- A clause keeps the documents having any of its values, or none of them when negated; a
  year the query writes is a span over each document's own year (`year:2015..2018`).
- The query's clauses all apply: field syntax ANDs values (`region:a region:b` needs
  both), unlike a URL selection. They narrow the text matches, before the selections.
- The URL selects one clause per facet: values of one facet OR, facets AND. An outcome
  and a year selected together mean events: `year=2019&outcome=Winner` keeps what won in
  2019, not what won some year and appears in 2019 (`Columns.facet_masks`). Counting a
  facet leaves out its own selection (disjunctive faceting), and with it that selection's
  hold on the coupled facet, so every count equals the total of the search its link runs.

A `Selection` is the form over one generation and the documents the search matched: the
search's outcome carries it, and the views read their bitsets from it (the hits; the hits
with some facets unselected, for a matrix's axes; a facet's values as the selections
couple them) instead of searching again to derive them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from index_store.columns import Columns

__all__ = ["Clause", "Constraints", "Selection"]

Span = tuple[int | None, int | None]  # years from, to; either end open


class QueryFilters(Protocol):
    """The filters a query writes (engine/query.py ParsedQuery)."""

    filters: dict[str, set[str]]  # region:a region:b: all of them
    excluded: dict[str, set[str]]  # -region:a: none of them
    year_range: Span | None
    excluded_years: list[Span]
    any_of: list[tuple[str, list]]  # region:a OR region:b: one of them (spans for year)


@dataclass(frozen=True)
class Clause:
    """The documents having any of `values` of `facet` (none of them when `negated`)."""

    facet: str
    values: tuple[str | Span, ...]  # values as the generation spells them, or spans of years
    negated: bool = False

    def bits(self, columns: Columns, masks: Mapping[str, int]) -> int:
        """The clause as a bitset (its complement when negated: `bits & clause` keeps the
        right ones); `masks` are the facet's value -> bitset, as selections couple them."""
        either = 0
        for value in self.values:
            either |= columns.dated_within(value) if isinstance(value, tuple) else masks.get(value, 0)
        return ~either if self.negated else either


@dataclass(frozen=True)
class Constraints:
    """Everything that narrows a search besides its words: a key of the cache, so it
    holds values, never bitsets."""

    written: tuple[Clause, ...] = ()  # the query's filters: every one applies
    chosen: tuple[Clause, ...] = ()  # the URL's selections: one a facet, in the request's order
    organization: str = ""  # "organization/<slug>": only it and its proposals (grouping.group_mask)

    @classmethod
    def compile(
        cls,
        selected: Mapping[str, Sequence[str]],
        query: QueryFilters | None = None,
        organization: str = "",
        columns: Columns | None = None,
    ) -> Constraints:
        """The form of a query's filters, the URL's selections and an organization.

        :param columns: spell the selections and the organization as this generation does
            (topic=health: "Health"; a merged-away organization's id as its organization's).
            The query's values are spelled when it is parsed (searching._resolved).
        """
        if columns is not None:
            selected = {facet: list(dict.fromkeys(columns.resolve(facet, v) for v in values)) for facet, values in selected.items()}
            organization = columns.canonical_id(organization) if organization else ""
        written: list[Clause] = []
        if query is not None:
            written += [Clause(facet, (value,)) for facet, values in query.filters.items() for value in sorted(values)]
            written += [Clause(facet, tuple(sorted(values)), negated=True) for facet, values in query.excluded.items()]
            if query.year_range:
                written.append(Clause("year", (query.year_range,)))
            if query.excluded_years:
                written.append(Clause("year", tuple(query.excluded_years), negated=True))
            written += [Clause(facet, tuple(values)) for facet, values in query.any_of]
        chosen = tuple(Clause(facet, tuple(values)) for facet, values in selected.items() if values)
        return cls(tuple(written), chosen, organization)

    @property
    def selected(self) -> dict[str, list[str]]:
        """Facet -> the values the URL selects, as spelled and ordered in the request."""
        return {clause.facet: list(map(str, clause.values)) for clause in self.chosen}

    def canonical(self) -> Constraints:
        """The same constraints whatever the order of the URL's facets and values (for the
        cache: `region=a&region=b` and `region=b&region=a` are one search)."""
        chosen = sorted((Clause(c.facet, tuple(sorted(map(str, c.values)))) for c in self.chosen), key=lambda c: c.facet)
        return replace(self, chosen=tuple(chosen))

    def leaving_out(self, *facets: str) -> Constraints:
        """These constraints with the selections of `facets` off."""
        return replace(self, chosen=tuple(clause for clause in self.chosen if clause.facet not in facets))

    def choosing(self, facet: str, values: Sequence[str]) -> Constraints:
        """These constraints with `facet`'s selection set to `values` (none: unselected, as
        `compile` reads a facet without values)."""
        unselected = self.leaving_out(facet)
        return replace(unselected, chosen=(*unselected.chosen, Clause(facet, tuple(values)))) if values else unselected

    def written_mask(self, columns: Columns) -> int | None:
        """The documents the query's filters keep, as one bitset; None when it writes none."""
        if not self.written:
            return None
        bits = columns.all_docs
        for clause in self.written:
            bits &= clause.bits(columns, columns.masks[clause.facet])
        return bits

    def selection_masks(self, columns: Columns) -> dict[str, int]:
        """Facet -> bitset of the documents having any of its selected values, each facet's
        values as the other selections couple them."""
        coupling = self.selected
        return {clause.facet: clause.bits(columns, columns.facet_masks(clause.facet, coupling)) for clause in self.chosen}

    def value_masks(self, columns: Columns, facet: str) -> dict[str, int]:
        """Value -> bitset of one facet, as the other facets' selections couple it (for
        counts and matrix cells: years under `outcome=Winner` hold what won that year)."""
        return columns.facet_masks(facet, {other: values for other, values in self.selected.items() if other != facet})

    def unknown_values(self, columns: Columns) -> list[tuple[str, str]]:
        """(facet, value) of the values no document has that the search asks for: those it
        selects and those its query requires (years there are spans, not values)."""
        asked = [*self.chosen, *(clause for clause in self.written if not clause.negated and clause.facet != "year")]
        found = columns.masks
        return list(dict.fromkeys(
            (clause.facet, value)
            for clause in asked
            for value in sorted(map(str, clause.values))  # the same order in every worker
            if value not in found[clause.facet]
        ))  # fmt: skip


@dataclass(frozen=True)
class Selection:
    """A search's constraints over one generation: the documents its words, query filters
    and organization matched, and the URL's selections narrowing them."""

    constraints: Constraints
    columns: Columns = field(compare=False, repr=False)
    matched: int  # bitset of the matches the query's filters and organization keep, before the selections

    @property
    def selected(self) -> dict[str, list[str]]:
        """Facet -> selected values, as the generation spells them."""
        return self.constraints.selected

    @property
    def organization(self) -> str:
        """The organization the search is narrowed to, as its canonical id ("" for none)."""
        return self.constraints.organization

    # `hits`, made once (not a functools.cached_property: on Python 3.11 one lock per class
    # makes every thread's first read wait for the others'); not passed on by `replace`.
    _hits: list[int] = field(default_factory=list, init=False, compare=False, repr=False)

    @property
    def hits(self) -> int:
        """The documents of the search: the matches every selection keeps."""
        if not self._hits:
            self._hits.append(self.without())
        return self._hits[0]

    def without(self, *facets: str) -> int:
        """The matches every selection keeps except those of `facets` (a facet's counts, a
        matrix's axes and cells leave out their own)."""
        bits = self.matched
        for mask in self.constraints.leaving_out(*facets).selection_masks(self.columns).values():
            bits &= mask
        return bits

    def value_masks(self, facet: str) -> dict[str, int]:
        """Value -> bitset of `facet`, as the other selections couple it."""
        return self.constraints.value_masks(self.columns, facet)

    def leaving_out(self, *facets: str) -> Selection:
        """The same matches with the selections of `facets` off."""
        return replace(self, constraints=self.constraints.leaving_out(*facets))

    def choosing(self, facet: str, values: Sequence[str]) -> Selection:
        """The same matches with `facet`'s selection set to `values` (a matrix row's cells)."""
        return replace(self, constraints=self.constraints.choosing(facet, values))
