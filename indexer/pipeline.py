"""Index files into an `IndexStore`: full rebuilds and incremental updates.

An update hashes every file, parses only added or changed ones, and removes documents
whose files are gone, retracted (`published: false`, emptied) or no longer under the paths
given (unless adding). A file that was indexed before and is now broken keeps its previous
version in the index (nothing is lost) and is reported. Large batches are parsed and
written by one worker process per core, each into its own part index (indexer/parallel.py).
"""

from __future__ import annotations

import functools
import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index_store import Builder, IndexBuildError, IndexStore

from .linking import link_documents
from .parallel import Outcome, parse_and_write
from .parse_cache import ParseCache
from .fields import document_fields
from .sources import SourceFile, discover, file_digest, file_stamp, parse_source

PARALLEL_THRESHOLD = 200  # files: below this, starting worker processes costs more than it saves

Progress = Callable[[int, int, object], None]  # (done, total, file just parsed)


@dataclass
class IndexReport:
    """What an indexing run did, for the CLI and tests."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    kept_previous: list[tuple[str, str]] = field(default_factory=list)  # broken now, old version kept
    retracted: list[tuple[str, str]] = field(default_factory=list)  # unpublished or emptied: removed
    link_problems: list[str] = field(default_factory=list)  # "file: entry: reason", see indexer/linking.py
    merges: list[str] = field(default_factory=list)  # "merged a.md into b.md: same name", see indexer/org_identity.py
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
    reparse: bool = False,
    add: bool = False,
    follow_symlinks: bool = False,
) -> IndexReport:
    """Bring the index in line with the files under `paths`: afterwards it holds exactly
    their documents (what `make run CORPUS=…` promises), still updated incrementally.

    :param rebuild: build a fresh generation from these paths only, ignoring the live one.
    :param progress: called once per parsed file (for progress bars).
    :param workers: parser processes (default: the number of CPUs).
    :param reparse: parse every file again instead of reusing documents parsed before
        from the same content (see indexer/parse_cache.py); the cache is refreshed.
    :param add: keep the documents of files outside `paths` (only those whose files are
        gone leave), adding these paths' documents to them.
    :param follow_symlinks: follow every symlink, not only those pointing inside `paths`
        (sources.discover).
    :raises IndexLocked: when another run holds the lock past the timeout.
    :raises IndexBuildError: when no generation could be built; the live one is untouched.
        Its `report` attribute holds the files skipped so far.
    """
    started = time.perf_counter()
    report = IndexReport()
    with store.writer_lock() as lock, _collector_paused():
        report.recovered_lock_from = lock.recovered_from
        sources, problems = discover(list(paths), follow_symlinks=follow_symlinks)
        report.skipped.extend(problems)
        live = {} if rebuild else store.live_manifest()  # empty when there is no index yet
        known = live.get("sources", {})
        plan = _plan(sources, known, add=add)
        report.unchanged = plan.unchanged
        workers = workers or os.cpu_count() or 1
        parallel = workers > 1 and len(plan.to_parse) >= PARALLEL_THRESHOLD
        # Made only when there is something to parse: its fingerprint costs a few ms.
        cache = ParseCache(store.cache_path("parsed"), reuse=not reparse) if plan.to_parse else None
        # Small batches are parsed before anything is written: if every changed file is
        # broken and nothing was removed, no new generation is needed at all.
        parse = functools.partial(parse_source, cache=cache)
        parsed = None if parallel else list(_with_progress(map(parse, plan.to_parse), len(plan.to_parse), progress))
        if cache is not None:
            cache.close()  # its entries written
        nothing_to_write = parsed is not None and not plan.removed and all(
            p.document is None and not (p.retracted and p.source.path in known) for p in parsed
        )
        # `rebuild` first: a rebuild must not read CURRENT, which may be what it is repairing.
        if not rebuild and nothing_to_write and parsed is not None and live.get("generation"):
            for item in parsed:
                _report_skip(item.source.path, item.skipped, item.source.path in known, report)
            report.generation = live["generation"]
            report.documents = sum(entry.get("indexed", True) for entry in known.values())
        else:
            try:
                kept = _build(store, plan, report, rebuild=rebuild, parsed=parsed, progress=progress, workers=workers, cache=cache)
            except IndexBuildError as error:
                error.report = report  # so the caller can still list the skipped files
                raise
            if cache is not None:
                # A rebuild read every file: entries it did not use are for old contents.
                looked_at = None if rebuild else [source.path for source in plan.to_parse] + plan.removed
                cache.prune(keep=kept, paths=looked_at)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while indexing (worker processes inherit this).

    Indexing allocates millions of small tuples and lists that live until the segment is
    written; each automatic collection rescans all of them, which cost a third of the
    time spent collecting postings. They hold no reference cycles, so nothing is lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _plan(sources: list[SourceFile], known: dict, *, add: bool = False) -> _Plan:
    """Split files into unchanged and to-parse, and find the indexed files to remove: those
    not among `sources` (not under the paths given), or only those gone when adding."""
    to_parse, unchanged = [], 0
    for source in sources:
        previous = known.get(source.path)
        if previous and (previous.get("stamp") == file_stamp(source.path) or file_digest(source) == previous["digest"]):
            unchanged += 1
        else:
            to_parse.append(source)
    found = {source.path for source in sources}
    removed = [path for path in known if path not in found and (not add or not os.path.exists(path))]
    return _Plan(to_parse=to_parse, removed=removed, unchanged=unchanged)


def _build(store: IndexStore, plan: _Plan, report: IndexReport, *, rebuild, parsed, progress, workers, cache) -> set[str]:
    """Write a new generation: from `parsed` documents, or by worker processes when None.

    :returns: the parse-cache keys of the documents written.
    """
    with store.build(rebuild=rebuild) as builder:
        for path in plan.removed:
            builder.remove(path)
            report.removed += 1
        # After the removals: a deleted file's id is free for a file that clashed with it.
        owners = {entry["id"]: path for path, entry in builder.manifest["sources"].items()}
        if parsed is None:
            parts = [builder.new_part() for _ in range(workers)]
            streamed = _with_progress(parse_and_write(plan.to_parse, parts, cache), len(plan.to_parse), progress)
            # Workers finish files in any order; sorting keeps "first file wins" stable.
            outcomes = sorted(streamed, key=lambda o: o.source.path)
            for outcome in outcomes:
                if not _accept(outcome, builder, owners, report) and outcome.doc_id is not None:
                    builder.duplicates.append((outcome.doc_id, owners[outcome.doc_id]))  # already written
        else:
            outcomes = [Outcome.of(item) for item in parsed]
            for outcome, item in zip(outcomes, parsed):
                if _accept(outcome, builder, owners, report) and outcome.indexed:
                    builder.write(document_fields(item.document))
        links = link_documents(
            [{"path": path, **entry} for path, entry in builder.manifest["sources"].items() if entry.get("kind")]
        )
        builder.manifest["links"] = links
        report.link_problems = links["problems"]
        report.merges = links["merges"]
        report.documents = sum(entry.get("indexed", True) for entry in builder.manifest["sources"].values())
        if report.documents == 0:
            raise IndexBuildError("no usable documents found: check the paths and the skipped files above")
        report.generation = builder.number
    return {outcome.cache_key for outcome in outcomes if outcome.doc_id is not None}


def _with_progress(items: Iterable, total: int, progress: Progress | None) -> Iterator:
    for done, item in enumerate(items, start=1):
        if progress:
            progress(done, total, item)
        yield item


def _accept(outcome: Outcome, builder: Builder, owners: dict[str, str], report: IndexReport) -> bool:
    """Record one file's outcome; True if its document belongs in the new generation.

    An accepted document replaces the file's previous version; a broken file that was
    indexed before keeps its previous version; a duplicate id is reported and skipped.
    """
    path = outcome.source.path
    previously_indexed = path in builder.manifest["sources"]
    if outcome.doc_id is None and outcome.retracted and previously_indexed:
        builder.remove(path)  # the file says it is no longer a document: so says the index
        report.removed += 1
        report.retracted.append((path, outcome.skipped))
        return False
    if outcome.doc_id is None:
        _report_skip(path, outcome.skipped, previously_indexed, report)
        return False
    owner = owners.get(outcome.doc_id)
    if owner and owner != path:
        report.skipped.append((path, f"duplicate id {outcome.doc_id} (also the id of {owner})"))
        return False
    builder.remove(path)
    builder.record(
        path, outcome.doc_id, outcome.digest, outcome.stamp, kind=outcome.kind, facts=outcome.facts, indexed=outcome.indexed,
        vector=outcome.vector,
    )
    owners[outcome.doc_id] = path
    if previously_indexed:
        report.updated += 1
    else:
        report.added += 1
    return True


def _report_skip(path: str, reason: str, previously_indexed: bool, report: IndexReport) -> None:
    """A broken file that was indexed before keeps its old version; others are just skipped."""
    (report.kept_previous if previously_indexed else report.skipped).append((path, reason))
