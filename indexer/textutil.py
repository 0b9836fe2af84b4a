"""Small text helpers shared by the readers."""

from __future__ import annotations

import re
import unicodedata
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
    for br in soup.find_all(["br", "p", "li", "div"]):
        br.insert_after("\n")
    lines = (line.strip() for line in soup.get_text().splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def safe_url(url: str) -> str:
    """Keep only http(s) links: `javascript:` and `data:` URLs never reach a page."""
    url = url.strip()
    return url if url.lower().startswith(_SAFE_SCHEMES) and " " not in url else ""


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphenated: a URL-safe id component."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
