"""The API's documentation as a page, generated from the OpenAPI document.

Every path of the document is listed with its parameters and answers, and with an example:
a real request made to this app over the live index, and the first part of its real
answer (lists cut to their first items), so the examples never drift from the API. The
examples are made once per generation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import current_app




from engine import LiveIndex

from .openapi import openapi_document

# One example request per path; {doc_id} is filled with a proposal of the live index.
EXAMPLES = {
    "/api/search": "/api/search?q=food+access&region=South+LA&per_page=2",
    "/api/doc/{doc_id}": "/api/doc/{doc_id}",
    "/healthz": "/healthz",
    "/api/matrix": "/api/matrix?q=food&rows=year&cols=goal&share=row",
    "/api/map": "/api/map?q=food",
    "/api/suggest": "/api/suggest?q=heal&limit=4",
    "/api/similar/{doc_id}": "/api/similar/{doc_id}?count=3",
    "/api/partners": "/api/partners?text=After-school+coding+classes+for+girls+in+South+LA",
    "/api/export": "/api/export?q=food&region=South+LA&format=csv",
    "/api/overview": "/api/overview",
}
LIST_ITEMS = 2  # items of a list an example keeps
TEXT_CHARS = 160  # characters of a string an example keeps
EXAMPLE_LINES = 60  # lines of an example answer shown


@dataclass(frozen=True)
class ApiDocs:
    """Key of the API documentation page: the OpenAPI document with this generation's examples."""


def api_docs_view(live: LiveIndex) -> dict:
    """Every endpoint of the OpenAPI document with its parameters, answers and example."""
    return live.cached(ApiDocs(), lambda: _build(live))


def _build(live: LiveIndex) -> dict:
    document = openapi_document()
    columns = live.columns
    proposals = columns.members(columns.masks["kind"].get("proposal", 0), columns.docnums)
    sample_id = columns.ids[(proposals or columns.docnums)[0]] if columns.docnums else "unknown"
    client = current_app.test_client()
    endpoints = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            example = EXAMPLES.get(path, path).replace("{doc_id}", sample_id)
            answer = client.get(example)
            endpoints.append(
                {
                    "anchor": path.strip("/").replace("/", "-").replace("{", "").replace("}", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [_parameter(p) for p in operation.get("parameters", [])],
                    "responses": [
                        {"status": status, "description": response.get("description", ""), "types": list(response.get("content", {}))}
                        for status, response in operation.get("responses", {}).items()
                    ],
                    "example_request": example,
                    "example_status": answer.status_code,
                    "example_type": answer.mimetype,
                    "example_response": _shown_answer(answer),
                }
            )
    return {"title": document["info"]["title"], "version": document["info"]["version"], "endpoints": endpoints}


def _parameter(parameter: dict) -> dict:
    return {
        "name": parameter["name"],
        "in": parameter.get("in", "query"),
        "required": bool(parameter.get("required")),
        "accepts": describe_schema(parameter.get("schema", {})),
        "description": parameter.get("description", ""),
    }


def describe_schema(schema: dict) -> str:
    """A parameter's schema in words: "one of a, b", "whole number 1–100", "text up to 500"."""
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"] if value != "")
    if "const" in schema:
        return repr(schema["const"]).strip("'")
    if "oneOf" in schema:
        return " or ".join(describe_schema(part) for part in schema["oneOf"])
    kind = {"integer": "whole number", "string": "text", "array": "repeated"}.get(schema.get("type", ""), schema.get("type", "any"))
    if "minimum" in schema or "maximum" in schema:
        return f"{kind} {schema.get('minimum', '')}–{schema.get('maximum', '')}"
    if "maxLength" in schema:
        return f"{kind} up to {schema['maxLength']} characters"
    if schema.get("type") == "array" and "items" in schema:
        return f"{kind}: {describe_schema(schema['items'])}"
    return kind


def _shown_answer(answer) -> str:
    """The first part of an answer: JSON with lists cut to their first items, text by lines."""
    if answer.mimetype == "application/json":
        text = json.dumps(_shortened(answer.get_json()), indent=2, ensure_ascii=False)
    else:
        text = answer.get_data(as_text=True).lstrip("\ufeff")
    lines = text.splitlines()
    return "\n".join(lines[:EXAMPLE_LINES] + ([f"… ({len(lines) - EXAMPLE_LINES} more lines)"] if len(lines) > EXAMPLE_LINES else []))


def _shortened(value):
    if isinstance(value, list):
        kept = [_shortened(item) for item in value[:LIST_ITEMS]]
        return kept + ([f"… {len(value) - LIST_ITEMS} more"] if len(value) > LIST_ITEMS else [])
    if isinstance(value, dict):
        return {key: _shortened(item) for key, item in value.items()}
    if isinstance(value, str) and len(value) > TEXT_CHARS:
        return value[:TEXT_CHARS] + "…"
    return value
