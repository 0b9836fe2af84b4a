"""The boost parts of every match of a query, kept as arrays where most matches have them.

The title's and the form choices' BM25 give a broad query's thousands of matches a part per
word: one `Part` object each, summed one document at a time, was most of a first-time
search at 10x. Parts that any match may have (`add_many`: those, and the organization
prior) are arrays over the matches; the few a search measures document by document (names,
phrases, spans: `add`) stay `Part`s. A document's score is its BM25F plus its parts in the
order they were added, added up as Python's `sum()` adds a list of floats (`Sums`), so the
parts `explain` lists add up to the score exactly, and the scores are those of one `Part`
list a document.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

Scores = dict[int, float]  # docnum -> score (scoring.Scores)

# sum() of floats is compensated (Neumaier) since Python 3.12, a plain left-to-right addition before.
COMPENSATED_SUM = sys.version_info >= (3, 12)


@dataclass(frozen=True)
class Part:
    """One addend of a score: what it is, on which field and words, and its value."""

    kind: str  # bm25f | title | organization prior | title match | title equal | organization ... | proximity | phrase
    field: str
    terms: str
    value: float

    def as_dict(self) -> dict:
        return {"kind": self.kind, "field": self.field, "terms": self.terms, "value": self.value}


class Sums:
    """Element-wise sums of arrays added one after another, each element as Python's `sum()`
    adds the same floats in the same order. A 0.0 added changes nothing, so an array may
    hold 0.0 where a document has no such addend."""

    def __init__(self, size: int):
        self.total = np.zeros(size)
        self.compensation = np.zeros(size)

    def add(self, values: np.ndarray) -> None:
        total = self.total + values
        if COMPENSATED_SUM:
            # CPython's sum(): c += (s - t) + x when |s| >= |x|, else (x - t) + s.
            larger = np.abs(self.total) >= np.abs(values)
            self.compensation += np.where(larger, (self.total - total) + values, (values - total) + self.total)
        self.total = total

    def rows(self, index: np.ndarray) -> "Sums":
        """The sums of the elements at `index` so far, to add more to apart from the rest."""
        some = Sums(0)
        some.total, some.compensation = self.total[index], self.compensation[index]
        return some

    def value(self) -> np.ndarray:
        if not COMPENSATED_SUM:
            return self.total
        compensation = self.compensation
        # CPython adds the compensation only when it is non-zero and finite.
        return np.where((compensation != 0.0) & np.isfinite(compensation), self.total + compensation, self.total)


@dataclass(frozen=True)
class ManyParts:
    """Parts of one kind, field and words for any of the matches: an array over them."""

    kind: str
    field: str
    terms: str
    values: np.ndarray  # float64 per match, 0.0 where a match has no such part
    present: np.ndarray  # bool per match: it has the part


class Boosts:
    """The boost parts of a query's matches, and the scores they make.

    Parts that any match may have come first (`add_many`), then the few added a document
    at a time (`add`): the order every document's parts are added up in.
    """

    def __init__(self, scores: Scores, doc_count_all: int):
        self.docnums = np.fromiter(scores, dtype=np.intp, count=len(scores))  # in the matches' order
        self.base = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
        self.position = np.full(doc_count_all, -1, dtype=np.intp)  # docnum -> index in docnums, -1 if not a match
        self.position[self.docnums] = np.arange(len(self.docnums))
        self.many: list[ManyParts] = []
        self.few: dict[int, list[Part]] = {}
        self._sums = Sums(len(self.docnums))
        self._held = np.zeros(len(self.docnums), dtype=bool)

    def positions(self, docnums: np.ndarray) -> np.ndarray:
        """Each docnum's index among the matches, -1 for a docnum that is not one."""
        return self.position[docnums]

    def add_many(self, kind: str, field: str, terms: str, docnums: np.ndarray, values: np.ndarray) -> None:
        """A part for each of `docnums` (distinct; those that are not matches are left out)."""
        if self.few:
            raise ValueError("parts for many documents come before parts a document at a time")
        where = self.positions(docnums)
        kept = where >= 0
        if not kept.any():
            return
        present = np.zeros(len(self.docnums), dtype=bool)
        present[where[kept]] = True
        spread = np.zeros(len(self.docnums))
        spread[where[kept]] = values[kept]
        self.many.append(ManyParts(kind, field, terms, spread, present))
        self._sums.add(spread)
        self._held |= present

    def add(self, docnum: int, part: Part) -> None:
        """One document's part, after every part added for many."""
        self.few.setdefault(docnum, []).append(part)

    def parts_of(self, docnum: int) -> list[Part]:
        """A document's parts in the order they are added up ([] for a document without any)."""
        index = int(self.position[docnum]) if 0 <= docnum < len(self.position) else -1
        if index < 0:
            return []
        many = [Part(parts.kind, parts.field, parts.terms, float(parts.values[index])) for parts in self.many if parts.present[index]]
        return many + self.few.get(docnum, [])

    def boosted(self) -> np.ndarray:
        """Every match's score with its parts so far, in the matches' order."""
        scores = np.where(self._held, self.base + self._sums.value(), self.base)
        if self.few:
            # Each document's parts of many so far, then its own parts, one column at a time
            # (0.0 where a document has fewer): the sums `parts_of` would make.
            index = self.position[np.fromiter(self.few, dtype=np.intp, count=len(self.few))]
            sums = self._sums.rows(index)
            for column in range(max(map(len, self.few.values()))):
                sums.add(np.array([parts[column].value if column < len(parts) else 0.0 for parts in self.few.values()]))
            scores[index] = self.base[index] + sums.value()
        return scores

    def scores(self) -> Scores:
        """Docnum -> score with every part, in the matches' order."""
        return dict(zip(self.docnums.tolist(), self.boosted().tolist()))

    def boosted_docnums(self) -> set[int]:
        """The matches with at least one part."""
        return set(self.docnums[self._held].tolist()) | set(self.few)

    def holding(self, kind: str) -> frozenset[int]:
        """The matches with a part of many of `kind`."""
        held = np.zeros(len(self.docnums), dtype=bool)
        for parts in self.many:
            if parts.kind == kind:
                held |= parts.present
        return frozenset(self.docnums[held].tolist())
