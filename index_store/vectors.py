"""Each generation's document vectors: one float16 row per indexed document, keyed by id.

Two files per generation, written with it and listed in its manifest like every other
file (so a truncated one is detected): `vectors.npy` (rows x DIMENSIONS, float16) and
`vector-ids.json` (the id of each row, in order). They are keyed by id, not by Whoosh
document number: parts written by parallel workers and updates that delete documents
renumber nothing here; the server maps ids to document numbers when it loads them
(engine/semantic.py). An update starts from the live generation's rows, drops those
of removed or changed files and adds the new ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from index_format.embedding import DIMENSIONS, MODEL_ID, VECTOR_BYTES, VECTOR_DTYPE

MATRIX_FILE = "vectors.npy"
IDS_FILE = "vector-ids.json"


def read_vectors(folder: Path) -> dict[str, bytes]:
    """Id -> row bytes of the generation in `folder` ({} when it has none yet)."""
    try:
        ids = json.loads((folder / IDS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    matrix = np.load(folder / MATRIX_FILE, allow_pickle=False)
    return {doc_id: matrix[row].tobytes() for row, doc_id in enumerate(ids)}


def load_matrix(folder: Path) -> tuple[list[str], np.ndarray]:
    """(ids, float16 matrix rows x DIMENSIONS) of the generation in `folder`.

    :raises ValueError: when the two files disagree (rows, width).
    """
    ids = json.loads((folder / IDS_FILE).read_text(encoding="utf-8"))
    matrix = np.load(folder / MATRIX_FILE, allow_pickle=False)
    if matrix.shape != (len(ids), DIMENSIONS):
        raise ValueError(f"{MATRIX_FILE} has shape {matrix.shape}, expected ({len(ids)}, {DIMENSIONS})")
    return ids, matrix


def other_model(manifest: dict) -> str:
    """Why a generation's vectors cannot be compared with this model's queries ("" when they can)."""
    model = manifest.get("vectors", {}).get("model")
    return "" if model == MODEL_ID else f"holds vectors of another embedding model ({model}, not {MODEL_ID})"


def write_vectors(folder: Path, vectors: dict[str, bytes], ids: list[str]) -> dict:
    """Write the rows of `ids` (every indexed document, each with a vector) into `folder`.

    :returns: the manifest's description of them.
    :raises ValueError: naming documents without a vector (the build must fail).
    """
    missing = [doc_id for doc_id in ids if len(vectors.get(doc_id, b"")) != VECTOR_BYTES]
    if missing:
        raise ValueError(f"{len(missing)} documents have no vector (first: {missing[0]})")
    matrix = np.frombuffer(b"".join(vectors[doc_id] for doc_id in ids), dtype=VECTOR_DTYPE).reshape(len(ids), DIMENSIONS)
    np.save(folder / MATRIX_FILE, matrix, allow_pickle=False)
    (folder / IDS_FILE).write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
    return {"model": MODEL_ID, "dimensions": DIMENSIONS, "count": len(ids)}
