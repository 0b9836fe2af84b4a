"""HTML pages: the search page and a document page, rendered from the shared view-model."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote_plus, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from .errors import PageBeyondEnd
from .nav import facet_labels, view_links
from .overview import overview_view
from .params import parse_search_args
from .state import live_index
from .document_view import document_view
from .viewmodel import request_state, search_view

bp = Blueprint("pages", __name__)


def search_linker(endpoint: str = "pages.search") -> Callable[[dict], str]:
    """A function building URLs of `endpoint` (the search page) for this request.

    A results page has a hundred facet links; `url_for` for each cost ~5 ms a page,
    so the route is resolved once and each encoded parameter is memoised.
    """
    base = url_for(endpoint)

    def link(params: dict) -> str:
        pairs = [
            _encoded_pair(key, str(value))
            for key, values in params.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        return f"{base}?{'&'.join(pairs)}" if pairs else base

    return link


def _encoded_pair(key: str, value: str) -> str:
    """`key=value`, URL-encoded; short pairs (the facet values of the index) are memoised,
    long ones (anything a request may send) are not, so the memo holds a few hundred kB."""
    if len(key) + len(value) > MEMOISED_PAIR_CHARS:
        return f"{quote_plus(key)}={quote_plus(value)}"
    return _memoised_pair(key, value)


MEMOISED_PAIR_CHARS = 64


@lru_cache(maxsize=8192)
def _memoised_pair(key: str, value: str) -> str:
    return f"{quote_plus(key)}={quote_plus(value)}"


@bp.get("/")
def search():
    if not request.args:  # the first page: the archive itself, not its newest documents
        view = overview_view(live_index(), search_linker(), facet_labels())
        return render_template("landing.html", view=view, api_url=url_for("explore.overview"))
    search_request = parse_search_args(request.args, current_app.config)
    state = request_state(search_request, current_app.config["RESULTS_PER_PAGE"])
    link = search_linker()
    try:
        view = search_view(live_index(), search_request, current_app.config, link)
    except PageBeyondEnd as error:  # an old link or a shrunken search: show its last page
        return redirect(link({**state, "page": error.last_page} if error.last_page > 1 else state))
    return render_template(
        "search.html",
        view=view,
        state=state,
        per_page_choices=current_app.config["PER_PAGE_CHOICES"],
        # Built from the parameters understood, never the raw ones (url_for reserves some names).
        api_url=search_linker("api.search")({**state, **({"page": search_request.page} if search_request.page > 1 else {})}),
        views=view_links(state),
    )


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str):
    if moved := merged_away(doc_id, "pages.document"):
        return moved
    view = document_view(live_index(), doc_id, current_app.config, search_linker())
    return render_template(
        "document.html", doc=view, api_url=url_for("api.document", doc_id=doc_id), back_url=_back_to_results()
    )


def merged_away(doc_id: str, endpoint: str):
    """A permanent redirect (308) from an organization merged into another to that one,
    with the request's parameters (indexer/org_identity.py); None for any other id."""
    canonical = live_index().columns.canonical_id(doc_id)
    if canonical == doc_id:
        return None
    query = request.query_string.decode("latin-1")
    return redirect(url_for(endpoint, doc_id=canonical) + (f"?{query}" if query else ""), code=308)


def _back_to_results() -> str:
    """The results page the reader came from: the `back` parameter that links between
    documents carry, else the referring page (same site only), else a new search."""
    search_path = url_for("pages.search")
    back, came_from = urlsplit(request.args.get("back", "")), urlsplit(request.referrer or "")
    for url, same_site in ((back, not back.scheme and not back.netloc), (came_from, came_from.netloc == request.host)):
        if same_site and url.path == search_path:
            return f"{search_path}?{url.query}" if url.query else search_path
    return search_path
