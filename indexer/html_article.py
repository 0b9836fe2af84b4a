"""Main text and metadata of one saved web page, as plain strings.

Trafilatura does the real work: it scores the page's blocks, keeps the article body and drops
navigation, comments, share bars and newsletter boxes. Its settings are fixed here so that
extraction never touches the network and gives the same answer on every run. When it finds
nothing (tiny or oddly built pages) a small BeautifulSoup heuristic takes over.

This module returns a plain dict; `indexer.articles.html_article` turns it into `ArticleParts`
and decides whether the page is usable.
"""

from __future__ import annotations

import re
from typing import Any

from .textutil import text_with_breaks

__all__ = ["extract_page", "heuristic_text"]

# favor_recall scored best on the 50 reference pages (mean word F1 0.962 against 0.944 for the
# defaults): precision mode drops whole article sections on some sites (engadget F1 0.11).
EXTRACT_OPTIONS: dict[str, Any] = {
    "favor_recall": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "deduplicate": False,  # True would keep a cache across calls: results would depend on order
    "with_metadata": False,  # `page_metadata` reads only the fields a page shows
}

# On small pages trafilatura falls back to taking the whole body, menus included; cutting
# these first changes nothing on the reference pages and keeps menus out of small ones.
BOILERPLATE_XPATHS = ["//nav", "//footer", "//*[@role='navigation']"]

# No "extensive search": it guesses dates from copyright lines and free text (mathjax got the
# current year). A fixed max_date, unlike htmldate's default of today, keeps results stable.
DATE_OPTIONS = {"extensive_search": False, "original_date": True, "max_date": "2099-12-31"}

# Tags whose text is never article text, for the fallback heuristic.
NON_CONTENT_TAGS = [
    "script", "style", "noscript", "template", "svg", "iframe", "object", "head",
    "nav", "header", "footer", "aside", "form", "button", "select",
]
PAGE_FURNITURE_ROLES = ["navigation", "banner", "contentinfo", "complementary", "search"]
BLOCK_TAGS = [
    "p", "li", "dd", "dt", "blockquote", "pre", "td", "th", "figcaption", "div",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main",
]

# Trafilatura appends dateline words to some bylines ("Joshua Sokol May").
DATELINE_WORD = re.compile(
    r"\s+(January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Updated)\b.*$"
)
NOT_A_NAME = {"follow author", "admin", "staff", "unknown"}


def extract_page(html: str) -> dict[str, str]:
    """Extract the article text and metadata of a page, with empty strings for what is missing.

    :param html: the decoded page.
    :returns: a dict with keys title, text, author, site, date, url, excerpt; `text` has one
        block (paragraph, heading, list item) per line.
    """
    doc = tree = None
    if html.strip():
        import trafilatura  # 0.3 s to import: only when a page is actually read
        from trafilatura.utils import load_html

        tree = load_html(html)  # parsed once: trafilatura copies the tree it is given
        if tree is not None:
            doc = trafilatura.bare_extraction(tree, prune_xpath=BOILERPLATE_XPATHS, **EXTRACT_OPTIONS)
    if doc is None:
        return {"title": heuristic_title(html), "text": heuristic_text(html)}
    meta = page_metadata(tree)
    text = doc["text"] if isinstance(doc, dict) else doc.text  # a dict only when asked (as_dict)
    return {
        "title": meta.title or heuristic_title(html),
        "text": text or heuristic_text(html),
        "author": clean_author(meta.author or ""),
        "site": meta.sitename or "",
        "date": meta.date or "",
        "url": meta.url or "",
        "excerpt": meta.description or "",
    }


def page_metadata(tree):
    """Title, author, site, date, URL and description, as trafilatura's `extract_metadata` finds them.

    The same steps in the same order, without the categories, tags, licence and host name that
    it also collects and pages never show: those took a sixth of the extraction time, and the
    host name loads a list of domains (0.1 s) in every process. tests/test_articles.py checks
    that the fields agree with `extract_metadata` on every reference page.

    :param tree: the page as `trafilatura.utils.load_html` parsed it; it is not changed.
    :returns: a trafilatura `Document` with those fields set (None when not found).
    """
    from htmldate import find_date
    from trafilatura import metadata

    meta = metadata.examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # a single word is a handle, not a byline
    try:
        meta = metadata.extract_meta_json(tree, meta)
    except Exception:  # noqa: BLE001 - trafilatura guards its JSON-LD reader the same way
        pass
    meta.title = meta.title or metadata.extract_title(tree)
    meta.author = meta.author or metadata.extract_author(tree)
    meta.url = meta.url or metadata.extract_url(tree)
    meta.date = find_date(tree, **DATE_OPTIONS, url=meta.url)
    meta.sitename = meta.sitename or metadata.extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")  # a Twitter handle
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url and (domain := metadata.META_URL.match(meta.url)):
        meta.sitename = domain[1]
    meta.clean_and_trim()
    return meta


def _soup(html: str):
    """bs4's tree of a page, imported only here: the fallbacks rarely run, and the
    import costs 0.15 s of every CLI start."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def heuristic_text(html: str) -> str:
    """Text inside `<article>`, `<main>` or `<body>`, one block element per line.

    A fallback only: it drops obvious page furniture (menus, headers, forms, scripts) but does
    not score blocks the way trafilatura does.
    """
    soup = _soup(html)
    for tag in soup(NON_CONTENT_TAGS) + soup(attrs={"role": PAGE_FURNITURE_ROLES}):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    text = text_with_breaks(root, dict.fromkeys(BLOCK_TAGS + ["br"], ("\n", "\n")))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def heuristic_title(html: str) -> str:
    """The page's `og:title`, `<title>` or first `<h1>`, whichever comes first."""
    soup = _soup(html)
    meta = soup.find("meta", attrs={"property": "og:title"})
    candidates = [
        meta.get("content") if meta else None,
        soup.title.get_text() if soup.title else None,
        soup.h1.get_text() if soup.h1 else None,
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return " ".join(candidate.split())
    return ""


def clean_author(author: str) -> str:
    """Tidy trafilatura's byline: "A; a; B March" becomes "A, B"."""
    names: list[str] = []
    for name in author.split(";"):
        name = DATELINE_WORD.sub("", " ".join(name.split()))
        name = re.sub(r"^by\s+", "", name, flags=re.IGNORECASE).strip(" ,")
        if name and name.lower() not in NOT_A_NAME and name.lower() not in map(str.lower, names):
            names.append(name)
    return ", ".join(names)
