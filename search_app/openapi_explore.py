"""The OpenAPI description of the views over a whole search (matrix, map, export, overview)
and of the type-ahead.

Kept beside `openapi.py`, which adds these paths and schemas to the published document.
"""

from __future__ import annotations

from engine import GROUPS
from engine.suggestions import MAX_LIMIT, MAX_TYPED, ORGANIZATION
from vocabulary.facets import FACETS

from .export import ALL_FIELDS, MAX_FIELDS_LENGTH
from .mapview import MAP_BY
from .matrix import SHARES
from .nav import EXPORT_FORMATS
from .params import MAX_ID_LENGTH

_LINKED_COUNT = {
    "type": "object",
    "required": ["value", "count", "url"],
    "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0}, "url": {"type": "string"}},
}
_AXIS_VALUE = {
    "type": "object",
    "required": ["value", "total", "url"],
    "properties": {"value": {"type": "string"}, "total": {"type": "integer", "minimum": 0}, "url": {"type": "string"}},
}
_CELL = {
    "type": "object",
    "required": ["row", "col", "count", "url"],
    "properties": {
        "row": {"type": "string"},
        "col": {"type": "string"},
        "count": {"type": "integer", "minimum": 0},
        "url": {"type": "string"},
        "level": {"type": "integer", "minimum": 0, "maximum": 5},
        "share": {"type": "number", "minimum": 0, "description": "With `share`: the count in percent of its row, column or year"},
    },
}
_PARTNER = {
    "type": "object",
    "required": ["name", "url", "score", "closeness", "shared", "why", "proposals", "closest", "proposals_url"],
    "properties": {
        "id": {"type": ["string", "null"], "description": "The linked organization, null when proposals only name it"},
        "name": {"type": "string"},
        "url": {"type": "string"},
        "score": {"type": "number", "description": "closeness plus a little per shared metric, region and topic"},
        "closeness": {"type": "number", "description": "cosine of the closest proposal with the description"},
        "shared": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "why": {"type": "string"},
        "proposals": {"type": "integer", "minimum": 1, "description": "its proposals among the closest"},
        "closest": {"type": "array", "items": {"type": "object"}},
        "proposals_url": {"type": "string"},
    },
}
SCHEMAS = {
    "PartnersResponse": {
        "type": "object",
        "required": ["ok", "text", "partners", "partners_total", "notes"],
        "properties": {
            "ok": {"const": True},
            "text": {"type": "string"},
            "partners": {"type": "array", "items": _PARTNER},
            "partners_total": {"type": "integer", "minimum": 0},
            "based_on": {"type": "object", "description": "metrics, regions and topics read from the closest proposals"},
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    },
    "MatrixResponse": {
        "type": "object",
        "required": ["ok", "dimensions", "rows", "cols", "cells", "total", "empty"],
        "properties": {
            "ok": {"const": True},
            "dimensions": {"type": "object"},
            "counting": {"type": "string", "enum": ["documents", "organizations"]},
            "total": {"type": "integer", "minimum": 0},
            "total_documents": {"type": "integer", "minimum": 0},
            "rows": {"type": "array", "items": _AXIS_VALUE},
            "cols": {"type": "array", "items": _AXIS_VALUE},
            "cells": {"type": "array", "items": {"type": "array", "items": _CELL}},
            "empty": {"type": "boolean"},
            "share": {"type": ["string", "null"], "enum": [*(share for share in SHARES if share), None]},
            "chips": {"type": "array", "items": {"type": "object"}, "description": "The search's filters, each with the URL that removes it"},
        },
    },
    "SuggestResponse": {
        "type": "object",
        "required": ["ok", "q", "suggestions", "more"],
        "properties": {
            "ok": {"const": True},
            "q": {"type": "string"},
            "suggestions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "label", "value", "count", "url"],
                    "properties": {
                        "type": {"type": "string", "enum": [ORGANIZATION, *FACETS]},
                        "label": {"type": "string"},
                        "value": {"type": "string"},
                        "count": {"type": "integer", "minimum": 0, "description": "An organization's proposals, a value's documents"},
                        "url": {"type": "string", "description": "The organization's page, or the search for the value"},
                    },
                },
            },
            "more": {"type": "integer", "minimum": 0, "description": "Matches left out by `limit`"},
        },
    },
    "MapResponse": {
        "type": "object",
        "required": ["ok", "total", "organizations", "outside_county", "without_location", "charts", "empty"],
        "properties": {
            "ok": {"const": True},
            "total": {"type": "integer", "minimum": 0},
            "organizations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name", "url", "count", "lat", "lon"],
                    "properties": {"count": {"type": "integer", "minimum": 1}},
                },
            },
            "outside_county": {"type": "integer", "minimum": 0},
            "without_location": {"type": "integer", "minimum": 0},
            "charts": {"type": "object"},
            "table": {"type": "array", "items": {"type": "object"}, "description": "The organizations of page `list_page` of the text list"},
            "table_pages": {"type": "object"},
            "empty": {"type": "boolean"},
        },
    },
    "OverviewResponse": {
        "type": "object",
        "required": ["ok", "documents", "proposals", "organizations", "goals", "regions", "metrics"],
        "properties": {
            "ok": {"const": True},
            "documents": {"type": "integer", "minimum": 0},
            "proposals": {"type": "integer", "minimum": 0},
            "organizations": {"type": "integer", "minimum": 0},
            "goals": {"type": "array", "items": _LINKED_COUNT},
            "regions": {"type": "array", "items": _LINKED_COUNT},
            "metrics": {"type": "array", "items": _LINKED_COUNT},
        },
    },
}


def _fields_pattern() -> str:
    """The `fields` values an export takes: column names separated by commas (or none)."""
    name = "(?:" + "|".join(ALL_FIELDS) + ")"
    return rf"^(?: *{name} *(?:, *{name} *)*)?$"


def _choice(name: str, values, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "enum": list(values)}}  # fmt: skip


def group_parameter() -> dict:
    return _choice("group", GROUPS, "One hit per organization: `total` counts organizations.")


def _json(schema: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def organization_parameter() -> dict:
    return {"name": "organization", "in": "query", "required": False,
            "description": "Only this organization (`organization/<slug>`) and its proposals.",
            "schema": {"type": "string", "maxLength": MAX_ID_LENGTH}}  # fmt: skip


def _get(summary: str, parameters: list[dict], content: dict) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {"description": summary, "content": content},
                "400": {"description": "Invalid parameter", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "503": {"description": "No index", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        }
    }


def explore_paths(search_parameters: list[dict]) -> dict:
    """The paths of the matrix, map, export and overview, taking every search parameter."""
    axes = [
        _choice("rows", FACETS, "Facet of the rows (default region)."),
        _choice("cols", FACETS, "Facet of the columns (default metric); not the same as rows."),
        {"name": "limit", "in": "query", "required": False, "description": "Values per axis: 1-10000, or `all`.",
         "schema": {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 10000}, {"const": "all"}]}},
        _choice("share", SHARES, "Cells as counts (empty, the default) or in percent of their row, column or year "
                "(`year`: of every document of that year in the archive; needs year as rows or cols)."),
        _choice("format", ("json", "csv"), "json (default) or csv: the matrix itself, one line per row value."),
    ]  # fmt: skip
    list_page = {"name": "list_page", "in": "query", "required": False, "description": "Page of the organizations' text list (`table`), 50 a page; past the last page is a 400.",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 10000}}  # fmt: skip
    map_by = _choice("by", tuple(MAP_BY), "What the dots stand for: home (default), organizations at their zip codes; "
                     "work, the regions the matching documents say they work in (`work_regions`).")
    suggest = [
        {"name": "q", "in": "query", "required": True, "description": "What was typed: the start or a part of a name (accents and case ignored).",
         "schema": {"type": "string", "minLength": 1, "maxLength": MAX_TYPED}},
        _choice("type", (ORGANIZATION, *FACETS), "Only this kind of suggestion (default: organizations, metrics, topics and regions)."),
        {"name": "limit", "in": "query", "required": False, "description": f"Suggestions returned, 1-{MAX_LIMIT} (default 8).",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
    ]  # fmt: skip
    export_format = _choice("format", EXPORT_FORMATS, "csv (default; UTF-8, lists joined with '; '), json or ndjson.")
    export_fields = {
        "name": "fields", "in": "query", "required": False,
        "description": "The columns, comma-separated, in this order (an unknown name is a 400). Default: every column but the "
                       "organizations' (website, ein, zip, home_region, org_type, proposals, years), which an export of "
                       "organizations (kind=organization, or group=organization) has too; group_count only when grouped. "
                       "Organizations' columns describe a row's organization; outcomes read \"Winner 2019\". "
                       f"The columns: {', '.join(ALL_FIELDS)}.",
        "schema": {"type": "string", "maxLength": MAX_FIELDS_LENGTH, "pattern": _fields_pattern(),
                   "examples": ["id,title,website,ein,home_region,outcomes"]},
    }  # fmt: skip
    exported = {"text/csv": {}, "application/json": {"schema": {"type": "object"}}, "application/x-ndjson": {}}
    return {
        "/api/matrix": _get("Counts by two facets, each cell with its search URL", search_parameters + axes,
                            {**_json("MatrixResponse"), "text/csv": {}}),
        "/api/map": _get("A search's organizations at their locations, proposals per year and goal", search_parameters + [list_page, map_by],
                         _json("MapResponse")),
        "/api/suggest": _get("Organizations, metrics, topics and regions whose names start with or contain the text", suggest,
                             _json("SuggestResponse")),
        "/api/export": _get("Every matching document, streamed", search_parameters + [export_format, export_fields], exported),
        "/api/overview": _get("The archive's size and entry points", [], _json("OverviewResponse")),
        "/api/partners": _get(
            "Organizations whose proposals are closest in meaning to a description of your work",
            [_description_parameter(), *[p for p in search_parameters if p["name"] in FACETS]],
            _json("PartnersResponse"),
        ),
    }


def _description_parameter() -> dict:
    return {"name": "text", "in": "query", "required": True,
            "description": "A few sentences about your work (1-2000 characters, not only spaces; else 400).",
            "schema": {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "\\S"}}  # fmt: skip
