"""HTML pages: the search page and a document page, rendered from the shared view-model."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from .params import parse_search_args
from .state import live_index
from .viewmodel import document_view, request_state, search_view

bp = Blueprint("pages", __name__)


def search_link(params: dict) -> str:
    """URL of the search page with these parameters (lists become repeated keys)."""
    return url_for("pages.search", **params)


@bp.get("/")
def search():
    search_request = parse_search_args(request.args, current_app.config)
    view = search_view(live_index(), search_request, current_app.config, search_link)
    return render_template(
        "search.html",
        view=view,
        state=request_state(search_request),
        per_page_choices=current_app.config["PER_PAGE_CHOICES"],
        api_url=url_for("api.search", **request.args.to_dict(flat=False)),
    )


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str):
    view = document_view(live_index(), doc_id, current_app.config, search_link)
    return render_template("document.html", doc=view, api_url=url_for("api.document", doc_id=doc_id))
