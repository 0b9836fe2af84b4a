"""Import Whoosh 2.7.4 quietly.

Its source has invalid escape sequences that Python 3.12+ reports as SyntaxWarning when
compiling it. The warnings are silenced for Whoosh's own files only, and every Whoosh
module the project uses is imported here, inside that filter, so compilation happens once.
It also corrects one Whoosh matcher bug (`AndNotMatcher._find_first`, below).
"""

from __future__ import annotations

import warnings

_WHOOSH_FILES = r".*[/\\]whoosh[/\\].*"

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=SyntaxWarning, module=_WHOOSH_FILES)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=_WHOOSH_FILES)
    warnings.filterwarnings("ignore", category=SyntaxWarning, module=r"whoosh(\..*)?")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"whoosh(\..*)?")
    from whoosh import analysis, columns, fields, index, qparser, query, scoring, sorting  # noqa: F401
    from whoosh.filedb.filestore import FileStorage  # noqa: F401
    from whoosh.support.charset import accent_map  # noqa: F401
    from whoosh.util.text import rcompile  # noqa: F401
    import whoosh.reading  # noqa: F401
    import whoosh.searching  # noqa: F401
    import whoosh.writing  # noqa: F401
    import whoosh.codec.whoosh3  # noqa: F401
    import whoosh.spelling  # noqa: F401

from whoosh.matching import binary as _binary  # noqa: E402 - compiled above, inside the filter


def _and_not_find_first(self) -> None:
    """Skip the excluded documents before the first match, wherever the exclusion starts.

    Whoosh 2.7.4 only checked the first match when both postings began on the same
    document, so with "garden -school" a segment's first garden document got through
    whenever an earlier document mentioned school. `_find_next` already handles the
    general case (it skips the excluded postings forward), so it is always called.
    """
    if self.a.is_active() and self.b.is_active():
        self._find_next()


_binary.AndNotMatcher._find_first = _and_not_find_first

__all__ = ["analysis", "columns", "fields", "index", "qparser", "query", "scoring", "sorting", "accent_map", "FileStorage"]
