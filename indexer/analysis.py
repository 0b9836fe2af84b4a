"""The text analyzer, in one pass instead of Whoosh's five chained generators.

It produces exactly what `RegexTokenizer | LowercaseFilter | CharsetFilter(accent_map)
| StopFilter | StemFilter` would (a test compares them), but handles each word in one
loop iteration with a memoised stemmer. Analysis was about half of indexing time.
The class must stay importable under this name: Whoosh pickles the schema, analyzer
included, into each index.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache

from .memo import Memo
from .whoosh_compat import accent_map, analysis

STEM_CACHE = 200_000  # distinct words whose stems are memoised: the archive has ~60k
# RegexTokenizer's default expression, r"\w+(?:\.?\w+)*", without its optional dot: the same
# matches (word characters with single dots between them), found a seventh faster.
_WORDS = re.compile(r"\w+(?:\.\w+)*", re.UNICODE)


_PORTER = analysis.StemFilter().stemfn  # StemFilter's default stemmer, made once


@lru_cache(maxsize=STEM_CACHE)
def stem_word(word: str) -> str:
    """Porter stem of an already lower-cased, accent-folded word."""
    return _PORTER(word)


@lru_cache(maxsize=8)
def words_of(text: str) -> list[str]:
    """The words of a text as `RegexTokenizer` splits them; do not change the list.

    Memoised for the last few texts: a document's heading and body are split once for
    its spelling vocabulary and again, moments later, when they are indexed.
    """
    return _WORDS.findall(text)


def fold(word: str) -> str:
    """Lower-case, then fold accents: Niño -> nino."""
    return word.lower().translate(accent_map)


def index_term(word: str) -> str:
    """The term a single word becomes in the index (stop words are not special here)."""
    return stem_word(fold(word))


@lru_cache(maxsize=STEM_CACHE)
def _analyse_word(original: str, stoplist: frozenset, minsize: int) -> tuple[str, bool]:
    """(term, is a stop word) for a word as written: one cache lookup per occurrence."""
    word = fold(original)
    if len(word) < minsize or word in stoplist:
        return word, True
    return stem_word(word), False


@lru_cache(maxsize=None)
def _term_function(stoplist: frozenset, minsize: int) -> Callable[[str], str | None]:
    """word as written -> its index term, or None for a stop word; one per configuration.

    A `Memo` lookup is the cheapest per-word step Python offers (see indexer/memo.py).
    """

    def term(original: str) -> str | None:
        text, stopped = _analyse_word(original, stoplist, minsize)
        return None if stopped else text

    return Memo(term, STEM_CACHE).__getitem__


class FoldStemAnalyzer(analysis.Tokenizer):
    """Words -> lower-case, accent-folded, stop words removed, Porter-stemmed."""

    def __init__(self, stoplist=analysis.STOP_WORDS, minsize: int = 2):
        self.stoplist = frozenset(stoplist)
        self.minsize = minsize

    def __eq__(self, other) -> bool:
        return (
            type(other) is type(self)
            and other.stoplist == self.stoplist
            and other.minsize == self.minsize
        )

    def term_positions(self, value: str) -> tuple[dict[str, list[int]], int]:
        """({term: positions}, number of words kept): what indexing needs, without tokens.

        The same terms and positions as `__call__(value, positions=True)` (a test
        compares them), for `BulkSegmentWriter`: whole-list steps in C instead of a
        token object per word.
        """
        terms = list(map(_term_function(self.stoplist, self.minsize), words_of(value)))
        kept = [term for term in terms if term is not None]
        positions: dict[str, list[int]] = defaultdict(list)
        if kept:
            # Kept words count on from the first kept word's raw position.
            first = next(index for index, term in enumerate(terms) if term is not None)
            for position, term in enumerate(kept, start=first):
                positions[term].append(position)
        return positions, len(kept)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = analysis.Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = _WORDS.finditer(value) if tokenize else [_Whole(value)]
        position = None  # like StopFilter(renumber=True): kept words get consecutive positions
        stoplist, minsize = self.stoplist, self.minsize
        for raw_position, match in enumerate(matches, start=start_pos):
            original = match.group()
            text, stopped = _analyse_word(original, stoplist, minsize)
            if stopped and removestops:
                continue
            token.stopped = stopped
            token.text = text
            token.boost = 1.0
            if keeporiginal:
                token.original = original
            if positions:
                # Kept words count on from the first kept word's raw position; a stop
                # word kept for phrase checks has its raw position.
                if not stopped:
                    position = raw_position if position is None else position + 1
                token.pos = raw_position if stopped else position
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class _Whole:
    """A stand-in regex match covering the whole value (tokenize=False)."""

    def __init__(self, value: str):
        self.value = value

    def group(self) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)
