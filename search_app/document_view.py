"""The view-model of one document's page and `/api/doc/<id>`: a proposal, an article or
an organization, with its facet links, what the indexer linked to it, and similar proposals.

An organization's page is built from its own stored fields (who they are, links out)
plus its proposals, found through the links the indexer saved (indexer/linking.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from engine import BadRequest, LiveIndex, similar
from index_store import Columns, payload_of

from .partners import WORKS_ON, partners_view
from .viewmodel import Link, card

__all__ = ["document_view", "organization_identifiers", "similar_view", "social_handles"]


def document_view(live: LiveIndex, doc_id: str, config: dict, link: Link) -> dict:
    """A whole document with its sections, facet links and similar proposals.

    :raises BadRequest: (404) when no document has this id.
    """
    columns = live.columns
    docnum = columns.by_id.get(doc_id)
    if docnum is None:
        raise BadRequest(f"no document with id {doc_id[:200]!r}", status=404)
    with live.reader() as reader:
        stored = reader.stored_fields(docnum)
        payload = payload_of(stored)
        similar = similar_cards(live, reader, docnum, config["SIMILAR_COUNT"])
        organization_id = doc_id if stored.get("kind") == "organization" else columns.organization_ids.get(docnum)
        proposals = [_proposal_row(reader.stored_fields(d), columns) for d in columns.proposals_of(organization_id or "")]
    view = card(stored, columns)
    view.update(
        ok=True,
        summary=stored.get("summary", ""),
        author=payload.get("author", ""),
        site=payload.get("site", ""),
        date=payload.get("date", ""),
        sections=[{"question": q, "answer": a} for q, a in payload.get("sections", [])],
        text="" if view["kind"] == "organization" else payload.get("text", ""),
        links=_facet_links(view, link),
        similar=similar,
        generation=live.generation.number,
    )
    # Who else works on this (search_app/partners.py): proposals and organizations only.
    view["partners"] = partners_view(live, doc_id, link, config["PARTNERS_COUNT"]) if view["kind"] in WORKS_ON else None
    if view["kind"] == "organization":
        profile = {**payload.get("profile", {}), **organization_identifiers(payload.get("profile", {}), columns.link_of(doc_id))}
        view.update(_organization_parts(profile, columns.locations.get(docnum), proposals, link))
        # Its other files, merged into it (indexer/org_identity.py): their ids redirect here.
        view["aliases"] = columns.link_of(doc_id).get("aliases", [])
    else:
        # The organization's other proposals: the way on from one proposal to the next.
        view["organization_proposals"] = [row for row in proposals if row["id"] != doc_id]
    return view


def organization_identifiers(profile: dict, link: dict) -> dict:
    """An organization's websites, EIN and zip: its own file's, else the first its merged
    files give (indexer/org_identity.py), so merging never hides one."""
    return {
        "websites": profile.get("websites") or link.get("websites", []),
        "ein": profile.get("ein") or link.get("ein", ""),
        "zip": profile.get("zip") or (link.get("location") or {}).get("zip", ""),
    }


def social_handles(profile: dict) -> dict[str, list[str]]:
    """Network -> every handle; an index built before lists were kept holds one string."""
    social = profile.get("social", {})
    return {network: [handles] if isinstance(handles, str) else list(handles) for network, handles in social.items() if handles}


def _organization_parts(profile: dict, location: dict | None, proposals: list[dict], link: Link) -> dict:
    """Who they are, links out, their proposals, and what they worked on across years."""
    handles = social_handles(profile)
    return {
        "websites": profile.get("websites", []),
        # `social` keeps its first shape (one handle a network); `social_handles` has all.
        "social": {network: listed[0] for network, listed in handles.items()},
        "social_handles": handles,
        "charity_navigator_url": profile.get("charity_navigator_url", ""),
        "ein": profile.get("ein", ""),
        "zip": profile.get("zip", ""),
        "location": location,
        # Where they are based (the region of their zip code), as a search of all based there.
        "based_in": {"value": region, "url": link({"home_region": [region]})} if (region := (location or {}).get("region")) else None,
        "years": sorted({row["year"] for row in proposals if row["year"]} | set(profile.get("years", [])), reverse=True),
        "proposals": proposals,
        "worked_on": {
            "metrics": _across_years(proposals, "metrics", "metric", link),
            "regions": _across_years(proposals, "regions", "region", link),
        },
    }


def _proposal_row(stored: dict, columns: Columns) -> dict:
    """One proposal of an organization: {id, title, year, goal, url} plus what it covered."""
    row = card(stored, columns)
    keep = ("id", "title", "year", "goal", "url", "source_url", "regions", "regions_inferred", "metrics", "outcomes")
    return {key: row[key] for key in keep}


def _across_years(proposals: list[dict], key: str, facet: str, link: Link) -> list[dict]:
    """The values of `key` over an organization's proposals: how often, in which years."""
    counts: Counter[str] = Counter()
    years: defaultdict[str, set[int]] = defaultdict(set)
    for row in proposals:
        for value in row[key]:
            counts[value] += 1
            if row["year"]:
                years[value].add(row["year"])
    ordered = sorted(counts, key=lambda value: (-counts[value], value.casefold()))
    return [
        {"value": v, "count": counts[v], "years": sorted(years[v]), "url": link({facet: [v], "kind": ["proposal"]})}
        for v in ordered
    ]


def _facet_links(view: dict, link: Link) -> dict:
    """Each facet value of the document as a link that starts a filtered search."""
    organization_id = view.get("organization_id")
    return {
        "regions": [{"value": v, "url": link({"region": [v]})} for v in view["regions"]],
        "metrics": [{"value": v, "url": link({"metric": [v]})} for v in view["metrics"]],
        "goal": {"value": view["goal"], "url": link({"goal": [view["goal"]]})} if view["goal"] else None,
        "year": {"value": view["year"], "url": link({"year": [str(view["year"])]})} if view["year"] else None,
        "organization": _organization_link(view, organization_id, link),
        "topics": [{"value": v, "url": link({"topic": [v]})} for v in view["topics"]],
        "org_type": {"value": view["org_type"], "url": link({"org_type": [view["org_type"]]})} if view["org_type"] else None,
        "outcomes": [
            {**outcome, "url": link({"outcome": [outcome["outcome"]], "year": [str(outcome["year"])]} if outcome["year"] else {"outcome": [outcome["outcome"]]})}
            for outcome in view["outcomes"]
        ],
    }


def _organization_link(view: dict, organization_id: str | None, link: Link) -> dict | None:
    """The organization's own page when the indexer linked one, else a search for its name."""
    if view["kind"] == "organization" or not view["organization"]:
        return None
    if organization_id:
        return {"value": view["organization"], "url": "/doc/" + organization_id, "id": organization_id}
    if '"' in view["organization"]:
        return None
    return {"value": view["organization"], "url": link({"q": f'org:"{view["organization"]}"'}), "id": None}


def similar_cards(live: LiveIndex, reader, docnum: int, count: int) -> list[dict]:
    """The proposals closest in meaning (engine/semantic.py), never of the document's
    own organization, as result cards with their cosine `similarity`."""
    found = similar(live, docnum, count)
    return [{**card(reader.stored_fields(other), live.columns), "similarity": round(score, 4)} for other, score in found]


def similar_view(live: LiveIndex, doc_id: str, count: int) -> dict:
    """`/api/similar/<id>`: the document's similar proposals, as on its page.

    :raises BadRequest: (404) when no document has this id.
    """
    docnum = live.columns.by_id.get(live.columns.canonical_id(doc_id))
    if docnum is None:
        raise BadRequest(f"no document with id {doc_id[:200]!r}", status=404)
    with live.reader() as reader:
        similar = similar_cards(live, reader, docnum, count)
    return {"ok": True, "id": doc_id, "similar": similar, "generation": live.generation.number}
