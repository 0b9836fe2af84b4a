"""An index in one directory, in the format: create it, open it, write to it, join segments.

The store (index_store/) decides which directory holds which generation and when it goes
live; this module knows what the files in such a directory are: Whoosh's table of
contents, its segments' files, and the writer that fills them (block_writer.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from .block_writer import BulkSegmentWriter
from .schema import build_schema
from .whoosh_compat import FileStorage, StructFile
from .whoosh_compat import index as whoosh_index

INDEX_NAME = "MAIN"  # Whoosh's default index name inside a directory
WRITER_MEMORY_MB = 512  # Whoosh's sorting pool, used only when an update merges older segments
# Separate files per segment, not Whoosh's compound file: reading a compound file copies
# each part into memory for every searcher (BufferFile wraps it in a BytesIO), which made
# each of a worker's searchers cost as much RAM as the whole index.
WRITER_OPTIONS = {"limitmb": WRITER_MEMORY_MB, "compound": False}


def create_index(path: Path):
    """A new, empty index in the existing directory `path` (Whoosh's `FileIndex`)."""
    return whoosh_index.create_in(str(path), build_schema())


def open_index(path: Path):
    """The index in `path`, read with the project's schema (Whoosh's `FileIndex`).

    Raises what Whoosh raises for missing or damaged files (many types).
    """
    return PositionalStorage(str(path)).open_index(INDEX_NAME, schema=build_schema())


class PositionalStorage(FileStorage):
    """Whoosh's directory storage whose files are read at a position in one `os.pread`."""

    def open_file(self, name, **kwargs):
        return PositionalFile(open(self._fpath(name), "rb"), name=name, **kwargs)


class PositionalFile(StructFile):
    """A file whose `get(position, length)` is one `os.pread`.

    Whoosh reads its term tables and postings with `get`: a seek and a buffered read, which
    fills an 8 KB buffer for a 12-byte hash slot; a term's lookup makes four or more of
    these. `pread` leaves the file's position alone, as `get` does on Whoosh's in-memory
    files (BufferFile), so Whoosh's readers already expect it.
    """

    def __init__(self, fileobj, name=None, onclose=None):
        super().__init__(fileobj, name=name, onclose=onclose)
        self._descriptor = fileobj.fileno()

    def get(self, position, length):
        return os.pread(self._descriptor, length, position)


def open_writer(index) -> BulkSegmentWriter:
    """The writer for new documents: Whoosh's files, written a block at a time."""
    return BulkSegmentWriter(index, **WRITER_OPTIONS)


def adopt_segments(path: Path, parts: list[Path]) -> None:
    """Move the segments of the indexes in `parts` into the index in `path`, unmerged.

    Each part's segment files are moved (`os.replace`, same file system) and listed in a
    new table of contents; the parts' directories are left for the caller to remove.
    """
    storage = FileStorage(str(path))
    toc = whoosh_index.TOC.read(storage, INDEX_NAME)
    segments = list(toc.segments)
    for part in parts:
        for segment in whoosh_index.TOC.read(FileStorage(str(part)), INDEX_NAME).segments:
            for file_name in os.listdir(part):
                if file_name.startswith(f"{INDEX_NAME}_{segment.segid}"):
                    os.replace(part / file_name, path / file_name)
            segments.append(segment)
    whoosh_index.TOC(toc.schema, segments, toc.generation + 1).write(storage, INDEX_NAME)
    (path / f"_{INDEX_NAME}_{toc.generation}.toc").unlink(missing_ok=True)


def join_segments(path: Path) -> None:
    """Rewrite the index in `path` as one segment, deleted documents left out, in the
    segments' order (so docnums do not change where nothing was deleted).

    A search reads each of a term's postings once per segment (a term-table lookup, a
    read, and the scoring arithmetic over its arrays): index workers write a segment
    each, and with two of them a first-time search took a fifth longer than over one.
    """
    index = open_index(path)
    if segment_count(index) > 1:
        open_writer(index).commit(optimize=True)


def delete_documents(index, docnums: list[int]) -> None:
    """Mark documents deleted in a new commit of the index, leaving its segments unmerged."""
    writer = index.writer(compound=False)
    try:
        for docnum in docnums:
            writer.delete_document(docnum)
    except BaseException:
        writer.cancel()  # releases the index's write lock
        raise
    writer.commit(merge=False)


def has_index(path: Path) -> bool:
    """Whether `path` holds an index (a table of contents)."""
    return any(path.glob("*.toc"))


def segment_count(index) -> int:
    """Segments in the index's table of contents (its files do not show them)."""
    return len(index._segments())
