"""Index generations on disk: build beside the live one, verify, swap atomically, lock."""

from .columns import FACETS, Columns, document_text, payload_of, split_values
from .errors import IndexBuildError, IndexCorrupt, IndexLocked, IndexNotFound, IndexStoreError
from .stats import generation_stats
from .store import Builder, Generation, IndexStore, write_part

__all__ = [
    "FACETS",
    "Builder",
    "Columns",
    "Generation",
    "IndexBuildError",
    "IndexCorrupt",
    "IndexLocked",
    "IndexNotFound",
    "IndexStore",
    "IndexStoreError",
    "generation_stats",
    "document_text",
    "payload_of",
    "split_values",
    "write_part",
]
