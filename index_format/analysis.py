"""The text analyzer, in one pass instead of Whoosh's five chained generators.

It produces exactly what `RegexTokenizer | LowercaseFilter | CharsetFilter(accent_map)
| StopFilter | StemFilter(stem_word)` would (a test compares them), but handles each word
in one loop iteration with a memoised stemmer. Analysis was about half of indexing time.
The stemmer is Snowball English (PyStemmer, a maintained C implementation) instead of
Whoosh's Porter, which cut words it should not ("swimming" -> "swimm", never "swim";
"news" -> "new", so "local news" matched every "new project"); a few irregular forms
that no suffix rule reaches fold first (children -> child, teenagers -> teen), and a
compound written as one word or two is indexed as two ("afterschool" as "after school",
"cleanup" as "clean up"), so either spelling finds both.
One addition: a paragraph break (a blank line) adds PARAGRAPH_GAP to the positions of
the words after it, so that a phrase never matches across two answers of a proposal
("...of our community" / "College matriculation rates...").
The class must stay importable under this name (index_format.analysis): Whoosh pickles
the schema, analyzer included, into each index.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import lru_cache

import Stemmer

from .memo import Memo
from .whoosh_compat import accent_map, analysis

# Accent folding as a `str.translate` table (character code -> its folded text): the
# analyzer's, for every other place that folds text as the index does.
ACCENT_FOLDING = accent_map
STEM_CACHE = 200_000  # distinct words whose stems are memoised: the archive has ~60k
# RegexTokenizer's default expression, r"\w+(?:\.?\w+)*", without its optional dot: the same
# matches (word characters with single dots between them), found a seventh faster.
_WORDS = re.compile(r"\w+(?:\.\w+)*", re.UNICODE)
# For indexing, a blank line is a token too: a paragraph break (between a proposal's answers).
_WORDS_AND_BREAKS = re.compile(r"\w+(?:\.\w+)*|\n\s*\n", re.UNICODE)
_BREAK = "\n"  # what a paragraph break maps to in place of a term
PARAGRAPH_GAP = 100  # positions skipped at a paragraph break, so no phrase spans one (as Lucene's gap)


# Words whose plural or variant no suffix rule reaches, folded to the form their relatives
# stem to, in documents and queries alike ("teens" and "teenagers" are one word to a reader).
IRREGULAR_FORMS = {
    "children": "child", "childrens": "child", "women": "woman", "womens": "woman",
    "men": "man", "mens": "man", "teeth": "tooth", "feet": "foot", "mice": "mouse",
    "geese": "goose", "teenager": "teen", "teenagers": "teen", "teenaged": "teen",
    "elderly": "elder", "elders": "elder",
}
# Compounds written as one word or two: the one word is split into the two, in documents
# and queries alike, at consecutive positions (a phrase "after school" finds "afterschool").
COMPOUNDS = {
    "afterschool": ("after", "school"), "cleanup": ("clean", "up"), "cleanups": ("clean", "ups"),
    "healthcare": ("health", "care"), "childcare": ("child", "care"), "daycare": ("day", "care"),
    "skatepark": ("skate", "park"), "skateparks": ("skate", "parks"), "website": ("web", "site"),
    "websites": ("web", "sites"),
}
_COMPOUND = re.compile(r"\b(?:" + "|".join(COMPOUNDS) + r")\b", re.IGNORECASE)
_STEMMERS = threading.local()  # PyStemmer's objects are not safe to share between threads


@lru_cache(maxsize=STEM_CACHE)
def stem_word(word: str) -> str:
    """Snowball English stem of an already lower-cased, accent-folded word."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = Stemmer.Stemmer("english")
    return stemmer.stemWord(IRREGULAR_FORMS.get(word, word))


@lru_cache(maxsize=8)
def words_of(text: str) -> list[str]:
    """The words of a text as `RegexTokenizer` splits them, and its paragraph breaks (blank
    lines, which hold no word characters); do not change the list.

    Memoised for the last few texts: a document's heading and body are split once for
    its spelling vocabulary and again, moments later, when they are indexed.
    """
    return _WORDS_AND_BREAKS.findall(text)


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

    A `Memo` lookup is the cheapest per-word step Python offers (see index_format/memo.py).
    """

    def term(original: str) -> str | None:
        if original.isspace():
            return _BREAK
        text, stopped = _analyse_word(original, stoplist, minsize)
        return None if stopped else text

    return Memo(term, STEM_CACHE).__getitem__


class FoldStemAnalyzer(analysis.Tokenizer):
    """Words -> lower-case, accent-folded, stop words removed, Snowball-stemmed."""

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
        words = words_of(value)
        if _COMPOUND.search(value):  # the spelling vocabulary keeps "afterschool"; the index, its parts
            words = [part for word in words for part in COMPOUNDS.get(word.lower(), (word,))]
        terms = list(map(_term_function(self.stoplist, self.minsize), words))
        positions: dict[str, list[int]] = defaultdict(list)
        raw, last, gap, count = 0, None, 0, 0  # `last`: the previous kept word's position, gaps aside
        for paragraph in _paragraphs(terms):
            kept = [term for term in paragraph if term is not None]
            if kept:
                # Kept words count on from the first kept word's raw position.
                first = raw + next(i for i, term in enumerate(paragraph) if term is not None) if last is None else last + 1
                for position, term in enumerate(kept, start=first + gap):
                    positions[term].append(position)
                last, count = first + len(kept) - 1, count + len(kept)
            raw += len(paragraph)
            gap += PARAGRAPH_GAP
        return positions, count

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
        matches = _WORDS_AND_BREAKS.finditer(value) if tokenize else [_Whole(value)]
        position = None  # like StopFilter(renumber=True): kept words get consecutive positions
        raw_position, gap = start_pos - 1, 0
        stoplist, minsize = self.stoplist, self.minsize
        for match, original in _split_compounds(matches, value if tokenize else ""):
            if tokenize and original.isspace():  # a paragraph break
                gap += PARAGRAPH_GAP
                continue
            raw_position += 1
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
                token.pos = (raw_position if stopped else position) + gap
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def _split_compounds(matches, value: str):
    """(match, word) for each match, a compound's parts each with its whole match (the
    highlight covers the written word); a text without compounds costs one search."""
    if not _COMPOUND.search(value):
        yield from ((match, match.group()) for match in matches)
        return
    for match in matches:
        for part in COMPOUNDS.get(match.group().lower(), (match.group(),)):
            yield match, part


def _paragraphs(terms: list[str | None]) -> Iterator[list[str | None]]:
    """`terms` split at paragraph breaks (the list itself when it has none)."""
    if _BREAK not in terms:
        yield terms
        return
    start = 0
    while (end := _index_or_none(terms, _BREAK, start)) is not None:
        yield terms[start:end]
        start = end + 1
    yield terms[start:]


def _index_or_none(items: list, value, start: int) -> int | None:
    try:
        return items.index(value, start)
    except ValueError:
        return None


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
