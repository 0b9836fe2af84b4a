"""Links stay right when an update changes only an organization, a proposal or a data file.

A small archive written here: two organizations, three proposals, a winners list and a
topic hierarchy. Each test changes one file, runs an incremental `index` and reads the
links through the API, as a user would.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from index_store import IndexStore
from indexer.pipeline import index_paths
from search_app import create_app


def proposal(project_id: str, title: str, year: int = 2019, org_key: str = "") -> str:
    return textwrap.dedent(
        f"""\
        ---
        published: true
        project_id: '{project_id}'
        organization_id: '{org_key}'
        year_submitted: {year}
        category: live
        title: {title}
        project_summary: A plan about gardens and food.
        challenge_url: https://challenge.la2050.org/{year}/live/{project_id}/
        What will you do?: Plant gardens with neighbours.
        ---
        """
    )


def organization(name: str, project_ids: list[str], *, tags=("Access to healthy food",), zip_code="90026", org_key="") -> str:
    ids = "".join(f"\n  - '{p}'" for p in project_ids)
    tag_lines = "".join(f"\n  - {t}" for t in tags)
    return (
        f"---\npublished: true\norganization_id: '{org_key}'\ntitle: {name}\norg_type: Social enterprise or Bcorps\n"
        f"org_summary: {name} grows food.\norganization_website:\n  - www.greenroots.org\ntags_indicators:{tag_lines}\nzip: '{zip_code}'\n"
        f"project_ids:{ids}\nyear_submitted:\n  - '2019'\n---\n"
    )


WINNERS = textwrap.dedent(
    """\
    ### 2019 ###
    - title: Green Roots Garden
      url: https://challenge.la2050.org/2019/live/9000001/
      year: 2019
    """
)
TAGS = "Health:\n  - Access to healthy food \n  - Community health\nArts & cultural vitality:\n"


@pytest.fixture
def archive(tmp_path) -> Path:
    root = tmp_path / "archive"
    files = {
        "_projects/2019/green-roots-garden.md": proposal("9000001", "Green Roots Garden"),
        "_projects/2019/blue-water.md": proposal("9000002", "Blue Water"),
        "_projects/2018/old-garden.md": proposal("8000001", "Old Garden", year=2018, org_key="77"),
        "_organizations/green-roots.md": organization("Green Roots", ["9000001", "9000002"]),
        "_organizations/old-roots.md": organization("Old Roots", [], org_key="77", zip_code="21202"),
        "_data/winners.yaml": WINNERS,
        "_data/tags.yaml": TAGS,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def reindex(archive, tmp_path):
    store = IndexStore(tmp_path / "index")

    def run():
        report = index_paths(store, [archive], workers=1)
        client = create_app({"INDEX_DIR": str(store.root), "TESTING": True}).test_client()
        return report, lambda path, **params: client.get(path, query_string=params).get_json()

    return run


def test_first_build_links_by_project_id_and_by_organization_id(reindex):
    report, api = reindex()
    assert report.documents == 5  # 3 proposals, 2 organizations; data files are not documents
    assert api("/api/doc/proposal/2019/blue-water")["organization_id"] == "organization/green-roots"
    assert api("/api/doc/proposal/2018/old-garden")["organization"] == "Old Roots"  # by organization_id
    org = api("/api/doc/organization/green-roots")
    assert [p["id"] for p in org["proposals"]] == ["proposal/2019/blue-water", "proposal/2019/green-roots-garden"]
    assert org["org_type"] == "Social enterprise or B-corps"
    assert org["websites"] == ["https://www.greenroots.org"]  # a bare domain, as 4 in 10 files give it
    assert org["topics"] == ["Access to healthy food", "Health"]
    assert api("/api/doc/organization/old-roots")["location"]["in_la_county"] is False
    assert [o["outcome"] for o in api("/api/doc/proposal/2019/green-roots-garden")["outcomes"]] == ["Winner"]
    assert api("/api/search", topic="health", kind="proposal")["total"] == 3  # a child topic brings its parent


def test_changing_only_the_organization_relinks_its_proposals(reindex, archive):
    reindex()
    (archive / "_organizations/green-roots.md").write_text(
        organization("Green Roots Collective", ["9000001"], tags=("Community health",)), encoding="utf-8"
    )
    report, api = reindex()
    assert (report.updated, report.added) == (1, 0)
    assert api("/api/doc/proposal/2019/green-roots-garden")["organization"] == "Green Roots Collective"
    assert api("/api/doc/proposal/2019/blue-water")["organization_id"] is None  # no longer listed
    assert api("/api/search", topic="Community health", kind="proposal")["total"] == 1


def test_changing_only_a_proposal_moves_it_to_another_organization(reindex, archive):
    reindex()
    (archive / "_projects/2019/blue-water.md").write_text(proposal("9000002", "Blue Water", org_key="77").replace("9000002'", "5555555'", 1), encoding="utf-8")
    _, api = reindex()
    assert api("/api/doc/proposal/2019/blue-water")["organization_id"] == "organization/old-roots"
    assert [p["id"] for p in api("/api/doc/organization/green-roots")["proposals"]] == ["proposal/2019/green-roots-garden"]


def test_changing_only_a_data_file_changes_the_outcomes(reindex, archive):
    reindex()
    (archive / "_data/winners.yaml").write_text(WINNERS.replace("9000001", "9000002").replace("Green Roots Garden", "Blue Water"), encoding="utf-8")
    report, api = reindex()
    assert report.updated == 1
    assert api("/api/doc/proposal/2019/green-roots-garden")["outcomes"] == []
    assert api("/api/search", outcome="winner")["total"] == 2  # the proposal and its organization
    assert {r["id"] for r in api("/api/search", outcome="winner")["results"]} == {
        "proposal/2019/blue-water",
        "organization/green-roots",
    }


def test_outcome_events_follow_an_edited_data_file_year_by_year(reindex, archive):
    reindex()
    older = "### 2018 ###\n- title: Old Garden\n  url: https://challenge.la2050.org/2018/live/8000001/\n  year: 2018\n"
    (archive / "_data/winners.yaml").write_text(WINNERS + older, encoding="utf-8")
    _report, api = reindex()

    def winners(year: str) -> set[str]:
        return {r["id"] for r in api("/api/search", outcome="winner", year=year)["results"]}

    assert winners("2018") == {"proposal/2018/old-garden", "organization/old-roots"}
    assert winners("2019") == {"proposal/2019/green-roots-garden", "organization/green-roots"}
    assert [o["label"] for o in api("/api/doc/organization/old-roots")["outcomes"]] == ["Winner 2018"]
    (archive / "_data/winners.yaml").write_text(WINNERS, encoding="utf-8")
    _report, api = reindex()
    assert winners("2018") == set()
    assert api("/api/doc/organization/old-roots")["outcomes"] == []


def test_a_removed_organization_unlinks_its_proposals(reindex, archive):
    reindex()
    (archive / "_organizations/green-roots.md").unlink()
    report, api = reindex()
    assert report.removed == 1
    assert api("/api/doc/proposal/2019/green-roots-garden")["organization_id"] is None
    assert api("/api/doc/organization/green-roots")["status"] == 404


def test_broken_and_doubtful_files_are_reported_never_fatal(reindex, archive):
    (archive / "_organizations/broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    (archive / "_organizations/twice.md").write_text(organization("Twice", ["9000001"], zip_code="ABCDE"), encoding="utf-8")
    (archive / "_data/finalists.yaml").write_text("# 2019\n- /nobody-we-know/\n", encoding="utf-8")
    (archive / "_data/notes.yaml").write_text("just: a mapping\nof: values\n", encoding="utf-8")
    (archive / "_data/honorable_mentions.yaml").write_text("- title: [unclosed\n", encoding="utf-8")
    (archive / "_organizations/green-roots.markdown").write_text(organization("Green Roots Again", ["9000001", "9000002"]), encoding="utf-8")
    report, api = reindex()
    skipped = {Path(path).name: reason for path, reason in report.skipped}
    assert {"broken.md", "notes.yaml", "honorable_mentions.yaml"} <= set(skipped)
    # Two files, one slug: the first in path order keeps the id, the other is reported.
    assert "duplicate id organization/green-roots" in skipped["green-roots.md"]
    assert api("/api/doc/organization/green-roots")["title"] == "Green Roots Again"
    problems = "\n".join(report.link_problems)
    assert "twice.md: zip 'ABCDE' is not a five-digit US zip code" in problems
    assert "project id 9000001 is also listed by" in problems
    assert "finalists.yaml: nobody-we-know: no proposal or organization matches" in problems
    assert api("/api/doc/organization/twice")["location"] is None  # indexed as far as it makes sense


def test_a_site_checkout_indexes_its_documents_not_its_templates(reindex, archive):
    """The archive is a Jekyll site: its layouts, pages with Liquid tags, config and build
    output sit beside the documents and must not become articles."""
    site_files = {
        "_layouts/default.html": "<html><body>{% include header.html %}{{ content }}</body></html>",
        "index.html": "---\nlayout: default\n---\n<h1>{{ site.title }}</h1>",
        "about.md": "---\nlayout: page\ntitle: About\n---\n{% for org in site.organizations %}{{ org.title }}{% endfor %}",
        "_site/organization/green-roots/index.html": "<html><body><h1>Green Roots</h1><p>Built copy.</p></body></html>",
        "_config.yml": "title: LA2050 archive\ncollections:\n  organizations:\n    output: true\n",
    }
    for name, text in site_files.items():
        (archive / name).parent.mkdir(parents=True, exist_ok=True)
        (archive / name).write_text(text, encoding="utf-8")
    report, api = reindex()
    assert report.documents == 5
    reasons = {Path(path).name: reason for path, reason in report.skipped}
    assert "page template" in reasons["default.html"] and "page template" in reasons["about.md"]
    assert "not an archive data file" in reasons["_config.yml"]
    assert not any("/_site/" in path for path, _ in report.skipped)  # build output is not even read


def test_a_hostile_organization_file_is_escaped_on_its_page(reindex, archive, tmp_path):
    (archive / "_organizations/evil.md").write_text(
        "---\npublished: true\ntitle: <script>alert('name')</script> Evil\norg_type: <b>Nonprofit</b>\n"
        "org_summary: We <img src=x onerror=alert(1)> help.\norganization_website:\n  - 'javascript:alert(2)'\n"
        "facebook: 'javascript:alert(3)'\ntwitter: '<script>alert(4)</script>'\nproject_ids:\n  - '9000002'\n---\n",
        encoding="utf-8",
    )
    _, api = reindex()
    client = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True}).test_client()
    page = client.get("/doc/organization/evil").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Nonprofit" not in page
    assert 'href="javascript:' not in page  # shown as text at most, never a link
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; Evil" in page
    assert api("/api/doc/organization/evil")["websites"] == []
