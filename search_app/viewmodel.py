"""The one view-model behind both the HTML pages and their JSON twins.

Views call `search_view` (here) or `document_view` (search_app/document_view.py) and either
render the dict with a template or return it as JSON, so the page and the API can never
disagree. Links are built by a `link(params)` function the view passes in, keeping this
module free of request state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from engine import LiveIndex, SearchOutcome, SearchRequest, explain, search
from engine.query import highlight_terms
from engine.snippets import Highlighter, PreparedText, prepare
from index_store import Columns, document_text, payload_of, split_values
from vocabulary.facets import CHRONOLOGICAL, FACET_LABELS, FACETS, PROPOSALS_ONLY

from .errors import PageBeyondEnd

Link = Callable[[dict], str]


def request_state(request: SearchRequest, default_per_page: int = 10) -> dict:
    """The URL parameters that reproduce a search (page 1 and defaults omitted)."""
    state: dict = {"q": request.q} if request.q else {}
    state.update({facet: list(values) for facet, values in request.selected.items() if values})
    if request.sort != "relevance":
        state["sort"] = request.sort
    if request.per_page != default_per_page:
        state["per_page"] = request.per_page
    if request.group:
        state["group"] = request.group
    if request.organization:
        state["organization"] = [request.organization]  # a list, as facets: forms carry it the same way
    if request.as_words:
        state["as_words"] = sorted(request.as_words)
    if not request.semantic:
        state["semantic"] = "0"
    return state


def as_searched(request: SearchRequest, outcome: SearchOutcome) -> SearchRequest:
    """The request with its selections and organization as its search spelled them (as
    indexed), so chips, ticked boxes and links show the values it ran with, and a chip's
    link removes the value it shows (`topic=health` ran as "Health")."""
    return replace(request, selected=outcome.selection.selected, organization=outcome.selection.organization)


def search_view(live: LiveIndex, request: SearchRequest, config: dict, link: Link) -> dict:
    """Search and shape everything the page and `/api/search` show."""
    started = time.perf_counter()
    outcome = search(live, request)
    request = as_searched(request, outcome)
    pages = max(1, -(-outcome.total // request.per_page))
    if request.page > pages:
        raise PageBeyondEnd(request.page, pages)
    snippets_started = time.perf_counter()
    results = _results(live, outcome, config)
    if request.explain:
        for result, parts in zip(results, explain(live, outcome, max_prefix_terms=request.max_prefix_terms)):
            result["explain"] = {"score": sum(part["value"] for part in parts), "parts": parts}
    first = (request.page - 1) * request.per_page
    state = request_state(request, config["RESULTS_PER_PAGE"])
    for result, size in zip(results, outcome.group_sizes[first:]):
        result["group_count"] = size
        if result.get("organization_id"):  # the documents behind the group
            ungrouped = {key: value for key, value in state.items() if key != "group"}
            result["group_url"] = link({**ungrouped, "organization": [result["organization_id"]]})
    timings = dict(outcome.timings, snippets_ms=(time.perf_counter() - snippets_started) * 1000)
    return {
        "ok": True,
        "query": _understood(request, outcome),
        "total": outcome.total,  # groups when grouped
        "total_documents": outcome.total_documents,
        "group": request.group or None,
        "page": request.page,
        "per_page": request.per_page,
        "pages": pages,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
        "timings": {name: round(value, 2) for name, value in timings.items()},
        "suggestion": outcome.suggestion,
        "suggestion_url": link({**state, "q": outcome.suggestion}) if outcome.suggestion else None,
        "notes": outcome.notes,
        "left_out_by_proposal_facets": _left_out_by_proposal_facets(live, outcome),
        "results": results,
        "facets": _facets(live, outcome, request, state, config, link),
        "offered_filters": _offered_filters(outcome, state, link),
        "chips": search_chips(live, outcome, state, link),
        # Filters off; the words, sort, page size and grouping stay.
        "clear_url": link({key: value for key, value in state.items() if key in ("q", "sort", "per_page", "group")}),
        "pagination": _pagination(request.page, pages, state, link),
        "generation": live.generation.number,
    }


def _understood(request: SearchRequest, outcome: SearchOutcome) -> dict:
    parsed = outcome.parsed
    understood = {
        "q": request.q,
        **{facet: request.selected.get(facet, []) for facet in FACETS},
        "sort": request.sort,
        "page": request.page,
        "per_page": request.per_page,
        "group": request.group,
        "organization": request.organization,
        "text": parsed.text,
        "field_filters": {facet: sorted(values) for facet, values in parsed.filters.items()},
        "field_exclusions": {facet: sorted(values) for facet, values in parsed.excluded.items()},
        "year_range": list(parsed.year_range) if parsed.year_range else None,
        "year_exclusions": [list(span) for span in parsed.excluded_years],
        "field_any_of": [
            {"field": facet, "values": [list(v) if isinstance(v, tuple) else v for v in values]}
            for facet, values in parsed.any_of
        ],
        "literal": parsed.literal,
        # Words that became filters ("the Valley" -> region San Fernando Valley), and the
        # function words of a sentence that did not have to match.
        "named_filters": [
            {"words": named.words, "facet": named.facet, "value": named.value, "applied": named.applied}
            for named in parsed.named
        ],
        "left_out": list(parsed.left_out),
        "semantic": outcome.fusion is not None,  # words fused with meaning (semantic=0: words alone)
    }
    return understood


@dataclass(frozen=True)
class FacetsView:
    """Key of a search's facet links (`_facet_links`): the same for every page of it (with
    the app's settings)."""

    base_url: str  # link({}): where the links point
    state: str  # repr of request_state: the search's words, selections, sort and grouping


@dataclass(frozen=True)
class Card:
    """Key of a result card: the same words on the same document highlight the same way."""

    docnum: int
    terms: tuple[frozenset[str], tuple[str, ...]]  # query.highlight_terms


@dataclass(frozen=True)
class SnippetSource:
    """Key of a document's text prepared for snippets."""

    docnum: int


def _results(live: LiveIndex, outcome: SearchOutcome, config: dict) -> list[dict]:
    terms = highlight_terms(outcome.parsed)
    results = []
    with live.reader() as reader:
        for docnum, score in outcome.page_hits:
            # The same words on the same document always highlight the same way.
            shown = live.cached(Card(docnum, terms), lambda: _highlighted_card(live, reader, docnum, terms, config))
            results.append({**shown, "score": round(score, 4)})
    return results


def _highlighted_card(live: LiveIndex, reader, docnum: int, terms, config: dict) -> dict:
    highlighter = Highlighter(*terms)
    stored = reader.stored_fields(docnum)
    source = live.cached(SnippetSource(docnum), lambda: _snippet_source(stored))
    return {
        **card(stored, live.columns),
        # Markup (a str): escaped by snippets.py, so templates need no |safe.
        "title_html": highlighter.highlight_all(stored.get("title", "")),
        "snippet_html": highlighter.snippet(
            source, fragments=config["SNIPPET_FRAGMENTS"], max_chars=config["SNIPPET_CHARS"]
        ),
    }


def _snippet_source(stored: dict) -> PreparedText:
    """Summary and body text, where snippets come from (cached: decoding it is costly)."""
    summary, body = stored.get("summary", ""), document_text(payload_of(stored))
    return prepare(f"{summary}\n{body}" if summary else body)


def card(stored: dict, columns: Columns) -> dict:
    """The fields a result or a similar-document link shows, with what the indexer linked
    to it: its organization (2013-2014 proposals name none themselves), outcomes (a
    proposal's own, and its organization's as `organization_outcomes`), topics."""
    link = columns.link_of(stored["id"])
    extra = {"organization_outcomes": link.get("organization_outcomes", [])} if stored.get("kind") == "proposal" else {}
    return extra | {
        "id": stored["id"],
        "kind": stored.get("kind", ""),
        "title": stored.get("title", ""),
        "url": "/doc/" + stored["id"],
        "source_url": stored.get("url", ""),
        "organization": link.get("organization") or stored.get("organization", ""),
        "organization_id": link.get("organization_id"),
        "year": stored.get("year"),
        "goal": stored.get("goal", ""),
        "regions": split_values(stored.get("region", "")),
        "regions_inferred": bool(stored.get("regions_inferred")),  # read from the text, not answered
        "metrics": split_values(stored.get("metric", "")),
        "outcomes": link.get("outcomes", []),
        "topics": link.get("topics", []),
        "org_type": link.get("org_type", ""),
        "home_region": link.get("home_region", ""),  # organizations only
    }


def _left_out_by_proposal_facets(live: LiveIndex, outcome: SearchOutcome) -> dict | None:
    """What a region or metric filter leaves out because only proposals state one: the
    organizations and articles that match the rest of the search. None without such a filter
    or when it leaves none out; said on the page, so no document is dropped unsaid."""
    selection = outcome.selection
    chosen = [facet for facet in PROPOSALS_ONLY if selection.selected.get(facet)]
    if not chosen:
        return None
    columns = live.columns
    rest = selection.without(*chosen)
    counts = {
        plural: (rest & columns.masks["kind"].get(kind, 0)).bit_count()
        for kind, plural in (("organization", "organizations"), ("article", "articles"))
    }
    return {"facets": chosen, **counts} if any(counts.values()) else None


def _years_without_proposals(columns: Columns) -> frozenset[str]:
    """Years that only organizations carry (the years they won in: 2021), so that the year
    facet does not offer them as years of proposals."""
    proposals = columns.masks["kind"].get("proposal", 0)
    return frozenset(year for year, mask in columns.masks["year"].items() if not mask & proposals)


def _facets(live: LiveIndex, outcome: SearchOutcome, request: SearchRequest, state: dict, config: dict, link: Link) -> dict:
    """Each facet's values in the order shown, with their counts and toggle links.

    A hundred links, the same for every page of the same search (and base URL): they are
    remembered, as strings, and the view around them is made anew. Remembering the view
    itself cost more to weigh for the cache (held_bytes walks its hundreds of objects) than
    making it anew (a first-time search 0.2 ms faster without it, scratch timing over the
    bench queries; a search asked again 0.1 ms slower).
    """
    shown = _shown_values(outcome, request, config["FACET_LIMIT"])
    links = live.cached(FacetsView(link({}), repr(state)), lambda: _facet_links(shown, state, link))
    no_proposals = _years_without_proposals(live.columns)
    facets = {}
    for (facet, selected, values, truncated), urls in zip(shown, links, strict=True):
        facets[facet] = {
            "name": facet,
            "label": FACET_LABELS[facet],
            "values": [
                {
                    "value": value,
                    "count": count,
                    "selected": value in selected,
                    "toggle_url": url,
                    **({"note": "organizations only"} if facet == "year" and value in no_proposals else {}),
                }
                for (value, count), url in zip(values, urls, strict=True)
            ],
            "truncated": truncated,
            "show": config["FACET_SIZE"],
        }
    return facets


def _shown_values(outcome: SearchOutcome, request: SearchRequest, limit: int) -> list[tuple[str, list[str], list[tuple[str, int]], bool]]:
    """(facet, its selected values, the (value, count) shown, whether more were left out)
    for each facet: selected values first, so none hides under "show more"; then by count,
    or newest first for chronological facets."""
    shown = []
    for facet in FACETS:
        counts = dict(outcome.facet_counts.get(facet, {}))
        selected = request.selected.get(facet, [])
        for value in selected:
            counts.setdefault(value, 0)  # a selection stays visible so it can be removed
        if facet in CHRONOLOGICAL:  # newest first, not by count
            ordered = sorted(counts.items(), key=lambda item: item[0], reverse=True)
        else:
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
        ordered.sort(key=lambda item: item[0] not in selected)
        shown.append((facet, selected, ordered[:limit], len(ordered) > limit))
    return shown


def _facet_links(shown, state: dict, link: Link) -> tuple[tuple[str, ...], ...]:
    """The toggle link of each value `_shown_values` shows, facet by facet."""
    return tuple(tuple(link(_toggle(state, facet, value)) for value, _count in values) for facet, _selected, values, _truncated in shown)


def _toggle(state: dict, facet: str, value: str) -> dict:
    """The state with `value` of `facet` switched on or off (and back to page 1)."""
    values = list(state.get(facet, []))
    values = [v for v in values if v != value] if value in values else [*values, value]
    new_state = {key: val for key, val in state.items() if key != facet}
    if values:
        new_state[facet] = values
    return new_state


def search_chips(live: LiveIndex, outcome: SearchOutcome, state: dict, link: Link) -> list[dict]:
    """The filters of a search as removable chips, spelled as it ran, those applied from its
    words included (`link` builds the URL a chip's removal opens: the results page here,
    the matrix or the map on theirs)."""
    selection = outcome.selection
    return _chips(selection.selected, state, link) + _named_chips(outcome, state, link) + _organization_chip(live, selection.organization, state, link)


def _chips(selected: dict[str, list[str]], state: dict, link: Link) -> list[dict]:
    return [
        {"facet": facet, "label": FACET_LABELS[facet], "value": value, "remove_url": link(_toggle(state, facet, value))}
        for facet, values in selected.items()
        for value in values
    ]


def _named_chips(outcome: SearchOutcome, state: dict, link: Link) -> list[dict]:
    """A chip for each filter applied from the query's words; removing it keeps them as words."""
    chips = []
    for named in (named for named in outcome.parsed.named if named.applied):
        as_words = sorted({*state.get("as_words", []), named.facet})
        chips.append({
            "facet": named.facet, "label": FACET_LABELS[named.facet], "value": named.value, "from_words": named.words,
            "remove_url": link({**state, "as_words": as_words}),
        })
    return chips


def _offered_filters(outcome: SearchOutcome, state: dict, link: Link) -> list[dict]:
    """Filters named in the query's words and not applied (places): a link that applies one,
    searching the other words."""
    return [
        {
            "facet": named.facet, "label": FACET_LABELS[named.facet], "value": named.value, "from_words": named.words,
            "apply_url": link({**_toggle(state, named.facet, named.value), "q": named.without}),
        }
        for named in outcome.parsed.named
        if not named.applied and named.value not in state.get(named.facet, [])
    ]


def _organization_chip(live: LiveIndex, organization: str, state: dict, link: Link) -> list[dict]:
    """The `organization=` filter as a removable chip, named by the organization's name."""
    if not organization:
        return []
    docnum = live.columns.by_id.get(organization)
    name = live.columns.titles[docnum] if docnum is not None else organization
    rest = {key: value for key, value in state.items() if key != "organization"}
    return [{"facet": "organization", "label": "Organization", "value": name, "remove_url": link(rest)}]


def _pagination(page: int, pages: int, state: dict, link: Link) -> dict:
    def page_url(number: int) -> str:
        return link({**state, "page": number} if number > 1 else state)

    window = range(max(1, page - 2), min(pages, page + 2) + 1)
    return {
        "prev_url": page_url(page - 1) if page > 1 else None,
        "next_url": page_url(page + 1) if page < pages else None,
        "pages": [{"number": n, "url": page_url(n), "current": n == page} for n in window],
    }
