"""Validate request parameters at the edge into a `SearchRequest`."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from engine import GROUPS, NAMED_FACETS, SORTS, BadRequest, SearchRequest
from engine.suggestions import DEFAULT_LIMIT, MAX_LIMIT, MAX_TYPED, ORGANIZATION, TYPES
from index_format.visible_text import remove_invisible_controls
from vocabulary.facets import FACETS, canonical_value


MAX_VALUES_PER_FACET = 50  # selections per facet; more is not a real drill-down
MAX_VALUE_LENGTH = 200  # characters of one facet value
# An organization id is "organization/" and its file's name, which may be 255 bytes long:
# the archive has a 255-character id, and its partner and group links filter by it.
MAX_ID_LENGTH = 300
MAX_PAGE = 10_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # typed text: control characters become spaces
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: int() also takes "１" and "1_0"


def parse_search_args(args: MultiDict, config: dict) -> SearchRequest:
    """Read q, facets, sort, page and per_page; unknown parameters are ignored.

    :raises BadRequest: with a message naming the parameter and the allowed values.
    """
    q = remove_invisible_controls(args.get("q", ""), " ").strip()
    if len(q) > config["MAX_QUERY_LENGTH"]:
        raise BadRequest(f"q is {len(q)} characters long; the limit is {config['MAX_QUERY_LENGTH']}")
    selected = {}
    for facet in FACETS:
        raw = args.getlist(facet)  # limits apply to what was sent, as the OpenAPI document says
        if len(raw) > MAX_VALUES_PER_FACET or any(len(v) > MAX_VALUE_LENGTH for v in raw):
            raise BadRequest(f"too many or too long values for {facet}")
        # Spelled as in the query syntax (region=sfv, goal=Learn): the facet's own value.
        typed = [value for value in (remove_invisible_controls(value).strip() for value in raw) if value]
        values = list(dict.fromkeys(canonical_value(facet, value) or value for value in typed))
        if values:
            selected[facet] = values
    sort = choice_param(args, "sort", SORTS, default="relevance")
    page = int_param(args, "page", 1, 1, MAX_PAGE)
    per_page = int_param(args, "per_page", config["RESULTS_PER_PAGE"], 1, config["MAX_PER_PAGE"])
    explain = args.get("explain", "").strip().lower() in ("1", "true", "yes", "on")
    group = choice_param(args, "group", ("", *GROUPS))
    organization = remove_invisible_controls(args.get("organization", "")).strip()
    if len(organization) > MAX_ID_LENGTH:
        raise BadRequest(f"organization is {len(organization)} characters long; the limit is {MAX_ID_LENGTH}")
    as_words = frozenset(args.getlist("as_words"))
    if not as_words <= set(NAMED_FACETS):
        raise BadRequest(f"as_words takes {', '.join(NAMED_FACETS)}, not {sorted(as_words - set(NAMED_FACETS))[0][:40]!r}")
    return SearchRequest(
        q=q, selected=selected, sort=sort, page=page, per_page=per_page, group=group, organization=organization,
        explain=explain, few_results=config["FEW_RESULTS"], budget_ms=config["REQUEST_BUDGET_MS"],
        max_prefix_terms=config["MAX_PREFIX_TERMS"], as_words=as_words,
        semantic=args.get("semantic", "").strip().lower() not in ("0", "false", "no", "off"),
    )


def choice_param(args: MultiDict, name: str, allowed: tuple[str, ...], default: str = "") -> str:
    """A parameter that takes one of `allowed` values (an empty one means `default`).

    :raises BadRequest: naming the allowed values.
    """
    value = args.get(name, "").strip() or default
    if value not in allowed:
        shown = ", ".join(choice for choice in allowed if choice)
        raise BadRequest(f"{name} must be one of {shown}, not {value[:40]!r}")
    return value


def int_param(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter within [low, high] (empty means `default`).

    :raises BadRequest: naming the parameter and the bounds.
    """
    raw = args.get(name, "")
    if raw.strip() == "":
        return default
    if not _WHOLE_NUMBER.fullmatch(raw.strip()):
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}")
    value = int(raw)
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}, not {value}")
    return value


def count_param(args: MultiDict, name: str, default: int, high: int) -> int:
    """A number of items asked for, 1 to `high`.

    :raises BadRequest: naming the parameter and the range.
    """
    return int_param(args, name, default, 1, high)


def parse_suggest_args(args) -> tuple[str, tuple[str, ...], int]:
    """(typed text, types asked for, limit).

    :raises BadRequest: for a missing, empty or too long `q`, an unknown `type` or a bad `limit`
        (`q` of spaces or punctuation alone is an answer with no suggestions).
    """
    raw = args.get("q", "")
    if not raw:
        raise BadRequest("q is required: the beginning of a name, e.g. q=heal")
    if len(raw) > MAX_TYPED:
        raise BadRequest(f"q is {len(raw)} characters long; the limit is {MAX_TYPED}")
    typed = _CONTROL.sub(" ", raw).strip()  # punctuation or spaces alone match nothing: an empty list
    kind = choice_param(args, "type", ("", ORGANIZATION, *FACETS))
    limit = int_param(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    return typed, (kind,) if kind else TYPES, limit
