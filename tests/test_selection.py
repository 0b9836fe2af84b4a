"""One constraint form (engine/selection.py): the query's filters and the URL's selections
compile to `Constraints` and are evaluated as bitsets by one mechanism; a search's outcome
carries them as a `Selection` the views read instead of searching again (issue 23, point 3).

The form is checked on a handful of documents against a reference written here a document
at a time: field syntax ANDs values, a URL selection ORs them, an outcome and a year
selected together mean events, a facet's counts leave out its own selection.
"""

from __future__ import annotations

import itertools

import pytest

from engine import Constraints, SearchRequest, Selection
from engine.generations import LiveIndex
from engine.search_keys import Parsed
from engine.searching import run_search
from engine.query import parse_query
from index_store import Columns

# id, kind, own year, regions, goal, (outcome, year) events, topics; organizations hold
# their proposals' events and the years of them.
DOCUMENTS = [
    ("proposal/a", "proposal", 2018, "Westside,South LA", "learn", [], ["Health"]),
    ("proposal/b", "proposal", 2019, "Westside", "play", [("Winner", 2019)], []),
    ("proposal/c", "proposal", 2019, "South LA", "learn", [("Finalist", 2019)], ["Health"]),
    ("organization/o", "organization", None, "", "", [("Winner", 2019), ("Finalist", 2018)], ["Health"]),
    ("article/d", "article", 2017, "Westside", "", [], []),
    ("proposal/e", "proposal", 2018, "Central LA", "create", [("Winner", 2018)], []),
]
YEARS_OF = {"organization/o": [2018, 2019]}


class Reader:
    """The stored fields of DOCUMENTS, as an index reader gives them (Columns.load)."""

    def live_documents(self):
        for docnum, (doc_id, kind, year, regions, goal, _events, _topics) in enumerate(DOCUMENTS):
            yield docnum, {"id": doc_id, "kind": kind, "year": year, "region": regions, "goal": goal, "title": doc_id}


@pytest.fixture(scope="module")
def columns() -> Columns:
    links = {
        "documents": {
            doc_id: {
                "outcomes": [{"outcome": outcome, "year": year} for outcome, year in events],
                "topics": topics,
                **({"years": YEARS_OF[doc_id]} if doc_id in YEARS_OF else {}),
            }
            for doc_id, _kind, _year, _regions, _goal, events, topics in DOCUMENTS
        },
        "aliases": {"organization/old-name": "organization/o"},
    }
    return Columns.load(Reader(), links)


def ids(columns: Columns, bits: int) -> set[str]:
    return {columns.ids[docnum] for docnum in columns.docnums if bits >> docnum & 1}


def reference(columns: Columns, selected: dict[str, list[str]]) -> set[str]:
    """The documents a URL selection keeps, decided a document at a time."""
    kept = set()
    for docnum in columns.docnums:
        values = {facet: set(columns.values[facet][docnum]) for facet in selected}
        plain = all(values[facet] & set(wanted) for facet, wanted in selected.items() if facet not in ("year", "outcome"))
        if "year" in selected and "outcome" in selected:  # one event of a selected outcome in a selected year
            coupled = any(o in selected["outcome"] and y in selected["year"] for o, y in columns.events[docnum])
        else:
            coupled = all(values[facet] & set(selected[facet]) for facet in ("year", "outcome") if facet in selected)
        if plain and coupled:
            kept.add(columns.ids[docnum])
    return kept


def over(columns: Columns, constraints: Constraints) -> Selection:
    """The constraints over every document, the query's filters applied as a search does."""
    written = constraints.written_mask(columns)
    return Selection(constraints, columns, columns.all_docs if written is None else written)


def test_field_syntax_ands_values_and_a_url_selection_ors_them(columns):
    both = Constraints.compile({}, parse_query('region:westside region:"South LA"'))
    either = Constraints.compile({"region": ["Westside", "South LA"]})
    assert [clause.facet for clause in both.written] == ["region", "region"]  # a clause a value: each applies
    assert ids(columns, over(columns, both).hits) == {"proposal/a"}
    assert ids(columns, over(columns, either).hits) == {"proposal/a", "proposal/b", "proposal/c", "article/d"}


def test_exclusions_any_of_and_years_the_query_writes(columns):
    def kept(q: str) -> set[str]:
        return ids(columns, over(columns, Constraints.compile({}, parse_query(q))).hits)

    assert kept("-region:westside") == {"proposal/c", "organization/o", "proposal/e"}
    assert kept("goal:learn OR goal:create") == {"proposal/a", "proposal/c", "proposal/e"}
    # A year in the query is a document's own year: the organization has none.
    assert kept("year:2019") == {"proposal/b", "proposal/c"}
    assert kept("year:2018..2019 -year:2019") == {"proposal/a", "proposal/e"}
    assert kept("year:2015 OR year:2017") == {"article/d"}
    assert Constraints.compile({}, parse_query("gardens")).written_mask(columns) is None  # nothing written


def test_a_url_year_holds_an_organizations_years_of_events(columns):
    selected = {"year": ["2019"]}
    assert ids(columns, over(columns, Constraints.compile(selected)).hits) == reference(columns, selected)
    assert "organization/o" in reference(columns, selected)


@pytest.mark.parametrize(
    "selected",
    [
        {"year": ["2019"], "outcome": ["Winner"]},
        {"year": ["2019"], "outcome": ["Finalist"]},  # the organization: a finalist in 2018, in 2019 a winner
        {"year": ["2018"], "outcome": ["Winner", "Finalist"]},
        {"year": ["2018", "2019"], "outcome": ["Finalist"], "region": ["South LA", "Central LA"]},
        {"outcome": ["Winner"], "goal": ["play", "create"]},
        {"topic": ["Health"], "kind": ["proposal"]},
    ],
)
def test_the_selection_keeps_what_the_reference_keeps(columns, selected):
    assert ids(columns, over(columns, Constraints.compile(selected)).hits) == reference(columns, selected)


def test_an_outcome_and_a_year_selected_together_are_events(columns):
    selection = over(columns, Constraints.compile({"year": ["2018"], "outcome": ["Winner"]}))
    # The organization won in 2019 and was a finalist in 2018: not a 2018 winner.
    assert ids(columns, selection.hits) == {"proposal/e"}
    # Counting years under outcome=Winner counts the years of wins.
    assert {year: len(ids(columns, mask)) for year, mask in selection.value_masks("year").items()} == {"2018": 1, "2019": 2}


def test_counting_a_facet_leaves_out_its_own_selection_and_its_hold_on_the_coupled_facet(columns):
    selected = {"year": ["2018"], "outcome": ["Winner"], "region": ["Central LA"]}
    selection = over(columns, Constraints.compile(selected))
    for facets in itertools.chain.from_iterable(itertools.combinations(selected, n) for n in range(4)):
        rest = {facet: values for facet, values in selected.items() if facet not in facets}
        assert ids(columns, selection.without(*facets)) == reference(columns, rest), facets
        assert selection.leaving_out(*facets).hits == selection.without(*facets)
    # Without the year, outcome counts are of every year's outcomes again.
    assert ids(columns, selection.leaving_out("year").value_masks("outcome")["Finalist"]) == {"proposal/c", "organization/o"}


def test_choosing_a_value_is_the_search_with_it_selected(columns):
    base = over(columns, Constraints.compile({"outcome": ["Winner"]}))
    chosen = base.choosing("year", ["2019"])
    assert chosen.selected == {"outcome": ["Winner"], "year": ["2019"]}
    assert ids(columns, chosen.hits) == reference(columns, chosen.selected)


def test_the_form_is_spelled_as_the_generation_spells_values_and_organizations(columns):
    constraints = Constraints.compile({"topic": ["health"], "region": ["Westside"]}, organization="organization/old-name", columns=columns)
    assert constraints.selected == {"topic": ["Health"], "region": ["Westside"]}
    assert constraints.organization == "organization/o"
    assert Constraints.compile({"topic": ["health"]}).selected == {"topic": ["health"]}  # without columns, as given


def test_one_search_whatever_the_order_of_its_selections(columns):
    one = Constraints.compile({"region": ["Westside", "South LA"], "goal": ["learn"]})
    other = Constraints.compile({"goal": ["learn"], "region": ["South LA", "Westside"]})
    assert one != other  # the request's order is kept for the page
    assert one.canonical() == other.canonical() and hash(one.canonical()) == hash(other.canonical())
    assert Constraints.compile({"region": []}) == Constraints.compile({})  # a facet without values selects nothing


def test_unknown_values_are_those_asked_for(columns):
    constraints = Constraints.compile({"region": ["Atlantis", "Westside"], "year": ["1999"]}, parse_query("goal:learn year:1990 -region:Mars"))
    assert constraints.unknown_values(columns) == [("region", "Atlantis"), ("year", "1999")]


# A search runs once per request: the views read its outcome's selection.


@pytest.fixture
def counted(client, monkeypatch):
    """(searches, spellings) a request runs: the parsed-query lookups (one a search) and
    the constraints compiled against a generation's columns."""
    searches: list = []
    spellings: list = []
    cached, compile_ = LiveIndex.cached, Constraints.compile.__func__

    def cached_counting(self, key, compute):
        if isinstance(key, Parsed):
            searches.append(key)
        return cached(self, key, compute)

    def compile_counting(cls, *args, **kwargs):
        if kwargs.get("columns") or len(args) > 3:
            spellings.append(args)
        return compile_(cls, *args, **kwargs)

    monkeypatch.setattr(LiveIndex, "cached", cached_counting)
    monkeypatch.setattr(Constraints, "compile", classmethod(compile_counting))
    return searches, spellings


@pytest.mark.parametrize(
    "url",
    [
        "/api/search?q=gardens&region=Westside&kind=proposal",
        "/?q=gardens+region:westside&goal=learn",
        "/api/matrix?q=gardens&year=2019&outcome=Winner&rows=year&cols=outcome",
        "/matrix?q=youth&region=South+LA",
        "/api/map?q=food&kind=proposal",
        "/map?q=food&goal=learn&by=work",
        "/api/export?q=gardens&region=Westside&format=json",
    ],
)
def test_a_view_searches_and_spells_its_request_once(client, counted, url):
    response = client.get(url)
    assert response.status_code == 200, url
    response.get_data()  # an export streams its rows
    searches, spellings = counted
    assert len(searches) == 1, searches
    assert len(spellings) == 1, spellings


def test_the_outcome_carries_the_bits_the_counts_were_made_from(index_dir):
    """The views' bitsets from the outcome agree with the search's own totals and counts."""
    from index_store import IndexStore

    live = LiveIndex.open(IndexStore(index_dir).open_current())
    try:
        outcome = run_search(live, SearchRequest(q="", selected={"kind": ["proposal"], "goal": ["learn", "play"]}))
        selection = outcome.selection
        assert selection.hits.bit_count() == outcome.total
        by_goal = live.columns.value_counts("goal", selection.without("goal"), selection.value_masks("goal"))
        assert by_goal == outcome.facet_counts["goal"]
    finally:
        live.close()
