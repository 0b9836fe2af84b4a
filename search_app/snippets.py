"""Highlighted snippets and titles without Whoosh's slow re-analysis.

Whoosh's `highlights()` re-runs the whole analyzer over each stored field and dominated
query time (160-2,600 ms for 10 results). Here each word of the text is normalised once
through a memoised function (lower-case, accent fold, stem), only the first
`SCAN_CHARS` characters are scanned, and the best windows are chosen by how many
distinct query terms they hold. All text is escaped; only our `<mark>` tags are markup,
and this module is the one place that makes `Markup`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from indexer.whoosh_compat import accent_map

SCAN_CHARS = 20_000  # characters of a document scanned for matches
MAX_MATCHES = 200  # matches considered when choosing windows (the choice is quadratic)
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?]\s")


@lru_cache(maxsize=200_000)
def normalise_word(word: str) -> str:
    """The index term for one word: the same folding and stemming as the analyzer."""
    from whoosh.lang.porter import stem

    return stem(word.lower().translate(accent_map))


def _is_match(word: str, terms: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    if normalise_word(word) in terms:
        return True
    lowered = word.lower()
    return any(lowered.startswith(prefix) for prefix in prefixes)


def highlight_all(text: str, terms: frozenset[str], prefixes: tuple[str, ...] = ()) -> Markup:
    """The whole text escaped, with matching words in `<mark>`: for titles."""
    return _render(text, 0, len(text), _matches(text, terms, prefixes, len(text)))


def make_snippet(
    text: str,
    terms: frozenset[str],
    prefixes: tuple[str, ...] = (),
    *,
    fragments: int = 2,
    max_chars: int = 300,
) -> Markup:
    """Up to `fragments` windows of `text` around the best matches, at most `max_chars` long."""
    text = text or ""
    matches = _matches(text, terms, prefixes, SCAN_CHARS)[:MAX_MATCHES]
    if not matches:
        return _render(text, 0, _cut(text, 0, max_chars), []) + (Markup("…") if len(text) > max_chars else "")
    width = max_chars // max(fragments, 1)
    windows = _best_windows(text, matches, width, fragments)
    parts = []
    for start, end in sorted(windows):
        inside = [m for m in matches if m[0] >= start and m[1] <= end]
        prefix = Markup("…") if start > 0 else Markup("")
        suffix = Markup("…") if end < len(text) else Markup("")
        parts.append(prefix + _render(text, start, end, inside) + suffix)
    return Markup(" ").join(parts)


def _matches(text: str, terms, prefixes, limit: int) -> list[tuple[int, int, str]]:
    """(start, end, term) of each matching word in the first `limit` characters."""
    if not terms and not prefixes:
        return []
    found = []
    for match in _WORD.finditer(text, 0, min(len(text), limit)):
        word = match.group(0)
        if _is_match(word, terms, prefixes):
            found.append((match.start(), match.end(), normalise_word(word)))
    return found


def _best_windows(text: str, matches, width: int, count: int) -> list[tuple[int, int]]:
    """Greedy: the window with the most distinct new terms, then the next, without overlap."""
    windows: list[tuple[int, int]] = []
    covered_terms: set[str] = set()
    for _ in range(count):
        best, best_score = None, (0, 0)
        for index, (start, _end, _term) in enumerate(matches):
            window_start = _window_start(text, start, width)
            window_end = _cut(text, window_start, width)
            if any(window_start < e and window_end > s for s, e in windows):
                continue
            inside = {term for s, e, term in matches[index:] if e <= window_end}
            score = (len(inside - covered_terms), len(inside))
            if score > best_score:
                best, best_score = (window_start, window_end), score
        if best is None:
            break
        windows.append(best)
        covered_terms |= {term for s, e, term in matches if best[0] <= s and e <= best[1]}
    return windows


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
    out, position = [], start
    for match_start, match_end, _term in matches:
        if match_start < position or match_end > end:
            continue
        out.append(escape(text[position:match_start]))
        out.append(Markup("<mark>") + escape(text[match_start:match_end]) + Markup("</mark>"))
        position = match_end
    out.append(escape(text[position:end]))
    return Markup("").join(out)
