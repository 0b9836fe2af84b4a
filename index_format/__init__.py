"""The index format: the Whoosh schema, its analyzer and its packed postings.

Both the indexer (which turns documents into these fields) and the store (which writes and
opens generations) take the format from here, so neither imports the other's internals.
"""

from .schema import SEARCH_FIELDS, TEXT_FIELDS, build_schema, search_analyzer

__all__ = ["SEARCH_FIELDS", "TEXT_FIELDS", "build_schema", "search_analyzer"]
