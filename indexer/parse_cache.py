"""Parsed documents kept on disk by file content, so a rebuild does not parse them again.

Parsing is a third of a full rebuild's work, and an HTML page costs as much to parse as
eighty proposals. A rebuild usually follows a change to the index (an upgrade of the
analyzer or the schema, or a repair), not to the files, so each parsed document is kept
as JSON under a key made of the file's path, the path it was found under and its content
hash; a rebuild reads it back instead of parsing the file again.

A cached document must be exactly what parsing would give now. Every entry therefore sits
in a folder named by a fingerprint of the parsing code (this package's sources and data
files) and of the libraries and Python it ran on; any change to them starts a new folder,
and the old one is deleted. Only documents are cached, never skip reasons: those may
depend on the moment (a file being written, a permission) and cost nothing to find again.
An entry that cannot be read or decoded is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import uuid
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from .documents import Document
from .reading import MAX_FILE_BYTES

# Distributions whose code runs while a file is parsed; a new version may parse differently.
PARSING_LIBRARIES = ("trafilatura", "htmldate", "lxml", "justext", "courlan", "beautifulsoup4", "PyYAML")
PACKAGE_DIR = Path(__file__).resolve().parent
FINGERPRINT_CHARS = 16  # of the fingerprint's hex digest, as the folder name
ENTRY_SUFFIX = ".json"


def parser_fingerprint() -> str:
    """A digest of everything a parsed document depends on besides the file itself."""
    digest = hashlib.sha256()
    for path in sorted([*PACKAGE_DIR.glob("*.py"), *PACKAGE_DIR.glob("data/*.yaml")]):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in PARSING_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}={version}\0".encode())
    digest.update(f"python={platform.python_version()}\0max_bytes={MAX_FILE_BYTES}".encode())
    return digest.hexdigest()[:FINGERPRINT_CHARS]


def entry_key(path: str, relpath: str, content_digest: str) -> str:
    """The cache key of a file: ids come from `relpath`, stored paths from `path`."""
    return hashlib.sha1(f"{path}\0{relpath}\0{content_digest}".encode()).hexdigest()


class ParseCache:
    """One folder of cached documents per parser fingerprint, under `root`."""

    def __init__(self, root: str | Path, *, reuse: bool = True, fingerprint: str | None = None):
        """:param reuse: False to parse every file again, refreshing the entries."""
        self.root = Path(root)
        self.reuse = reuse
        self.fingerprint = fingerprint or parser_fingerprint()
        self.folder = self.root / self.fingerprint

    def get(self, key: str) -> Document | None:
        """The cached document for `key`, or None when there is none usable."""
        if not self.reuse:
            return None
        try:
            data = json.loads((self.folder / (key + ENTRY_SUFFIX)).read_bytes())
            return Document.from_json(data)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # missing, truncated or not a document: parse the file again

    def put(self, key: str, document: Document) -> None:
        """Keep `document` under `key`; a write that fails only costs a parse next time."""
        target = self.folder / (key + ENTRY_SUFFIX)
        temporary = self.folder / f".{key}.{uuid.uuid4().hex}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(document.to_json(), ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, target)  # readers see the whole entry or none
        except OSError:
            with contextlib.suppress(OSError):  # the folder may be what is unusable
                temporary.unlink(missing_ok=True)

    def prune(self, keep: Iterable[str] | None = None) -> None:
        """Delete other fingerprints' folders and, given `keep`, every entry not in it."""
        try:
            folders = list(self.root.iterdir())
        except OSError:
            return
        for folder in folders:
            if folder.name != self.fingerprint:
                shutil.rmtree(folder, ignore_errors=True)
        if keep is None:
            return
        kept = {key + ENTRY_SUFFIX for key in keep}
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            if entry.name not in kept:
                with contextlib.suppress(OSError):  # gone already: nothing to do
                    os.unlink(entry.path)
