"""Follow the live index generation and hand out readers of it.

Each request takes a `LiveIndex` snapshot: one generation's index, its column arrays and
a pooled reader. When `CURRENT` names a new generation, the next request opens it;
requests already running finish on the generation they started with. Readers are never
reused across generations (Whoosh's `up_to_date()` is unreliable across rebuilds).

A generation holds two kinds of derived data. Its attributes (`LiveIndex`'s properties)
are built by the first request that reads them and kept while the generation lives: one
entry per document, word or facet value, so their size is the index's, not the traffic's.
Answers to queries go to `cached`, a least-recently-used cache keyed by frozen dataclasses
that name every input of the answer, and bounded by the bytes it holds (CACHE_BYTES).
"""

from __future__ import annotations

import sys
import threading
import weakref
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from index_format import IndexReader
from index_store import Columns, Generation, IndexCorrupt, IndexStore

from .budget import Budget

if TYPE_CHECKING:  # these modules import LiveIndex
    from .semantic import DocumentVectors
    from .suggestions import Entry

T = TypeVar("T")
# Remembered per generation, weighed by the bytes each entry holds (`held_bytes`). A count
# limit let 512 big matches grow a 5x worker to 800 MB; a weight counting a dict's keys
# let 1,000 facet views of long values grow one to 1 GB. The limit is SEARCH_CACHE_BYTES.
CACHE_BYTES = 64 * 1024**2
EXPANSION_CHECK = 256  # words of a prefix's expansion between checks of the request's budget
# Never measured into: shared by every entry (or code), not held by any one.
_NOT_HELD = (type, ModuleType, FunctionType, BuiltinFunctionType, MethodType)


@dataclass
class LiveIndex:
    """Everything a request needs from one generation, computed once per generation.

    The derived data is the properties below (each built on first use, held until the
    generation is dropped); per-query answers go to `cached`.
    """

    generation: Generation
    columns: Columns
    vocabulary: dict[str, int]  # unstemmed word -> number of documents, for spelling
    cache_bytes: int = CACHE_BYTES  # what the cache may hold
    _pool: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: OrderedDict = field(default_factory=OrderedDict)  # key -> (value, bytes held)
    _cache_weight: int = 0  # bytes held by every entry

    def __post_init__(self) -> None:
        # Readers hold open files; close them when this generation is dropped, even if
        # nobody calls close() (an app discarded by a test, a swapped-out generation).
        weakref.finalize(self, _close_readers, self._pool)

    @classmethod
    def open(cls, generation: Generation, cache_bytes: int = CACHE_BYTES) -> "LiveIndex":
        reader = generation.reader()
        try:
            columns = Columns.load(reader, generation.manifest.get("links"))
            vocabulary: dict[str, int] = {}
            words = reader.column("words")
            for docnum in columns.docnums:
                for word in words[docnum].decode("utf-8").split():
                    vocabulary[word] = vocabulary.get(word, 0) + 1
        except BaseException:
            reader.close()  # a damaged generation must not leak open files
            raise
        live = cls(generation=generation, columns=columns, vocabulary=vocabulary, cache_bytes=cache_bytes)
        live._pool.append(reader)
        return live

    @contextmanager
    def reader(self) -> Iterator[IndexReader]:
        """Borrow a reader of the generation's index; readers are not shared between threads."""
        with self._lock:
            reader = self._pool.pop() if self._pool else None
        if reader is None:
            reader = self.generation.reader()
        try:
            yield reader
        finally:
            with self._lock:
                self._pool.append(reader)

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, remembered for this generation (LRU).

        :param key: a frozen dataclass naming every input of `compute()` besides this
            generation and the app's settings; its type tells one kind of answer from another.

        Drill-down re-runs the same words with other filters, so text matches and
        spelling answers are worth keeping; a new generation starts with an empty cache.
        """
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key][0]
        value = compute()
        weight = held_bytes(key) + held_bytes(value)
        if weight > self.cache_bytes // 2:
            return value  # one entry may not push out most of the others
        with self._lock:
            if key not in self._cache:
                self._cache[key] = (value, weight)
                self._cache_weight += weight
            while self._cache_weight > self.cache_bytes and len(self._cache) > 1:
                _key, (_value, old_weight) = self._cache.popitem(last=False)
                self._cache_weight -= old_weight
        return value

    # What a generation derives from its index: built by the first request that reads it
    # (functools.cached_property), kept until the generation is dropped, never evicted. The
    # builders that live in other modules are imported when first called: they import this.

    @cached_property
    def sorted_vocabulary(self) -> list[str]:
        """`vocabulary`'s words in order, for prefixes (`words_starting_with`): one per word."""
        return sorted(self.vocabulary)

    @cached_property
    def spelling_candidates(self) -> dict[str, tuple[str, ...]]:
        """First letter -> the vocabulary's words with it, most frequent first, then
        alphabetical: the order a correction is chosen in (spelling.py). One pass over the
        vocabulary instead of one per letter a request's unknown words start with; a
        reference per vocabulary word (270 KB at 1x)."""
        from .spelling import candidates_by_initial

        return candidates_by_initial(self.vocabulary)

    @cached_property
    def group_keys(self) -> dict[int, str]:
        """Docnum -> its organization id, its own id when it has none (grouping.py): one per document."""
        linked = self.columns.organization_ids
        return {docnum: linked.get(docnum) or self.columns.ids[docnum] for docnum in self.columns.docnums}

    @cached_property
    def organization_regions(self) -> dict[int, str]:
        """Organization docnum -> its home region, "" when none is drawn (la_outline.py): one per organization."""
        from .la_outline import regions_of_organizations

        return regions_of_organizations(self)

    @cached_property
    def suggestion_entries(self) -> list[Entry]:
        """Every organization name and facet value, folded, for type-ahead (suggestions.py): one
        per name or alias of an organization and per facet value."""
        from .suggestions import suggestion_entries

        return suggestion_entries(self)

    @cached_property
    def document_vectors(self) -> DocumentVectors:
        """Each document's unit vector by docnum, for meaning (semantic.py): 4 x DIMENSIONS
        bytes and a few flags per document number."""
        from .semantic import load_document_vectors

        return load_document_vectors(self)

    def words_starting_with(self, prefix: str) -> list[str]:
        """Vocabulary words that start with `prefix`, most frequent first (for `prefix*`)."""

        def find() -> list[str]:
            words = self.sorted_vocabulary
            found = words[bisect_left(words, prefix) : bisect_left(words, prefix + "\U0010ffff")]
            return sorted(found, key=lambda word: -self.vocabulary[word])

        return self.cached(WordsStartingWith(prefix), find)

    def expansion(self, node, limit: int, budget: Budget | None = None) -> tuple[int, list[str]]:
        """How many indexed words a prefix or wildcard query node stands for in its field,
        and the `limit` most frequent of them (query.cap_expansions).

        :param budget: the request's, checked every EXPANSION_CHECK words (a two-letter
            prefix stands for thousands).
        """

        def expand() -> tuple[int, list[str]]:
            with self.reader() as reader:
                words: list[tuple[int, str | bytes]] = []  # (document frequency, term)
                for field, text in reader.expanded_terms(node):
                    if budget is not None and len(words) % EXPANSION_CHECK == 0:
                        budget.check()
                    words.append((reader.doc_frequency(field, text), text))
            frequent = [text.decode("utf-8") if isinstance(text, bytes) else text for _, text in sorted(words, key=lambda w: -w[0])[:limit]]
            return len(words), frequent

        return self.cached(Expansion(repr(node), limit), expand)

    def close(self) -> None:
        with self._lock:
            _close_readers(self._pool)


@dataclass(frozen=True)
class WordsStartingWith:
    """Key of the vocabulary words a prefix stands for."""

    prefix: str


@dataclass(frozen=True)
class Expansion:
    """Key of a prefix or wildcard query node's expansion (`LiveIndex.expansion`)."""

    node: str  # repr of the Whoosh node: its field and text
    limit: int


class GenerationTracker:
    """Owns the current `LiveIndex` of one app and swaps it when the pointer moves."""

    def __init__(self, store: IndexStore, cache_bytes: int = CACHE_BYTES):
        self.store = store
        self.cache_bytes = cache_bytes
        self._live: LiveIndex | None = None
        self._retired: LiveIndex | None = None  # previous generation, closed at the next swap
        self._lock = threading.Lock()

    def current(self) -> LiveIndex:
        """The live generation, reopened if a rebuild swapped the pointer.

        :raises IndexNotFound, IndexCorrupt: from the store.
        """
        name = self.store.current_name()
        live = self._live
        if live is not None and live.generation.name == name:
            return live
        with self._lock:
            if self._live is None or self._live.generation.name != self.store.current_name():
                generation = self.store.open_current()
                try:
                    fresh = LiveIndex.open(generation, self.cache_bytes)
                except Exception as error:  # files damaged in a way the size check missed
                    raise IndexCorrupt(
                        f"generation {generation.name} cannot be read ({type(error).__name__}: {error}); "
                        "run `la2050-search index PATH… --rebuild` to repair it"
                    ) from error
                # Requests still running on the previous generation keep their readers;
                # it is closed one swap later, and the store keeps its files until then.
                if self._retired is not None:
                    self._retired.close()
                self._retired, self._live = self._live, fresh
            return self._live


def _close_readers(pool: list) -> None:
    while pool:
        pool.pop().close()


def held_bytes(value) -> int:
    """Bytes `value` holds: `sys.getsizeof` of it and of everything it reaches, through
    containers, objects' attributes and slots; numpy arrays and typed arrays count their
    buffers. Classes, modules and functions are shared, not held.

    Objects are counted once each, except small immutable leaves (numbers, None, text
    shorter than SHORT_TEXT) met in a container: those are summed where they stand, a
    bound from above when one is shared, without the walk's bookkeeping per object (that
    bookkeeping was a fifth of a first-time search)."""
    seen: set[int] = set()
    stack = [value]
    total = 0
    getsizeof = sys.getsizeof
    small = _SMALL_LEAVES
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        kind = type(item)  # the exact types most of a cache holds first, before isinstance
        if kind is dict:
            parts: tuple = (item.keys(), item.values())
        elif kind is list or kind is tuple:
            parts = (item,)
        elif kind is str or isinstance(item, _LEAVES) or item is None:
            total += getsizeof(item)
            continue
        elif isinstance(item, _NOT_HELD):
            continue
        elif isinstance(item, dict):
            parts = (item.keys(), item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            parts = (item,)
        else:
            parts = (getattr(item, "__dict__", {}).values(),)
            stack.extend(getattr(item, slot) for slot in getattr(kind, "__slots__", ()) if hasattr(item, slot))
        total += getsizeof(item)
        for part in parts:
            flat = _flat_bytes(part) if len(part) >= FLAT_FROM else None
            if flat is not None:
                total += flat
                continue
            for child in part:
                child_kind = type(child)
                if child_kind in small or (child_kind is str and len(child) < SHORT_TEXT):
                    total += getsizeof(child)
                else:
                    stack.append(child)
    return total


_LEAVES = (str, bytes, int, float, bool, array, np.ndarray)
_SMALL_LEAVES = frozenset({int, float, bool, type(None)})
SHORT_TEXT = 256  # characters: shorter text in a container is summed where it stands
_SCALARS = frozenset({int, float})
FLAT_FROM = 32  # items in a container from which a flat one is weighed in one pass


def _flat_bytes(part) -> int | None:
    """The bytes of a large container's items (held_bytes asks from FLAT_FROM of them)
    when all are numbers (a search's scores: thousands of docnum -> score), weighed in C
    loops; None otherwise. A bound from above: every item is taken as large as the
    largest in size (a float's size is fixed, an int's grows with its magnitude, so the
    largest is the min or the max)."""
    if not set(map(type, part)) <= _SCALARS:
        return None
    return len(part) * max(map(sys.getsizeof, (min(part), max(part))))
