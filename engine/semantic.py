"""Meaning in the serving app: query vectors, the live generation's document vectors, and
the documents closest in meaning to a document or to a text.

What the ranking fuses with the lexical score (see README, "Meaning"):

- `query_vector(text)`: the query's unit vector, float32, shape (DIMENSIONS,); zeros when
  the text has no token the model knows.
- `document_vectors(live)`: a `DocumentVectors` of the live generation, computed once per
  generation: `matrix` float32 (doc_count_all, DIMENSIONS), row n the unit vector of
  Whoosh document number n (the numbering of `Columns.docnums` and of the scoring
  arrays); deleted documents and documents without a vector have zero rows and
  `present[n]` False. `similarities(vector)` is the cosine of every document number
  with a unit vector: matrix @ vector, 0.0 where absent.

Vectors come from index time (index_store/vectors.py); only the query is embedded here,
with the same model (index_format/embedding.py), loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index_format.embedding import DIMENSIONS, embed_text, load_model

from .generations import LiveIndex

__all__ = ["DocumentVectors", "document_vectors", "load_document_vectors", "nearest", "query_vector", "similar_documents", "warm_up"]

PROPOSAL = "proposal"


def query_vector(text: str) -> np.ndarray:
    """The unit vector of a query or description (zeros when no word is known to the model)."""
    return embed_text(text)


@dataclass(frozen=True)
class DocumentVectors:
    """The live generation's document vectors aligned with Whoosh document numbers."""

    matrix: np.ndarray  # float32 (doc_count_all, DIMENSIONS), unit rows, zeros where absent
    present: np.ndarray  # bool (doc_count_all,): a live document with a vector
    proposals: np.ndarray  # bool (doc_count_all,): live proposals
    organization_codes: np.ndarray  # int32: the linked organization (its own for an organization), 0 none
    name_codes: np.ndarray  # int32: the organization's name as written, casefolded, 0 none

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of every document number with the unit `vector` (0.0 where absent).

        einsum, not `matrix @ vector`: numpy hands a product to OpenBLAS, whose threads
        spin against a server's own on a busy machine (p95 10 ms, 100 ms on the first
        call, against 0.1 ms here for 3,200 documents).
        """
        return np.einsum("ij,j->i", self.matrix, np.asarray(vector, dtype=np.float32))

    def same_organization(self, docnum: int) -> np.ndarray:
        """Documents of `docnum`'s own organization, by link or by the name it gives (bool)."""
        mask = np.zeros(len(self.present), dtype=bool)
        for codes in (self.organization_codes, self.name_codes):
            if codes[docnum]:
                mask |= codes == codes[docnum]
        mask[docnum] = True
        return mask


def document_vectors(live: LiveIndex) -> DocumentVectors:
    """The generation's vectors by document number, loaded once per generation."""
    return live.document_vectors


def load_document_vectors(live: LiveIndex) -> DocumentVectors:
    """Build the vectors of a generation (`LiveIndex.document_vectors` keeps them)."""
    columns = live.columns
    ids, stored = live.generation.vectors()
    with live.reader() as reader:
        size = reader.doc_count_all()
    matrix = np.zeros((size, DIMENSIONS), dtype=np.float32)
    present = np.zeros(size, dtype=bool)
    rows = {doc_id: row for row, doc_id in enumerate(ids)}
    docnums = [docnum for docnum in columns.docnums if columns.ids[docnum] in rows]
    if docnums:
        matrix[docnums] = stored[[rows[columns.ids[docnum]] for docnum in docnums]]
        norms = np.linalg.norm(matrix[docnums], axis=1)
        present[docnums] = norms > 0
        matrix[docnums] /= np.where(norms > 0, norms, 1.0)[:, None]  # float16 rounding: unit again
    proposals = np.zeros(size, dtype=bool)
    organization_codes = np.zeros(size, dtype=np.int32)
    name_codes = np.zeros(size, dtype=np.int32)
    codes: dict[str, int] = {}
    for docnum in columns.docnums:
        kind = columns.values["kind"][docnum]
        proposals[docnum] = kind == (PROPOSAL,)
        organization = columns.ids[docnum] if kind == ("organization",) else columns.organization_ids.get(docnum, "")
        if organization:
            organization_codes[docnum] = codes.setdefault("id:" + organization, len(codes) + 1)
        name = " ".join(columns.organizations.get(docnum, "").casefold().split())
        if name:
            name_codes[docnum] = codes.setdefault("name:" + name, len(codes) + 1)
    return DocumentVectors(matrix, present, proposals, organization_codes, name_codes)


def nearest(scores: np.ndarray, allowed: np.ndarray, count: int) -> list[tuple[int, float]]:
    """The `count` best (docnum, score) among `allowed`, best first (ties: lower docnum)."""
    candidates = np.flatnonzero(allowed)
    if count <= 0 or candidates.size == 0:
        return []
    values = scores[candidates]
    if candidates.size > count:
        keep = np.argpartition(-values, count - 1)[:count]
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))
    return [(int(candidates[i]), float(values[i])) for i in order]


def similar_documents(live: LiveIndex, docnum: int, count: int) -> list[tuple[int, float]]:
    """The proposals closest in meaning to document `docnum`, never of its own organization.

    :returns: (docnum, cosine) best first; [] when the document has no vector.
    """
    vectors = document_vectors(live)
    if not 0 <= docnum < len(vectors.present) or not vectors.present[docnum]:
        return []
    allowed = vectors.proposals & vectors.present & ~vectors.same_organization(docnum)
    return nearest(vectors.similarities(vectors.matrix[docnum]), allowed, count)


def warm_up(live: LiveIndex) -> None:
    """Load the model and the live generation's vectors before the first request needs them."""
    load_model()
    document_vectors(live)
