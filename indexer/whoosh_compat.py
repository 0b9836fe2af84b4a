"""Import Whoosh 2.7.4 quietly.

Its source has invalid escape sequences that Python 3.12+ reports as SyntaxWarning when
compiling it. The warnings are silenced for Whoosh's own files only, and every Whoosh
module the project uses is imported here, inside that filter, so compilation happens once.
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

__all__ = ["analysis", "columns", "fields", "index", "qparser", "query", "scoring", "sorting", "accent_map", "FileStorage"]
