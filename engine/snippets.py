"""Highlighted snippets and titles without Whoosh's slow re-analysis.

Whoosh's `highlights()` re-runs the whole analyzer over each stored field and dominated
query time (160-2,600 ms for 10 results). Here a `Highlighter` compiles one regular
expression per query from the query's stems, so the C regex engine finds the few
candidate words; only those are stemmed (memoised) to confirm a match. Only the first
`SCAN_CHARS` characters are scanned (the rest only when they hold no match), and the
best windows are chosen by how many distinct query terms they hold. All text is escaped;
only our `<mark>` tags are markup, and this module is the one place that makes `Markup`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from markupsafe import Markup

from index_format.analysis import ACCENT_FOLDING, stem_word

SCAN_CHARS = 8_000  # characters scanned for matches: the best fragments are rarely later
MAX_MATCHES = 16  # matches considered when choosing windows: enough for two fragments
_WORD_CHAR = re.compile(r"\w")
_WORD_CHARS = re.compile(r"\w+")
# Runs of the non-ASCII characters ACCENT_FOLDING folds (each to one character; ASCII ones
# only change case, which lower() does).
_ACCENTED = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(ACCENT_FOLDING) if code > 127) + "]+")
_SENTENCE_END = re.compile(r"[.!?]\s")


def _stem_prefix(stem: str) -> str:
    """What every word with this stem starts with: Porter may turn a final y into i or add e."""
    return stem[:-1] if len(stem) > 2 and stem[-1] in "ie" else stem


class PreparedText(NamedTuple):
    """A text with its folded form for matching; worth caching for documents shown often."""

    text: str
    folded: str  # `_fold` of the first SCAN_CHARS characters


def prepare(text: str) -> PreparedText:
    return PreparedText(text, _fold(text[:SCAN_CHARS]))


def _fold_accents(run: re.Match) -> str:
    return run.group().translate(ACCENT_FOLDING)


def _latin1_fold_table() -> bytes:
    """Each Latin-1 character lower-cased, then accent-folded (the analyzer's order), which
    is again one Latin-1 character."""
    table = bytearray(range(256))
    for code in range(256):
        folded = chr(code).lower().translate(ACCENT_FOLDING)
        if len(folded) != 1 or ord(folded) > 255:
            raise ValueError(f"{chr(code)!r} does not fold to one Latin-1 character")
        table[code] = ord(folded)
    return bytes(table)


_LATIN1_FOLD = _latin1_fold_table()
# Punctuation outside Latin-1 that most texts of the archive hold, each swapped for one
# ASCII character (never a word character, so no match changes) to keep texts in Latin-1.
_WIDE_PUNCTUATION = {"’": "'", "“": '"', "”": '"', "•": "*", "–": "-", "—": "-", "─": "-", "‘": "'", "…": "."}


def _fold(text: str) -> str:
    """Lower-case, then accent-fold text as the analyzer does, without changing any offset.

    Matching only needs words folded where they are. Most texts are Latin-1 once their
    curly quotes and dashes are swapped: those are folded by `bytes.translate`, a few
    microseconds for a snippet's 8,000 characters. Others go through a regular expression
    that translates only the runs of characters ACCENT_FOLDING folds (each to exactly one),
    ~90 us. A case change that alters the length (rare Unicode, such as "İ") keeps the
    original text, whose words then simply may not be marked.
    """
    if text.isascii():
        return text.lower()
    plain = text
    for mark, ascii_mark in _WIDE_PUNCTUATION.items():
        if mark in plain:
            plain = plain.replace(mark, ascii_mark)
    try:
        return plain.encode("latin-1").translate(_LATIN1_FOLD).decode("latin-1")
    except UnicodeEncodeError:
        pass
    lowered = text.lower()
    if len(lowered) != len(text):
        return text
    return _ACCENTED.sub(_fold_accents, lowered)


class Highlighter:
    """Finds the words of one query in text: exact stems and typed prefixes."""

    def __init__(self, terms: frozenset[str], prefixes: tuple[str, ...] = ()):
        self.terms = terms
        self.prefixes = tuple(prefix.translate(ACCENT_FOLDING).lower() for prefix in prefixes)
        # Every matching word starts with one of these; `str.find` locates them ~25x
        # faster than a regular expression scanning each position.
        self.starts = sorted({_stem_prefix(term) for term in terms} | set(self.prefixes))

    def matches(self, folded: str) -> list[tuple[int, int, str]]:
        """(start, end, term) of the first matching words of a `_fold`ed text."""
        found = {}
        for start_text in self.starts:
            count, position = 0, folded.find(start_text)
            while position != -1 and count < MAX_MATCHES:
                if position == 0 or not _WORD_CHAR.match(folded, position - 1):
                    word_match = _WORD_CHARS.match(folded, position)
                    word_end = word_match.end() if word_match else position
                    word = folded[position:word_end]
                    term = stem_word(word)  # `folded` is already lower-case and folded
                    if term in self.terms or word.startswith(self.prefixes or ("\0",)):
                        found[position] = (position, word_end, term)
                        count += 1
                    position = folded.find(start_text, word_end)
                else:
                    position = folded.find(start_text, position + 1)
        return sorted(found.values())[:MAX_MATCHES]

    def highlight_all(self, text: str) -> Markup:
        """The whole text escaped, with matching words in `<mark>`: for titles."""
        return _render(text, 0, len(text), self.matches(_fold(text)))

    def snippet(self, source: "PreparedText | str", *, fragments: int = 2, max_chars: int = 300) -> Markup:
        """Up to `fragments` windows around the best matches, at most `max_chars` long."""
        source = source if isinstance(source, PreparedText) else prepare(source or "")
        text = source.text
        matches = self.matches(source.folded)
        if not matches and len(text) > len(source.folded):
            # The words are only further on: fold the rest too (folding keeps every offset).
            matches = self.matches(source.folded + _fold(text[len(source.folded) :]))
        if not matches:
            end = _cut(text, 0, max_chars)
            return Markup(_escaped_with_marks(text, 0, end, []) + ("…" if end < len(text) else ""))
        width = max_chars // max(fragments, 1)
        # A word longer than a window (160 letters) fits in none: show its start instead.
        windows = sorted(_best_windows(text, matches, width, fragments)) or [_word_start_window(text, matches[0], width)]
        parts = [_escaped_with_marks(text, start, end, [m for m in matches if start <= m[0] and m[1] <= end]) for start, end in windows]
        lead = "…" if windows[0][0] > 0 else ""
        tail = "…" if windows[-1][1] < len(text) else ""
        return Markup(lead + " … ".join(parts) + tail)  # every part escaped


def _best_windows(text: str, matches, width: int, count: int) -> list[tuple[int, int]]:
    """Greedy: the window with the most distinct new terms, then the next, without overlap.

    Windows are measured as the search reaches them, and a round stops at a window no later
    one can beat (ties go to the earliest): most snippets measure a few of the candidates.
    """
    every_term = {term for _start, _end, term in matches}
    measured: list[tuple[int, int, set[str]]] = []
    windows: list[tuple[int, int]] = []
    covered: set[str] = set()
    for _ in range(count):
        best, best_score = None, (0, 0)
        ceiling = (len(every_term - covered), len(every_term))
        for index in range(len(matches)):
            if index == len(measured):
                measured.append(_window_at(text, matches, index, width))
            window_start, window_end, inside = measured[index]
            if any(window_start < e and window_end > s for s, e in windows):
                continue
            score = (len(inside - covered), len(inside))
            if score > best_score:
                best, best_score = measured[index], score
                if score == ceiling:
                    break
        if best is None:
            break
        windows.append(best[:2])
        covered |= best[2]
    return windows


def _word_start_window(text: str, match, width: int) -> tuple[int, int]:
    """A window at the start of a match too long to fit in one, cut inside the word."""
    start = match[0]
    return start, min(len(text), start + width)


def _window_at(text: str, matches, index: int, width: int) -> tuple[int, int, set[str]]:
    """The window around match `index` and the terms of the matches from it that it holds."""
    window_start = _window_start(text, matches[index][0], width)
    window_end = _cut(text, window_start, width)
    inside = set()
    for _start, match_end, term in matches[index:]:
        if match_end > window_end:
            break
        inside.add(term)
    return window_start, window_end, inside


def _window_start(text: str, match_start: int, width: int) -> int:
    """Start a little before the match, at a sentence or word boundary."""
    earliest = max(0, match_start - width // 3)
    sentence = _SENTENCE_END.search(text, earliest, match_start)
    if sentence:
        return sentence.end()
    if earliest == 0:
        return 0
    space = text.find(" ", earliest, match_start)
    return space + 1 if space != -1 else earliest


def _cut(text: str, start: int, width: int) -> int:
    """End of a window: at most `width` characters, at a word boundary."""
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        if space != -1:
            end = space
    return end


def _render(text: str, start: int, end: int, matches) -> Markup:
    """Escape text[start:end], wrapping the given matches in `<mark>`."""
    return Markup(_escaped_with_marks(text, start, end, matches))


def _escaped_with_marks(text: str, start: int, end: int, matches) -> str:
    """`_render`'s text as a plain string: a snippet joins several before it is one `Markup`
    (a `Markup` made for each piece was a tenth of a result card)."""
    out, position = [], start
    for match_start, match_end, _term in matches:
        if match_start < position or match_end > end:
            continue
        out.append(_escaped(text[position:match_start]))
        out.append(f"<mark>{_escaped(text[match_start:match_end])}</mark>")
        position = match_end
    out.append(_escaped(text[position:end]))
    return "".join(out)


def _escaped(text: str) -> str:
    """`markupsafe.escape` as a plain string (its own replacements, in its order)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")
