"""Small text helpers shared by the readers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from html import unescape

_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SAFE_SCHEMES = ("http://", "https://")


def html_to_text(text: str) -> str:
    """Reduce an answer that holds HTML fragments to plain text; other text is untouched."""
    if not _TAG.search(text):
        return unescape(text) if "&" in text else text
    from bs4 import BeautifulSoup  # 0.2 s to import: only for answers that hold HTML

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    text = text_with_breaks(soup, dict.fromkeys(["br", "p", "li", "div"], ("", "\n")))
    lines = (line.strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_with_breaks(root, breaks: Mapping[str, tuple[str, str]]) -> str:
    """`root.get_text()` with strings around each tag named in `breaks`: name -> (before, after).

    The same text as inserting the strings with bs4's `insert_before` and `insert_after`,
    but those walk the tag's descendants each time: quadratic in nesting depth, a minute
    for a page of 20,000 nested `<div>`s. This walks the tree once, without recursion.
    """
    from bs4 import Tag

    types = root.interesting_string_types or Tag.MAIN_CONTENT_STRING_TYPES  # as get_text() chooses
    types = {types} if isinstance(types, type) else set(types)
    parts: list[str] = []
    stack: list = [root]  # elements still to visit, and plain str breaks due after a tag's contents
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            before, after = breaks.get(node.name, ("", "")) if node is not root else ("", "")
            parts.append(before)
            stack.append(after)
            stack.extend(reversed(node.contents))
        elif type(node) is str or type(node) in types:
            parts.append(str(node))
    return "".join(parts)


def safe_url(url: str) -> str:
    """Keep only http(s) links: `javascript:` and `data:` URLs never reach a page."""
    url = url.strip()
    return url if url.lower().startswith(_SAFE_SCHEMES) and " " not in url else ""


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphenated: a URL-safe id component."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
