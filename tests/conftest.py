"""Shared fixtures: a small real corpus indexed under tmp_path, the app, its clients."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from index_store import IndexStore
from indexer.pipeline import index_paths
from search_app import create_app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
SAMPLE_CORPUS = REPO / "corpus"
IN_CI = bool(os.environ.get("CI"))

# A proposal whose title and answers try to run code in a reader's browser.
HOSTILE_PROPOSAL = textwrap.dedent(
    """\
    ---
    published: true
    year_submitted: 2019
    category: learn
    project_id: '9990001'
    organization_name: <b>Evil</b> Org
    title: <script>alert('title')</script> Gardens <img src=x onerror=alert(1)>
    project_summary: Gardens for <script>alert('summary')</script> every school
    challenge_url: javascript:alert(1)
    In which areas of Los Angeles will you be directly working?:
      - South LA
    Which metrics will your submission impact?:
      - Access to healthy food
    What does your organization do?: >-
      We plant gardens <img src=x onerror=alert(2)> and teach <script>alert(3)</script>
      children about gardens and healthy food.
    ---
    """
)


def write_hostile_corpus(folder: Path) -> Path:
    """A folder with one hostile proposal, for escaping tests."""
    target = folder / "proposals" / "2019"
    target.mkdir(parents=True, exist_ok=True)
    (target / "hostile-gardens.md").write_text(HOSTILE_PROPOSAL, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    """The repo's sample corpus plus real proposals from two years of ../shared and the hostile file."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(SAMPLE_CORPUS, root / "sample", ignore=shutil.ignore_patterns("README.md"))
    for year in ("2016", "2019"):
        shutil.copytree(SHARED_CORPUS / "proposals" / year, root / "proposals" / year)
    write_hostile_corpus(root)
    return root


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, sample_corpus) -> Path:
    """A real index of `sample_corpus`, built once per test session."""
    directory = tmp_path_factory.mktemp("index")
    report = index_paths(IndexStore(directory), [sample_corpus], rebuild=True)
    assert report.documents > 400, report
    return directory


@pytest.fixture
def app(index_dir):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    return CliRunner()


def largest_segment_file(generation: Path) -> Path:
    """The biggest file of a generation's Whoosh segments (postings, in practice)."""
    files = [path for path in generation.glob("MAIN_*") if "WRITELOCK" not in path.name]
    return max(files, key=lambda path: path.stat().st_size)
