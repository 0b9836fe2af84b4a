"""Tests for the article readers: HTML pages, plain-text articles and Markdown posts."""

from __future__ import annotations

import functools
import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from indexer.articles import (
    date_from_filename,
    html_article,
    markdown_post,
    markdown_to_text,
    text_article,
)
from indexer.documents import SkipDocument
from indexer.html_article import DATE_OPTIONS, page_metadata

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
WEB_PAGES = SHARED / "corpus" / "articles" / "web"
TRUTH = SHARED / "corpus" / "extraction-truth"
GOLDHIRSH = SHARED / "corpus" / "articles" / "goldhirsh"
SAMPLE = REPO / "corpus"
MIN_MEAN_F1 = 0.93  # the quality bar for main-text extraction over the reference pages

needs_shared = pytest.mark.skipif(not WEB_PAGES.is_dir(), reason="../shared/corpus is not here")


def word_f1(got: str, expected: str) -> float:
    """Bag-of-words F1 of lowercase word tokens: how well `got` covers `expected`, and only it."""
    got_words, expected_words = (Counter(re.findall(r"\w+", t.lower())) for t in (got, expected))
    overlap = sum((got_words & expected_words).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(got_words.values())
    recall = overlap / sum(expected_words.values())
    return 2 * precision * recall / (precision + recall)


@functools.cache
def extracted(page: str):
    """html_article on one reference page, computed once per test run."""
    return html_article((WEB_PAGES / f"{page}.html").read_text(encoding="utf-8"))


def split_front_matter(path: Path) -> tuple[dict, str]:
    """The parsed YAML front matter and the body of a Markdown post."""
    match = re.match(r"---\n(.*?)\n---\n?(.*)", path.read_text(encoding="utf-8"), re.DOTALL)
    assert match, path
    return yaml.safe_load(match.group(1)), match.group(2)


# --- html_article --------------------------------------------------------------------------


@needs_shared
def test_extraction_quality_over_reference_pages():
    pages = sorted(WEB_PAGES.glob("*.html"))
    assert len(pages) == 50
    scores, seconds = {}, []
    for page in pages:
        started = time.perf_counter()
        parts = extracted(page.stem)
        seconds.append(time.perf_counter() - started)
        expected = (TRUTH / page.stem / "expected.txt").read_text(encoding="utf-8")
        scores[page.stem] = word_f1(parts.text, expected)
    mean = sum(scores.values()) / len(scores)
    worst = sorted(scores.items(), key=lambda item: item[1])[:3]
    print(f"\nmean word F1 {mean:.4f} over {len(scores)} pages; worst {worst}")
    print(f"extraction {1000 * sum(seconds) / len(seconds):.0f} ms/page (mean)")
    assert mean >= MIN_MEAN_F1


@needs_shared
def test_page_metadata_agrees_with_trafilatura_extract_metadata():
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    for page in sorted(WEB_PAGES.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        ours, theirs = page_metadata(load_html(html)), extract_metadata(load_html(html), date_config=DATE_OPTIONS)
        for field in ("title", "author", "sitename", "date", "url", "description"):
            assert getattr(ours, field) == getattr(theirs, field), (page.stem, field)


@needs_shared
@pytest.mark.parametrize(
    "page, author",
    [
        ("002", "Nikhil Marathe"),
        ("bug-1255978", "Hazel Sheffield"),
        ("cnn", "Ahiza Garcia"),
        ("guardian-1", "Eleanor Ainge Roy"),
        ("nytimes-1", "Jeffrey Gettleman"),  # trafilatura finds it twice, in two cases
        ("quanta-1", "Joshua Sokol"),  # trafilatura appends the dateline's month
        ("schema-org-context-object", "Stella Kim, Jennifer Jett"),
    ],
)
def test_title_and_byline(page, author):
    metadata = json.loads((TRUTH / page / "metadata.json").read_text(encoding="utf-8"))
    parts = extracted(page)
    assert parts.title == " ".join(metadata["title"].split())
    assert parts.author == author


@needs_shared
def test_site_date_url_and_excerpt():
    parts = extracted("guardian-1")
    assert parts.site == "The Guardian"
    assert parts.date == "2019-01-03"
    assert parts.url.startswith("http://www.theguardian.com/environment/2019/jan/03/")
    assert parts.excerpt


def test_sample_page_keeps_article_and_drops_boilerplate():
    parts = html_article((SAMPLE / "articles" / "la-river-walk.html").read_text(encoding="utf-8"))
    assert parts.title == "Walking the LA River, One Mile at a Time"
    assert (parts.author, parts.site, parts.date) == ("Marisol Ortega", "Eastside Dispatch", "2021-06-14")
    assert parts.url == "https://eastside-dispatch.example.org/2021/06/walking-the-la-river"
    assert parts.text.startswith("Every second Saturday since January")
    assert "Fletcher Drive bridge" in parts.text
    for boilerplate in ["About us", "Share on", "newsletter", "Great idea", "Related", "Privacy", "DO-NOT-INDEX"]:
        assert boilerplate not in parts.text
    assert "\n\n" in parts.text  # paragraphs stay apart


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "<html></html>",
        "<html><body><nav><a href='/'>Home</a> <a href='/about'>About us</a></nav></body></html>",
        "<html><body><div role='navigation'><a href='/'>Home</a></div><footer>© 2021</footer></body></html>",
        "<html><head><script>var story = 'not text';</script></head><body><script>x()</script></body></html>",
    ],
)
def test_pages_without_main_text_are_skipped(html):
    with pytest.raises(SkipDocument):
        html_article(html)


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>T</title><script>var secret = 'SCRIPTED';</script></head>"
        "<body><p>Short text here, with a sentence.</p><script>alert('SCRIPTED')</script></body></html>",
        "<body><article><p>Loose paragraph about parks.</p><script>SCRIPTED()</script>"
        "<noscript>SCRIPTED</noscript><style>p { color: red }</style></article></body>",
    ],
)
def test_script_content_never_in_text(html):
    parts = html_article(html)
    assert "SCRIPTED" not in parts.text
    assert "color" not in parts.text


@pytest.mark.parametrize(
    "canonical, url",
    [
        ("https://example.org/a", "https://example.org/a"),
        ("javascript:alert(1)", ""),
        ("/relative/path", ""),
        ("data:text/html,hi", ""),
    ],
)
def test_canonical_url_is_http_only(canonical, url):
    html = (
        f'<html><head><title>Parks</title><link rel="canonical" href="{canonical}"></head>'
        "<body><article><p>The city opened three new parks this spring.</p></article></body></html>"
    )
    assert html_article(html).url == url


def test_falls_back_to_heuristic_when_trafilatura_finds_nothing(monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    html = (
        "<html><head><title>Fallback page</title><script>SCRIPTED()</script></head><body>"
        "<nav><a href='/'>Home</a></nav><article><h1>Fallback page</h1><p>First <b>bold</b> point.</p>"
        "<p>Second point.</p></article><footer>Footer text</footer></body></html>"
    )
    parts = html_article(html)
    assert parts.title == "Fallback page"
    assert parts.text == "First bold point.\n\nSecond point."


# --- text_article --------------------------------------------------------------------------


def test_text_article_on_seed_drops_trailing_boilerplate():
    seed = (SAMPLE / "seeds" / "001_aec82fccb049a907.txt").read_text(encoding="utf-8")
    parts = text_article(seed)
    assert parts.title == "The Barriers to Collective Impact Partnerships & Why Year Up Works"
    assert parts.text.startswith("Sotheara (So) Yem moved from North Carolina")
    assert parts.text.endswith("crucial if we are to close the opportunity divide.")
    assert "Aligned funding streams" in parts.text
    for boilerplate in ["check out", "Discover the latest", "newsletter", "Leave a Comment", "email address"]:
        assert boilerplate not in parts.text


@pytest.mark.parametrize(
    "text, last_paragraph",
    [
        ("Title\n\nBody sentence.\n\nThanks for reading!\n\nShare this:\n\nTweet", "Thanks for reading!"),
        ("Title\n\nBody sentence.\n\nRelated posts\nA teaser headline\n", "Body sentence."),
        ("Title\n\nBody sentence.\n\nThe end", "The end"),  # short, but no prompt: kept
        ("Title\r\n\r\nBody sentence.\r\n\r\n3 Comments\r\n", "Body sentence."),
        ("\n\n  Title  \n\nOnly paragraph.", "Only paragraph."),
    ],
)
def test_text_article_trailer(text, last_paragraph):
    parts = text_article(text)
    assert parts.title == "Title"
    assert parts.text.split("\n\n")[-1] == last_paragraph


@pytest.mark.parametrize("text", ["", "\n \n", "Only a title\n\n", "Title\n\nSign up for our newsletter"])
def test_text_article_without_text_is_skipped(text):
    with pytest.raises(SkipDocument):
        text_article(text)


def test_sample_text_article():
    parts = text_article((SAMPLE / "articles" / "community-fridges.txt").read_text(encoding="utf-8"))
    assert parts.title == "Community Fridges Keep Filling Up in South LA"
    assert parts.text.endswith("Slauson Avenue Metro station.")


# --- markdown_post -------------------------------------------------------------------------

MARKDOWN_LEFTOVERS = ["](", "**", "<a ", "<p", "<img", "<!--", "![", "##", "{%"]


@needs_shared
@pytest.mark.parametrize("path", sorted(GOLDHIRSH.glob("*.markdown")), ids=lambda path: path.stem)
def test_goldhirsh_posts(path):
    front, body = split_front_matter(path)
    parts = markdown_post(front, body)
    assert parts.title == " ".join(front["title"].split())
    assert parts.date == date_from_filename(path.name)
    assert parts.author == front["author"]
    assert parts.excerpt and "\n" not in parts.excerpt
    assert len(parts.text.split()) > 150
    for leftover in MARKDOWN_LEFTOVERS:
        assert leftover not in parts.text


def test_sample_markdown_post():
    front, body = split_front_matter(SAMPLE / "articles" / "2021-09-01-what-we-learned-from-2021.markdown")
    parts = markdown_post(front, body)
    assert (parts.title, parts.date, parts.author) == (
        "What We Learned from the 2021 Challenge", "2021-09-01", "LA2050 Team")
    assert "1. Climate is now everyone's issue" in parts.text.split("\n\n")
    assert "want real studios and real jobs" in parts.text
    assert "Volunteers planting trees" not in parts.text  # image alt text is dropped
    for leftover in MARKDOWN_LEFTOVERS + ["* * *", "> "]:
        assert leftover not in parts.text


@pytest.mark.parametrize(
    "front, fallback_date, date",
    [
        ({"title": "T", "date": "2019-05-01"}, "", "2019-05-01"),
        ({"title": "T"}, "2017-03-23", "2017-03-23"),
        ({"title": "T", "date": "someday"}, "2017-03-23", "2017-03-23"),
        ({"title": "T"}, "", ""),
        ({"title": "T", "date": "2019-02-30"}, "", ""),
    ],
)
def test_markdown_post_date(front, fallback_date, date):
    assert markdown_post(front, "Some text.", fallback_date=fallback_date).date == date


@pytest.mark.parametrize(
    "front, body",
    [
        ({"title": "Empty"}, ""),
        ({"title": "Only markup"}, "![image](a.png)\n\n<!-- comment -->\n\n* * *\n"),
        ({}, ""),
    ],
)
def test_markdown_post_without_text_is_skipped(front, body):
    with pytest.raises(SkipDocument):
        markdown_post(front, body)


def test_markdown_post_title_falls_back_to_first_heading():
    assert markdown_post({}, "Intro line.\n\n## The *real* title\n\nText.").title == "The real title"


@pytest.mark.parametrize(
    "markdown, text",
    [
        ("# Heading #\n\nBody", "Heading\n\nBody"),
        ("Setext\n======\n\nBody", "Setext\n\nBody"),
        ("A [link](http://x.org/a_(b) \"t\") and [ref][1].\n\n[1]: http://x.org", "A link and ref."),
        ("An ![image](i.png) here", "An here"),
        ("**strong**, *em*, __strong__, _em_, ~~gone~~, `code`", "strong, em, strong, em, gone, code"),
        ("snake_case_name and 2 * 3", "snake_case_name and 2 3"),
        ("> quoted\n> more", "quoted\nmore"),
        ("* one\n- two\n+ three\n1. four", "one\ntwo\nthree\n1. four"),
        ("Term\n: definition", "Term\ndefinition"),
        ("above\n\n* * *\n\nbelow", "above\n\nbelow"),
        ("<https://example.org/x>", "https://example.org/x"),
        ("A <b>bold</b> word<br>next", "A bold word\nnext"),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("x <!-- hidden --> y <script>bad()</script><style>p{}</style>", "x y"),
        ("{% include card.html %}Text{: .lead}", "Text"),
        ("_unbalanced emphasis _[_via link._](http://x.org)", "unbalanced emphasis via link."),
    ],
)
def test_markdown_to_text(markdown, text):
    assert markdown_to_text(markdown) == text


@pytest.mark.parametrize(
    "name, date",
    [
        ("2017-03-23-crowdsourcing.markdown", "2017-03-23"),
        ("posts/2021-05-20-report.md", "2021-05-20"),
        ("2017-13-40-bad.markdown", ""),
        ("crowdsourcing.markdown", ""),
    ],
)
def test_date_from_filename(name, date):
    assert date_from_filename(name) == date


# --- robustness ----------------------------------------------------------------------------

# CPU seconds (time.process_time: work done, which a busy shared machine does not stretch as it
# does the wall clock): each case takes well under a second; unbounded regexes took minutes.
BROKEN_MARKUP_CPU_SECONDS = 5


@pytest.mark.parametrize(
    "markdown",
    ["*a " * 30000, "_a " * 30000, "**a " * 30000, "~~a " * 30000, "[" * 50000, "[a](" * 20000,
     "![" * 40000, "{%" * 40000, "{:" * 40000, "# " + " #" * 50000, "<b>" * 20000],
    ids=lambda markdown: repr(markdown[:4]),
)
def test_broken_markdown_is_reduced_quickly(markdown):
    started = time.process_time()
    markdown_to_text(markdown)
    assert time.process_time() - started < BROKEN_MARKUP_CPU_SECONDS


def test_extraction_is_offline_and_repeatable(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("article extraction tried to use the network")

    monkeypatch.setattr("socket.socket.connect", no_network)
    monkeypatch.setattr("socket.create_connection", no_network)
    html = (SAMPLE / "articles" / "la-river-walk.html").read_text(encoding="utf-8")
    assert html_article(html) == html_article(html)
