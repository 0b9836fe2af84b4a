"""Parsed documents kept on disk by file content, so a rebuild does not parse them again.

Parsing is a third of a full rebuild's work, and an HTML page costs as much to parse as
eighty proposals. A rebuild usually follows a change to the index (an upgrade of the
analyzer or the schema, or a repair), not to the files, so each parsed document is kept
under a key made of the file's path, the path it was found under and its content hash;
a rebuild reads it back instead of parsing the file again.

A cached document must be exactly what parsing would give now. Every entry therefore sits
in a folder named by a fingerprint of the parsing code (this package's sources and data
files) and of the libraries and Python it ran on; any change to them starts a new folder,
and the old one is deleted. Only documents are cached, never skip reasons: those may
depend on the moment (a file being written, a permission) and cost nothing to find again.

The entries live in one SQLite database per folder: a file per entry cost half a
millisecond to create, as much as parsing a proposal. Each process (the parent or an
indexing worker) opens its own connection and writes its entries in small batches, so
two workers never wait long for each other. The cache only ever saves work: a database
that cannot be opened, read or written is left alone for the rest of the run (files are
parsed instead) and deleted by the next `prune`. Entries are pickles, like the schema
Whoosh keeps in every index: whoever can write the index folder is already trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import shutil
import sqlite3
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from .documents import Document
from .reading import MAX_FILE_BYTES

# Distributions whose code runs while a file is parsed; a new version may parse differently.
PARSING_LIBRARIES = ("trafilatura", "htmldate", "lxml", "justext", "courlan", "beautifulsoup4", "PyYAML")
PACKAGE_DIR = Path(__file__).resolve().parent
FINGERPRINT_CHARS = 16  # of the fingerprint's hex digest, as the folder name
DATABASE = "documents.sqlite"
WRITE_BATCH = 32  # entries a process keeps before writing them in one short transaction
BUSY_SECONDS = 60.0  # how long a process waits for another one's write to finish
SCHEMA = "CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, document BLOB NOT NULL)"


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
    """Parsed documents under `root`, in one folder per parser fingerprint.

    Safe to hand to forked worker processes: each opens its own connection on first use.
    Call `close` in every process that put entries, or its last few are not kept.
    """

    def __init__(self, root: str | Path, *, reuse: bool = True, fingerprint: str | None = None):
        """:param reuse: False to parse every file again, refreshing the entries."""
        self.root = Path(root)
        self.reuse = reuse
        self.fingerprint = fingerprint or parser_fingerprint()
        self.folder = self.root / self.fingerprint
        self._connection: sqlite3.Connection | None = None
        self._owner = os.getpid()  # the process `_connection` belongs to
        self._pending: list[tuple[str, bytes]] = []
        self._unusable = False
        self._inherited: sqlite3.Connection | None = None

    def get(self, key: str) -> Document | None:
        """The cached document for `key`, or None when there is none usable."""
        connection = self._connect() if self.reuse else None
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT document FROM documents WHERE key = ?", (key,)).fetchone()
            document = pickle.loads(row[0]) if row else None
        except sqlite3.Error:
            self._give_up()
            return None
        except Exception:  # noqa: BLE001 - a damaged entry of any kind: parse the file again
            return None
        return document if isinstance(document, Document) else None

    def put(self, key: str, document: Document) -> None:
        """Keep `document` under `key` (written with the next batch, or by `close`)."""
        if self._connect() is None:
            return
        self._pending.append((key, pickle.dumps(document, pickle.HIGHEST_PROTOCOL)))
        if len(self._pending) >= WRITE_BATCH:
            self._write_pending()

    def close(self) -> None:
        """Write what is pending and close this process's connection."""
        if self._pending and self._connect() is not None:
            self._write_pending()
        self._pending.clear()
        if self._connection is not None and self._owner == os.getpid():
            self._connection.close()
        self._connection = None

    def prune(self, keep: Iterable[str] | None = None) -> None:
        """Delete other fingerprints' folders, a damaged database and, given `keep`, every
        entry not in it. Call with the writer lock held, once workers are done."""
        try:
            folders = list(self.root.iterdir())
        except OSError:
            return
        for folder in folders:
            if folder.name != self.fingerprint:
                shutil.rmtree(folder, ignore_errors=True)
        connection = self._connect()  # opening it is what finds a damaged file
        if connection is not None and keep is not None:
            try:
                with connection:
                    connection.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                    connection.execute("DELETE FROM keep")
                    connection.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((key,) for key in keep))
                    connection.execute("DELETE FROM documents WHERE key NOT IN (SELECT key FROM keep)")
                connection.executescript("PRAGMA incremental_vacuum;")  # run to the end: a page per step
            except sqlite3.Error:
                self._give_up()
        self.close()
        if self._unusable:
            shutil.rmtree(self.folder, ignore_errors=True)  # the next run starts afresh

    def _connect(self) -> sqlite3.Connection | None:
        """This process's connection, opened on first use; None once the cache is unusable."""
        if self._unusable:
            return None
        if self._connection is not None and self._owner == os.getpid():
            return self._connection
        if self._connection is not None:  # a forked copy of another process's connection:
            self._inherited = self._connection  # never use it, and never let it be closed here
        self._connection, self._owner, self._pending = None, os.getpid(), []
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.folder / DATABASE, timeout=BUSY_SECONDS)
            # Entries can always be parsed again: no syncing, and a damaged file is dropped.
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect on a new file
            connection.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
            connection.execute(SCHEMA)
        except (OSError, sqlite3.Error):
            self._give_up()
            return None
        self._connection = connection
        return connection

    def _write_pending(self) -> None:
        try:
            with self._connection:  # one short transaction: the other process waits briefly
                self._connection.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?)", self._pending)
        except sqlite3.Error:
            self._give_up()
        self._pending.clear()

    def _give_up(self) -> None:
        """Stop using the cache for this run; `prune` deletes the database."""
        self._unusable = True
        self._pending.clear()
        if self._connection is not None and self._owner == os.getpid():
            self._connection.close()
        self._connection = None
