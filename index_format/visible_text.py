"""Characters that must never reach a page, a link or a terminal: one definition, used at
indexing (document text), at the request edge (parameters) and on CLI output.

C0 and C1 control characters (tab, newline and carriage return excepted) and the Unicode
bidirectional embedding, override and isolate marks are never typed on purpose; on a page
they reorder or hide text (a title that reads backwards, a link that is not what it shows),
and in a terminal ESC and the C1 CSI/OSC start sequences that recolour the screen or write
the clipboard. Removing the single characters disarms every such sequence.
"""

from __future__ import annotations

import re

# C0 without \t \n \r, DEL, C1; LRE RLE PDF LRO RLO (U+202A-202E), LRI RLI FSI PDI (U+2066-2069).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def remove_invisible_controls(text: str, replacement: str = "") -> str:
    """`text` without control and bidirectional-override characters (line breaks and tabs kept);
    `replacement` stands in for each (a space keeps the words of a query apart)."""
    return _INVISIBLE.sub(replacement, text) if _INVISIBLE.search(text) else text


def has_invisible_controls(text: str) -> bool:
    return _INVISIBLE.search(text) is not None


__all__ = ["has_invisible_controls", "remove_invisible_controls"]
