"""A rebuild takes documents parsed before from the parse cache, and only when they are
exactly what parsing the same content with the same code would give."""

from __future__ import annotations

import pickle
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from index_store import IndexStore
from indexer import pipeline
from indexer.parse_cache import DATABASE, ParseCache, entry_key, parser_fingerprint
from indexer.pipeline import index_paths

PAGE = """<html><head><title>{title}</title></head><body><article>
<h1>{title}</h1><p>{text}</p><p>Volunteers meet every Saturday morning in the park.</p>
</article></body></html>"""


def post(title: str, text: str = "A post about parks and libraries.") -> str:
    return f"---\ntitle: {title}\ndate: 2017-03-23\n---\n{text}\n"


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "2017-03-23-parks.markdown").write_text(post("Parks for all"), encoding="utf-8")
    (root / "articles" / "gardens.html").write_text(
        PAGE.format(title="Community gardens", text="Gardens feed the neighbourhood."), encoding="utf-8"
    )
    return root


@pytest.fixture
def store(tmp_path) -> IndexStore:
    return IndexStore(tmp_path / "index", lock_timeout=5)


def cache_folder(store: IndexStore) -> Path:
    return store.cache_path("parsed") / parser_fingerprint()


@contextmanager
def database(folder: Path):
    """One committed transaction on the cache's database, closed after it.

    `with sqlite3.connect()` alone commits but leaves the connection open (Python 3.13 warns).
    """
    with closing(sqlite3.connect(folder / DATABASE)) as connection, connection:
        yield connection


def entries(store: IndexStore) -> dict[str, bytes]:
    with database(cache_folder(store)) as connection:
        return dict(connection.execute("SELECT key, document FROM documents"))


def cached_paths(store: IndexStore) -> list[str]:
    with database(cache_folder(store)) as connection:
        return sorted(Path(path).name for (path,) in connection.execute("SELECT path FROM documents"))


def set_entries(store: IndexStore, changed: dict[str, bytes]) -> None:
    with database(cache_folder(store)) as connection:
        connection.executemany("UPDATE documents SET document = ? WHERE key = ?", [(v, k) for k, v in changed.items()])


def titles(store: IndexStore) -> set[str]:
    with store.open_current().reader() as reader:
        return {fields["title"] for _docnum, fields in reader.live_documents()}


def doctor_entries(store: IndexStore, title: str) -> None:
    """Change every cached document's title, as if parsing had given another one."""
    doctored = {key: pickle.dumps(replace(pickle.loads(blob), title=title)) for key, blob in entries(store).items()}
    set_entries(store, doctored)


def count_parses(monkeypatch) -> list[str]:
    parsed: list[str] = []
    original = pipeline.parse_source.__globals__["parse_bytes"]

    def counting(source, data):
        parsed.append(source.relpath)
        return original(source, data)

    monkeypatch.setitem(pipeline.parse_source.__globals__, "parse_bytes", counting)
    return parsed


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rebuild_takes_documents_from_the_cache_instead_of_parsing(store, corpus, monkeypatch, workers):
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 1)  # workers=2 takes the worker-process path
    index_paths(store, [corpus], workers=workers)
    assert titles(store) == {"Parks for all", "Community gardens"}
    assert len(entries(store)) == 2
    doctor_entries(store, "From the cache")
    index_paths(store, [corpus], rebuild=True, workers=workers)
    assert titles(store) == {"From the cache"}
    index_paths(store, [corpus], rebuild=True, workers=workers, reparse=True)
    assert titles(store) == {"Parks for all", "Community gardens"}


def test_changed_content_is_parsed_again(store, corpus, monkeypatch):
    index_paths(store, [corpus], workers=1)
    (corpus / "articles" / "2017-03-23-parks.markdown").write_text(post("Parks for everyone"), encoding="utf-8")
    parsed = count_parses(monkeypatch)
    index_paths(store, [corpus], rebuild=True, workers=1)
    assert parsed == ["articles/2017-03-23-parks.markdown"]
    assert titles(store) == {"Parks for everyone", "Community gardens"}


def test_the_same_file_found_under_another_path_is_not_taken_from_the_cache(store, corpus):
    index_paths(store, [corpus], workers=1)
    index_paths(store, [corpus / "articles"], rebuild=True, workers=1)  # ids lose "articles/"
    with store.open_current().reader() as reader:
        ids = {fields["id"] for _docnum, fields in reader.live_documents()}
    assert ids == {"article/2017-03-23-parks", "article/gardens"}


def test_a_damaged_entry_is_parsed_again(store, corpus):
    index_paths(store, [corpus], workers=1)
    truncated, not_a_document = sorted(entries(store))
    set_entries(store, {truncated: entries(store)[truncated][:50], not_a_document: pickle.dumps({"title": "x"})})
    report = index_paths(store, [corpus], rebuild=True, workers=1)
    assert (report.added, report.skipped) == (2, [])
    assert titles(store) == {"Parks for all", "Community gardens"}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_damaged_database_is_replaced(store, corpus, monkeypatch, workers):
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 1)
    index_paths(store, [corpus], workers=workers)
    for name in [DATABASE, DATABASE + "-wal", DATABASE + "-shm"]:
        (cache_folder(store) / name).unlink(missing_ok=True)
    (cache_folder(store) / DATABASE).write_bytes(b"SQLite format 3\0" + b"\xff" * 4000)
    report = index_paths(store, [corpus], rebuild=True, workers=workers)
    assert (report.added, report.skipped) == (2, [])
    index_paths(store, [corpus], rebuild=True, workers=workers)  # the next run starts a new database
    assert len(entries(store)) == 2


def test_a_rebuild_drops_entries_it_did_not_use_and_other_parser_versions(store, corpus):
    index_paths(store, [corpus], workers=1)
    stale = store.cache_path("parsed") / "0123456789abcdef"
    stale.mkdir()
    (stale / DATABASE).write_text("", encoding="utf-8")
    (corpus / "articles" / "gardens.html").unlink()
    (corpus / "articles" / "picnic.markdown").write_text(post("Picnic"), encoding="utf-8")
    (corpus / "articles" / "2017-03-23-parks.markdown").write_text(post("Parks for everyone"), encoding="utf-8")
    index_paths(store, [corpus], workers=1)  # an update drops the old versions of what it saw
    assert cached_paths(store) == ["2017-03-23-parks.markdown", "picnic.markdown"]
    assert not stale.exists()
    (corpus / "articles" / "picnic.markdown").unlink()
    index_paths(store, [corpus], rebuild=True, workers=1)
    assert cached_paths(store) == ["2017-03-23-parks.markdown"]


def test_an_unusable_cache_folder_only_costs_parsing(store, corpus):
    store.root.mkdir(parents=True)
    store.cache_path("parsed").write_text("not a folder", encoding="utf-8")
    for rebuild in (False, True):
        report = index_paths(store, [corpus], rebuild=rebuild, workers=1)
        assert (report.documents, report.skipped) == (2, [])


def test_broken_files_are_not_cached(store, corpus):
    (corpus / "articles" / "empty.markdown").write_text("---\ntitle: x\n", encoding="utf-8")
    report = index_paths(store, [corpus], workers=1)
    assert [path for path, _ in report.skipped] == [str(corpus / "articles" / "empty.markdown")]
    assert len(entries(store)) == 2


def test_the_fingerprint_follows_the_parsing_code(tmp_path, monkeypatch):
    from indexer import parse_cache

    package, tables = tmp_path / "indexer", tmp_path / "vocabulary"
    (package / "data").mkdir(parents=True)
    (tables / "data").mkdir(parents=True)
    (package / "proposals.py").write_text("RULE = 1\n", encoding="utf-8")
    (tables / "data" / "regions.yaml").write_text("a: b\n", encoding="utf-8")
    monkeypatch.setattr(parse_cache, "PACKAGE_DIRS", (package, tables))
    before = parser_fingerprint()
    (tables / "data" / "regions.yaml").write_text("a: c\n", encoding="utf-8")
    after_data = parser_fingerprint()
    (package / "proposals.py").write_text("RULE = 2\n", encoding="utf-8")
    assert len({before, after_data, parser_fingerprint()}) == 3


def test_entries_are_keyed_by_path_relative_path_and_content(tmp_path):
    cache = ParseCache(tmp_path, fingerprint="f")
    keys = {entry_key("/a/x.md", "x.md", "1"), entry_key("/a/x.md", "a/x.md", "1"), entry_key("/a/x.md", "x.md", "2")}
    assert len(keys) == 3
    assert cache.get(entry_key("/a/x.md", "x.md", "1"), "/a/x.md") is None
    cache.close()


def test_an_entry_is_only_ever_returned_for_its_own_file(tmp_path, store, corpus):
    index_paths(store, [corpus], workers=1)
    cache = ParseCache(store.cache_path("parsed"))
    key, blob = next(iter(entries(store).items()))
    document = pickle.loads(blob)
    assert cache.get(key, document.path) == document
    assert cache.get(key, "/elsewhere/" + Path(document.path).name) is None
    set_entries(store, {key: pickle.dumps(replace(document, path="/elsewhere/x.md"))})
    assert cache.get(key, document.path) is None
    cache.close()


def test_a_connection_open_when_a_worker_forks_is_never_used_by_the_worker(tmp_path):
    import multiprocessing

    cache = ParseCache(tmp_path, fingerprint="f")
    cache.prepare()
    assert cache.get("k", "/p") is None  # the parent now holds a connection
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_put_in_a_child, args=(cache,))
    child.start()
    child.join()
    assert child.exitcode == 0
    cache.close()
    assert entries_in(tmp_path / "f") == {}


def _put_in_a_child(cache: ParseCache) -> None:
    from indexer.documents import Document

    cache.put("k", "/p", Document(id="a", kind="article", path="/p", title="t"))
    cache.close()


def entries_in(folder: Path) -> dict:
    with database(folder) as connection:
        return dict(connection.execute("SELECT key, path FROM documents"))
