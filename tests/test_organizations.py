"""Organizations, outcomes and topics over a folder laid out like the archive.

The expected figures are computed here from the files with plain PyYAML, independently
of the indexer: one document per published proposal and organization, every link by
project id, winners per year, topic and type counts, locations, names that find their
organization.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from index_store import IndexStore
from indexer.organizations import read_organization
from indexer.pipeline import index_paths
from search_app.document_view import social_handles

from conftest import ARCHIVE_YEARS as YEARS
from organization_groups import groups_and_pairs

_FRONT = re.compile(r"\A---\n(.*?)\n---", re.DOTALL)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader: the same YAML, ~10x faster


def front(path: Path) -> dict:
    return yaml.load(_FRONT.match(path.read_text(encoding="utf-8")).group(1), Loader=_LOADER)


def fold(text) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(text).lower().replace("&", "and"))


@pytest.fixture(scope="module")
def archive(archive_root) -> Path:
    return archive_root


@pytest.fixture(scope="module")
def api(archive_app):
    client = archive_app.test_client()

    def get(path: str, **params) -> dict:
        # A merged-away organization's id redirects to its organization (test_org_identity.py).
        response = client.get(path, query_string=params, follow_redirects=True)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response.get_json()

    get.client = client
    return get


@pytest.fixture(scope="module")
def files(archive) -> dict:
    """The archive's files as plain YAML: proposals, published organizations, data."""
    proposals = {p: front(p) for p in sorted((archive / "_projects").glob("*/*.md"))}
    organizations = {p: front(p) for p in sorted((archive / "_organizations").glob("*.md"))}
    return {
        "proposals": {p: f for p, f in proposals.items() if f.get("published") is not False},
        "organizations": {p: f for p, f in organizations.items() if f.get("published") is not False},
        "winners": yaml.safe_load((archive / "_data" / "winners.yaml").read_text(encoding="utf-8")),
        "tags": yaml.safe_load((archive / "_data" / "tags.yaml").read_text(encoding="utf-8")),
    }


@pytest.fixture(scope="module")
def group_of(files) -> dict[str, set[str]]:
    """Organization slug -> the slugs of the files that are the same organization (itself alone if none)."""
    groups, _pairs, _ein_only = groups_and_pairs({slug(p): org for p, org in files["organizations"].items()})
    found = {slug(p): {slug(p)} for p in files["organizations"]}
    for group in groups:
        found.update(dict.fromkeys(group, group))
    return found


@pytest.fixture(scope="module")
def canonical_files(files, api) -> dict[Path, dict]:
    """The organization files that are their organization's document (not merged into another):
    those the export lists, read in one request rather than a document request per file. The
    document API agrees: every file left out is no document of its own, a sample of the rest is."""
    client = api.client
    response = client.get("/api/export", query_string={"kind": "organization", "format": "ndjson"})
    exported = {json.loads(line)["id"] for line in response.get_data(as_text=True).splitlines()}
    canonical = {p: org for p, org in files["organizations"].items() if f"organization/{slug(p)}" in exported}
    left_out = [p for p in files["organizations"] if p not in canonical]
    assert [p for p in left_out if client.get(f"/api/doc/organization/{slug(p)}").status_code == 200] == []
    assert all(client.get(f"/api/doc/organization/{slug(p)}").status_code == 200 for p in sorted(canonical)[::25])
    return canonical


def slug(path: Path) -> str:
    """The id part of a file name: ASCII, lower-case, hyphenated ("la-más-inc" is "la-mas-inc")."""
    ascii_name = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def as_list(value) -> list[str]:
    return [str(v).strip() for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]


def test_one_document_per_published_proposal_and_organization(api, files, group_of):
    facets = api("/api/search", per_page=1)["facets"]["kind"]["values"]
    counts = {value["value"]: value["count"] for value in facets}
    assert counts["proposal"] == len(files["proposals"])
    assert counts["organization"] == len({frozenset(group) for group in group_of.values()})
    assert "data" not in counts  # data files feed the links, they are not documents


def test_ids_are_the_same_whether_the_archive_or_its_parts_are_indexed(archive, archive_index, tmp_path):
    parts = [archive / "_projects", archive / "_organizations", archive / "_data"]
    separate = index_paths(IndexStore(tmp_path), parts, rebuild=True)
    ids = lambda directory: {e["id"] for e in IndexStore(directory).live_manifest()["sources"].values()}  # noqa: E731
    assert ids(tmp_path) == ids(archive_index[0])
    assert separate.documents == archive_index[1].documents
    assert "organization/211-la" in ids(tmp_path) and "data/winners" in ids(tmp_path)
    assert any(re.fullmatch(r"proposal/2013/[a-z0-9-]+", i) for i in ids(tmp_path))


def test_every_proposal_is_linked_by_its_project_id(api, files, group_of):
    """Through the export, one request for every proposal's link (not a page per proposal)."""
    owners = {}
    for path, org in files["organizations"].items():
        for project_id in as_list(org.get("project_ids")):
            owners.setdefault(project_id, set()).update(f"organization/{member}" for member in group_of[slug(path)])
    response = api.client.get("/api/export", query_string={"kind": "proposal", "format": "ndjson"})
    exported = {row["id"]: row for row in map(json.loads, response.get_data(as_text=True).splitlines())}
    linked = 0
    for path, proposal in files["proposals"].items():
        doc_id = f"proposal/{path.parent.name}/{slug(path)}"
        expected = owners.get(str(proposal.get("project_id")))
        if not expected:
            continue
        assert exported[doc_id]["organization_id"] in expected, doc_id
        assert exported[doc_id]["organization"], doc_id  # 2013-2014 proposals name no organization themselves
        linked += 1
    assert linked >= 0.99 * len(files["proposals"])
    sample = sorted(exported)[:: max(1, len(exported) // 10)]  # the document API says the same
    assert all(api(f"/api/doc/{doc_id}")["organization_id"] == exported[doc_id]["organization_id"] for doc_id in sample)


def test_an_organization_lists_every_linked_proposal_newest_first(api):
    body = api("/api/doc/organization/826la")
    proposals = body["proposals"]
    assert [p["year"] for p in proposals] == sorted((p["year"] for p in proposals), reverse=True)
    assert {"id", "title", "year", "goal", "url"} <= set(proposals[0])
    for proposal in proposals:
        assert api(f"/api/doc/{proposal['id']}")["organization_id"] == "organization/826la"
    linked_total = api("/api/search", q='org:"826LA"', kind="proposal")["total"]
    assert len(proposals) >= 2 and linked_total >= 1


def test_every_organization_lists_its_proposals(api, files, group_of):
    """Independently: by project id, else by organization id; ids claimed twice left out
    (unless by files of one organization); an organization's files list them together."""
    by_project, by_key = {}, {}
    for path, org in files["organizations"].items():
        for project_id in set(as_list(org.get("project_ids"))):
            by_project.setdefault(project_id, []).append(slug(path))
        by_key.setdefault(str(org.get("organization_id")), []).append(slug(path))
    expected: dict[str, set[str]] = {}
    for path, proposal in files["proposals"].items():
        owners = by_project.get(str(proposal.get("project_id"))) or by_key.get(str(proposal.get("organization_id")), [])
        if len({frozenset(group_of[owner]) for owner in owners}) == 1:
            for member in group_of[owners[0]]:
                expected.setdefault(member, set()).add(f"proposal/{path.parent.name}/{slug(path)}")
    merged = [org_slug for org_slug in expected if len(group_of[org_slug]) > 1]
    for org_slug in sorted(expected)[::10] + merged:
        listed = [p["id"] for p in api(f"/api/doc/organization/{org_slug}")["proposals"]]
        assert set(listed) == expected[org_slug], org_slug
        assert len(listed) == len(set(listed))


def test_winners_per_year_equal_the_winners_file(api, files):
    expected = Counter(entry["year"] for entry in files["winners"] if str(entry["year"]) in YEARS)
    for year, count in expected.items():
        found = api("/api/search", outcome="winner", kind="proposal", year=str(year))["total"]
        assert found == count, year


def test_topic_counts_equal_the_files(api, files, group_of):
    hierarchy = {fold(parent): {fold(c) for c in children or []} for parent, children in files["tags"].items()}
    facet = {v["value"]: v["count"] for v in api("/api/search", kind="organization", per_page=1)["facets"]["topic"]["values"]}
    totals = {value: api("/api/search", kind="organization", topic=value)["total"] for value in files["tags"]}
    for parent, children in hierarchy.items():
        tagged = {
            frozenset(group_of[slug(path)])
            for path, org in files["organizations"].items()
            if {fold(tag) for tag in as_list(org.get("tags_indicators"))} & ({parent} | children)
        }
        expected = len(tagged)  # an organization of several files has the tags of each
        name = next(p for p in files["tags"] if fold(p) == parent)
        assert totals[name] == expected, name
        if name in facet:
            assert facet[name] == expected


def test_type_counts_fold_spellings_into_one_value(api, canonical_files):
    expected = Counter(fold(org.get("org_type")) for org in canonical_files.values())
    api_counts = {}
    for value in api("/api/search", kind="organization", per_page=1)["facets"]["org_type"]["values"]:
        api_counts[fold(value["value"])] = value["count"]
    assert api_counts["nonprofit"] == expected["nonprofit"]
    social = expected["socialenterpriseorbcorps"]
    assert api_counts["socialenterpriseorbcorps"] == social and social > 21  # both spellings
    assert api("/api/search", org_type="nonprofit", kind="organization")["total"] == expected["nonprofit"]
    assert api("/api/search", q="type:nonprofit kind:organization")["total"] == expected["nonprofit"]


def test_locations_for_organizations_with_a_zip(api, files):
    body = api("/api/doc/organization/211-la")
    assert body["location"]["in_la_county"] is True
    assert abs(body["location"]["lat"] - 34.09) < 0.2 and abs(body["location"]["lon"] + 118.1) < 0.2
    outside = next(slug(p) for p, org in files["organizations"].items() if str(org.get("zip")).startswith("2120"))
    away = api(f"/api/doc/organization/{outside}")["location"]
    assert away is not None and away["in_la_county"] is False
    nozip = next(slug(p) for p, org in files["organizations"].items() if not org.get("zip"))
    assert api(f"/api/doc/organization/{nozip}")["location"] is None


def test_unmatched_outcomes_and_bad_zips_are_reported(archive_index):
    problems = archive_index[1].link_problems
    assert any(p.startswith("finalists.yaml: ") and "no proposal or organization" in p for p in problems)
    assert any("is not a five-digit US zip code" in p for p in problems)
    assert any("is also listed by" in p for p in problems)  # a project id claimed twice


@pytest.mark.parametrize("step", [7])
def test_an_organization_name_finds_its_organization_in_the_top_3(api, files, group_of, step):
    names = [(slug(p), org["title"]) for p, org in list(files["organizations"].items())[::step]]
    missed = []
    for org_slug, name in names:
        top = [r["id"] for r in api("/api/search", q=name, per_page=3)["results"]]
        if not {f"organization/{member}" for member in group_of[org_slug]} & set(top):
            missed.append(name)
    assert not missed, f"{len(missed)} of {len(names)}: {missed[:10]}"


def test_filters_and_query_terms_for_outcome_and_topic(api):
    by_param = api("/api/search", outcome="winner", topic="health")
    by_query = api("/api/search", q="outcome:winner topic:health")
    assert by_param["total"] == by_query["total"] > 0
    assert by_param["query"]["topic"] == ["Health"]  # folded to the value as indexed
    assert all(any(o["outcome"] == "Winner" for o in r["outcomes"]) for r in by_param["results"])
    assert api("/api/search", q="-outcome:winner kind:proposal")["total"] + api(
        "/api/search", outcome="winner", kind="proposal"
    )["total"] == api("/api/search", kind="proposal")["total"]


def test_the_organization_page_and_the_way_to_it(api):
    client = api.client
    page = client.get("/doc/organization/826la").get_data(as_text=True)
    assert "826LA" in page and "Proposals (" in page and "What they have worked on" in page
    assert 'href="https://www.826LA.org"' in page
    proposal = api("/api/doc/organization/826la")["proposals"][0]["id"]
    proposal_page = client.get(f"/doc/{proposal}").get_data(as_text=True)
    assert 'href="/doc/organization/826la?back=' in proposal_page and "More from 826LA" in proposal_page
    results = client.get("/?q=826LA").get_data(as_text=True)
    assert "result-organization" in results and "kind-organization" in results


def test_a_topic_named_by_its_first_words_finds_that_topic(api, files):
    """People name "Housing & homelessness" as housing: a value's first words stand for it
    when no other value starts with them; otherwise nothing is guessed, and the page says so."""
    topics = {value for values in files["tags"].values() for value in as_list(values)} | set(files["tags"])
    long_topic = next(t for t in sorted(topics) if t.lower().startswith("housing "))
    whole = api("/api/search", topic=long_topic)["total"]
    assert whole > 0
    assert api("/api/search", topic="housing")["total"] == whole
    assert api("/api/search", q="topic:housing")["total"] == whole
    assert api("/api/search", topic="housing")["query"]["topic"] == [long_topic]


def test_a_query_term_for_a_value_no_document_has_says_so(api):
    body = api("/api/search", q="topic:zzzz food")
    assert body["total"] == 0
    assert "No document has topic 'zzzz'." in body["notes"]
    assert not api("/api/search", q="topic:health food")["notes"]


def test_social_handles_given_as_lists_are_all_kept():
    """One organization file in ten lists handles (its own and a fiscal sponsor's)."""
    front = {
        "title": "Civics Lab",
        "project_ids": ["1"],
        "twitter": ["@civicslab", "@sponsor"],
        "instagram": "@civicslab",
        "facebook": ["facebook.com/CivicsLab", "javascript:alert(1)", ""],
    }
    social = read_organization(front, doc_id="organization/civics-lab", path="civics-lab.md").profile["social"]
    assert social == {
        "twitter": ["@civicslab", "@sponsor"],
        "instagram": ["@civicslab"],
        "facebook": ["https://facebook.com/CivicsLab", "javascript:alert(1)"],
    }


def test_an_organization_page_links_each_handle_that_is_an_address(api, files):
    path = next(p for p, f in files["organizations"].items() if isinstance(f.get("facebook"), list) and len(f["facebook"]) > 1)
    doc = api(f"/api/doc/organization/{slug(path)}")
    handles = doc["social_handles"]["facebook"]
    assert len(handles) == len(files["organizations"][path]["facebook"])
    assert doc["social"]["facebook"] == handles[0]  # the first shape of `social` is kept
    page = BeautifulSoup(api.client.get(f"/doc/organization/{slug(path)}").get_data(as_text=True), "html.parser")
    links = {a["href"] for a in page.select("dl.facts a")}
    for handle in handles:
        assert (handle in links) == handle.startswith("https://"), handle


def test_a_profile_from_before_handle_lists_still_shows_its_handle():
    """An index built before lists were kept holds one string a network: no re-index needed."""
    old = social_handles({"social": {"twitter": "@civicslab", "facebook": ""}})
    assert old == {"twitter": ["@civicslab"]}


@pytest.mark.parametrize("retry", ["homelesness", "homelessness qqqzzzxx"])
def test_a_folded_value_still_filters_when_the_words_are_retried(api, retry):
    """Close spellings and the any-word fallback search again: with the query's values as
    the index spells them (topic:housing), not as typed, or they would filter out everything."""
    # Words alone: meaning reads a misspelled word as another text, with its own close documents.
    expected = api("/api/search", q="topic:housing homelessness", semantic="0")["total"]
    assert expected > 0
    body = api("/api/search", q=f"topic:housing {retry}", semantic="0")
    assert body["total"] == expected and body["notes"]
