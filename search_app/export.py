"""Every document of a search as CSV, JSON or NDJSON, streamed a row at a time.

The search runs once (its hits are an array of document numbers, cached like any
search); rows are then built and written one by one from the generation's columns and
stored fields, so a large result never sits in memory as rows or text. A grouped search
exports one row per group (its best document) with the group's `group_count`.

An export of organizations (kind=organization alone, or grouped by organization) adds what
a funder asks of each: website, EIN, zip, home region, type, how many proposals, their
years. Those columns describe a row's organization (a proposal's own, when asked for it
with `fields=`), and `fields=` chooses the columns of any export.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace

from engine import BadRequest, LiveIndex, SearchRequest, search
from index_store import payload_of

from .document_view import organization_identifiers

FIELDS = (
    "id", "kind", "title", "organization", "organization_id", "year", "goal",
    "regions", "metrics", "outcomes", "topics", "url", "source_url",
)  # fmt: skip
ORGANIZATION_FIELDS = ("website", "ein", "zip", "home_region", "org_type", "proposals", "years")
GROUP_FIELD = "group_count"
ALL_FIELDS = (*FIELDS, *ORGANIZATION_FIELDS, GROUP_FIELD)  # what `fields=` may name (OpenAPI lists them)
MAX_FIELDS_LENGTH = 1000  # characters of the `fields` parameter
LIST_SEPARATOR = "; "  # between the values of a list in a CSV cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "ndjson": "application/x-ndjson"}
FLUSH_ROWS = 200  # rows per chunk of the response: one write each, not one per row


def export_rows(live: LiveIndex, request: SearchRequest, site: str, names: tuple[str, ...] = FIELDS) -> tuple[int, Iterator[dict]]:
    """How many rows a search exports, and the rows (a generator: nothing is read until iterated).

    :param site: the site's root URL (SEARCH_BASE_URL), or "" for links relative to the site.
    :param names: the columns wanted (`field_names`): organizations' are read only if named.
    """
    outcome = search(live, replace(request, page=1, per_page=1))
    sizes = outcome.group_sizes if request.group else None
    with_organization = not set(ORGANIZATION_FIELDS).isdisjoint(names)
    return len(outcome.hits), _rows(live, outcome.hits, sizes, site.rstrip("/"), with_organization)


def _rows(live: LiveIndex, docnums, sizes, site: str, with_organization: bool) -> Iterator[dict]:
    columns = live.columns
    with live.reader() as reader:
        for position, docnum in enumerate(docnums):
            stored = reader.stored_fields(docnum)
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
            if with_organization:
                own = stored if kind == "organization" else None
                row.update(_organization_columns(live, reader, own, row_organization(columns, docnum)))
            if sizes is not None:
                row[GROUP_FIELD] = sizes[position]
            yield row


def row_organization(columns, docnum: int) -> str:
    """The id of the organization a row describes: itself, or the one it is linked to."""
    return columns.ids[docnum] if columns.values["kind"][docnum] == ("organization",) else columns.organization_ids.get(docnum, "")


def _organization_columns(live: LiveIndex, reader, stored: dict | None, organization_id: str) -> dict:
    """The ORGANIZATION_FIELDS of one organization (empty when the row has none)."""
    columns = live.columns
    docnum = columns.by_id.get(organization_id)
    if docnum is None:
        return {name: [] if name in ("website", "years") else "" for name in ORGANIZATION_FIELDS}
    profile = payload_of(stored or reader.stored_fields(docnum)).get("profile", {})
    link = columns.link_of(organization_id)
    proposals = columns.proposals_of(organization_id)
    years = {columns.years[d] for d in proposals if columns.years[d]} | set(profile.get("years", []))
    identifiers = organization_identifiers(profile, link)
    return {
        "website": list(identifiers["websites"]),
        "ein": identifiers["ein"],
        "zip": identifiers["zip"],
        "home_region": link.get("home_region", ""),
        "org_type": link.get("org_type", ""),
        "proposals": len(proposals),
        "years": sorted(years, reverse=True),
    }


def field_names(request: SearchRequest, fields: str = "") -> tuple[str, ...]:
    """The columns of an export: those `fields` names (comma-separated), else the defaults:
    organizations' columns for an export of organizations, `group_count` when grouped.

    :raises BadRequest: for a name that is no column, listing those there are.
    """
    grouped = bool(request.group)
    if fields.strip():
        if len(fields) > MAX_FIELDS_LENGTH:
            raise BadRequest(f"fields is longer than {MAX_FIELDS_LENGTH} characters")
        chosen = tuple(dict.fromkeys(name.strip() for name in fields.split(",") if name.strip()))
        allowed = ALL_FIELDS if grouped else ALL_FIELDS[:-1]
        unknown = [name for name in chosen if name not in allowed]
        if unknown == [GROUP_FIELD]:
            raise BadRequest(f"{GROUP_FIELD} is a column of grouped exports only (group=organization)")
        if unknown:
            raise BadRequest(f"unknown field {unknown[0][:40]!r} in fields; the fields are {', '.join(allowed)}")
        return chosen
    organizations = request.group == "organization" or request.selected.get("kind") == ["organization"]
    names = (*FIELDS, *ORGANIZATION_FIELDS) if organizations else FIELDS
    return (*names, GROUP_FIELD) if grouped else names


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
        value = LIST_SEPARATOR.join(map(str, value))
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
        yield ("," if count else "") + "\n" + json.dumps({name: row[name] for name in names}, ensure_ascii=False)
    yield "\n]}\n"


def _ndjson(rows: Iterable[dict], names: tuple[str, ...], _total: int) -> Iterator[str]:
    for row in rows:
        yield json.dumps({name: row[name] for name in names}, ensure_ascii=False) + "\n"
