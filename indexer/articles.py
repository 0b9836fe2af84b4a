"""Readers for articles: saved web pages, plain-text articles and Markdown blog posts.

Each reader takes text that is already decoded (the caller reads files, enforces size limits
and splits YAML front matter) and returns `ArticleParts`, or raises `SkipDocument` when there
is no title and main text worth indexing. All three end in `finish_parts`, so titles, dates and
URLs are cleaned the same way whatever the format.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from indexer.documents import Retracted, SkipDocument
from indexer.html_article import extract_page
from indexer.textutil import text_with_breaks

__all__ = [
    "ArticleParts",
    "date_from_filename",
    "html_article",
    "markdown_post",
    "markdown_to_text",
    "text_article",
]

TITLE_MAX_CHARS = 200  # a "title" longer than this is a paragraph that lost its line breaks


@dataclass
class ArticleParts:
    """What an article reader found: enough to build an article `Document`."""

    title: str
    text: str  # the main text, paragraphs separated by blank lines
    author: str = ""
    site: str = ""
    date: str = ""  # ISO yyyy-mm-dd when known
    url: str = ""  # canonical URL if the page states one (http/https only, else "")
    excerpt: str = ""


def html_article(html: str) -> ArticleParts:
    """Read a saved web page: its main text without menus, comments or share boxes, and metadata.

    :param html: the decoded page.
    :returns: the parts; `text` has one paragraph, heading or list item per paragraph.
    :raises SkipDocument: when the page has no main text (empty, or only navigation).
    """
    fields = extract_page(html)
    blocks = [" ".join(line.split()) for line in fields.pop("text").splitlines()]
    blocks = [block for block in blocks if block]
    if len(blocks) > 1 and blocks[0].casefold() == " ".join(fields["title"].split()).casefold():
        blocks.pop(0)  # the headline is already the title; repeating it only skews ranking
    return finish_parts(text="\n\n".join(blocks), **fields)


# Lines that sites append to articles: sign-up boxes, comment forms, share prompts.
TRAILER = re.compile(
    r"sign up|subscribe|newsletter|leave a (comment|reply)|comments? (are )?closed"
    r"|\d+ comments?$|^comments?$|your email( address)? will not be published"
    r"|required fields are marked|all fields are required|^share\b|\bshare (this|on)\b"
    r"|^(tweet|email|print|like this:?)$|follow us|related (posts|articles|stories)"
    r"|^(tags|filed under|posted in|categories)\b|^(previous|next) (post|article)",
    re.IGNORECASE,
)
TRAILER_MAX_WORDS = 12  # boilerplate lines are short; a long line is article text


def text_article(text: str) -> ArticleParts:
    """Read a plain-text article: the first non-empty line is its title, the rest its text.

    Trailing site boilerplate is dropped: a run of short lines at the end that contains at least
    one sign-up, comment or share prompt, together with the teasers and dangling "check out:"
    lines inside that run.

    :param text: the decoded file.
    :returns: the parts, with paragraphs as the file's blank-line-separated blocks.
    :raises SkipDocument: when there is no title or no text after it.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise Retracted("the text file is empty")
    title, body = lines[0].strip(), drop_trailer(lines[1:])
    return finish_parts(title=title, text=join_blocks(body))


def drop_trailer(lines: list[str]) -> list[str]:
    """Cut the trailing run of short boilerplate lines, keeping it when no line is a prompt."""
    cut, seen_prompt = len(lines), False
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index].strip()
        if not line:
            continue
        if len(line.split()) > TRAILER_MAX_WORDS:
            break
        if TRAILER.search(line):
            seen_prompt, cut = True, index
        elif line.endswith(":") or not re.search(r"[.!?\"”’)]$", line):
            cut = index  # a teaser headline, or a lead-in whose list of links was lost
        else:
            break
    return lines[:cut] if seen_prompt else lines


def markdown_post(front: dict, body: str, *, fallback_date: str = "") -> ArticleParts:
    """Read a Markdown blog post whose YAML front matter gives title, date, author and excerpt.

    :param front: the parsed front matter (keys other than the ones above are ignored).
    :param body: the Markdown after the front matter; inline HTML is allowed.
    :param fallback_date: a date to use when the front matter has none, such as the
        `2017-03-23` of `2017-03-23-crowdsourcing.markdown` (see `date_from_filename`).
    :returns: the parts, with Markdown and HTML reduced to plain text.
    :raises SkipDocument: when the post has no text (a missing title falls back to the first
        heading, then the first line).
    """
    text = markdown_to_text(body)
    title = plain_value(front.get("title")) or first_heading(body)
    return finish_parts(
        title=title,
        text=text,
        author=plain_value(front.get("author")),
        date=iso_date(front.get("date")) or iso_date(fallback_date),
        url=plain_value(front.get("canonical_url") or front.get("url")),
        excerpt=markdown_to_text(plain_value(front.get("excerpt"))).replace("\n\n", " "),
    )


def date_from_filename(name: str) -> str:
    """The ISO date a Jekyll post name starts with (`2017-03-23-x.markdown`), or ""."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})-", name.rsplit("/", 1)[-1])
    return iso_date(match.group(1)) if match else ""


# Markdown syntax, removed in this order by markdown_to_text.
MD_LINE_RULES = [
    (re.compile(r"^ {0,3}(`{3,}|~{3,}).*$"), ""),  # code fences (the code stays)
    (re.compile(r"^ {0,3}([-*_])( *\1){2,} *$"), ""),  # horizontal rules: "* * *", "---"
    (re.compile(r"^ {0,3}(=+|-+) *$"), ""),  # setext heading underlines
    (re.compile(r"^ {0,3}\[[^\]]+\]: *\S+.*$"), ""),  # reference link definitions
    (re.compile(r"^ {0,3}\{:[^}]*\} *$"), ""),  # kramdown attribute lists: "{: .lead}"
    (re.compile(r"^ {0,3}#{1,6} +(.*?)(?: +#+)? *$"), r"\1"),  # ATX headings
    (re.compile(r"^ *(> ?)+"), ""),  # blockquote markers
    (re.compile(r"^ *[-*+] +"), ""),  # bullet markers (ordered "1." numbers are kept)
    (re.compile(r"^ {0,3}: +"), ""),  # kramdown definition-list markers
    (re.compile(r"^ *\|? *:?-{3,}:? *(\| *:?-{3,}:? *)*\|? *$"), ""),  # table separators
]
# Spans below are bounded ({0,300}): on broken markup ("**a **a **a …") unbounded lazy matches
# try every start against the rest of the paragraph, which took minutes on a 90 KB post.
LINK_TARGET = r"\((?:[^()\s]|\([^()\s]{0,300}\)){0,1000}(?: +\"[^\"]{0,300}\")?\)"
MD_INLINE_RULES = [
    (re.compile(r"!\[[^\[\]]{0,300}\](?:" + LINK_TARGET + r"|\[[^\[\]]{0,300}\])"), ""),  # images
    (re.compile(r"\[([^\[\]]{1,300})\]" + LINK_TARGET), r"\1"),  # links keep their text
    (re.compile(r"\[([^\[\]]{1,300})\]\[[^\[\]]{0,300}\]"), r"\1"),  # reference links: [text][ref]
    (re.compile(r"\{%[^%]{0,300}%\}|\{\{[^}]{0,300}\}\}|\{:[^}]{0,300}\}"), ""),  # Liquid, kramdown
    (re.compile(r"(\*\*|__)(?=\S)(.{1,300}?)(?<=\S)\1", re.DOTALL), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.{1,300}?)(?<=\S)\*(?![\w*])", re.DOTALL), r"\1"),  # emphasis *
    (re.compile(r"(?<!\w)_(?=\S)(.{1,300}?)(?<=\S)_(?!\w)", re.DOTALL), r"\1"),  # emphasis _, not a_b
    (re.compile(r"~~(.{1,300}?)~~", re.DOTALL), r"\1"),  # strikethrough
    (re.compile(r"`+([^`]*)`+"), r"\1"),  # inline code
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),  # backslash escapes
    (re.compile(r"^\||\|$|(?<= )\|(?= )", re.MULTILINE), " "),  # table cell borders
    (re.compile(r"(?<!\w)[*_]{1,3}(?=\w)|(?<=\w)[*_]{1,3}(?!\w)|(?<!\S)[*_]{1,3}(?!\S)"), ""),  # stray
]
HTML_BLOCK_TAGS = ["p", "div", "li", "ul", "ol", "blockquote", "table", "tr", "section",
                   "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "pre", "hr"]
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<!--")


def markdown_to_text(markdown: str) -> str:
    """Reduce Markdown with inline HTML to plain text, paragraphs separated by blank lines.

    Links keep their text; images, HTML comments, scripts and styles go; heading, emphasis,
    list and quote markers are removed.
    """
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"<((?:https?|mailto):[^>\s]+)>", r"\1", text)  # autolinks are not tags
    if HTML_TAG.search(text):
        text = html_fragment_to_text(text)
    lines = [apply_rules(MD_LINE_RULES, line) for line in text.split("\n")]
    # Inline rules run on whole paragraphs: links and emphasis may span lines.
    paragraphs = [apply_rules(MD_INLINE_RULES, block) for block in join_blocks(lines).split("\n\n")]
    return join_blocks("\n\n".join(paragraphs).split("\n"))


def apply_rules(rules: list[tuple[re.Pattern[str], str]], text: str) -> str:
    """Apply (pattern, replacement) rules in order, then collapse runs of spaces."""
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def html_fragment_to_text(text: str) -> str:
    """Strip HTML tags from mixed Markdown, keeping block boundaries as blank lines."""
    from bs4 import BeautifulSoup, Comment  # 0.15 s to import: not for a CLI run that reads no post

    soup = BeautifulSoup(text, "html.parser")
    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        comment.extract()
    for tag in soup(["script", "style", "img", "iframe", "noscript", "template", "svg"]):
        tag.decompose()
    return text_with_breaks(soup, {"br": ("\n", ""), **dict.fromkeys(HTML_BLOCK_TAGS, ("\n\n", "\n\n"))})


def first_heading(markdown: str) -> str:
    """The text of the first ATX heading, for posts whose front matter lacks a title."""
    match = re.search(r"^ {0,3}#{1,6} +(.+?)(?: +#+)? *$", markdown, re.MULTILINE)
    return markdown_to_text(match.group(1)) if match else ""


def join_blocks(lines: list[str]) -> str:
    """Join lines into paragraphs: blank lines separate them, lines inside one stay lines."""
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return "\n\n".join(paragraphs)


def finish_parts(*, title: str, text: str, **fields: str) -> ArticleParts:
    """Clean what a reader found and check that it is worth indexing.

    :raises SkipDocument: when the text is empty; a missing title falls back to the first line.
    """
    text = text.strip()
    if not text:
        raise SkipDocument("no main text found")
    title = " ".join(title.split()) or " ".join(text.split("\n", 1)[0].split())
    if len(title) > TITLE_MAX_CHARS:
        title = title[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] + "…"
    return ArticleParts(
        title=title,
        text=text,
        author=" ".join(fields.get("author", "").split()),
        site=" ".join(fields.get("site", "").split()),
        date=iso_date(fields.get("date", "")),
        url=http_url(fields.get("url", "")),
        excerpt=" ".join(fields.get("excerpt", "").split()),
    )


def iso_date(value: object) -> str:
    """`yyyy-mm-dd` for a date, a datetime or a string starting with one; "" otherwise."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")  # the date as written, whatever its time zone
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value if isinstance(value, str) else "")
    if not match:
        return ""
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return ""


def http_url(value: str) -> str:
    """The URL if it is an absolute http(s) URL, else "" (no javascript:, data: or paths)."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme in ("http", "https") and parts.netloc else ""


def plain_value(value: object) -> str:
    """A front-matter value as one line of text: lists are joined with commas."""
    if isinstance(value, list):
        return ", ".join(plain_value(item) for item in value if item is not None)
    return " ".join(str(value).split()) if value is not None else ""
