"""Shared fixtures: a small real corpus indexed under tmp_path, the app, its clients."""

from __future__ import annotations

import fcntl
import os
import pickle
import re
import shutil
import sys
import textwrap
import threading
from collections import Counter
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, NamedTuple, TypeVar

import pytest
import yaml
from click.testing import CliRunner

from index_store import IndexStore
from indexer.documents import Document, SkipDocument
from indexer.pipeline import index_paths
from indexer.reading import read_bytes
from indexer.sources import SourceFile, discover, parse_bytes
from search_app import create_app
from servers import running_server

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
SAMPLE_CORPUS = REPO / "corpus"
IN_CI = bool(os.environ.get("CI"))
CHROMIUM = Path("/usr/bin/chromium")  # Debian's: Playwright's own browser download does not work here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items) -> None:
    """Refuse a collection in which two tests share a node id: pytest-xdist runs one test per
    id, so the others would be silently skipped (schemathesis' API checks under pytest 9.2)."""
    repeated = sorted(nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1)
    if repeated:
        message = f"tests sharing a node id, so pytest-xdist would run one of each: {repeated}"
        print(message, file=sys.__stderr__)  # a worker of pytest-xdist reports only "internal error"
        raise pytest.UsageError(message)


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


Built = TypeVar("Built")


def built_once(tmp_path_factory, name: str, build: Callable[[Path], Built]) -> Built:
    """`build(folder)` once per test run, its result shared by the run's processes.

    pytest-xdist gives each worker process its own session fixtures, so each would build the
    same read-only corpus copies and indexes again (the archive's takes 12 s). Under xdist the
    first worker to ask builds into a folder of the run's shared temporary directory, holding
    a lock, and leaves its result there (pickled); the others wait for the lock and read it.
    Without xdist the folder is the session's own.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build(tmp_path_factory.mktemp(name))
    folder = tmp_path_factory.getbasetemp().parent / f"built-once-{name}"  # the run's, shared by its workers
    result_file = folder.with_suffix(".pickle")
    with open(folder.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if result_file.exists():
            return pickle.loads(result_file.read_bytes())
        shutil.rmtree(folder, ignore_errors=True)  # a build that failed part-way in another worker
        folder.mkdir()
        result = build(folder)
        written = folder.with_suffix(".pickle.part")
        written.write_bytes(pickle.dumps(result))
        written.replace(result_file)  # whole or absent: a worker stopped mid-write leaves no half
        return result


def copy_sample_corpus(root: Path) -> Path:
    """The repo's sample corpus plus real proposals from two years of ../shared and the hostile file."""
    shutil.copytree(SAMPLE_CORPUS, root / "sample", ignore=shutil.ignore_patterns("README.md"))
    for year in ("2016", "2019"):
        shutil.copytree(SHARED_CORPUS / "proposals" / year, root / "proposals" / year)
    write_hostile_corpus(root)
    return root


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    """`copy_sample_corpus`, once per test run."""
    return built_once(tmp_path_factory, "corpus", copy_sample_corpus)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, sample_corpus) -> Path:
    """A real index of `sample_corpus`, built once per test run."""

    def build(directory: Path) -> Path:
        report = index_paths(IndexStore(directory), [sample_corpus], rebuild=True)
        assert report.documents > 400, report
        return directory

    return built_once(tmp_path_factory, "index", build)


ARCHIVE_YEARS = ("2013", "2014", "2019", "2020")  # with and without organization_name, old and new forms


def copy_archive(root: Path) -> Path:
    """A folder laid out like github.com/la2050/archive: `_projects/<year>/`, `_organizations/`,
    `_data/`, from ../shared (four years of proposals, all the rest)."""
    for year in ARCHIVE_YEARS:
        shutil.copytree(SHARED_CORPUS / "proposals" / year, root / "_projects" / year)
    shutil.copytree(SHARED_CORPUS / "organizations", root / "_organizations")
    shutil.copytree(SHARED_CORPUS / "data", root / "_data")
    return root


@pytest.fixture(scope="session")
def archive_root(tmp_path_factory) -> Path:
    """`copy_archive`, once per test run."""
    if not (SHARED_CORPUS / "organizations").is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return built_once(tmp_path_factory, "archive", copy_archive)


@pytest.fixture(scope="session")
def archive_index(archive_root, tmp_path_factory):
    """(index directory, IndexReport) of `archive_root`, built once per test run."""
    return built_once(
        tmp_path_factory, "archive-index", lambda directory: (directory, index_paths(IndexStore(directory), [archive_root], rebuild=True))
    )


@pytest.fixture(scope="session")
def archive_app(archive_index):
    """One app over `archive_index` for the tests that only read it, as `app` is for `index_dir`:
    opening a generation and filling its caches once, not once per module."""
    return create_app({"INDEX_DIR": str(archive_index[0]), "TESTING": True})


@pytest.fixture(scope="session")
def app(index_dir):
    """One app over the session's index: requests only read it (a test that changes the
    index or the app's config builds its own)."""
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True})


@pytest.fixture(scope="session")
def server_url(index_dir):
    """The real server (`la2050-search serve`, tests/servers.py) over the session's index,
    started once for every browser test: they only read it."""
    with running_server(index_dir, workers=1) as server:
        yield server.url


@pytest.fixture(scope="session")
def archive_url(archive_index):
    """The real server over the archive-shaped index (organizations and outcomes too), shared
    by the browser tests as `server_url` is."""
    with running_server(archive_index[0], workers=1) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session's browser tests (tests/test_browser*.py, which skip where
    it is missing); each test opens its own context, so none sees another's pages or history.
    With the back-forward cache a real browser has (Playwright turns it off by default)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, ignore_default_args=["--disable-back-forward-cache"]
        )
        yield launched
        launched.close()


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


class ReadFile(NamedTuple):
    """A file as `index` reads it, less its vector: its document, or why it is skipped."""

    source: SourceFile
    document: Document | None
    skipped: str = ""


def read_files(sources: list[SourceFile]) -> list[ReadFile]:
    """Each file read as `parse_source` reads it but without the vector it adds: embedding is
    two thirds of its time, and the tests that call this check fields only (every proposal
    and article is embedded by test_load.py's index of the whole corpus). A reader's
    unexpected error is raised here, where `parse_source` would report it as a skip."""
    files = []
    for source in sources:
        try:
            files.append(ReadFile(source, parse_bytes(source, read_bytes(Path(source.path)))))
        except SkipDocument as reason:
            files.append(ReadFile(source, None, str(reason)))
    return files


def read_documents(roots: list[Path]) -> list[Document]:
    """The documents of the files under `roots` (`read_files`), those skipped left out."""
    return [file.document for file in read_files(discover(roots)[0]) if file.document is not None]


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\s*\Z", re.DOTALL)


def proposal_front_matters() -> list[dict]:
    """Every proposal's raw front matter in ../shared (the test is skipped when it is absent).

    Read with plain PyYAML, independently of the indexer, so tests of the normalisation
    tables see the spellings as the archive has them.
    """
    if not (SHARED_CORPUS / "proposals").is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return _load_front_matters()


@lru_cache(maxsize=1)
def _load_front_matters() -> list[dict]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    fronts = []
    for path in sorted((SHARED_CORPUS / "proposals").glob("*/*.md")):
        match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        assert match, f"{path}: no front matter"
        fronts.append(yaml.load(match.group(1), Loader=loader))
    return fronts


@contextmanager
def lock_held_by_another_thread(index_dir):
    """Hold the index's writer lock in a thread for the duration of the block."""
    acquired, done = threading.Event(), threading.Event()

    def hold():
        with IndexStore(index_dir).writer_lock():
            acquired.set()
            done.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert acquired.wait(10)
        yield
    finally:
        done.set()
        thread.join()


def index_client(tmp_path_factory, name: str, files: dict[str, str]):
    """A test client over `files` (relative path -> text) written under a fresh folder and
    indexed: each must become one document."""
    corpus = tmp_path_factory.mktemp(f"{name}-corpus")
    for relpath, text in files.items():
        (corpus / relpath).parent.mkdir(parents=True, exist_ok=True)
        (corpus / relpath).write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp(f"{name}-index")
    report = index_paths(IndexStore(index_dir), [corpus], rebuild=True, workers=1)
    assert report.documents == len(files), report
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
