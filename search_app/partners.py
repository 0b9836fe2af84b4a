"""Who else works on this: organizations whose proposals share a metric *and* a region.

For a proposal, "this" is its metrics and regions; for an organization, those of all its
proposals. A candidate proposal must carry at least one of the metrics and at least one
of the regions (one bitset AND over the generation's facet masks); candidates are
grouped by their organization (never the document's own), and organizations ranked by
how much they share: each shared metric weighs most, then each shared region, the goal,
and each shared topic; more sharing proposals break ties. Each partner names what it
shares and links to the search listing exactly its sharing proposals
(`organization=` with the shared metrics and regions), whose total is its `proposals`.
The region "Other" is every place the region table does not know (a juvenile hall, a
city abroad), not a place two proposals can share, so it never makes partners; nor does
"Not stated" (a proposal that names no region or metric), which is no place or metric.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import LiveIndex
from engine.grouping import docnums_in
from vocabulary.regions import OTHER
from vocabulary.values import NOT_STATED


PROPOSAL, ORGANIZATION = "proposal", "organization"
WORKS_ON = (PROPOSAL, ORGANIZATION)  # the kinds of document that have partners
WEIGHTS = {"metrics": 3.0, "regions": 2.0, "goal": 1.0, "topics": 1.0}  # per shared value
CLUSTERS_SHOWN = 6  # "all organizations working on METRIC in REGION" links


@dataclass(frozen=True)
class Partners:
    """Key of a document's partners view."""

    doc_id: str
    count: int
    base_url: str  # link({}): where the view's links point


def partners_view(live: LiveIndex, doc_id: str, link, count: int) -> dict:
    """The `count` best partners of a document, and links to everyone on its metric × region pairs."""
    return live.cached(Partners(doc_id, count, link({})), lambda: _partners(live, doc_id, link, count))


def _partners(live: LiveIndex, doc_id: str, link, count: int) -> dict:
    columns = live.columns
    docnum = columns.by_id[doc_id]
    keys = live.group_keys
    own = keys[docnum]
    mine = _profile(live, own if columns.values["kind"][docnum] == (ORGANIZATION,) else None, docnum)
    masks = columns.masks
    proposals = masks["kind"].get(PROPOSAL, 0)
    in_metric = _union(masks["metric"], mine["metrics"])
    in_region = _union(masks["region"], mine["regions"])
    candidates = proposals & in_metric & in_region
    found: dict[str, dict] = {}
    for candidate in docnums_in(candidates):
        organization = columns.organization_ids.get(candidate)
        if not organization or organization == own or organization not in columns.by_id:
            continue  # partners are organizations, and never this document's own
        entry = found.setdefault(organization, {"metrics": set(), "regions": set(), "goals": set(), "proposals": 0})
        entry["metrics"].update(mine["metrics"].intersection(columns.values["metric"][candidate]))
        entry["regions"].update(mine["regions"].intersection(columns.values["region"][candidate]))
        entry["goals"].update(columns.values["goal"][candidate])
        entry["proposals"] += 1
    ranked = sorted(
        (_partner(live, organization, entry, mine, link) for organization, entry in found.items()),
        key=lambda partner: (-partner["score"], -partner["proposals"], partner["name"].casefold()),
    )
    return {
        "partners": ranked[:count],
        "partners_total": len(ranked),
        "clusters": _clusters(live, mine, own, link),
        "based_on": {"metrics": sorted(mine["metrics"]), "regions": sorted(mine["regions"])},
    }


def _profile(live: LiveIndex, organization: str | None, docnum: int) -> dict:
    """What a document works on: its own values, or its organization's proposals' together."""
    columns = live.columns
    members = [docnum]
    if organization:
        members += columns.proposals_of(organization)
    profile = {"metrics": set(), "regions": set(), "goals": set(), "topics": set(columns.values["topic"][docnum])}
    for member in members:
        profile["metrics"].update(columns.values["metric"][member])
        profile["regions"].update(columns.values["region"][member])
        profile["goals"].update(columns.values["goal"][member])
    profile["regions"] -= {OTHER, NOT_STATED}
    profile["metrics"].discard(NOT_STATED)
    return profile


def _union(masks: dict[str, int], values) -> int:
    bits = 0
    for value in values:
        bits |= masks.get(value, 0)
    return bits


def _partner(live: LiveIndex, organization: str, entry: dict, mine: dict, link) -> dict:
    columns = live.columns
    docnum = columns.by_id[organization]
    shared = {
        "metrics": sorted(entry["metrics"], key=str.casefold),
        "regions": sorted(entry["regions"], key=str.casefold),
        "goals": sorted(entry["goals"] & mine["goals"]),
        "topics": sorted(mine["topics"].intersection(columns.values["topic"][docnum]), key=str.casefold),
    }
    score = (
        WEIGHTS["metrics"] * len(shared["metrics"])
        + WEIGHTS["regions"] * len(shared["regions"])
        + WEIGHTS["goal"] * bool(shared["goals"])
        + WEIGHTS["topics"] * len(shared["topics"])
    )
    return {
        "id": organization,
        "name": columns.titles[docnum],
        "url": "/doc/" + organization,
        "org_type": (columns.values["org_type"][docnum] or ("",))[0],
        "outcomes": columns.outcome_labels(organization),
        "shared": shared,
        "score": score,
        "proposals": entry["proposals"],
        # Exactly its sharing proposals: any shared metric, any shared region, this organization.
        "search_url": link(
            {"organization": [organization], "metric": shared["metrics"], "region": shared["regions"], "kind": [PROPOSAL]}
        ),
    }


def _clusters(live: LiveIndex, mine: dict, own: str, link) -> list[dict]:
    """"All organizations working on METRIC in REGION" for this document's pairs, the busiest first."""
    columns, keys = live.columns, live.group_keys
    proposals = columns.masks["kind"].get(PROPOSAL, 0)
    pairs = []
    for metric in mine["metrics"]:
        in_metric = proposals & columns.masks["metric"].get(metric, 0)
        for region in mine["regions"]:
            groups = {keys[d] for d in docnums_in(in_metric & columns.masks["region"].get(region, 0))}
            others = len(groups - {own})
            if others:
                url = link({"metric": [metric], "region": [region], "kind": [PROPOSAL], "group": ORGANIZATION})
                pairs.append({"metric": metric, "region": region, "organizations": len(groups), "others": others, "url": url})
    pairs.sort(key=lambda pair: (-pair["others"], pair["metric"].casefold(), pair["region"].casefold()))
    return pairs[:CLUSTERS_SHOWN]
