"""Every indexed document's vector is computed at index time, kept in the parse cache by
content and stored with each generation (index_store/vectors.py): rebuilds, updates,
worker processes, the cache and damage detection."""

from __future__ import annotations

import numpy as np
import pytest

from index_format.embedding import DIMENSIONS, embed_text
from index_store import IndexCorrupt, IndexStore
from index_store.vectors import MATRIX_FILE
from indexer import pipeline
from indexer.fields import vector_text
from indexer.pipeline import index_paths
from indexer.sources import discover, parse_source
from test_index_store import post, proposal


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "proposals" / "2019").mkdir(parents=True)
    (folder / "proposals" / "2019" / "parking.md").write_text(
        proposal("Safe Parking LA", answer="Safe parking lots where people who live in their vehicles can stay overnight."),
        encoding="utf-8",
    )
    (folder / "proposals" / "2019" / "gardens.md").write_text(proposal("Community gardens"), encoding="utf-8")
    (folder / "posts").mkdir()
    (folder / "posts" / "2017-03-23-parks.md").write_text(post("Parks for all"), encoding="utf-8")
    return folder


@pytest.fixture
def store(tmp_path):
    return IndexStore(tmp_path / "index")


def stored_vectors(store: IndexStore) -> dict[str, np.ndarray]:
    ids, matrix = store.open_current().vectors()
    return {doc_id: matrix[row].astype(np.float32) for row, doc_id in enumerate(ids)}


def expected_vector(path) -> np.ndarray:
    (source,), _ = discover([path])
    return embed_text(vector_text(parse_source(source).document))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rebuild_stores_one_vector_per_document_from_its_text(store, corpus, monkeypatch, workers):
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 1)  # workers=2 takes the worker-process path
    index_paths(store, [corpus], workers=workers)
    vectors = stored_vectors(store)
    assert set(vectors) == {"proposal/2019/parking", "proposal/2019/gardens", "article/2017-03-23-parks"}
    parking = expected_vector(corpus / "proposals" / "2019" / "parking.md")
    assert vectors["proposal/2019/parking"].shape == (DIMENSIONS,)
    assert np.abs(vectors["proposal/2019/parking"] - parking).max() < 1e-3
    manifest = store.open_current().manifest
    assert manifest["vectors"]["count"] == 3 and MATRIX_FILE in manifest["files"]


def test_an_update_keeps_every_vector_right(store, corpus):
    index_paths(store, [corpus], workers=1)
    before = stored_vectors(store)
    parking = corpus / "proposals" / "2019" / "parking.md"
    parking.write_text(proposal("Safe Parking LA", answer="Tutoring in math and reading after school."), encoding="utf-8")
    (corpus / "proposals" / "2019" / "gardens.md").unlink()
    (corpus / "proposals" / "2019" / "bikes.md").write_text(proposal("Bike repair", answer="Fixing bicycles."), encoding="utf-8")
    report = index_paths(store, [corpus], workers=1)
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    after = stored_vectors(store)
    assert set(after) == {"proposal/2019/parking", "proposal/2019/bikes", "article/2017-03-23-parks"}
    assert np.array_equal(after["article/2017-03-23-parks"], before["article/2017-03-23-parks"])
    assert np.abs(after["proposal/2019/parking"] - expected_vector(parking)).max() < 1e-3
    assert np.abs(after["proposal/2019/parking"] - before["proposal/2019/parking"]).max() > 0.01


def test_a_rebuild_takes_vectors_from_the_parse_cache(store, corpus, monkeypatch):
    index_paths(store, [corpus], workers=1)
    first = stored_vectors(store)
    embedded = []
    monkeypatch.setitem(parse_source.__globals__, "embed_text", lambda text: embedded.append(text))
    index_paths(store, [corpus], rebuild=True, workers=1)
    assert embedded == []
    assert {k: v.tolist() for k, v in stored_vectors(store).items()} == {k: v.tolist() for k, v in first.items()}


def test_a_truncated_vector_file_is_detected_not_served(store, corpus):
    index_paths(store, [corpus], workers=1)
    generation = store.open_current()
    path = generation.path / MATRIX_FILE
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(IndexCorrupt, match="vectors.npy"):
        store.open_current()
    index_paths(store, [corpus], rebuild=True, workers=1)  # the advice given: a rebuild repairs it
    assert len(stored_vectors(store)) == 3


def test_a_generation_of_another_model_is_refused_with_advice(store, corpus):
    index_paths(store, [corpus], workers=1)
    generation = store.open_current()
    manifest_path = generation.path / "manifest.json"
    manifest_path.write_text(manifest_path.read_text().replace("l2_supercat_256", "another_model"))
    with pytest.raises(IndexCorrupt, match="another embedding model.*--rebuild"):
        store.open_current()
