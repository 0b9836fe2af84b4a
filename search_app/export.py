"""Every document of a search as CSV, JSON or NDJSON, streamed a row at a time.

The search runs once (its hits are an array of document numbers, cached like any
search); rows are then built and written one by one from the generation's columns and
stored fields, so a large result never sits in memory as rows or text. A grouped search
exports one row per group (its best document) with the group's `group_count`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace

from .engine import SearchRequest, run_search
from .generations import LiveIndex

FIELDS = (
    "id", "kind", "title", "organization", "organization_id", "year", "goal",
    "regions", "metrics", "outcomes", "topics", "url", "source_url",
)  # fmt: skip
LIST_SEPARATOR = "; "  # between the values of a list in a CSV cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "ndjson": "application/x-ndjson"}
FLUSH_ROWS = 200  # rows per chunk of the response: one write each, not one per row


def export_rows(live: LiveIndex, request: SearchRequest, site: str) -> tuple[int, Iterator[dict]]:
    """How many rows a search exports, and the rows (a generator: nothing is read until iterated).

    :param site: the site's root URL (SEARCH_BASE_URL), or "" for links relative to the site.
    """
    outcome = run_search(live, replace(request, page=1, per_page=1))
    sizes = outcome.group_sizes if request.group else None
    return len(outcome.hits), _rows(live, outcome.hits, sizes, site.rstrip("/"))


def _rows(live: LiveIndex, docnums, sizes, site: str) -> Iterator[dict]:
    columns = live.columns
    with live.searcher() as searcher:
        for position, docnum in enumerate(docnums):
            stored = searcher.stored_fields(docnum)
            doc_id, kind = columns.ids[docnum], stored.get("kind", "")
            row = {
                "id": doc_id,
                "kind": kind,
                "title": columns.titles[docnum],
                "organization": columns.organizations.get(docnum) or stored.get("organization", ""),
                "organization_id": columns.organization_ids.get(docnum, ""),
                "year": columns.years[docnum],
                "goal": stored.get("goal", ""),
                "regions": list(columns.values["region"][docnum]),
                "metrics": list(columns.values["metric"][docnum]),
                "outcomes": columns.outcome_labels(doc_id),  # "Winner 2019": an outcome is an event
                "topics": list(columns.values["topic"][docnum]),
                "url": f"{site}/doc/{doc_id}",
                "source_url": stored.get("url", ""),
            }
            if sizes is not None:
                row["group_count"] = sizes[position]
            yield row


def field_names(grouped: bool) -> tuple[str, ...]:
    return (*FIELDS, "group_count") if grouped else FIELDS


def render(format_name: str, rows: Iterable[dict], names: tuple[str, ...], total: int) -> Iterator[str]:
    """The export as text chunks in `format_name` (csv, json or ndjson), FLUSH_ROWS rows a chunk."""
    pieces = {"csv": _csv, "json": _json, "ndjson": _ndjson}[format_name](rows, names, total)
    chunk: list[str] = []
    for piece in pieces:
        chunk.append(piece)
        if len(chunk) >= FLUSH_ROWS:
            yield "".join(chunk)
            chunk.clear()
    yield "".join(chunk)


def _csv(rows: Iterable[dict], names: tuple[str, ...], _total: int) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # the byte-order mark that makes spreadsheets read UTF-8
    writer.writerow(names)
    yield _drain(buffer)
    for row in rows:
        writer.writerow([spreadsheet_cell(row[name]) for name in names])
        yield _drain(buffer)


def spreadsheet_cell(value) -> str:
    """One CSV cell: lists joined, nothing a spreadsheet would evaluate."""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _json(rows: Iterable[dict], names: tuple[str, ...], total: int) -> Iterator[str]:
    yield json.dumps({"ok": True, "total": total, "fields": list(names)})[:-1] + ', "documents": ['
    for count, row in enumerate(rows):
        yield ("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


def _ndjson(rows: Iterable[dict], _names: tuple[str, ...], _total: int) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"
