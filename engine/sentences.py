"""A sentence as people type it, reduced to the words that carry its need.

Visitors ask "my kid is getting bullied at school" or "where can kids skateboard", not the
proposals' vocabulary. Such a query is plain words only, and most of them are function
words: question words, pronouns, auxiliaries, contractions ("don't" left "don" as a required
word), prepositions, and words that only frame a request ("things", "need", "want"). These
need not match. Only plain-word queries are read this way: a query with syntax (quotes,
`-`, `*`, `OR`, fields, parentheses) is taken as written, word for word.

The two words of a compound ("after school", which the index also holds for "afterschool")
are kept even where one of them alone would be a function word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index_format.analysis import COMPOUNDS

__all__ = ["FUNCTION_WORDS", "Sentence", "has_syntax", "read_sentence"]

# Words that shape a question or a request but name nothing a document is about. Whoosh's
# 34 stop words are dropped at indexing; these are dropped from plain-word queries only
# (a document's "where" and "our" stay indexed for phrases and titles).
FUNCTION_WORDS = frozenset(
    """
    a about above across after again against all also am an and any anyone anything are around as at
    be because been before being below between both but by can could did do does doing done down during
    each either else etc ever every everyone for from further get gets getting got had has have having he
    her here hers herself him himself his how i if in into is it its itself just keep keeps kind lot lots
    may me might mine more most much must my myself near need needs no nor not now of off on once only
    onto or other our ours ourselves out over own per please really same she should so some someone
    something somewhere stuff such than that the their theirs them themselves then there these they thing
    things this those through to too toward towards under until up upon us very via want wants was way ways
    we were what whatever when where whether which while who whom whose why will with within without would
    yet you your yours yourself yourselves
    """.split()
)
_SYNTAX = re.compile(r'["()*:]|(?<!\S)[-+]|\?(?=\w)|\b(?:OR|AND|NOT)\b')
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")  # L.A., H.E.L.P.E.R. and don't are one word each
_APOSTROPHE = re.compile(r"['’]")
_TWO_WORD_COMPOUNDS = frozenset(COMPOUNDS.values())
_CONTRACTED = ("s", "re", "ll", "ve", "d", "m")  # what's, we're, we'll, I've, I'd, I'm; kid's


@dataclass(frozen=True)
class Sentence:
    """What a plain-word query keeps: `text` to search, `left_out` the words that need not match."""

    text: str
    left_out: tuple[str, ...] = ()


def read_sentence(text: str) -> Sentence:
    """The words of `text` that carry its need; the two words of a compound stay together.

    Text with query syntax, or made only of function words, is returned as it is: there is
    nothing to read into it, and "the who" must still find The Who.
    """
    if has_syntax(text):
        return Sentence(text)
    words = _WORD.findall(text)
    kept, left_out, index = [], [], 0
    while index < len(words):
        pair = tuple(word.lower() for word in words[index : index + 2])
        if pair in _TWO_WORD_COMPOUNDS:  # "after school": both words, though "after" alone says little
            kept.extend(words[index : index + 2])
            index += 2
            continue
        content = _content_word(words[index])
        if content:
            kept.append(content)
        else:
            left_out.append(words[index])
        index += 1
    if not kept:
        return Sentence(text)
    return Sentence(" ".join(kept), tuple(left_out))


def has_syntax(text: str) -> bool:
    """Whether the text uses query syntax, and so is taken word for word."""
    return bool(_SYNTAX.search(text))


def _content_word(word: str) -> str | None:
    """The word to search for, or None when it is a function word or a contraction of one."""
    base, _, suffix = _APOSTROPHE.sub("'", word).partition("'")
    if suffix:
        if suffix.lower() == "t":
            return None  # don't, can't, won't, doesn't: negations of function words
        if suffix.lower() in _CONTRACTED:
            word = base
    return None if word.lower() in FUNCTION_WORDS else word

