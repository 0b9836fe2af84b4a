"""Index generations: build beside the live one, verify, swap, prune; incremental runs; the lock.

Each test indexes a tiny corpus written under tmp_path, so the whole file runs in seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from index_store import (
    IndexBuildError,
    IndexCorrupt,
    IndexLocked,
    IndexNotFound,
    IndexStore,
    generation_stats,
)
from index_store import store as store_module
from index_format.block_writer import BulkSegmentWriter
from indexer import parallel, pipeline
from indexer.pipeline import index_paths
from index_format import queries as whoosh_query
from index_format import segment_count
from conftest import largest_segment_file, lock_held_by_another_thread

REPO = Path(__file__).resolve().parents[1]
KEEP = store_module.KEEP_GENERATIONS


def proposal(title: str, *, year: int = 2019, goal: str = "learn", regions=("South LA",),
             metrics=("Access to healthy food",), answer: str = "We plant gardens.") -> str:
    """A tiny proposal file in the archive's format."""
    front = {
        "published": True,
        "project_id": "9000001",  # marks the file as a proposal; not indexed
        "year_submitted": year,
        "category": goal,
        "title": title,
        "organization_name": f"{title} Org",
        "In which areas of Los Angeles will you be directly working?": list(regions),
        "Which metrics will your submission impact?": list(metrics),
        "What does your organization do?": answer,
    }
    return "---\n" + json.dumps(front, ensure_ascii=False, indent=1) + "\n---\n"  # JSON is YAML


def post(title: str, text: str = "A post about parks and libraries.") -> str:
    return f"---\ntitle: {title}\ndate: 2017-03-23\n---\n{text}\n"


@pytest.fixture
def corpus(tmp_path) -> Path:
    """Three proposals and one blog post."""
    root = tmp_path / "corpus"
    (root / "proposals" / "2019").mkdir(parents=True)
    (root / "articles").mkdir()
    (root / "proposals" / "2019" / "gardens.md").write_text(proposal("Gardens"), encoding="utf-8")
    (root / "proposals" / "2019" / "libraries.md").write_text(
        proposal("Libraries", goal="create", regions=("Westside", "SFV")), encoding="utf-8"
    )
    (root / "proposals" / "2019" / "parks.md").write_text(proposal("Parks", goal="play"), encoding="utf-8")
    (root / "articles" / "2017-03-23-parks.markdown").write_text(post("Parks for all"), encoding="utf-8")
    return root


@pytest.fixture
def store(tmp_path) -> IndexStore:
    return IndexStore(tmp_path / "index", lock_timeout=5)


def run(store: IndexStore, corpus: Path, **options):
    return index_paths(store, [corpus], workers=1, **options)


def stored_documents(store: IndexStore) -> dict[str, dict]:
    """Every live document's stored fields by id."""
    generation = store.open_current()
    with generation.reader() as reader:
        return {fields["id"]: fields for _docnum, fields in reader.live_documents()}


def generation_dirs(store: IndexStore) -> list[str]:
    return sorted(entry.name for entry in store.root.iterdir() if entry.name.startswith("gen-"))


def build_dirs(store: IndexStore) -> list[str]:
    return sorted(entry.name for entry in store.root.iterdir() if entry.name.startswith(".build-"))


# --- generations and the CURRENT pointer --------------------------------------------------


def test_no_index_yet(store):
    assert store.current_name() is None
    with pytest.raises(IndexNotFound, match=r"run `la2050-search index PATH… --index-dir"):
        store.open_current()


def test_first_run_builds_a_complete_generation(store, corpus):
    report = run(store, corpus)
    assert (report.generation, report.documents, report.added) == (1, 4, 4)
    assert (store.root / "CURRENT").read_text() == "gen-000001\n"
    assert generation_dirs(store) == ["gen-000001"] and build_dirs(store) == []
    manifest = store.open_current().manifest
    assert manifest["generation"] == 1
    assert {entry["id"] for entry in manifest["sources"].values()} == {
        "proposal/2019/gardens", "proposal/2019/libraries", "proposal/2019/parks", "article/2017-03-23-parks",
    }  # fmt: skip
    assert all(len(entry["digest"]) == 40 for entry in manifest["sources"].values())


def test_rebuild_builds_a_new_generation_beside_the_live_one(store, corpus):
    run(store, corpus)
    live = store.open_current()
    with live.reader() as reader:  # a reader of the old generation, mid-swap
        report = run(store, corpus, rebuild=True)
        assert report.generation == 2 and store.current_name() == "gen-000002"
        assert reader.doc_count() == 4  # the old generation still serves its readers
        [gardens] = reader.document_numbers("id", "proposal/2019/gardens")
        assert reader.stored_fields(gardens)["title"] == "Gardens"
    assert generation_dirs(store) == ["gen-000001", "gen-000002"]


def test_an_update_with_no_changes_keeps_the_live_generation(store, corpus):
    run(store, corpus)
    report = run(store, corpus)
    assert (report.generation, report.unchanged, report.changed) == (1, 4, False)
    assert generation_dirs(store) == ["gen-000001"]


def test_old_generations_are_pruned(store, corpus):
    page = corpus / "proposals" / "2019" / "gardens.md"
    for number in range(1, KEEP + 4):
        page.write_text(proposal(f"Gardens {number}"), encoding="utf-8")
        assert run(store, corpus).generation == number
    newest = KEEP + 3
    assert generation_dirs(store) == [f"gen-{n:06d}" for n in range(newest - KEEP + 1, newest + 1)]
    assert store.current_name() == f"gen-{newest:06d}"
    assert stored_documents(store)["proposal/2019/gardens"]["title"] == f"Gardens {newest}"


def test_a_build_left_by_a_killed_writer_is_cleaned_up(store, corpus):
    run(store, corpus)
    abandoned = store.root / ".build-000007-99999"
    abandoned.mkdir()
    (abandoned / "_MAIN_1.toc").write_bytes(b"half")
    report = run(store, corpus, rebuild=True)
    assert build_dirs(store) == []
    assert report.generation == 2


def test_a_pointer_draft_left_by_a_killed_writer_is_cleaned_up(store, corpus):
    """Killed between writing CURRENT.tmp-<pid> and renaming it over CURRENT."""
    run(store, corpus)
    draft = store.root / "CURRENT.tmp-99999"
    draft.write_text("gen-000009\n", encoding="ascii")
    (corpus / "proposals" / "2019" / "parks.md").write_text(proposal("Parks again"), encoding="utf-8")
    report = run(store, corpus)
    assert not draft.exists()
    assert store.current_name() == f"gen-{report.generation:06d}"


# --- failed builds ------------------------------------------------------------------------


def fail_on_second_document(monkeypatch):
    """The Whoosh writer fails on a document, after one was already added."""
    original = BulkSegmentWriter.add_document
    added = []

    def add_document(self, **fields):
        if added:
            raise ValueError(f"cannot index {fields['id']}")
        added.append(fields["id"])
        original(self, **fields)

    monkeypatch.setattr(BulkSegmentWriter, "add_document", add_document)


def fail_verification(monkeypatch):
    """The built files are damaged before they are checked."""
    original = IndexStore._finish

    def finish(self, build_dir, manifest, number):
        for segment in build_dir.glob("MAIN_*"):
            segment.write_bytes(b"")
        for toc in build_dir.glob("*.toc"):
            toc.unlink()
        original(self, build_dir, manifest, number)

    monkeypatch.setattr(IndexStore, "_finish", finish)


def fail_swap(monkeypatch):
    """The rename that makes the new generation live fails (a full or read-only disk)."""

    def rename(source, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(store_module.os, "rename", rename)


@pytest.mark.parametrize("rebuild", [True, False], ids=["rebuild", "update"])
@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (fail_on_second_document, "ValueError: cannot index"),
        (fail_verification, "could not build a new generation"),
        (fail_swap, "No space left on device"),
    ],
    ids=["document", "verify", "swap"],
)
def test_a_failed_build_leaves_the_live_generation_serving(store, corpus, monkeypatch, failure, message, rebuild):
    run(store, corpus)
    before = stored_documents(store)
    (corpus / "proposals" / "2019" / "gardens.md").write_text(proposal("Gardens, changed"), encoding="utf-8")
    (corpus / "proposals" / "2019" / "new.md").write_text(proposal("New"), encoding="utf-8")
    failure(monkeypatch)
    with pytest.raises(IndexBuildError, match=message) as caught:
        run(store, corpus, rebuild=rebuild)
    assert "the live generation gen-000001 is untouched" in str(caught.value)
    monkeypatch.undo()
    assert store.current_name() == "gen-000001"
    assert stored_documents(store) == before
    assert build_dirs(store) == [] and generation_dirs(store) == ["gen-000001"]
    # and the next run succeeds, with the changes the failed run could not make
    report = run(store, corpus)
    assert (report.added, report.updated) == (1, 1)
    assert stored_documents(store)["proposal/2019/gardens"]["title"] == "Gardens, changed"


def test_nothing_usable_fails_without_touching_the_live_generation(store, corpus, tmp_path):
    run(store, corpus)
    empty = tmp_path / "empty"
    (empty / "2019").mkdir(parents=True)
    (empty / "2019" / "broken.md").write_text("---\n- not a mapping\n---\n", encoding="utf-8")
    with pytest.raises(IndexBuildError, match="no usable documents found") as caught:
        index_paths(store, [empty], rebuild=True, workers=1)
    assert caught.value.report.skipped == [
        (str(empty / "2019" / "broken.md"), "front matter is a list, not a mapping of fields")
    ]
    assert store.current_name() == "gen-000001" and build_dirs(store) == []


# --- incremental runs ---------------------------------------------------------------------


def test_an_update_parses_only_added_and_changed_files(store, corpus, monkeypatch):
    run(store, corpus)
    folder = corpus / "proposals" / "2019"
    (folder / "gardens.md").write_text(proposal("Gardens", answer="We plant more gardens."), encoding="utf-8")
    (folder / "museums.md").write_text(proposal("Museums", goal="create"), encoding="utf-8")
    (folder / "parks.md").unlink()
    (folder / "libraries.md").touch()  # a new mtime but the same content: unchanged
    parsed = []
    original = pipeline.parse_source
    monkeypatch.setattr(pipeline, "parse_source", lambda source, **options: parsed.append(source.relpath) or original(source, **options))
    report = run(store, corpus)
    assert sorted(parsed) == ["proposals/2019/gardens.md", "proposals/2019/museums.md"]
    assert (report.added, report.updated, report.removed, report.unchanged, report.skipped) == (1, 1, 1, 2, [])
    assert (report.generation, report.documents) == (2, 4)
    documents = stored_documents(store)
    assert "proposal/2019/parks" not in documents
    assert "We plant more gardens." in json.loads(documents["proposal/2019/gardens"]["payload"])["sections"][-1][1]


def test_a_file_that_breaks_keeps_its_previous_version(store, corpus):
    run(store, corpus)
    page = corpus / "proposals" / "2019" / "gardens.md"
    page.write_text("---\ntitle: [unclosed\nproject_id: '1'\n---\n", encoding="utf-8")
    report = run(store, corpus)
    assert report.kept_previous == [(str(page), "invalid YAML front matter at line 3: did not find expected ',' or ']'")]
    assert (report.added, report.updated, report.removed, report.skipped, report.documents) == (0, 0, 0, [], 4)
    assert stored_documents(store)["proposal/2019/gardens"]["title"] == "Gardens"
    # still broken: still kept and still reported
    assert len(run(store, corpus).kept_previous) == 1
    # fixed: updated
    page.write_text(proposal("Gardens, fixed"), encoding="utf-8")
    report = run(store, corpus)
    assert (report.updated, report.kept_previous) == (1, [])
    assert stored_documents(store)["proposal/2019/gardens"]["title"] == "Gardens, fixed"


def test_a_deleted_file_frees_its_id_for_a_clashing_file_in_the_same_run(store, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "garden.markdown").write_text(proposal("Garden (markdown)"), encoding="utf-8")
    (corpus / "garden.md").write_text(proposal("Garden (md)"), encoding="utf-8")
    (corpus / "other.md").write_text(proposal("Other"), encoding="utf-8")
    report = run(store, corpus)
    assert [path for path, _reason in report.skipped] == [str(corpus / "garden.md")]
    (corpus / "garden.markdown").unlink()
    report = run(store, corpus)
    assert (report.removed, report.added, report.skipped) == (1, 1, [])
    assert stored_documents(store)["proposal/garden"]["title"] == "Garden (md)"


def test_a_rebuild_by_several_workers_is_served_as_one_segment(store, corpus, monkeypatch):
    """Each worker writes a segment; a search reads every term once per segment."""
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 1)  # the worker-process path for four files,
    monkeypatch.setattr(parallel, "BATCH", 1)  # handed out one at a time: both workers write a part
    index_paths(store, [corpus], rebuild=True, workers=2)
    assert segment_count(store.open_current().index) == 1 and len(stored_documents(store)) == 4
    (corpus / "articles" / "2018-01-01-news.md").write_text(post("News"), encoding="utf-8")
    index_paths(store, [corpus], workers=2)  # an update adds its segments, as Whoosh does
    assert segment_count(store.open_current().index) > 1 and len(stored_documents(store)) == 5


def test_rebuild_gives_the_same_index_as_a_series_of_updates(tmp_path, corpus):
    incremental = IndexStore(tmp_path / "incremental")
    folder = corpus / "proposals" / "2019"
    steps = [
        lambda: None,
        lambda: (folder / "gardens.md").write_text(proposal("Gardens", regions=("Central LA",)), encoding="utf-8"),
        lambda: (folder / "parks.md").unlink(),
        lambda: (folder / "museums.md").write_text(proposal("Museums", year=2020, goal="create"), encoding="utf-8"),
        lambda: (corpus / "articles" / "2018-01-01-news.md").write_text(post("News"), encoding="utf-8"),
        lambda: (folder / "broken.md").write_text("---\n: [\n---\n", encoding="utf-8"),
        lambda: (folder / "libraries.md").write_text("not front matter", encoding="utf-8"),  # kept
        lambda: (folder / "parks.md").write_text(proposal("Parks, again", goal="live"), encoding="utf-8"),
        lambda: (corpus / "articles" / "2017-03-23-parks.markdown").unlink(),
    ]
    for step in steps:
        step()
        run(incremental, corpus)
    # The broken libraries.md keeps its last good version in the updated index; a rebuild
    # has no previous version, so put the good file back before comparing.
    (folder / "libraries.md").write_text(proposal("Libraries", goal="create", regions=("Westside", "SFV")), encoding="utf-8")
    run(incremental, corpus)
    rebuilt = IndexStore(tmp_path / "rebuilt")
    run(rebuilt, corpus, rebuild=True)
    assert stored_documents(incremental) == stored_documents(rebuilt)
    assert sorted(stored_documents(rebuilt)) == [
        "article/2018-01-01-news", "proposal/2019/gardens", "proposal/2019/libraries",
        "proposal/2019/museums", "proposal/2019/parks",
    ]  # fmt: skip
    assert sources_without_stamps(incremental) == sources_without_stamps(rebuilt)
    assert generation_stats(incremental.open_current())["facets"] == generation_stats(rebuilt.open_current())["facets"]


def test_an_exclusion_query_finds_the_same_documents_after_updates_as_after_a_rebuild(tmp_path):
    """Each update adds a segment; "garden -school" must not depend on where segments begin.

    Whoosh 2.7.4 let the first match of a segment through when the excluded term's postings
    began earlier in that segment (see index_format/whoosh_compat.py).
    """
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    incremental = IndexStore(tmp_path / "incremental")
    batches = [
        {"a.md": "We run a school."},
        {"b.md": "We run a school.", "c.md": "A school garden.", "d.md": "A community garden."},
    ]
    for batch in batches:
        for name, answer in batch.items():
            (corpus / name).write_text(proposal(name, answer=answer), encoding="utf-8")
        run(incremental, corpus)
    rebuilt = IndexStore(tmp_path / "rebuilt")
    run(rebuilt, corpus, rebuild=True)
    garden_not_school = whoosh_query.AndNot(whoosh_query.Term("body", "garden"), whoosh_query.Term("body", "school"))
    for store in (incremental, rebuilt):
        with store.open_current().index.searcher() as searcher:
            found = {searcher.stored_fields(docnum)["id"] for docnum in searcher.docs_for_query(garden_not_school)}
            assert found == {"proposal/d"}, store.root.name


# --- one writer at a time -----------------------------------------------------------------


def test_a_second_writer_waits_for_the_first(store, corpus):
    holder = IndexStore(store.root).writer_lock()
    holder.__enter__()
    release = threading.Timer(0.3, holder.__exit__, (None, None, None))
    started = time.monotonic()
    release.start()
    try:
        report = run(store, corpus)
    finally:
        release.join()
    assert time.monotonic() - started >= 0.3
    assert report.documents == 4 and report.recovered_lock_from is None


def test_a_writer_that_waits_too_long_says_who_holds_the_lock(store, corpus):
    with lock_held_by_another_thread(store.root):
        started = time.monotonic()
        with pytest.raises(IndexLocked) as caught:
            run(IndexStore(store.root, lock_timeout=0.2), corpus)
        assert time.monotonic() - started >= 0.2  # it waited before giving up
    message = str(caught.value)
    assert f"(pid {os.getpid()}:" in message
    assert "waited 0.2 s" in message and "raise --lock-timeout" in message
    assert store.current_name() is None and not store.root.joinpath("gen-000001").exists()


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from index_store import IndexStore
    with IndexStore(sys.argv[1]).writer_lock():
        print("locked", flush=True)
        time.sleep(60)
    """
)


def test_a_lock_left_by_a_killed_process_is_recovered(store, corpus):
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(store.root)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline() == "locked\n"
        with pytest.raises(IndexLocked, match=f"pid {child.pid}"):
            run(IndexStore(store.root, lock_timeout=0.1), corpus)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    report = run(store, corpus)
    assert report.recovered_lock_from == child.pid
    assert report.documents == 4
    assert run(store, corpus).recovered_lock_from is None  # a clean release leaves nothing to recover


# --- damaged generations ------------------------------------------------------------------


def sources_without_stamps(store: IndexStore) -> dict:
    """The manifest's files, ids and hashes; stamps (mtime, size) only say when to re-read."""
    sources = store.open_current().manifest["sources"]
    return {path: {"id": entry["id"], "digest": entry["digest"]} for path, entry in sources.items()}


def damage(store: IndexStore, how: str) -> None:
    live = store.root / store.current_name()
    if how == "truncated segment":
        segment = largest_segment_file(live)
        with open(segment, "r+b") as handle:
            handle.truncate(segment.stat().st_size // 2)
    elif how == "missing manifest":
        (live / "manifest.json").unlink()
    elif how == "garbled manifest":
        (live / "manifest.json").write_text("{not json", encoding="utf-8")
    elif how == "missing generation":
        (store.root / "CURRENT").write_text("gen-000099\n", encoding="ascii")
    elif how == "garbled pointer":
        (store.root / "CURRENT").write_text("../../etc\n", encoding="ascii")
    elif how == "older index format":
        manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
        del manifest["index_format"]  # as written before formats were numbered
        (live / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(
    "how",
    [
        "truncated segment",
        "missing manifest",
        "garbled manifest",
        "missing generation",
        "garbled pointer",
        "older index format",
    ],
)
def test_a_damaged_generation_is_reported_and_a_rebuild_repairs_it(store, corpus, how):
    run(store, corpus)
    damage(store, how)
    with pytest.raises(IndexCorrupt, match=r"run `la2050-search index PATH…? --rebuild`"):
        store.open_current()
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        run(store, corpus)  # an update needs the live generation: it refuses, and says what to do
    report = run(store, corpus, rebuild=True)
    assert report.documents == 4
    assert len(stored_documents(store)) == 4


# --- stats and resources ------------------------------------------------------------------


def test_generation_stats(store, corpus):
    run(store, corpus)
    stats = generation_stats(store.open_current())
    assert set(stats) == {"generation", "documents", "facets", "size_bytes"}
    assert stats["generation"] == 1
    assert stats["documents"] == {"proposal": 3, "organization": 0, "article": 1}
    assert stats["facets"] == {
        "region": {"South LA": 2, "San Fernando Valley": 1, "Westside": 1},
        "metric": {"Access to healthy food": 3},
        "goal": {"create": 1, "learn": 1, "play": 1},
        "year": {"2019": 3, "2017": 1},
        "kind": {"proposal": 3, "article": 1},
        "outcome": {},
        "topic": {},
        "org_type": {},
        "home_region": {},
    }
    assert stats["size_bytes"] == sum(f.stat().st_size for f in (store.root / "gen-000001").iterdir())


def open_descriptors() -> set[str]:
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        pytest.skip("needs /proc")
    return {os.readlink(fd_dir / name) for name in os.listdir(fd_dir) if (fd_dir / name).exists()}


def test_no_file_handles_are_left_open(store, corpus):
    run(store, corpus)  # warm up: imports and caches may open files once
    before = open_descriptors()
    (corpus / "proposals" / "2019" / "new.md").write_text(proposal("New"), encoding="utf-8")
    run(store, corpus)
    run(store, corpus, rebuild=True)
    generation_stats(store.open_current())
    leaked = {path for path in open_descriptors() - before if str(store.root) in path or str(corpus) in path}
    assert leaked == set()
