"""Per-generation arrays of the small stored fields, read once and shared by all requests.

Facet counting, filtering and sorting run over these plain Python lists instead of a
Whoosh grouping per facet per request (see the performance issue): with a few thousand
documents a pass over a list is far cheaper than Whoosh's collectors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

FACETS = ("region", "metric", "goal", "year", "kind")


@dataclass
class Columns:
    """Facet values and display fields by Whoosh document number (live documents only)."""

    docnums: list[int] = field(default_factory=list)  # live documents, index order
    ids: dict[int, str] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    years: dict[int, int | None] = field(default_factory=dict)
    values: dict[str, dict[int, tuple[str, ...]]] = field(default_factory=lambda: {f: {} for f in FACETS})
    by_id: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, reader) -> "Columns":
        """Read every live document's facet fields from a Whoosh reader."""
        columns = cls()
        for docnum, stored in reader.iter_docs():
            columns.docnums.append(docnum)
            doc_id = stored.get("id", "")
            columns.ids[docnum] = doc_id
            columns.by_id[doc_id] = docnum
            columns.titles[docnum] = stored.get("title", "")
            year = stored.get("year")
            columns.years[docnum] = year
            columns.values["region"][docnum] = tuple(split_values(stored.get("region", "")))
            columns.values["metric"][docnum] = tuple(split_values(stored.get("metric", "")))
            columns.values["goal"][docnum] = (stored["goal"],) if stored.get("goal") else ()
            columns.values["year"][docnum] = (str(year),) if year is not None else ()
            columns.values["kind"][docnum] = (stored.get("kind", ""),)
        return columns

    def counts(self, facet: str, docnums) -> dict[str, int]:
        """How many of `docnums` carry each value of `facet`."""
        column = self.values[facet]
        counts: dict[str, int] = {}
        for docnum in docnums:
            for value in column[docnum]:
                counts[value] = counts.get(value, 0) + 1
        return counts


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
