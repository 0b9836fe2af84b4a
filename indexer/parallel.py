"""Parse, analyse and write documents in several processes at once.

Whoosh analyses and writes postings in pure Python, one core at a time; its own
`procs=` writer pickles every document to sub-processes and then merges their segments,
which on two cores gained nothing. Here each worker process parses its share of the
files and writes its own part index; the store then adopts the parts' segments (see
`Builder.adopt_parts`), and a rebuild joins them into one, reading their postings back
rather than analysing again. Only small outcome records travel back to the parent.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index_store import write_part

from .parse_cache import ParseCache, entry_key
from .fields import document_fields
from .sources import ParsedFile, SourceFile, parse_source

BATCH = 16  # files handed to a worker at a time: small enough for a smooth progress bar
RESULT_POLL_SECONDS = 1.0  # how often the parent checks that workers are still alive
PARENT_POLL_SECONDS = 0.2  # how often a worker checks that its parent is still alive


@dataclass(frozen=True)
class Outcome:
    """What became of one file: its document id, or the reason it was skipped."""

    source: SourceFile
    digest: str
    doc_id: str | None
    skipped: str = ""
    stamp: list[int] | None = None
    kind: str = ""
    facts: dict | None = None  # what linking needs (see indexer/linking.py)
    vector: bytes = b""  # the document's vector, 512 bytes (index_store/vectors.py)
    retracted: bool = False  # skipped as unpublished or emptied: its document leaves the index

    @property
    def indexed(self) -> bool:
        """Whether the document is written to the index: a data file only feeds the links."""
        return self.doc_id is not None and self.kind != "data"

    @property
    def cache_key(self) -> str:
        """Where the parse cache keeps this file's document (see indexer/parse_cache.py)."""
        return entry_key(self.source.path, self.source.relpath, self.digest)

    @classmethod
    def of(cls, parsed: ParsedFile) -> "Outcome":
        """The outcome of a parsed file, without its (large) document."""
        document = parsed.document
        if document is None:
            return cls(parsed.source, parsed.digest, None, parsed.skipped, parsed.stamp, retracted=parsed.retracted)
        return cls(parsed.source, parsed.digest, document.id, "", parsed.stamp, document.kind, document.facts, parsed.vector)


class WorkerFailed(Exception):
    """A worker process died or raised; the build must not be swapped in."""


def parse_and_write(sources: list[SourceFile], parts: list[Path], cache: ParseCache | None = None) -> Iterator[Outcome]:
    """Write the documents of `sources` into one part index per entry of `parts`.

    Yields an `Outcome` per file as workers finish them (not in input order).

    :param cache: parsed documents to reuse and keep (see `parse_source`).
    :raises WorkerFailed: if any worker fails; the parts are then incomplete.
    """
    context = multiprocessing.get_context("fork")
    tasks = context.Queue()
    results = context.Queue()
    # Largest files first: a few HTML pages cost as much as hundreds of proposals, and
    # handed out last they would leave one worker busy while the other waits.
    by_size = sorted(sources, key=_size, reverse=True)
    for start in range(0, len(by_size), BATCH):
        tasks.put(by_size[start : start + BATCH])
    for _ in parts:
        tasks.put(None)
    parent = os.getpid()
    if cache is not None:
        cache.prepare()  # created here, and no connection open across the fork
    workers = [context.Process(target=_work, args=(tasks, results, part, parent, cache), daemon=True) for part in parts]
    for worker in workers:
        worker.start()
    try:
        yield from _collect(results, workers, expected=len(sources))
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()


def _size(source: SourceFile) -> int:
    try:
        return os.path.getsize(source.path)
    except OSError:
        return 0  # reported when the worker reads it


def _collect(results, workers, expected: int) -> Iterator[Outcome]:
    received, finished = 0, 0
    while finished < len(workers):
        try:
            message = results.get(timeout=RESULT_POLL_SECONDS)
        except queue.Empty:
            if any(worker.exitcode not in (None, 0) for worker in workers):
                raise WorkerFailed("an indexing worker process died") from None
            continue
        if isinstance(message, Outcome):
            received += 1
            yield message
        elif message[0] == "done":
            finished += 1
        else:
            raise WorkerFailed(f"an indexing worker failed: {message[1]}")
    if received != expected:
        raise WorkerFailed(f"workers reported {received} of {expected} files")


def _work(tasks, results, part: Path, parent: int, cache: ParseCache | None) -> None:
    """Worker process: parse batches until the sentinel, writing documents into `part`."""
    _exit_with(parent)
    try:
        write_part(part, _documents(tasks, results, cache))
        if cache is not None:
            cache.close()
        results.put(("done", str(part)))
    except BaseException as error:  # report, never hang the parent
        results.put(("error", f"{type(error).__name__}: {error}"))


def _documents(tasks, results, cache: ParseCache | None) -> Iterator[dict]:
    while (batch := tasks.get()) is not None:
        for source in batch:
            parsed = parse_source(source, cache=cache)
            outcome = Outcome.of(parsed)
            results.put(outcome)
            if outcome.indexed and parsed.document is not None:  # indexed: it has a document
                yield document_fields(parsed.document)


def _exit_with(parent: int) -> None:
    """End this worker as soon as `parent` is gone (killed, say).

    A worker inherits the parent's writer lock (an flock on a shared open file), and an
    orphan blocks for ever on its full result pipe: without this, a killed `index` would
    leave the lock held and every later run would time out waiting for it.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
