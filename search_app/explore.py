"""Views over a whole search rather than one page of it: matrix, map, export.

Each HTML page has a JSON twin built from the same view-model, and takes every search
parameter (q, facets, sort, group), so the same search can be seen as results, as a
matrix, as a map, or downloaded.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, current_app, render_template, request, url_for

from engine import BadRequest, LiveIndex, SearchOutcome, SearchRequest, search
from vocabulary.facets import FACETS

from . import export as exporting
from .mapview import MAP_BY, map_view
from .matrix import PRESETS, SHARE_LABELS, matrix_csv, matrix_view, parse_matrix_args, parse_share
from .nav import EXPORT_FORMATS, facet_labels, view_links
from .overview import overview_view
from .partner_finder import parse_description, partner_finder_view
from .pages import search_linker
from .params import choice_param, int_param, parse_search_args
from .state import live_index
from .viewmodel import as_searched, request_state, search_chips

MATRIX_FORMATS = ("json", "csv")

bp = Blueprint("explore", __name__)


def _whole_search(live: LiveIndex) -> tuple[SearchRequest, SearchOutcome, dict]:
    """The search a view over all of its hits shows, run once on one generation (the view
    and its chips read the outcome's selection, never searching again; a rebuild swapping
    generations mid-request must not mix two): the request and its URL state as searched."""
    search_request = parse_search_args(request.args, current_app.config)
    outcome = search(live, replace(search_request, page=1, per_page=1))
    searched = as_searched(search_request, outcome)
    return searched, outcome, request_state(searched, current_app.config["RESULTS_PER_PAGE"])


def _shown_search(
    view: dict, live: LiveIndex, search_request: SearchRequest, outcome: SearchOutcome, state: dict, endpoint: str, fixed: dict
) -> None:
    """Add the search a view counts to it: chips whose removal stays on this view, and the
    URL that clears every filter (words, sort and grouping kept)."""
    own_link = search_linker(endpoint)

    def link(params: dict) -> str:
        return own_link({**params, **fixed})

    view["query"] = {"q": search_request.q}
    view["chips"] = search_chips(live, outcome, state, link)
    view["clear_url"] = link({key: value for key, value in state.items() if key in ("q", "sort", "per_page", "group")})


def _matrix():
    dimensions = parse_matrix_args(request.args, current_app.config)
    share = parse_share(request.args, dimensions)
    labels = facet_labels()
    live = live_index()
    search_request, outcome, state = _whole_search(live)
    view = matrix_view(live, outcome, search_request.group, dimensions, state, search_linker(), labels, share)
    rows, cols, limit = dimensions
    shape = {"rows": rows, "cols": cols, **({"share": share} if share else {})}
    _shown_search(view, live, search_request, outcome, state, "explore.matrix_page", {**shape, **({} if limit else {"limit": "all"})})
    view["show_all_url"] = url_for("explore.matrix_page", **state, **shape, limit="all") if limit else None
    # Links are built from the parameters understood, never the raw ones (url_for reserves some names).
    shown = {} if limit == current_app.config["MATRIX_LIMIT"] else {"limit": limit or "all"}
    view["api_url"] = search_linker("explore.matrix_api")({**state, **shape, **shown})
    view["csv_url"] = search_linker("explore.matrix_api")({**state, **shape, **shown, "format": "csv"})
    view["axes"] = [{"name": facet, "label": labels[facet]} for facet in FACETS]
    view["shares"] = [{"name": name, "label": label} for name, label in SHARE_LABELS.items()]
    view["presets"] = [
        {
            "label": f"{labels[r]} × {labels[c]}",
            "url": url_for("explore.matrix_page", **state, rows=r, cols=c),
            "current": (r, c) == (rows, cols),
        }
        for r, c in PRESETS
    ]
    return view, state


@bp.get("/api/matrix")
def matrix_api():
    format_name = choice_param(request.args, "format", MATRIX_FORMATS, default="json")
    view, _state = _matrix()
    if format_name == "csv":
        response = Response(matrix_csv(view), content_type="text/csv; charset=utf-8")
        dimensions = view["dimensions"]
        response.headers["Content-Disposition"] = f'attachment; filename="la2050-{dimensions["rows"]}-by-{dimensions["cols"]}.csv"'
        return response
    return view


@bp.get("/matrix")
def matrix_page():
    view, state = _matrix()
    return render_template("matrix.html", view=view, state=state, views=view_links(state))


@bp.get("/api/export")
def export():
    format_name = choice_param(request.args, "format", EXPORT_FORMATS, default="csv")
    search_request = parse_search_args(request.args, current_app.config)
    names = exporting.field_names(search_request, request.args.get("fields", ""))
    # Rows link to document pages from SEARCH_BASE_URL, or relatively: never from the Host header.
    total, rows = exporting.export_rows(live_index(), search_request, current_app.config["BASE_URL"], names)
    body = exporting.render(format_name, rows, names, total)
    response = Response(body, content_type=exporting.MEDIA_TYPES[format_name])
    response.headers["X-Total-Count"] = str(total)
    if format_name == "csv":
        response.headers["Content-Disposition"] = 'attachment; filename="la2050-search.csv"'
    return response


def _map():
    list_page = int_param(request.args, "list_page", 1, 1, 10_000)
    by = choice_param(request.args, "by", tuple(MAP_BY), default="home")
    kept = {"by": by} if by != "home" else {}  # the map's own links keep what its dots stand for
    map_link = search_linker("explore.map_page")
    live = live_index()
    search_request, outcome, state = _whole_search(live)
    view = map_view(live, outcome, search_request.group, state, search_linker(), list_page, map_link, by)
    _shown_search(view, live, search_request, outcome, state, "explore.map_page", kept)
    view["api_url"] = search_linker("explore.map_api")({**state, **kept})
    return view, state


@bp.get("/api/map")
def map_api():
    view, _state = _map()
    return view


@bp.get("/map")
def map_page():
    view, state = _map()
    return render_template("map.html", view=view, state=state, views=view_links(state))


def _partner_finder():
    config = current_app.config
    text = parse_description(request.args, config["MAX_DESCRIPTION_LENGTH"])
    search_request = parse_search_args(request.args, config)
    view = partner_finder_view(live_index(), text, search_request.selected, search_linker(), config["PARTNERS_COUNT"])
    view["limit"] = config["MAX_DESCRIPTION_LENGTH"]
    # From the parameters understood, never the raw ones (url_for reserves some names).
    view["api_url"] = search_linker("explore.partners_api")({"text": text, **search_request.selected})
    return view


@bp.get("/api/partners")
def partners_api():
    """Organizations closest in meaning to `text` (search_app/partner_finder.py)."""
    if not request.args.get("text", "").strip():
        raise BadRequest("text is required: a few sentences describing your work")
    return _partner_finder()


@bp.get("/partners")
def partners_page():
    view = _partner_finder()
    regions = sorted(live_index().columns.masks["region"], key=str.casefold)
    return render_template("partner_finder.html", view=view, regions=regions)


@bp.get("/api/overview")
def overview():
    """The first page's JSON twin: the archive's size and entry points."""
    return overview_view(live_index(), search_linker(), facet_labels())
