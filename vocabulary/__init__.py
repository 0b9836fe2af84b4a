"""What facet values mean, for the indexer and the web app alike.

Public API:
- `facets`: the facet registry (`REGISTRY`, `FACETS`, `FACET_LABELS`, `CHRONOLOGICAL`,
  `PROPOSALS_ONLY`, `canonical_value`);
- `regions`, `metrics`, `goals`, `org_types`, `outcomes`: the value tables, each with its
  `normalize_*` (what a file says) and `match_*` (what a user means);
- `values`: `NOT_STATED`, `OUTSIDE_LA_COUNTY`, `KINDS`;
- `tables`: `load_table`, `cache_short_text`.
"""
