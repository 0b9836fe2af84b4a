"""Small text helpers shared by the readers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import wraps
from html import unescape
from pathlib import Path
from typing import TypeVar

import yaml

from index_format.memo import Memo


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SAFE_SCHEMES = ("http://", "https://")
CACHED_TEXT_CHARS = 300  # pick-list choices and question keys are shorter; prose is unique
CACHED_TEXTS = 4096  # distinct short texts remembered per function
_Result = TypeVar("_Result")


def cache_short_text(function: Callable[[str], _Result]) -> Callable[[str], _Result]:
    """Memoise a pure function of one string, for strings of at most CACHED_TEXT_CHARS.

    Proposals repeat the same question keys and pick-list answers thousands of times; a
    long answer is seen once, and caching it would only hold on to memory. The function
    must return an immutable value: every caller shares it.
    """
    memo = Memo(function, CACHED_TEXTS)

    @wraps(function)
    def call(text: str) -> _Result:
        return memo[text] if len(text) <= CACHED_TEXT_CHARS else function(text)

    return call


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


def load_table(path: Path) -> dict:
    """One of the repo's own YAML tables, with libyaml: ten times faster to load, and
    these files are ours, not documents (those go through frontmatter.py's checks)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
