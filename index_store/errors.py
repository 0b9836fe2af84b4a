"""Errors of the index store, each with a message that says what to do next."""


class IndexStoreError(Exception):
    """Base class: something about the index directory prevents the operation."""


class IndexNotFound(IndexStoreError):
    """There is no index generation yet."""


class IndexCorrupt(IndexStoreError):
    """The live generation cannot be read."""


class IndexLocked(IndexStoreError):
    """Another process holds the writer lock."""


class IndexBuildError(IndexStoreError):
    """A new generation could not be built; the live one is untouched."""

    report: object = None  # what the run did before it failed (the indexer's IndexReport), if known
