"""Index generations on disk, swapped atomically; the only code that touches the index dir.

Layout of the index directory::

    CURRENT            name of the live generation, replaced atomically with os.replace
    .lock              writer lock (flock) holding the writer's pid
    gen-000007/        a complete Whoosh index plus manifest.json
    gen-000008/        the live one (also vectors.npy and vector-ids.json: see vectors.py)
    .build-000009-<pid>/  a generation being built; removed if the build fails
    cache-parsed/      documents parsed before, by file content (indexer/parse_cache.py)

A rebuild writes a fresh generation; an update copies the live one and edits the copy.
Either way the new generation is verified (opened, counted, searched) before CURRENT
points at it, so readers only ever see a complete generation. Unlike moin's
`move_index`, the live index is never deleted before its successor is in place.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index_format import IndexReader
from index_format.storage import (
    adopt_segments,
    create_index,
    delete_documents,
    has_index,
    join_segments,
    open_index,
    open_writer,
)

from .columns import payload_of

from .errors import IndexBuildError, IndexCorrupt, IndexNotFound
from .lock import WriterLock
from .vectors import load_matrix, other_model, read_vectors, write_vectors

POINTER = "CURRENT"
MANIFEST = "manifest.json"
# The layout of the files a generation holds; raised when it changes incompatibly, so an
# old generation is refused with advice instead of being misread. 2: packed positions;
# 3: stored fields uncompressed (see index_format/whoosh_compat.py); 4: manifest entries carry
# each file's kind and link facts, and the manifest the links (see indexer/linking.py);
# 5: every document's vector beside the index (see vectors.py); 6: Snowball stems instead
# of Porter's, compounds split, form choices out of the searched text (their own field);
# 7: outcomes linked as events with years and labels, organizations' years, and their
# link facts carry EIN, websites and a home region (indexer/linking.py, org_identity.py);
# 8: a posting block's columns packed as bytes (index_format/packed_columns.py).
INDEX_FORMAT = 8
KEEP_GENERATIONS = 3  # the live one and two before it: a server mid-switch still reads its own
_GENERATION = re.compile(r"^gen-(\d{6})$")
_BUILD = re.compile(r"^\.build-(\d{6})-\d+$")


@dataclass
class Generation:
    """An opened, complete generation: its index (in the format) and manifest."""

    name: str
    path: Path
    index: Any  # the format's index (index_format.storage.open_index; Whoosh has no types)
    manifest: dict

    @property
    def number(self) -> int:
        return int(self.name.split("-")[1])

    def reader(self) -> IndexReader:
        """A new reader of this generation's index (close it, or use it in a `with`)."""
        return IndexReader.of(self.index)

    def size_bytes(self) -> int:
        return sum(entry.stat().st_size for entry in self.path.iterdir() if entry.is_file())

    def vectors(self) -> tuple[list[str], np.ndarray]:
        """(ids, float16 matrix ids x DIMENSIONS): every indexed document's vector.

        :raises IndexCorrupt: when the files cannot be read or disagree.
        """
        try:
            return load_matrix(self.path)
        except Exception as error:  # noqa: BLE001 - numpy and json raise many types
            raise IndexCorrupt(
                f"generation {self.name} has damaged vectors ({type(error).__name__}: {error}); "
                "run `la2050-search index PATH… --rebuild` to repair it"
            ) from None


@dataclass
class Builder:
    """A generation under construction: a Whoosh writer plus the manifest to save with it."""

    writer: Any  # index_format.storage.open_writer's, over the generation being built
    manifest: dict
    number: int  # the generation number it will have once live
    path: Path  # the build directory
    parts: list[Path] = field(default_factory=list)  # part indexes written by other processes
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (id, source to keep) in parts
    vectors: dict[str, bytes] = field(default_factory=dict)  # doc id -> its vector (see vectors.py)

    def write(self, fields: dict) -> None:
        """Write one document into this build (its file is `record`ed separately)."""
        self.writer.add_document(**fields)

    def remove(self, source: str) -> None:
        """Remove the document that came from `source` from the generation's old segments."""
        previous = self.manifest["sources"].pop(source, None)
        if previous and previous.get("indexed", True):
            self.writer.delete_by_term("id", previous["id"])
            self.vectors.pop(previous["id"], None)

    def record(
        self,
        source: str,
        doc_id: str,
        digest: str,
        stamp: list[int] | None = None,
        *,
        kind: str = "",
        facts: dict | None = None,
        indexed: bool = True,
        vector: bytes = b"",
    ) -> None:
        """Note in the manifest that `source` is indexed as `doc_id` (in this build or a part).

        :param stamp: the file's [mtime_ns, size] when it was read, to skip re-reading it.
        :param facts: what the indexer links documents by, kept so that an update can
            link again without reading unchanged files.
        :param indexed: False for a file that only feeds the links (an archive data file).
        :param vector: the document's vector (`vectors.vector_bytes`); every indexed one has one.
        """
        entry: dict[str, object] = {"id": doc_id, "digest": digest, "stamp": stamp, "kind": kind, "facts": facts or {}}
        if not indexed:
            entry["indexed"] = False
        else:
            self.vectors[doc_id] = vector
        self.manifest["sources"][source] = entry

    def new_part(self) -> Path:
        """A directory where another process may write a part index with `write_part`."""
        part = self.path / f"part-{len(self.parts):03d}"
        self.parts.append(part)
        return part

    def adopt_parts(self) -> None:
        """Move the parts' segments into this generation as they are: a rebuild then joins
        them into one (`build`, `storage.join_segments`); an update keeps them beside the
        generation's own, as Whoosh's writer would.
        """
        parts = [part for part in self.parts if has_index(part)]
        if not parts:
            return
        adopt_segments(self.path, parts)
        for part in self.parts:
            shutil.rmtree(part, ignore_errors=True)
        if self.duplicates:
            self._drop_duplicates()

    def _drop_duplicates(self) -> None:
        """Parts were written before duplicate ids could be seen: keep only the first file's copy."""
        index = open_index(self.path)
        with IndexReader.of(index) as reader:
            copies = [
                docnum
                for doc_id, keep_source in self.duplicates
                for docnum in reader.document_numbers("id", doc_id)
                if payload_of(reader.stored_fields(docnum)).get("path") != keep_source
            ]
        delete_documents(index, copies)


def write_part(part: Path, documents: Iterable[dict]) -> None:
    """Write documents (field dicts) as a separate small index in `part`, for `adopt_parts`."""
    part.mkdir(parents=True, exist_ok=True)
    writer = open_writer(create_index(part))
    try:
        for fields in documents:
            writer.add_document(**fields)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


class IndexStore:
    """Create, open, rebuild, update and swap index generations in one directory."""

    def __init__(self, root: str | Path, lock_timeout: float = 30.0):
        self.root = Path(root)
        self.lock_timeout = lock_timeout

    # -- reading -----------------------------------------------------------------

    def current_name(self) -> str | None:
        """Name of the live generation, or None if there is none yet."""
        try:
            name = (self.root / POINTER).read_text(encoding="ascii").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise IndexCorrupt(f"cannot read {self.root / POINTER}: {error}") from None
        if not _GENERATION.match(name):
            raise IndexCorrupt(
                f"{self.root / POINTER} names no generation ({name[:40]!r}); "
                "run `la2050-search index PATH --rebuild`"
            )
        return name

    def open_current(self) -> Generation:
        """Open the live generation.

        :raises IndexNotFound: when nothing has been indexed yet.
        :raises IndexCorrupt: when the generation's files are damaged.
        """
        name = self.current_name()
        if name is None:
            raise IndexNotFound(
                f"no index in {self.root}: run `la2050-search index PATH… --index-dir {self.root}` first"
            )
        return self._open(name)

    def _open(self, name: str) -> Generation:
        path = self.root / name
        advice = f"generation {name} in {self.root} is damaged; run `la2050-search index PATH… --rebuild` to repair it"
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("index_format", 1) != INDEX_FORMAT:
                raise IndexCorrupt(
                    f"generation {name} in {self.root} was written in an older index format; "
                    "run `la2050-search index PATH… --rebuild` to rebuild it"
                )
            if other_model(manifest):
                raise IndexCorrupt(f"generation {name} in {self.root} {other_model(manifest)}; run `la2050-search index PATH… --rebuild`")
            for file_name, size in manifest.get("files", {}).items():
                actual = (path / file_name).stat().st_size
                if actual != size:
                    raise IndexCorrupt(f"{advice} ({file_name} is {actual} bytes, expected {size})")
            index = open_index(path)
        except IndexCorrupt:
            raise
        except FileNotFoundError as error:
            raise IndexCorrupt(f"{advice} (missing {Path(error.filename or '?').name})") from None
        except Exception as error:  # Whoosh raises many types for damaged files
            raise IndexCorrupt(f"{advice} ({type(error).__name__}: {error})") from None
        return Generation(name=name, path=path, index=index, manifest=manifest)

    def live_manifest(self) -> dict:
        """The live generation's manifest, or an empty one when there is no index."""
        try:
            return self.open_current().manifest
        except IndexNotFound:
            return _empty_manifest()

    # -- writing -----------------------------------------------------------------

    def writer_lock(self) -> WriterLock:
        """The lock every writing operation holds for its whole run."""
        return WriterLock(self.root / ".lock", self.lock_timeout)

    def cache_path(self, name: str) -> Path:
        """A folder for a writer's cache `name`, beside the generations; written under the lock."""
        return self.root / f"cache-{name}"

    @contextmanager
    def build(self, *, rebuild: bool) -> Iterator[Builder]:
        """Build a new generation and swap it in when the block exits cleanly.

        Call with the writer lock held. A rebuild starts empty; an update starts from a
        copy of the live generation. If anything fails, the partial build is removed and
        `IndexBuildError` is raised; the live generation keeps serving.
        """
        self._remove_abandoned_builds()
        live = None if rebuild else self.current_name()
        number = self._next_number()
        build_dir = self.root / f".build-{number:06d}-{os.getpid()}"
        try:
            if live:
                live_generation = self._open(live)
                shutil.copytree(live_generation.path, build_dir)
                manifest = live_generation.manifest
                index = open_index(build_dir)
            else:
                build_dir.mkdir(parents=True)
                manifest = _empty_manifest()
                index = create_index(build_dir)
            writer = open_writer(index)
            builder = Builder(writer=writer, manifest=manifest, number=number, path=build_dir)
            builder.vectors = read_vectors(build_dir) if live else {}
            try:
                yield builder
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            builder.adopt_parts()
            if rebuild:
                # Index workers write a segment each; a search reads every term once per
                # segment, so a rebuild is served as one (updates add segments, as Whoosh does).
                join_segments(build_dir)
            self._finish(build_dir, builder.manifest, number, builder.vectors)
        except BaseException as error:
            shutil.rmtree(build_dir, ignore_errors=True)
            if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit, IndexCorrupt)):
                raise
            live_note = f"the live generation {self.current_name() or '(none)'} is untouched"
            raise IndexBuildError(f"could not build a new generation: {_describe(error)}; {live_note}") from error

    def _finish(self, build_dir: Path, manifest: dict, number: int, vectors: dict[str, bytes]) -> None:
        """Verify the built generation, write its vectors, then make it live and prune old ones."""
        manifest["generation"] = number
        manifest["created"] = time.time()
        manifest["index_format"] = INDEX_FORMAT
        indexed = [entry for entry in manifest["sources"].values() if entry.get("indexed", True)]
        expected = len(indexed)
        index = open_index(build_dir)
        with IndexReader.of(index) as reader:
            if reader.doc_count() != expected:
                raise IndexBuildError(f"verification failed: {reader.doc_count()} documents, expected {expected}")
            sample = next(iter(indexed), None)
            if sample and not reader.document_numbers("id", sample["id"]):
                raise IndexBuildError(f"verification failed: document {sample['id']} not found")
        try:
            manifest["vectors"] = write_vectors(build_dir, vectors, [entry["id"] for entry in indexed])
        except ValueError as error:
            raise IndexBuildError(f"verification failed: {error}") from None
        # The manifest cannot list its own size; an update's copy still holds the old one.
        manifest["files"] = {
            entry.name: entry.stat().st_size
            for entry in build_dir.iterdir()
            if entry.is_file() and entry.name != MANIFEST and not entry.name.endswith(".lock")
        }
        for entry in build_dir.iterdir():  # Whoosh does not sync its files; a power cut must
            if entry.is_file():  # not leave CURRENT naming data still in the page cache
                _fsync_file(entry)
        _write_atomically(build_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False))
        _fsync_dir(build_dir)
        name = f"gen-{number:06d}"
        os.rename(build_dir, self.root / name)
        try:
            _write_atomically(self.root / POINTER, name + "\n")
        except BaseException:
            shutil.rmtree(self.root / name, ignore_errors=True)  # never live: don't leave it on a full disk
            raise
        _fsync_dir(self.root)
        self._prune(keep=KEEP_GENERATIONS)

    def _next_number(self) -> int:
        numbers = [0]
        for entry in self.root.iterdir() if self.root.exists() else []:
            match = _GENERATION.match(entry.name) or _BUILD.match(entry.name)
            if match:
                numbers.append(int(match.group(1)))
        return max(numbers) + 1

    def _remove_abandoned_builds(self) -> None:
        """Builds and pointer drafts (CURRENT.tmp-<pid>) left by a killed writer; safe
        because we hold the writer lock."""
        for entry in self.root.iterdir() if self.root.exists() else []:
            if _BUILD.match(entry.name):
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(f"{POINTER}.tmp-"):
                entry.unlink(missing_ok=True)

    def _prune(self, keep: int) -> None:
        live = self.current_name()
        generations = sorted(entry.name for entry in self.root.iterdir() if _GENERATION.match(entry.name))
        doomed = [name for name in generations[:-keep] if name != live]
        for name in doomed:
            shutil.rmtree(self.root / name, ignore_errors=True)


def _empty_manifest() -> dict:
    return {"generation": 0, "sources": {}}


def _write_atomically(path: Path, text: str) -> None:
    temp = path.with_name(path.name + f".tmp-{os.getpid()}")
    try:
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _describe(error: BaseException) -> str:
    if isinstance(error, IndexBuildError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror}{where}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
