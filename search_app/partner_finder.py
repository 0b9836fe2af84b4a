""""Describe your work": organizations whose proposals are closest in meaning to a text.

A few sentences about a program are embedded with the model of the index
(engine/semantic.py) and compared with every proposal passing the usual filters
(region, metric, goal, year, topic…, as on the search page). The closest proposals are
grouped by organization (the linked one, else the name a proposal gives, else the
proposal stands for itself);
an organization is as close as its closest proposal, and ranks by that closeness plus
a little for what it shares with the description's neighbourhood: the metrics and topics
most common among the proposals closest to the text, and the regions asked for (or,
without one, the most common regions there). Each organization says why it is listed (its
closest proposal and how close, what it shares) and links to its proposals.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from engine import BadRequest, Constraints, LiveIndex, Selection
from engine.grouping import docnums_in
from engine.semantic import document_vectors, nearest, query_vector
from index_format.visible_text import remove_invisible_controls
from vocabulary.regions import OTHER
from vocabulary.values import NOT_STATED


NEIGHBOURS = 300  # proposals considered: the closest ones passing the filters
PROFILE_FROM = 25  # the closest proposals whose metrics, regions and topics describe the text
PROFILE_VALUES = 3  # metrics (topics, regions) of that neighbourhood an organization can share
SHARE_WEIGHT = 0.005  # added to the closeness (a cosine) per shared value: closeness decides, sharing breaks near-ties
EXAMPLES = 3  # closest proposals shown per organization
FACETS_SHARED = (("metrics", "metric"), ("regions", "region"), ("topics", "topic"))
UNSHARED = frozenset({OTHER, NOT_STATED})  # values that name no place or metric two proposals share


def parse_description(args, limit: int) -> str:
    """The `text` parameter, required and at most `limit` characters.

    :raises BadRequest: naming the limit.
    """
    text = " ".join(remove_invisible_controls(args.get("text", ""), " ").split())
    if len(text) > limit:
        raise BadRequest(f"text is {len(text)} characters long; the limit is {limit}")
    return text


def partner_finder_view(live: LiveIndex, text: str, selected: dict[str, list[str]], link, count: int) -> dict:
    """Organizations closest in meaning to `text` among the proposals passing `selected`
    (spelled as the generation spells them, as a search does: topic=health is "Health")."""
    columns = live.columns
    constraints = Constraints.compile(selected, columns=columns)
    selected = constraints.selected
    view: dict[str, Any] = {"ok": True, "text": text, "selected": selected, "partners": [], "partners_total": 0, "notes": []}
    if not text:
        view["notes"].append("Describe your work in a few sentences to find organizations doing the same.")
        return view
    vector = query_vector(text)
    if not np.any(vector):
        view["notes"].append("None of these words is known to the model: try describing the work in English.")
        return view
    vectors = document_vectors(live)
    bits = Selection(constraints, columns, columns.masks["kind"].get("proposal", 0)).hits
    allowed = np.zeros(len(vectors.present), dtype=bool)
    allowed[docnums_in(bits)] = True
    found = nearest(vectors.similarities(vector), allowed & vectors.present, NEIGHBOURS)
    profile = _profile(live, found[:PROFILE_FROM], selected)
    keys = live.group_keys
    by_organization: dict[str, list[tuple[int, float]]] = {}
    for docnum, score in found:
        key = keys[docnum] if keys[docnum] != columns.ids[docnum] else _name_key(columns.organizations.get(docnum, "")) or keys[docnum]
        by_organization.setdefault(key, []).append((docnum, score))
    ranked = sorted(
        (_partner(live, key, closest, profile, selected, link) for key, closest in by_organization.items()),
        key=lambda partner: (-partner["score"], partner["name"].casefold()),
    )
    view.update(partners=ranked[:count], partners_total=len(ranked), based_on=profile)
    return view


def _name_key(name: str) -> str:
    """The group of unlinked proposals giving the same organization name ("" when none)."""
    folded = " ".join(name.casefold().split())
    return "name:" + folded if folded else ""


def _profile(live: LiveIndex, closest: list[tuple[int, float]], selected: dict[str, list[str]]) -> dict:
    """What the description is about, read from its closest proposals (and the regions asked for)."""
    values = live.columns.values
    profile = {}
    for name, facet in FACETS_SHARED:
        if facet in selected:
            profile[name] = list(selected[facet])
            continue
        counts = Counter(value for docnum, _score in closest for value in values[facet][docnum] if value not in UNSHARED)
        profile[name] = [value for value, _n in counts.most_common(PROFILE_VALUES)]
    return profile


def _partner(live: LiveIndex, key: str, closest: list[tuple[int, float]], profile: dict, selected: dict, link) -> dict:
    columns = live.columns
    values = columns.values
    docnums = [docnum for docnum, _score in closest]
    shared = {
        name: [value for value in profile[name] if any(value in values[facet][d] for d in docnums)]
        for name, facet in FACETS_SHARED
    }
    best_docnum, closeness = closest[0]
    score = closeness + SHARE_WEIGHT * sum(len(found) for found in shared.values())
    organization = key if key in columns.by_id and key != columns.ids[best_docnum] else ""
    name = columns.organizations.get(best_docnum) or columns.titles[best_docnum]
    examples: list[dict[str, Any]] = [
        {"id": columns.ids[d], "title": columns.titles[d], "year": columns.years[d], "similarity": round(s, 4), "url": "/doc/" + columns.ids[d]}
        for d, s in closest[:EXAMPLES]
    ]
    best = examples[0]
    year = f" ({best['year']})" if best["year"] else ""
    why = f"Its proposal “{best['title']}”{year} is close in meaning to your description ({best['similarity']:.2f})"
    if any(shared.values()):
        why += "; shares " + "; ".join(f"{name} {', '.join(found)}" for name, found in shared.items() if found)
    return {
        "id": organization or None,
        "name": name,
        "url": "/doc/" + (organization or columns.ids[best_docnum]),
        "score": round(score, 4),
        "closeness": round(closeness, 4),
        "outcomes": columns.outcome_labels(organization) if organization else [],
        "shared": shared,
        "why": why + ".",
        "proposals": len(closest),
        "closest": examples,
        "proposals_url": _proposals_url(organization, name, key, best["url"], selected, link),
    }


def _proposals_url(organization: str, name: str, key: str, lone: str, selected: dict, link) -> str:
    """The organization's proposals under the same filters: by its link, else by the name it
    gives (org:"…"), else the lone proposal's page."""
    if organization:
        return link({**selected, "organization": organization, "kind": ["proposal"]})
    if key.startswith("name:") and '"' not in name:
        return link({**selected, "q": f'org:"{name}"', "kind": ["proposal"]})
    return lone
