"""The embedding model: text to a unit vector of meaning, offline, the same at index and query time.

The model is WordLlama's `l2_supercat_256` (static token embeddings cut from Llama 2's,
trained for similarity): a text's vector is the mean of its tokens' vectors, normalised.
The `wordllama` wheel ships the weights and the tokenizer, so nothing is downloaded. Its
own loader looks for the tokenizer under `tokenizer/` while the wheel has `tokenizers/`,
and then tries the network; importing it also pulls in pydantic, requests and the
Hugging Face hub (0.2 s and ~90 MB a process). So the two files are read here directly
with `tokenizers` and `safetensors`, and the arithmetic is WordLlama's own
(`WordLlamaInference.embed(norm=True)`, checked by tests/test_embedding.py).

Pooling counts tokens (`np.bincount`) instead of stacking one row per token, and a text
is embedded from its first `MAX_TEXT_CHARS` characters: the tokenizer keeps ~100 bytes
per token (strings, offsets, masks), so a 5 MB file would cost ~500 MB to embed whole.
The mean of 50,000 characters' tokens is the document's meaning as well as the whole's
(one document of the shared corpus's 1,766 is longer: a web article).

The model is loaded once per process, on first use (never at import): index workers and
server workers each load it when they first embed (~0.1 s, 16 MB of float16 weights).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported when the model is loaded (load_model)
    from tokenizers import Tokenizer

__all__ = [
    "DIMENSIONS",
    "MODEL_ID",
    "VECTOR_BYTES",
    "VECTOR_DTYPE",
    "vector_bytes",
    "ModelUnavailable",
    "EmbeddingModel",
    "embed_text",
    "embed_texts",
    "load_model",
    "model_problem",
]

PACKAGE = "wordllama"
PACKAGE_VERSION = "0.4.0.post1"  # as pinned in pyproject.toml
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"  # the weights file's one tensor
DIMENSIONS = 256
# Stored with every generation's vectors: a query vector is only comparable with vectors
# of the same model, so a generation made with another is refused (see index_store).
MODEL_ID = f"{PACKAGE}-{PACKAGE_VERSION}/l2_supercat_256"
VECTOR_DTYPE = np.float16  # on disk: half the size, cosine error ~1e-3
VECTOR_BYTES = DIMENSIONS * np.dtype(VECTOR_DTYPE).itemsize  # one stored vector
MAX_TEXT_CHARS = 50_000  # embedded from a text (proposals: median 5,900, 99th percentile 23,000)


class ModelUnavailable(RuntimeError):
    """The model's files are missing or damaged: the environment is broken (exit 3)."""


@dataclass(frozen=True)
class EmbeddingModel:
    """A tokenizer and its token vectors (float16, vocabulary x DIMENSIONS)."""

    tokenizer: Tokenizer
    vectors: np.ndarray

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit float32 row per text; a text with no tokens gets a zero row."""
        out = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        vocabulary = self.vectors.shape[0]
        # Lone surrogates (a YAML "\ud800" escape) are no text the tokenizer can take: dropped.
        heads = [text[:MAX_TEXT_CHARS].encode("utf-8", "ignore").decode("utf-8") for text in texts]
        for row, encoding in enumerate(self.tokenizer.encode_batch(heads, add_special_tokens=False)):
            ids = np.asarray(encoding.ids, dtype=np.int64)
            if ids.size == 0:
                continue
            np.clip(ids, 0, vocabulary - 1, out=ids)
            counts = np.bincount(ids, minlength=0)
            present = np.flatnonzero(counts)
            # einsum, not `@`: no OpenBLAS threads (see engine/semantic.py)
            pooled = np.einsum("i,ij->j", counts[present].astype(np.float32), self.vectors[present].astype(np.float32))
            norm = float(np.linalg.norm(pooled))
            if norm > 0:
                out[row] = pooled / norm
        return out


def package_folder() -> Path:
    """Where the wordllama package is installed, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"the {PACKAGE} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def model_problem() -> str:
    """Why the model cannot be loaded ("" when its files look whole), without loading it.

    Checks that both files exist and that the weights file holds exactly the bytes its
    header declares (a truncated download or a damaged install fails here, in ~1 ms).
    """
    try:
        folder = package_folder()
    except ModelUnavailable as error:
        return str(error)
    weights, tokenizer = folder / WEIGHTS, folder / TOKENIZER
    for path in (weights, tokenizer):
        if not path.is_file() or path.stat().st_size == 0:
            return f"the model file {path} is missing or empty (reinstall {PACKAGE}=={PACKAGE_VERSION})"
    try:
        with open(weights, "rb") as handle:
            (header_bytes,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(header_bytes))
        tensor = header[TENSOR]
        end = tensor["data_offsets"][1]
        if tensor["shape"][1] != DIMENSIONS or 8 + header_bytes + end != weights.stat().st_size:
            return f"the model file {weights} is damaged (size or shape differs from its header)"
    except (OSError, ValueError, KeyError, IndexError, TypeError, struct.error) as error:
        return f"the model file {weights} cannot be read ({type(error).__name__}: {error})"
    return ""


@functools.lru_cache(maxsize=1)
def load_model() -> EmbeddingModel:
    """The model, loaded on first call in this process and kept (it never changes).

    :raises ModelUnavailable: when its files are missing or damaged.
    """
    problem = model_problem()
    if problem:
        raise ModelUnavailable(problem)
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = package_folder()
    try:
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        vectors = load_file(str(folder / WEIGHTS))[TENSOR].astype(VECTOR_DTYPE, copy=False)
    except Exception as error:  # noqa: BLE001 - any failure here is a broken install
        raise ModelUnavailable(f"the {PACKAGE} model cannot be loaded ({type(error).__name__}: {error})") from error
    return EmbeddingModel(tokenizer=tokenizer, vectors=vectors)


def embed_texts(texts: list[str]) -> np.ndarray:
    """Unit float32 vectors, shape (len(texts), DIMENSIONS); zero rows for empty texts."""
    return load_model().embed(list(texts))


def vector_bytes(vector: np.ndarray) -> bytes:
    """A unit vector as it travels from index workers, sits in the parse cache and on disk."""
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def embed_text(text: str) -> np.ndarray:
    """One text's unit float32 vector, shape (DIMENSIONS,); zeros when it has no tokens."""
    return embed_texts([text])[0]
