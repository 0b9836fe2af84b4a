"""One organization once: organization files that are the same organization are one document.

On the archive, the pairs the issue's rule matches and the pairs that share only an EIN are
computed from the raw files (tests/organization_groups.py, independently of the indexer);
each matching pair must resolve to one id, each EIN-only pair to two. A small archive
written here checks bad input and that incremental updates keep merges right.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from index_store import IndexStore
from la2050_search.cli import main
from indexer.linking import link_documents
from indexer.org_identity import ein_key, fold_name, website_domain
from indexer.pipeline import index_paths
from search_app import create_app

from organization_groups import groups_and_pairs
from test_organizations import front, slug

MERGE_LINE = re.compile(r"merged (\S+\.md) into (\S+\.md): (same EIN and website|same name)")


@pytest.fixture(scope="module")
def raw(archive_root) -> dict[str, dict]:
    """slug -> front matter of every published organization file."""
    found = {slug(p): front(p) for p in sorted((archive_root / "_organizations").glob("*.md"))}
    return {key: org for key, org in found.items() if org.get("published") is not False}


@pytest.fixture(scope="module")
def expected(raw):
    groups, pairs, ein_only = groups_and_pairs(raw)
    group_of = {member: frozenset(group) for group in groups for member in group}
    return {"groups": groups, "pairs": pairs, "ein_only": ein_only, "group_of": group_of}


@pytest.fixture(scope="module")
def client(archive_app):
    return archive_app.test_client()


def resolved_id(client, org_slug: str) -> str:
    """The id /api/doc/organization/<slug> ends at, following a redirect."""
    response = client.get(f"/api/doc/organization/{org_slug}", follow_redirects=True)
    assert response.status_code == 200, org_slug
    return response.get_json()["id"]


def test_the_fold_and_keys_follow_the_rule():
    assert fold_name("The Harmony Project") == fold_name("Harmony Project")
    assert fold_name("FoodCycle LA") == fold_name("FoodCycle")
    assert fold_name("L.A. Compost") == fold_name("LA Compost") == fold_name("Los Angeles Compost")
    assert fold_name("TreePeople, Inc.") == fold_name("TreePeople") == fold_name("TreePeople LLC")
    assert fold_name("LA Conservation Corps") == fold_name("Los Angeles Conservation Corps")
    assert fold_name("Theater of Hope") != fold_name("Hope")  # "The" only as a word
    assert ein_key("95-3510017") == ("953510017", "")
    assert ein_key("954302067002") == ("954302067002", "")  # a sponsored project's number kept
    assert ein_key("951643307 (Caltech)") == ("951643307", "")
    assert ein_key("TBD") == ("", "") and ein_key("") == ("", "")
    assert ein_key("46")[1] and not ein_key("46")[0]
    assert website_domain("https://www.Harmony-Project.org/about") == "harmony-project.org"
    assert website_domain("https://facebook.com/GroupA") != website_domain("https://facebook.com/GroupB")
    assert website_domain("http://[bad") == "" and website_domain("not a url") == ""


def test_index_reports_each_merge(archive_index, expected):
    merges = archive_index[1].merges
    aliases = sum(len(group) - 1 for group in expected["groups"])
    assert len(merges) == aliases > 30
    for line in merges:
        match = MERGE_LINE.fullmatch(line)
        assert match, line
        alias, canonical = (name.removesuffix(".md") for name in match.group(1, 2))
        assert canonical in expected["group_of"][alias], line


def test_each_matching_pair_resolves_to_one_organization(client, expected):
    assert len(expected["pairs"]) > 30
    for first, second in expected["pairs"]:
        assert resolved_id(client, first) == resolved_id(client, second), (first, second)


def test_each_pair_that_shares_only_an_ein_stays_two(client, expected):
    apart = [(a, b) for a, b in expected["ein_only"] if expected["group_of"].get(a, {a}) != expected["group_of"].get(b, {b})]
    assert len(apart) > 100  # City of Los Angeles departments, fiscally sponsored projects
    for first, second in apart:
        assert resolved_id(client, first) != resolved_id(client, second), (first, second)


def test_an_alias_redirects_and_its_organization_names_it(client, expected):
    for group in expected["groups"]:
        ids = {member: resolved_id(client, member) for member in group}
        (canonical,) = set(ids.values())
        for member in group:
            own = f"organization/{member}"
            page = client.get(f"/doc/{own}?back=%2F%3Fq%3Dx")
            api = client.get(f"/api/doc/{own}")
            if own == canonical:
                assert page.status_code == api.status_code == 200
                continue
            assert page.status_code == api.status_code == 308
            assert page.headers["Location"] == f"/doc/{canonical}?back=%2F%3Fq%3Dx"
            assert api.headers["Location"] == f"/api/doc/{canonical}"
        body = client.get(f"/api/doc/{canonical}").get_json()
        assert {alias["id"] for alias in body["aliases"]} == {f"organization/{m}" for m in group} - {canonical}


def test_a_search_for_any_name_finds_the_organization_once(client, raw, expected):
    for group in expected["groups"]:
        canonical = resolved_id(client, next(iter(group)))
        for member in group:
            found = client.get("/api/search", query_string={"q": raw[member]["title"], "kind": "organization"}).get_json()
            ids = [result["id"] for result in found["results"]]
            assert canonical in ids[:3], (member, ids[:3])
            assert not ({f"organization/{m}" for m in group} - {canonical}) & set(ids)  # never a second card


def test_an_alias_id_filters_as_its_organization(client):
    params = lambda org: {"organization": org, "per_page": 100}  # noqa: E731
    alias = client.get("/api/search", query_string=params("organization/the-harmony-project")).get_json()
    canonical = client.get("/api/search", query_string=params("organization/harmony-project")).get_json()
    assert alias["total"] == canonical["total"] >= 3 and not alias["notes"]  # the organization and its proposals
    assert [r["id"] for r in alias["results"]] == [r["id"] for r in canonical["results"]]


def test_an_organization_keeps_the_identifiers_of_each_file(client, raw, expected):
    for group in expected["groups"]:
        body = client.get(f"/api/doc/{resolved_id(client, next(iter(group)))}").get_json()
        for field, length in (("ein", None), ("zip", 5)):  # a zip as ZIP+4 in one file, as five digits in another
            given = {str(raw[member].get(field) or "").strip()[:length] for member in group} - {""}
            assert (body[field][:length] in given) if given else body[field] == "", (group, field)


def test_type_ahead_finds_an_organization_by_each_name_once(client):
    for typed in ("The Harmony", "Harmony Proj", "Future Roots"):
        found = client.get("/api/suggest", query_string={"q": typed, "type": "organization"}).get_json()["suggestions"]
        urls = [entry["url"] for entry in found]
        assert len(urls) == len(set(urls)), typed
    harmony = client.get("/api/suggest", query_string={"q": "The Harmony Project", "type": "organization"}).get_json()
    assert [s["url"] for s in harmony["suggestions"]] == ["/doc/organization/harmony-project"]
    dublab = client.get("/api/suggest", query_string={"q": "Future Roots", "type": "organization"}).get_json()
    assert [s["value"] for s in dublab["suggestions"]] == ["DUBLAB"]


def test_organization_pages_show_other_names(client, raw):
    page = client.get("/doc/organization/harmony-project", follow_redirects=True).get_data(as_text=True)
    assert "Also listed as" in page
    assert "The Harmony Project" in page and "Harmony Project" in page


def test_bad_eins_and_websites_are_reported_with_their_file(archive_index):
    problems = archive_index[1].link_problems
    assert any(re.match(r"\S+\.md: ein '46' is not a nine-digit EIN", p) for p in problems)
    assert any(re.match(r"\S+\.md: website .* is not a web address", p) for p in problems)


def test_an_outcome_naming_two_files_of_one_organization_finds_it():
    """Two files with one name were two candidates, so the entry matched neither."""
    files = [
        {"id": "organization/a", "kind": "organization", "path": "_organizations/a.md", "facts": {"name": "EnCorps"}},
        {"id": "organization/b", "kind": "organization", "path": "_organizations/b.md", "facts": {"name": "EnCorps"}},
        {"id": "data/featured", "kind": "data", "path": "_data/featured_organizations.yaml",
         "facts": {"outcome": "Featured", "entries": [{"title": "EnCorps"}]}},
    ]  # fmt: skip
    links = link_documents(files)
    assert links["aliases"] == {"organization/b": "organization/a"}
    assert [o["outcome"] for o in links["documents"]["organization/a"]["outcomes"]] == ["Featured"]
    assert not [p for p in links["problems"] if "EnCorps" in p]


# -- a small archive: bad input and incremental updates --------------------------------------


def organization(name: str, project_ids: list[str], *, ein: str = "", website: str = "", zip_code: str = "") -> str:
    ids = "".join(f"\n  - '{p}'" for p in project_ids)
    return (
        f"---\npublished: true\ntitle: {name}\norg_type: Nonprofit\norg_summary: {name} plants gardens.\n"
        f"organization_website:\n  - '{website}'\nein: '{ein}'\nzip: '{zip_code}'\nproject_ids:{ids}\n"
        f"year_submitted:\n  - '2019'\n---\n"
    )


def proposal(project_id: str, title: str, year: int = 2019) -> str:
    return textwrap.dedent(
        f"""\
        ---
        published: true
        project_id: '{project_id}'
        year_submitted: {year}
        category: live
        title: {title}
        project_summary: A plan about gardens.
        challenge_url: https://challenge.la2050.org/{year}/live/{project_id}/
        ---
        """
    )


SMALL = {
    "_organizations/harmony-project.md": organization("Harmony Project", ["1", "2"], ein="11-1111111", website="www.harmony.org"),
    "_organizations/the-harmony-project.md": organization("The Harmony Project", ["3"], ein="111111111", website="https://harmony.org/"),
    "_organizations/parks-department.md": organization("Department of Parks", ["4"], ein="222222222", website="https://laparks.org"),
    "_organizations/water-department.md": organization("Department of Water", ["5"], ein="222222222", website="https://ladwp.com"),
    # Three files whose names match each other: a cycle of matches is one organization.
    "_organizations/foo-la.md": organization("Foo LA", ["6"], ein="46", website="not a url"),
    "_organizations/foo.md": organization("Foo", ["7"]),
    "_organizations/the-foo-inc.md": organization("The Foo, Inc.", ["8"]),
    "_projects/2019/one.md": proposal("1", "Strings for kids"),
    "_projects/2019/two.md": proposal("2", "Drums for kids", 2018),
    "_projects/2019/three.md": proposal("3", "Violins in Rampart"),
    "_projects/2019/four.md": proposal("4", "Shade in parks"),
    "_projects/2019/five.md": proposal("5", "Clean water"),
    "_projects/2019/six.md": proposal("6", "Foo garden"),
    "_projects/2019/seven.md": proposal("7", "Foo orchard"),
    "_projects/2019/eight.md": proposal("8", "Foo field"),
    # Names the merged-away file by its slug: counted for its organization, and reported.
    "_data/winners.yaml": "### 2019 ###\n- /the-harmony-project/\n",
}


@pytest.fixture
def small(tmp_path):
    root = tmp_path / "archive"
    for relpath, text in SMALL.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, encoding="utf-8")
    store = IndexStore(tmp_path / "index")
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()

    def index():
        return index_paths(store, [root], workers=1)

    return root, index, client


def final_id(client, doc_id: str) -> str | None:
    response = client.get(f"/api/doc/{doc_id}", follow_redirects=True)
    return response.get_json()["id"] if response.status_code == 200 else None


def organizations(client) -> int:
    return client.get("/api/search", query_string={"kind": "organization"}).get_json()["total"]


def test_bad_input_is_reported_and_never_fatal(small):
    _root, index, client = small
    report = index()
    assert report.documents == len(SMALL) - 1  # the data file is no document
    problems = "\n".join(report.link_problems)
    assert "foo-la.md: ein '46' is not a nine-digit EIN" in problems
    assert "foo-la.md: website 'not a url' is not a web address" in problems
    assert "winners.yaml: " in problems and "names the-harmony-project.md, merged into harmony-project.md" in problems
    assert report.merges == [  # the canonical file: most proposals, then newest, then first id
        "merged foo-la.md into foo.md: same name",
        "merged the-foo-inc.md into foo.md: same name",
        "merged the-harmony-project.md into harmony-project.md: same EIN and website",
    ]
    assert organizations(client) == 4
    foo = {final_id(client, f"organization/{name}") for name in ("foo", "foo-la", "the-foo-inc")}
    assert len(foo) == 1
    assert final_id(client, "organization/parks-department") != final_id(client, "organization/water-department")
    harmony = client.get("/api/doc/organization/harmony-project").get_json()
    assert {p["id"] for p in harmony["proposals"]} == {"proposal/2019/one", "proposal/2019/two", "proposal/2019/three"}
    assert [o["outcome"] for o in harmony["outcomes"]] == ["Winner"]
    assert client.get("/api/doc/proposal/2019/three").get_json()["organization_id"] == "organization/harmony-project"


def test_incremental_updates_keep_merges_right(small):
    root, index, client = small
    index()
    canonical = final_id(client, "organization/the-harmony-project")
    assert canonical == "organization/harmony-project"  # two proposals against one
    # Remove the canonical file: the other is its own organization again, with its proposal.
    kept = (root / "_organizations/harmony-project.md").read_text(encoding="utf-8")
    (root / "_organizations/harmony-project.md").unlink()
    report = index()
    assert report.merges == [line for line in report.merges if "harmony" not in line]
    alone = client.get("/api/doc/organization/the-harmony-project")
    assert alone.status_code == 200 and alone.get_json()["aliases"] == []
    assert [p["id"] for p in alone.get_json()["proposals"]] == ["proposal/2019/three"]
    assert organizations(client) == 4
    # Add it back: merged again, into the same file.
    (root / "_organizations/harmony-project.md").write_text(kept, encoding="utf-8")
    report = index()
    assert "merged the-harmony-project.md into harmony-project.md: same EIN and website" in report.merges
    assert final_id(client, "organization/the-harmony-project") == "organization/harmony-project"
    # Edit the alias so it is another organization: two again.
    (root / "_organizations/the-harmony-project.md").write_text(
        organization("The Harmony Choir", ["3"], ein="111111111", website="https://choir.org"), encoding="utf-8"
    )
    index()
    assert final_id(client, "organization/the-harmony-project") == "organization/the-harmony-project"
    assert organizations(client) == 5
    # Remove the canonical file of a group of three: the other two stay one.
    (root / "_organizations/foo.md").unlink()
    report = index()
    assert final_id(client, "organization/foo-la") == final_id(client, "organization/the-foo-inc") == "organization/foo-la"
    assert final_id(client, "organization/foo") is None
    assert organizations(client) == 5 and len([m for m in report.merges if "foo" in m]) == 1
    # Remove an alias: its organization stays, without it.
    (root / "_organizations/the-foo-inc.md").unlink()
    report = index()
    assert not [m for m in report.merges if "foo" in m] and final_id(client, "organization/the-foo-inc") is None
    foo = client.get("/api/doc/organization/foo-la").get_json()
    assert foo["aliases"] == [] and [p["id"] for p in foo["proposals"]] == ["proposal/2019/six"]
    assert client.get("/api/doc/proposal/2019/eight").get_json()["organization_id"] is None


def test_the_index_command_prints_each_merge(small, runner, tmp_path):
    root, _index, _client = small
    result = runner.invoke(main, ["index", "--quiet", str(root), "--index-dir", str(tmp_path / "cli-index")])
    assert result.exit_code == 0, result.output
    assert "merged the-harmony-project.md into harmony-project.md: same EIN and website\n" in result.stderr
    assert "link: foo-la.md: ein '46' is not a nine-digit EIN" in result.stderr
    assert result.stdout.startswith("generation 1: ")  # the summary alone on stdout
