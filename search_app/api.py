"""The JSON API: the same view-model as the pages, plus health, type-ahead, the OpenAPI
document and its documentation page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request



from engine import suggest

from .api_docs import api_docs_view
from .openapi import openapi_document
from .pages import merged_away, search_linker
from .params import count_param, parse_search_args, parse_suggest_args
from .state import live_index
from .document_view import document_view, similar_view
from .viewmodel import search_view

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():
    search_request = parse_search_args(request.args, current_app.config)
    return search_view(live_index(), search_request, current_app.config, search_linker())


@bp.get("/api/doc/<path:doc_id>")
def document(doc_id: str):
    """One document; a merged-away organization's id redirects to its organization."""
    return merged_away(doc_id, "api.document") or document_view(live_index(), doc_id, current_app.config, search_linker())


@bp.get("/api/suggest")
def suggestions():
    typed, types, limit = parse_suggest_args(request.args)
    return suggest(live_index(), typed, types, limit, search_linker())


@bp.get("/api/similar/<path:doc_id>")
def similar(doc_id: str):
    """The proposals closest in meaning to a document, never of its own organization."""
    count = count_param(request.args, "count", current_app.config["SIMILAR_COUNT"], current_app.config["MAX_PER_PAGE"])
    return similar_view(live_index(), doc_id, count)


@bp.get("/api/openapi.json")
def openapi():
    return openapi_document()


@bp.get("/docs")
def docs():
    """The API documentation page, generated from the OpenAPI document with live examples."""
    return render_template("api_docs.html", docs=api_docs_view(live_index()))


@bp.get("/healthz")
def healthz():
    live = live_index()
    return {"ok": True, "generation": live.generation.number, "documents": len(live.columns.docnums)}
