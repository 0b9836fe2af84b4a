"""Per-generation arrays of the small stored fields, read once and shared by all requests.

Facet counting and filtering use one bitset per facet value: a Python int whose bit n is
set when document n has the value. Counting a value is then `(hits & value).bit_count()`,
done in C, so the ~110 facet values of the archive cost a fraction of a millisecond
whatever the number of hits, instead of a Whoosh grouping per facet per request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from vocabulary.facets import FACETS
from vocabulary.fold import fold, fold_key

# An outcome happens in a year: selected together, they mean events (won in 2019), not a
# document having each somewhere (an organization that won in 2016 and took part in 2019).
EVENT_FACETS = ("outcome", "year")


@dataclass
class Columns:
    """Facet values and display fields by Whoosh document number (live documents only)."""

    docnums: list[int] = field(default_factory=list)  # live documents, index order
    ids: dict[int, str] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    years: dict[int, int | None] = field(default_factory=dict)
    values: dict[str, dict[int, tuple[str, ...]]] = field(default_factory=lambda: {f: {} for f in FACETS})
    by_id: dict[str, int] = field(default_factory=dict)
    organization_ids: dict[int, str] = field(default_factory=dict)  # "" when not linked
    organizations: dict[int, str] = field(default_factory=dict)  # the organization's name
    locations: dict[int, dict | None] = field(default_factory=dict)  # organizations' {lat, lon, ...}
    links: dict = field(default_factory=dict)  # the manifest's links (see indexer/linking.py)
    alias_of: dict[int, int] = field(default_factory=dict)  # merged-away organization -> its canonical one
    masks: dict[str, dict[str, int]] = field(default_factory=dict)  # facet -> value -> bitset
    events: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # docnum -> (outcome, year or "")
    event_masks: dict[tuple[str, str], int] = field(default_factory=dict)  # (outcome, year) -> bitset
    all_docs: int = 0  # bitset of every live document
    _orders: dict[str, list[int]] = field(default_factory=dict)  # sort name -> docnums
    _ranks: dict[str, np.ndarray] = field(default_factory=dict)  # sort name -> place by docnum
    _folded: dict[str, dict[str, str]] = field(default_factory=dict)  # facet -> folded -> value
    _holders: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)  # (facet, value) -> docnums
    _dated: dict[int, int] = field(default_factory=dict)  # a document's own year -> bitset

    @classmethod
    def load(cls, reader, links: dict | None = None) -> "Columns":
        """Read every live document's facet fields from an index reader, and its links."""
        columns = cls(links=links or {})
        linked = columns.links.get("documents", {})
        merged = {}
        for docnum, stored in reader.live_documents():
            doc_id = stored.get("id", "")
            link = linked.get(doc_id, {})
            if link.get("alias_of"):  # one organization once: its other files only lead to it
                merged[docnum] = link["alias_of"]
                continue
            columns.docnums.append(docnum)
            columns.ids[docnum] = doc_id
            columns.by_id[doc_id] = docnum
            columns.titles[docnum] = stored.get("title", "")
            year = stored.get("year")
            columns.years[docnum] = year
            columns.values["region"][docnum] = tuple(split_values(stored.get("region", "")))
            columns.values["metric"][docnum] = tuple(split_values(stored.get("metric", "")))
            columns.values["goal"][docnum] = (stored["goal"],) if stored.get("goal") else ()
            columns.values["kind"][docnum] = (stored.get("kind", ""),)
            years = link.get("years") or ([year] if year is not None else [])  # organizations: every year
            columns.values["year"][docnum] = tuple(str(y) for y in years)
            columns.organization_ids[docnum] = link.get("organization_id") or ""
            columns.organizations[docnum] = link.get("organization") or stored.get("organization", "")
            if "location" in link:
                columns.locations[docnum] = link["location"]
            columns.events[docnum] = tuple(dict.fromkeys((o["outcome"], str(o["year"] or "")) for o in link.get("outcomes", [])))
            columns.values["outcome"][docnum] = tuple(dict.fromkeys(outcome for outcome, _year in columns.events[docnum]))
            columns.values["topic"][docnum] = tuple(link.get("topics", ()))
            columns.values["org_type"][docnum] = (link["org_type"],) if link.get("org_type") else ()
            columns.values["home_region"][docnum] = (link["home_region"],) if link.get("home_region") else ()
        columns.alias_of = {docnum: columns.by_id[canonical] for docnum, canonical in merged.items() if canonical in columns.by_id}
        columns._build_masks()
        return columns

    def canonical_id(self, doc_id: str) -> str:
        """The id of the organization a merged-away organization's id stands for, else `doc_id`."""
        return self.links.get("aliases", {}).get(doc_id, doc_id)

    def fold_aliases(self, scores: dict[int, float] | None) -> dict[int, float] | None:
        """Text matches with a merged-away organization's match given to its canonical one
        (the better score of the two), so its name finds the one organization once."""
        if not scores or not self.alias_of or self.alias_of.keys().isdisjoint(scores):
            return scores
        folded = dict(scores)
        for alias, canonical in self.alias_of.items():
            if alias in folded:
                score = folded.pop(alias)
                folded[canonical] = max(score, folded.get(canonical, score))
        return folded

    def _build_masks(self) -> None:
        self.all_docs = self.bitset(self.docnums)
        for facet in FACETS:
            holders: dict[str, list[int]] = {}
            for docnum, values in self.values[facet].items():
                for value in values:
                    holders.setdefault(value, []).append(docnum)
            self.masks[facet] = {value: self.bitset(docnums) for value, docnums in holders.items()}
            self._folded[facet] = {fold_key(value): value for value in sorted(holders, reverse=True)}
        by_event: dict[tuple[str, str], list[int]] = {}
        for docnum, events in self.events.items():
            for event in events:
                by_event.setdefault(event, []).append(docnum)
        self.event_masks = {event: self.bitset(docnums) for event, docnums in by_event.items()}

    def facet_masks(self, facet: str, selected: dict[str, list[str]]) -> dict[str, int]:
        """Value -> bitset for `facet`, given the other facets' selections: with outcomes
        selected, a year holds the documents with one of them in that year; with years
        selected, an outcome holds those with it in one of them (EVENT_FACETS)."""
        if facet not in EVENT_FACETS:
            return self.masks.get(facet, {})
        other = EVENT_FACETS[1 - EVENT_FACETS.index(facet)]
        chosen = set(selected.get(other) or ())
        if not chosen:
            return self.masks.get(facet, {})
        masks: dict[str, int] = {}
        for event, mask in self.event_masks.items():
            mine, theirs = event if facet == "outcome" else event[::-1]
            if theirs in chosen and mine:
                masks[mine] = masks.get(mine, 0) | mask
        return masks

    def resolve(self, facet: str, value: str) -> str:
        """The value of this generation that `value` spells (topic=health: "Health"), else
        `value` itself. Topics come from the archive's own data, so no fixed table has them.

        A value's first words stand for it when no other value starts with them
        (topic=housing: "Housing & homelessness"), as people name a long topic.
        """
        if value in self.masks.get(facet, {}):
            return value
        folded = self._folded.get(facet, {})
        if fold_key(value) in folded:
            return folded[fold_key(value)]
        typed = fold(value).split()
        starting = {spelled for spelled in folded.values() if typed and fold(spelled).split()[: len(typed)] == typed}
        return starting.pop() if len(starting) == 1 else value

    @staticmethod
    def bitset(docnums) -> int:
        """The bitset of some document numbers (packed by numpy: shifting ints, or setting
        bits one document at a time, is slow for a broad query's thousands of matches)."""
        numbers = np.fromiter(docnums, dtype=np.int64)
        if not len(numbers):
            return 0
        present = np.zeros(int(np.max(numbers)) + 1, dtype=np.bool_)
        present[numbers] = True
        return int.from_bytes(np.packbits(present, bitorder="little").tobytes(), "little")

    @staticmethod
    def members(bitset: int, docnums) -> list[int]:
        """The `docnums` (in their order) whose bit is set."""
        packed = np.frombuffer(bitset.to_bytes((bitset.bit_length() >> 3) + 1, "little"), dtype=np.uint8)
        bits = np.unpackbits(packed, bitorder="little").view(bool)
        numbers = np.fromiter(docnums, dtype=np.int64)
        inside = numbers < len(bits)
        kept = np.zeros(len(numbers), dtype=bool)
        kept[inside] = bits[numbers[inside]]
        return numbers[kept].tolist()

    def value_counts(self, facet: str, bitset: int, masks: dict[str, int] | None = None) -> dict[str, int]:
        """How many documents of `bitset` carry each value of `facet` (zero counts left out);
        `masks` (facet_masks) count values as the other selections couple them."""
        counts = {}
        for value, mask in (self.masks[facet] if masks is None else masks).items():
            count = (bitset & mask).bit_count()
            if count:
                counts[value] = count
        return counts

    def dated_within(self, span: tuple[int | None, int | None]) -> int:
        """The bitset of the documents whose own year (`years`) lies in (low, high), either
        end open; an undated document never does."""
        if not self._dated:
            by_year: dict[int, list[int]] = {}
            for docnum, year in self.years.items():
                if year is not None:
                    by_year.setdefault(year, []).append(docnum)
            self._dated = {year: self.bitset(docnums) for year, docnums in by_year.items()}
        low, high = span
        bits = 0
        for year, mask in self._dated.items():
            if (low is None or year >= low) and (high is None or year <= high):
                bits |= mask
        return bits

    def holders(self, facet: str, value: str) -> frozenset[int]:
        """The docnums carrying `value` of `facet` as a set (ranking tests membership per match)."""
        key = (facet, value)
        if key not in self._holders:
            self._holders[key] = frozenset(d for d, values in self.values[facet].items() if value in values)
        return self._holders[key]

    def order(self, sort: str) -> list[int]:
        """Every live docnum in `sort` order (newest, oldest, title), computed once."""
        if sort not in self._orders:
            self._orders[sort] = sorted(self.docnums, key=self._sort_keys()[sort])
        return self._orders[sort]

    def ranks(self, sort: str) -> np.ndarray:
        """Each docnum's place in `order(sort)` (intp, indexed by docnum up to the highest
        live one; -1 for a deleted one), documents with equal keys sharing one: a tie-break
        of one integer instead of a tuple built for every hit of every search. Read-only."""
        if sort not in self._ranks:
            key = self._sort_keys()[sort]
            ranks = np.full(max(self.docnums, default=-1) + 1, -1, dtype=np.intp)
            place, previous = -1, None
            for docnum in self.order(sort):
                current = key(docnum)
                if current != previous:
                    place, previous = place + 1, current
                ranks[docnum] = place
            ranks.flags.writeable = False  # shared by every search of the generation
            self._ranks[sort] = ranks
        return self._ranks[sort]

    def _sort_keys(self) -> dict:
        title = {d: self.titles[d].casefold() for d in self.docnums}
        year = {d: self.years[d] or 0 for d in self.docnums}
        return {
            "newest": lambda d: (-year[d], title[d]),
            "oldest": lambda d: (self.years[d] is None, year[d], title[d]),  # undated last
            "title": lambda d: (title[d], -year[d]),
        }

    def link_of(self, doc_id: str) -> dict:
        """What the indexer linked to a document: organization, outcomes, topics, type."""
        return self.links.get("documents", {}).get(doc_id, {})

    def outcome_labels(self, doc_id: str) -> list[str]:
        """A document's outcomes as pages and exports name them: "Winner 2019", "Featured"."""
        return [outcome["label"] for outcome in self.link_of(doc_id).get("outcomes", [])]

    def proposals_of(self, organization_id: str) -> list[int]:
        """The docnums of an organization's proposals, newest first."""
        ids = self.links.get("proposals_of", {}).get(organization_id, [])
        return [self.by_id[doc_id] for doc_id in ids if doc_id in self.by_id]


def split_values(joined: str) -> list[str]:
    """The values of a comma-joined KEYWORD field (region, metric)."""
    return [value for value in joined.split(",") if value]


def payload_of(stored: dict) -> dict:
    """The display-only fields of a stored document."""
    try:
        return json.loads(stored.get("payload") or "{}")
    except ValueError:
        return {}


def document_text(payload: dict) -> str:
    """All body text of a document: a proposal's answers or an article's main text."""
    if payload.get("sections"):
        return "\n\n".join(answer for _question, answer in payload["sections"])
    return payload.get("text", "")
