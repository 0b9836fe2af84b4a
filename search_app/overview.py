"""The first page: what the archive holds, and ways into it.

With no search yet, the newest documents are unrelated web articles; what a visitor
needs is the size of the archive, its goals, regions and most common metrics as entry
points (each a link to the search it names, with its count), recent winners, and a
search box. Counts say what they count: proposals, organizations or documents (all kinds);
the archive's years are the years with proposals (organizations also carry the years they
won in, 2021 among them, when no proposal was sent). All of it is counted from the generation's columns, once per generation.
New facets (outcome, topic, organization type) appear here as soon as the index has them.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import LiveIndex




PROPOSAL, ORGANIZATION, ARTICLE = "proposal", "organization", "article"
TOP_METRICS = 12  # metrics listed as entry points
TOP_TOPICS = 12  # topics listed, when the index has them
RECENT_WINNERS = 8  # winning proposals shown, newest first
WINNER = "Winner"


@dataclass(frozen=True)
class Overview:
    """Key of the archive's overview (the labels are the app's, the same in every request)."""

    base_url: str  # link({}): where its links point


def overview_view(live: LiveIndex, link, labels: dict[str, str]) -> dict:
    """Counts and entry points of the whole archive, with a search link for each."""
    return live.cached(Overview(link({})), lambda: _overview(live, link, labels))


def _overview(live: LiveIndex, link, labels: dict[str, str]) -> dict:
    columns = live.columns
    kinds = columns.masks["kind"]
    proposals = kinds.get(PROPOSAL, 0)
    years = sorted(int(year) for year in columns.value_counts("year", proposals))

    def entries(facet: str, kind: str | None, limit: int | None = None) -> list[dict]:
        """The values of `facet` among documents of `kind`, each linked to its search (whose total is its count)."""
        among, scope = (kinds.get(kind, 0), {"kind": [kind]}) if kind else (columns.all_docs, {})
        counts = sorted(columns.value_counts(facet, among).items(), key=lambda item: (-item[1], item[0].casefold()))
        return [{"value": value, "count": count, "url": link({facet: [value], **scope})} for value, count in counts[:limit]]

    masks = columns.masks
    return {
        "ok": True,
        "documents": len(columns.docnums),
        "kinds": entries("kind", None),
        "proposals": proposals.bit_count(),
        "organizations": kinds.get(ORGANIZATION, 0).bit_count(),
        "articles": kinds.get(ARTICLE, 0).bit_count(),
        "years": {"first": years[0], "last": years[-1], "count": len(years)} if years else None,
        "goals": entries("goal", PROPOSAL),
        "regions": entries("region", PROPOSAL),
        "metrics": entries("metric", PROPOSAL, TOP_METRICS),
        "metric_count": len(columns.value_counts("metric", proposals)),
        "topics": entries("topic", None, TOP_TOPICS) if "topic" in masks else [],
        "outcomes": entries("outcome", PROPOSAL) if "outcome" in masks else [],
        "recent_winners": _recent_winners(live, proposals),
        "links": {
            "browse": link({"sort": "newest"}),
            "proposals": link({"kind": [PROPOSAL], "sort": "newest"}),
            "organizations": link({"kind": [ORGANIZATION], "sort": "title"}),
            "by_organization": link({"group": ORGANIZATION}),
            # Every kind: 2021's winners are organizations only (no 2021 proposal exists).
            "winners": link({"outcome": [WINNER], "sort": "newest"}) if WINNER in masks.get("outcome", {}) else None,
        },
        "winners": _winners(columns, proposals, kinds.get(ORGANIZATION, 0)),
        "labels": labels,
        "generation": live.generation.number,
    }


def _winners(columns, proposals: int, organizations: int) -> dict | None:
    """How many proposals and organizations won, and the years they won in, whatever the kind:
    the years come from the outcomes themselves, not from the documents' years."""
    winners = columns.masks.get("outcome", {}).get(WINNER, 0)
    if not winners:
        return None
    years = sorted(
        {
            outcome["year"]
            for docnum in columns.members(winners, columns.docnums)
            for outcome in columns.link_of(columns.ids[docnum]).get("outcomes", [])
            if outcome.get("outcome") == WINNER and isinstance(outcome.get("year"), int)
        }
    )
    return {
        "proposals": (winners & proposals).bit_count(),
        "organizations": (winners & organizations).bit_count(),
        "years": years,
        "first": years[0] if years else None,
        "last": years[-1] if years else None,
    }


def _recent_winners(live: LiveIndex, proposals: int) -> list[dict]:
    columns = live.columns
    winners = columns.masks.get("outcome", {}).get(WINNER, 0) & proposals
    newest = columns.members(winners, columns.order("newest"))[:RECENT_WINNERS]
    with live.reader() as reader:
        return [_winner(columns, reader.stored_fields(docnum), docnum) for docnum in newest]


def _winner(columns, stored: dict, docnum: int) -> dict:
    doc_id = columns.ids[docnum]
    return {
        "id": doc_id,
        "title": columns.titles[docnum],
        "organization": stored.get("organization", ""),
        "year": columns.years[docnum],
        "goal": stored.get("goal", ""),
        "url": "/doc/" + doc_id,
    }
