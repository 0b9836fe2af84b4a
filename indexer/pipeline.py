"""Index files into an `IndexStore`: full rebuilds and incremental updates.

An update hashes every file, parses only added or changed ones, and removes documents
whose files are gone. A file that was indexed before and is now broken keeps its previous
version in the index (nothing is lost) and is reported. Parsing runs in worker processes
while this process feeds the Whoosh writer, so both cores are busy.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from index_store import IndexBuildError, IndexStore

from .schema import document_fields
from .sources import ParsedFile, SourceFile, discover, file_digest, parse_source

PARALLEL_THRESHOLD = 200  # files: below this, starting worker processes costs more than it saves
PARSE_CHUNK = 8  # files handed to a worker at a time

Progress = Callable[[int, int, ParsedFile], None]  # (done, total, file just parsed)


@dataclass
class IndexReport:
    """What an indexing run did, for the CLI and tests."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    kept_previous: list[tuple[str, str]] = field(default_factory=list)  # broken now, old version kept
    generation: int | None = None
    documents: int = 0
    recovered_lock_from: int | None = None
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass
class _Plan:
    to_parse: list[SourceFile]
    removed: list[str]
    unchanged: int


def index_paths(
    store: IndexStore,
    paths: Iterable[str | Path],
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
) -> IndexReport:
    """Bring the index in line with the files under `paths`.

    :param rebuild: build a fresh generation from these paths only, ignoring the live one.
    :param progress: called once per parsed file (for progress bars).
    :param workers: parser processes (default: the number of CPUs).
    :raises IndexLocked: when another run holds the lock past the timeout.
    :raises IndexBuildError: when no generation could be built; the live one is untouched.
        Its `report` attribute holds the files skipped so far.
    """
    started = time.perf_counter()
    report = IndexReport()
    with store.writer_lock() as lock:
        report.recovered_lock_from = lock.recovered_from
        sources, problems = discover(list(paths))
        report.skipped.extend(problems)
        known = {} if rebuild else store.live_manifest()["sources"]
        plan = _plan(sources, known)
        report.unchanged = plan.unchanged
        # `rebuild` first: a rebuild must not read CURRENT, which may be what it is repairing.
        if not rebuild and not plan.to_parse and not plan.removed and store.current_name():
            report.generation = store.open_current().number
            report.documents = len(known)
        else:
            try:
                _build(store, plan, report, rebuild=rebuild, progress=progress, workers=workers)
            except IndexBuildError as error:
                error.report = report  # so the caller can still list the skipped files
                raise
    report.seconds = time.perf_counter() - started
    return report


def _plan(sources: list[SourceFile], known: dict) -> _Plan:
    """Split files into unchanged and to-parse, and find indexed files that are gone."""
    to_parse, unchanged = [], 0
    for source in sources:
        previous = known.get(source.path)
        if previous and file_digest(source) == previous["digest"]:
            unchanged += 1
        else:
            to_parse.append(source)
    removed = [path for path in known if not os.path.exists(path)]
    return _Plan(to_parse=to_parse, removed=removed, unchanged=unchanged)


def _build(store: IndexStore, plan: _Plan, report: IndexReport, *, rebuild, progress, workers) -> None:
    with store.build(rebuild=rebuild) as builder:
        for path in plan.removed:
            builder.remove(path)
            report.removed += 1
        # After the removals: a deleted file's id is free for a file that clashed with it.
        owners = {entry["id"]: path for path, entry in builder.manifest["sources"].items()}
        total = len(plan.to_parse)
        for done, parsed in enumerate(parse_all(plan.to_parse, workers), start=1):
            if progress:
                progress(done, total, parsed)
            source = parsed.source
            previously_indexed = source.path in builder.manifest["sources"]
            if parsed.document is None:
                target = report.kept_previous if previously_indexed else report.skipped
                target.append((source.path, parsed.skipped))
                continue
            owner = owners.get(parsed.document.id)
            if owner and owner != source.path:
                report.skipped.append((source.path, f"duplicate id {parsed.document.id} (also the id of {owner})"))
                continue
            builder.add(document_fields(parsed.document), source.path, parsed.digest)
            owners[parsed.document.id] = source.path
            if previously_indexed:
                report.updated += 1
            else:
                report.added += 1
        report.documents = len(builder.manifest["sources"])
        if report.documents == 0:
            raise IndexBuildError("no usable documents found: check the paths and the skipped files above")
        report.generation = builder.number


def parse_all(sources: list[SourceFile], workers: int | None = None) -> Iterator[ParsedFile]:
    """Parse files in order, in worker processes when there are enough of them."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(sources) < PARALLEL_THRESHOLD:
        yield from map(parse_source, sources)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=workers) as pool:
        yield from pool.imap(parse_source, sources, chunksize=PARSE_CHUNK)
