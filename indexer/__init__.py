"""Files to documents: read, parse, link and write them into a new index generation.

Public API (import from the modules, so that a command loads only what it runs):
- `indexer.pipeline`: `index_paths(store, paths, ...)` -> `IndexReport` (added, updated,
  removed, unchanged, skipped with reasons, merges, problems);
- `indexer.sources`: `discover(paths)` and `parse_source(source)`, what `la2050-search
  parse` prints; `SUFFIXES` and `IGNORED_NAMES`, which files are read;
- `indexer.linking`: `link_documents(entries)`, proposals to organizations, outcome
  events, topics and merged organizations (`indexer.org_identity`).
Value tables and the facet registry live in `vocabulary/`, shared with the web app.
"""
