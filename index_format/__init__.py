"""The index format: the Whoosh schema, its analyzer and its packed postings.

Public API: the names below (the schema and its search analyzer); the modules `analysis`,
`postings_format`, `embedding`, `visible_text` and `whoosh_compat` for the rest.

Both the indexer (which turns documents into these fields) and the store (which writes and
opens generations) take the format from here, so neither imports the other's internals.
"""

from .schema import SEARCH_FIELDS, TEXT_FIELDS, build_schema, search_analyzer

__all__ = ["SEARCH_FIELDS", "TEXT_FIELDS", "build_schema", "search_analyzer"]
