"""Parsed documents kept on disk by file content, so a rebuild does not parse them again.

Parsing is a third of a full rebuild's work, and an HTML page costs as much to parse as
eighty proposals. A rebuild usually follows a change to the index (an upgrade of the
analyzer or the schema, or a repair), not to the files, so each parsed document is kept
under a key made of the file's path, the path it was found under and its content hash;
a rebuild reads it back instead of parsing the file again.

A cached document must be exactly what parsing would give now. Every entry therefore sits
in a folder named by a fingerprint of the parsing code (this package's sources and data
files), of every installed library's version and of Python's; any change to them starts
a new folder, and the old one is deleted. Only documents are cached, never skip reasons:
those may depend on the moment (a file being written, a permission) and cost nothing to
find again.

The entries live in one SQLite database per folder: a file per entry cost half a
millisecond to create, as much as parsing a proposal. Each process (the parent or an
indexing worker) opens its own connection and writes its entries in small batches, so
two workers never wait long for each other. The cache only ever saves work: a database
that cannot be opened, read or written is left alone for the rest of the run (files are
parsed instead) and deleted by the next `prune`. A rebuild drops the entries it did not
use; an update drops the old entries of the files it parsed again or found gone.
Entries are pickles, like the schema Whoosh keeps in every index: whoever can write the
index folder is already trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import shutil
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path

import vocabulary
from index_format import embedding
from index_format.embedding import MODEL_ID

from .documents import Document
from .reading import MAX_FILE_BYTES

EMBEDDING_SOURCE = Path(embedding.__file__)

# The parsing code and the value tables it normalises with (regions, metrics, goals, ...).
PACKAGE_DIRS = (Path(__file__).resolve().parent, Path(vocabulary.__file__).resolve().parent)
FINGERPRINT_CHARS = 16  # of the fingerprint's hex digest, as the folder name
DATABASE = "documents.sqlite"
WRITE_BATCH = 32  # entries a process keeps before writing them in one short transaction
BUSY_SECONDS = 60.0  # how long a process waits for another one's write to finish
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS documents"
    " (key TEXT PRIMARY KEY, path TEXT NOT NULL, document BLOB NOT NULL, vector BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS documents_by_path ON documents (path)",
)


def parser_fingerprint() -> str:
    """A digest of everything a parsed document depends on besides the file itself.

    Parsing runs code from many distributions (trafilatura alone pulls in htmldate,
    dateutil, justext, courlan, charset-normalizer, ...), so the name and version of every
    installed one counts: read from the names of their metadata folders, one directory
    listing per path entry, not from their files.
    """
    digest = hashlib.sha256()
    for package in PACKAGE_DIRS:
        for path in sorted([*package.glob("*.py"), *package.glob("data/*.yaml")]):
            name = f"{package.name}/{path.relative_to(package).as_posix()}"
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    # Entries hold each document's vector too: the embedding code and its model count.
    digest.update(EMBEDDING_SOURCE.read_bytes() + f"\0model={MODEL_ID}\0".encode())
    for name in sorted(_installed_distributions()):
        digest.update(name.encode() + b"\0")
    digest.update(f"python={platform.python_version()}\0max_bytes={MAX_FILE_BYTES}".encode())
    return digest.hexdigest()[:FINGERPRINT_CHARS]


def _installed_distributions() -> set[str]:
    """`name-version.dist-info` (or `.egg-info`) of every distribution Python can import."""
    found: set[str] = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue  # a zip file, or a path that does not exist
        found.update(name for name in names if name.endswith((".dist-info", ".egg-info")))
    return found


def entry_key(path: str, relpath: str, content_digest: str) -> str:
    """The cache key of a file: ids come from `relpath`, stored paths from `path`."""
    return hashlib.sha1(f"{path}\0{relpath}\0{content_digest}".encode()).hexdigest()


class ParseCache:
    """Parsed documents under `root`, in one folder per parser fingerprint.

    Each process opens its own connection on first use. No connection may be open when
    worker processes are forked (they would share SQLite's locks unsafely): call `prepare`
    before forking. Call `close` in every process that put entries, or its last few are
    not kept.
    """

    def __init__(self, root: str | Path, *, reuse: bool = True, fingerprint: str | None = None):
        """:param reuse: False to parse every file again, refreshing the entries."""
        self.root = Path(root)
        self.reuse = reuse
        self.fingerprint = fingerprint or parser_fingerprint()
        self.folder = self.root / self.fingerprint
        self._connection: sqlite3.Connection | None = None
        self._owner = os.getpid()  # the process `_connection` belongs to
        self._pending: list[tuple[str, str, bytes, bytes]] = []
        self._unusable = False
        self._inherited: sqlite3.Connection | None = None  # see `_drop_connection`

    def prepare(self) -> None:
        """Create the database now and close it, before forking workers that will use it.

        Two workers creating it at once could find it locked and give up on the cache.
        """
        self._connect()
        self.close()

    def get(self, key: str, path: str) -> Document | None:
        """The document cached for `key` (the file at `path`), or None when none is usable."""
        entry = self.get_entry(key, path)
        return entry[0] if entry else None

    def get_entry(self, key: str, path: str) -> tuple[Document, bytes] | None:
        """(document, vector bytes) cached for `key` (the file at `path`), or None."""
        connection = self._connect() if self.reuse else None
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT key, path, document, vector FROM documents WHERE key = ?", (key,)).fetchone()
            # A database damaged by a crash could answer with another row: check it is ours.
            document = pickle.loads(row[2]) if row and row[0] == key and row[1] == path else None
        except sqlite3.Error:
            self._give_up()
            return None
        except Exception:  # noqa: BLE001 - a damaged entry of any kind: parse the file again
            return None
        if not isinstance(document, Document) or document.path != path or not isinstance(row[3], bytes):
            return None
        return document, row[3]

    def put(self, key: str, path: str, document: Document, vector: bytes = b"") -> None:
        """Keep `document` and its vector under `key` (written with the next batch, or by `close`)."""
        connection = self._connect()
        if connection is None:
            return
        self._pending.append((key, path, pickle.dumps(document, pickle.HIGHEST_PROTOCOL), vector))
        if len(self._pending) >= WRITE_BATCH:
            self._write_pending(connection)

    def close(self) -> None:
        """Write what is pending and close this process's connection."""
        if self._pending and (connection := self._connect()) is not None:
            self._write_pending(connection)
        self._pending.clear()
        self._drop_connection()

    def prune(self, keep: Iterable[str], paths: Iterable[str] | None = None) -> None:
        """Delete other fingerprints' folders, a damaged database, and entries not in `keep`:
        all of them after a rebuild (it read every file), or only those of `paths` after an
        update (the files it parsed or found gone). Call with the writer lock held, once
        workers are done."""
        try:
            folders = list(self.root.iterdir())
        except OSError:
            return
        for folder in folders:
            if folder.name != self.fingerprint:
                shutil.rmtree(folder, ignore_errors=True)
        connection = self._connect()  # opening it is what finds a damaged file
        if connection is not None:
            try:
                with connection:
                    _fill_temporary(connection, "keep", "key", keep)
                    if paths is None:
                        connection.execute("DELETE FROM documents WHERE key NOT IN (SELECT key FROM keep)")
                    else:
                        _fill_temporary(connection, "looked_at", "path", paths)
                        connection.execute(
                            "DELETE FROM documents WHERE path IN (SELECT path FROM looked_at)"
                            " AND key NOT IN (SELECT key FROM keep)"
                        )
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
        if self._connection is not None:
            if self._owner == os.getpid():
                return self._connection
            # Forked with a connection open (see the class docstring): any use of the file
            # from here could lose the parent's writes, so this process goes without.
            self._give_up()
            return None
        connection = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.folder / DATABASE, timeout=BUSY_SECONDS)
            # Entries can always be parsed again: synced only at checkpoints (WAL's NORMAL).
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect on a new file
            connection.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
            for statement in SCHEMA:
                connection.execute(statement)
        except (OSError, sqlite3.Error):
            if connection is not None:  # opened, then found damaged: do not leak its file
                connection.close()
            self._give_up()
            return None
        self._connection, self._owner = connection, os.getpid()
        return connection

    def _write_pending(self, connection: sqlite3.Connection) -> None:
        try:
            with connection:  # one short transaction: the other process waits briefly
                connection.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)", self._pending)
        except sqlite3.Error:
            self._give_up()
        self._pending.clear()

    def _give_up(self) -> None:
        """Stop using the cache for this run; `prune` deletes the database."""
        self._unusable = True
        self._pending.clear()
        self._drop_connection()

    def _drop_connection(self) -> None:
        if self._connection is not None and self._owner == os.getpid():
            self._connection.close()
        elif self._connection is not None:
            # Another process's, copied by a fork: closing it here could delete that
            # process's journal, so it is kept, unused, for as long as this object lives.
            self._inherited = self._connection
        self._connection = None


def _fill_temporary(connection: sqlite3.Connection, table: str, column: str, values: Iterable[str]) -> None:
    """A temporary one-column table holding `values`, for set operations in SQL."""
    connection.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({column} TEXT PRIMARY KEY)")
    connection.execute(f"DELETE FROM {table}")
    connection.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?)", ((value,) for value in values))
