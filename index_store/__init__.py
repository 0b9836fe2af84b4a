"""Index generations on disk: build beside the live one, verify, swap atomically, lock.

Public API: `IndexStore` (create, open, rebuild, swap, prune; `Builder` and `write_part`
for a new generation) and the `Generation` it opens; `Columns`, a generation's column
arrays and facet bitsets, with `payload_of`, `document_text` and `split_values` to read
stored fields; `generation_stats`; the errors, all `IndexStoreError`s.
"""

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
