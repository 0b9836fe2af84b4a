"""The one fold: how two spellings of a value, a name or a title are compared everywhere."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "fold_key"]

_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Characters that print as nothing: zero-width spaces and joiners, marks of direction, soft hyphens.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))


def fold(text) -> str:
    """Accents, case, punctuation and spacing ignored, "&" read as "and", words separated
    by one space: "Niño-Cocina & Co!" is "nino cocina and co"."""
    text = unicodedata.normalize("NFKD", str(text or "")).translate(_INVISIBLE)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_WORD.sub(" ", text.replace("&", " and ")).strip()


def fold_key(text) -> str:
    """`fold` without the spaces: "B-corps" and "Bcorps", "Healthy food" and "healthyfood" agree."""
    return fold(text).replace(" ", "")
