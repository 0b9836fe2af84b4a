"""The OpenAPI 3.1 description of the JSON API, built from the same names the code uses."""

from __future__ import annotations

from functools import lru_cache

from engine import GROUPS, NAMED_FACETS, SORTS
from vocabulary.facets import FACETS

from vocabulary.outcomes import OUTCOMES
from vocabulary.values import KINDS

from .openapi_explore import SCHEMAS as EXPLORE_SCHEMAS
from .openapi_explore import explore_paths, group_parameter, organization_parameter
from .params import MAX_VALUE_LENGTH, MAX_VALUES_PER_FACET

_STRING_LIST = {"type": "array", "items": {"type": "string"}}
_FACET = {
    "type": "object",
    "required": ["values", "truncated"],
    "properties": {
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["value", "count", "selected"],
                "properties": {
                    "value": {"type": "string"},
                    "count": {"type": "integer", "minimum": 0},
                    "selected": {"type": "boolean"},
                    "toggle_url": {"type": "string"},
                },
            },
        },
        "truncated": {"type": "boolean"},
    },
}
_OUTCOME = {
    "type": "object",
    "description": (
        "An outcome event from the archive's _data files (winners, finalists, honorable mentions, featured): "
        "year=Y&outcome=O finds the documents with this event, not those with O and Y apart."
    ),
    "required": ["outcome", "year", "label", "proposal_id", "file"],
    "properties": {
        "outcome": {"type": "string", "enum": list(OUTCOMES)},
        "year": {"type": ["integer", "null"], "description": "The year of the event (null: featured, no year)"},
        "label": {"type": "string", "description": "How pages and exports name it: 'Winner 2019'"},
        "file": {"type": "string", "description": "The data file that names it"},
        "proposal_id": {"type": ["string", "null"], "description": "The proposal it went to, when known"},
    },
}
_REGIONS = (
    'A proposal\'s regions; "Not stated" when it neither answers nor names a known place. '
    "Organizations and articles have none."
)
_INFERRED = "True when a proposal's regions were read from the places its text names, not answered"
_METRICS = 'A proposal\'s metrics; "Not stated" when it names none (2013). Organizations and articles have none.'
_CARD = {
    "type": "object",
    "required": [
        "id", "kind", "title", "url", "organization", "organization_id", "year", "goal", "regions", "metrics",
        "outcomes", "topics", "org_type",
    ],
    "properties": {
        "id": {"type": "string"},
        "kind": {"type": "string", "enum": list(KINDS)},
        "title": {"type": "string"},
        "url": {"type": "string"},
        "source_url": {"type": "string"},
        "organization": {"type": "string", "description": "The organization's name (a linked proposal's is its organization's)"},
        "organization_id": {"type": ["string", "null"], "description": "The organization document's id, or null when not linked"},
        "year": {"type": ["integer", "null"]},
        "goal": {"type": "string"},
        "regions": {**_STRING_LIST, "description": _REGIONS},
        "regions_inferred": {"type": "boolean", "description": _INFERRED},
        "metrics": {**_STRING_LIST, "description": _METRICS},
        "outcomes": {"type": "array", "items": _OUTCOME},
        "organization_outcomes": {
            "type": "array", "items": _OUTCOME,
            "description": "Proposals only: every outcome of their organization, in any year",
        },
        "topics": {**_STRING_LIST, "description": "The organization's topics, parents included"},
        "org_type": {"type": "string", "description": "The organization's type, folded (Nonprofit, ...)"},
        "home_region": {"type": "string", "description": "An organization's: the region of its zip code, "
                        "\"Outside LA County\" or \"Not stated\"; empty for other documents"},
    },
}
_LOCATION = {
    "type": ["object", "null"],
    "description": "Where the organization's zip code is; null without a zip",
    "required": ["lat", "lon", "place", "in_la_county"],
    "properties": {
        "zip": {"type": "string"},
        "lat": {"type": "number"},
        "lon": {"type": "number"},
        "place": {"type": "string"},
        "in_la_county": {"type": "boolean"},
        "region": {"type": "string", "description": "The LA region of the zip code, or \"Outside LA County\""},
    },
}
_PROPOSAL_ROW = {
    "type": "object",
    "required": ["id", "title", "year", "goal", "url"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "year": {"type": ["integer", "null"]},
        "goal": {"type": "string"},
        "url": {"type": "string"},
        "regions": {**_STRING_LIST, "description": _REGIONS},
        "regions_inferred": {"type": "boolean", "description": _INFERRED},
        "metrics": {**_STRING_LIST, "description": _METRICS},
        "outcomes": {"type": "array", "items": _OUTCOME},
    },
}
_RESULT = {
    "allOf": [_CARD],
    "type": "object",
    "required": ["title_html", "snippet_html", "score"],
    "properties": {
        "title_html": {"type": "string"},
        "snippet_html": {"type": "string"},
        "score": {"type": "number"},
        "explain": {
            "type": "object",
            "description": "With explain=1: the parts of the score, which add up to it.",
            "required": ["score", "parts"],
            "properties": {
                "score": {"type": "number"},
                "parts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["kind", "field", "terms", "value"],
                        "properties": {
                            "kind": {"type": "string"},
                            "field": {"type": "string"},
                            "terms": {"type": "string"},
                            "value": {"type": "number"},
                        },
                    },
                },
            },
        },
    },
}
_ERROR = {
    "type": "object",
    "required": ["ok", "error", "status"],
    "properties": {
        "ok": {"const": False},
        "error": {"type": "string"},
        "errors": _STRING_LIST,
        "status": {"type": "integer"},
    },
}

INVALID = "Invalid parameter, or a search needing more work than one request may use (SEARCH_REQUEST_BUDGET_MS)"
UNAVAILABLE = "The search is unavailable (no index, or a damaged one: details in the server log)"


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _search_parameters() -> list[dict]:
    facet_params = [
        {
            "name": facet,
            "in": "query",
            "required": False,
            "description": f"Filter by {facet}; repeat for several values (OR within a facet, AND across facets).",
            "schema": {
                "type": "array",
                "maxItems": MAX_VALUES_PER_FACET,
                "items": {"type": "string", "maxLength": MAX_VALUE_LENGTH},
            },
            "style": "form",
            "explode": True,
        }
        for facet in FACETS
    ]
    return [
        {"name": "q", "in": "query", "required": False, "description": "Query text (max 500 characters).",
         "schema": {"type": "string", "maxLength": 500}},
        *facet_params,
        {"name": "sort", "in": "query", "required": False, "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
        {"name": "per_page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
        {"name": "explain", "in": "query", "required": False,
         "description": "1 to give each result the parts of its score (BM25F per field and word, title, phrase, proximity, exact-name boosts, and the organization prior, a negative part; with meaning fused, the lexical parts scaled, a `semantic` part and any tier); they add up to the score.",
         "schema": {"type": "string"}},
        {"name": "semantic", "in": "query", "required": False,
         "description": "0 for the words alone; by default plain words are fused with the query's meaning and documents close in meaning join the results.",
         "schema": {"type": "string"}},
        {"name": "as_words", "in": "query", "required": False,
         "description": "Facets whose names in the query stay words instead of becoming filters (a removed chip).",
         "schema": {"type": "array", "items": {"type": "string", "enum": list(NAMED_FACETS)}}, "style": "form", "explode": True},
        group_parameter(),
        organization_parameter(),
    ]


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    """The OpenAPI document (built once; it does not depend on the index)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "LA2050 Ideas Archive search API", "version": "1.0.0"},
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search proposals, organizations and articles with facets",
                    "description": "The search page's results as JSON: the words, filters and page asked for, every facet's counts, and the notes the page shows.",
                    "parameters": _search_parameters(),
                    "responses": {
                        "200": {"description": "Results", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResponse"}}}},
                        "400": _error_response(INVALID),
                        "503": _error_response(UNAVAILABLE),
                    },
                }
            },
            "/api/doc/{doc_id}": {
                "get": {
                    "summary": "One document with its sections and similar proposals",
                    "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "The document", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}},
                        "308": {"description": "An organization merged into another: `Location` is that organization's document"},
                        "404": _error_response("Unknown document"),
                        "503": _error_response(UNAVAILABLE),
                    },
                }
            },
            "/api/similar/{doc_id}": {
                "get": {
                    "summary": "The proposals closest in meaning to a document, never of its own organization",
                    "parameters": [
                        {"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "count", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                    ],
                    "responses": {
                        "200": {"description": "Similar proposals, closest first, each with its cosine `similarity`",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SimilarResponse"}}}},
                        "400": _error_response("Invalid parameter"),
                        "404": _error_response("Unknown document"),
                        "503": _error_response("No index"),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Live generation and document count",
                    "responses": {
                        "200": {"description": "Healthy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
                        "503": _error_response(UNAVAILABLE),
                    },
                }
            },
            **explore_paths(_search_parameters()),
        },
        "components": {
            "schemas": {
                "Error": _ERROR,
                "Result": _RESULT,
                "SearchResponse": {
                    "type": "object",
                    "required": ["ok", "query", "total", "page", "per_page", "took_ms", "suggestion", "results", "facets"],
                    "properties": {
                        "ok": {"const": True},
                        "query": {"type": "object"},
                        "total": {"type": "integer", "minimum": 0, "description": "Documents, or groups when grouped."},
                        "total_documents": {"type": "integer", "minimum": 0},
                        "group": {"type": ["string", "null"], "enum": [*GROUPS, None]},
                        "page": {"type": "integer", "minimum": 1},
                        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                        "took_ms": {"type": "number"},
                        "suggestion": {"type": ["string", "null"]},
                        "left_out_by_proposal_facets": {
                            "type": ["object", "null"],
                            "description": "With a region or metric filter, which only proposals state: the organizations and articles matching the rest of the search, not listed. Null when none.",
                            "properties": {
                                "facets": _STRING_LIST,
                                "organizations": {"type": "integer", "minimum": 0},
                                "articles": {"type": "integer", "minimum": 0},
                            },
                        },
                        "offered_filters": {
                            "type": "array",
                            "description": "Filters named in the query's words and not applied (places, a year beside other words), each with the link that applies it.",
                            "items": {
                                "type": "object",
                                "required": ["facet", "value", "from_words", "apply_url"],
                                "properties": {k: {"type": "string"} for k in ("facet", "label", "value", "from_words", "apply_url")},
                            },
                        },
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                        "facets": {
                            "type": "object",
                            "required": list(FACETS),
                            "properties": {facet: _FACET for facet in FACETS},
                        },
                    },
                },
                "Document": {
                    "allOf": [_CARD],
                    "type": "object",
                    "required": ["ok", "sections", "similar"],
                    "properties": {
                        "ok": {"const": True},
                        "sections": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["question", "answer"],
                                "properties": {"question": {"type": "string"}, "answer": {"type": "string"}},
                            },
                        },
                        "similar": {"type": "array", "items": _CARD},
                        "proposals": {
                            "type": "array",
                            "items": _PROPOSAL_ROW,
                            "description": "An organization's linked proposals, newest first",
                        },
                        "organization_proposals": {
                            "type": "array",
                            "items": _PROPOSAL_ROW,
                            "description": "A proposal's organization's other proposals",
                        },
                        "location": _LOCATION,
                        "aliases": {
                            "type": "array",
                            "description": "An organization's other files, merged into it (same EIN and website, or same name); "
                                           "their ids redirect here",
                            "items": {"type": "object", "required": ["id", "name"],
                                      "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
                        },
                        "websites": _STRING_LIST,
                        "social": {"type": "object", "additionalProperties": {"type": "string"},
                                   "description": "Network -> the first handle the file gives"},
                        "social_handles": {"type": "object", "additionalProperties": _STRING_LIST,
                                           "description": "Network -> every handle the file gives"},
                        "ein": {"type": "string"},
                        "zip": {"type": "string"},
                        "years": {"type": "array", "items": {"type": "integer"}},
                    },
                },
                "SimilarResponse": {
                    "type": "object",
                    "required": ["ok", "id", "similar"],
                    "properties": {"ok": {"const": True}, "id": {"type": "string"}, "similar": {"type": "array", "items": _CARD}},
                },
                "Health": {
                    "type": "object",
                    "required": ["ok", "generation", "documents"],
                    "properties": {"ok": {"const": True}, "generation": {"type": "integer"}, "documents": {"type": "integer"}},
                },
                **EXPLORE_SCHEMAS,
            }
        },
    }
