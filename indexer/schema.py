"""The Whoosh schema, declared once, and the mapping from a `Document` to its fields."""

from __future__ import annotations

import json
import re
from itertools import chain, filterfalse

from .whoosh_compat import accent_map
from .whoosh_compat import fields as wf
from .whoosh_compat import columns as wc

from .analysis import FoldStemAnalyzer, words_of
from .documents import Document
from .postings_format import PackedPositions

_WORD = re.compile(r"[^\W_]{2,30}")



def search_analyzer():
    """Words, lower-cased, accents folded (Nino finds Niño), stop words dropped, stemmed."""
    return FoldStemAnalyzer()


def spelling_words(*texts: str) -> str:
    """The texts' distinct unstemmed words, for "Did you mean" suggestions.

    Kept as a stored field, not an indexed one: indexing every word a second time
    doubled the build time, while the server only needs each word's document count.
    The words come from the analyzer's own (memoised) split of the same texts, which
    indexing needs anyway: a `_WORD` run never crosses the analyzer's word boundaries,
    so splitting its distinct words gives the same set as splitting the whole text.
    Words keep the order they first appear in (the same on every run), not sorted:
    sorting was a sixth of this function's time and the server only counts them.
    (Memoising each distinct word's forms was slower: the first sight of each of the
    archive's ~55,000 words cost more than the lookups saved.)
    """
    distinct = " ".join(dict.fromkeys(chain.from_iterable(map(words_of, texts)))).lower()
    words = dict.fromkeys(_WORD.findall(distinct if distinct.isascii() else distinct.translate(accent_map)))
    return " ".join(filterfalse(str.isdigit, words))


def build_schema() -> wf.Schema:
    """One field per line; the comment says why it has its type."""
    text = search_analyzer()
    return wf.Schema(
        id=wf.ID(stored=True, unique=True),  # exact key for updates and /doc/<id>
        kind=wf.ID(stored=True),  # proposal | organization | article: a facet, exact match
        # Plain words search two fields: matching four (title, organization, summary, body)
        # cost twice as much in Whoosh's union matchers for the same ranking signal.
        heading=_text(text, field_boost=3.0),  # title + organization + summary: weighted
        body=_text(text),  # answers / main text; its text is kept in `payload`
        title=_text(text, stored=True),  # only for `title:` and display
        organization=_text(text, stored=True),  # only for `org:` and display
        summary=wf.STORED(),  # shown and used for snippets; searched through `heading`


        region=wf.KEYWORD(stored=True, commas=True, scorable=False),  # canonical values, facet
        metric=wf.KEYWORD(stored=True, commas=True, scorable=False),  # canonical values, facet
        goal=wf.ID(stored=True),  # learn|create|play|connect|live, facet
        year=wf.NUMERIC(int, stored=True, sortable=True),  # facet, range filter, newest sort
        # A column, not a stored field: result pages load stored fields, the vocabulary
        # is read once per generation, so it must not weigh on every result.
        url=wf.STORED(),  # the original page (http/https only); shown with every result
        words=wf.COLUMN(wc.VarBytesColumn()),  # distinct unstemmed words: the spelling vocabulary
        payload=wf.STORED(),  # JSON of display fields: sections, or an article's text, url, ...
    )


def _text(analyzer, **options) -> wf.TEXT:
    """A phrase-searchable text field whose positions are packed (see postings_format)."""
    field = wf.TEXT(analyzer=analyzer, **options)
    field.format = PackedPositions(field_boost=field.format.field_boost)
    return field


SEARCH_FIELDS = ("heading", "body")  # what plain words search
TEXT_FIELDS = ("heading", "body", "title", "organization")  # every analysed text field


def document_fields(document: Document) -> dict:
    """The keyword arguments for `writer.add_document` for one document."""
    payload = {
        "path": document.path,
        "url": document.url,
        "author": document.author,
        "site": document.site,
        "date": document.date,
        "regions": document.regions,
        "metrics": document.metrics,
        "sections": [[s.question, s.answer] for s in document.sections],
        "text": "" if document.sections else document.text,  # sections already hold a proposal's text
        "profile": document.profile,  # an organization's type, topics, websites, handles, zip
    }
    heading = "\n".join([document.title, document.organization, document.summary])
    fields = {
        "id": document.id,
        "kind": document.kind,
        "title": document.title,
        "organization": document.organization,
        "summary": document.summary,
        "heading": heading,
        "body": document.text,


        "region": ",".join(document.regions),
        "metric": ",".join(document.metrics),
        "goal": document.goal,
        "url": document.url,
        "words": spelling_words(heading, document.text).encode("utf-8"),
        "payload": json.dumps(payload, ensure_ascii=False),
    }
    if document.year is not None:
        fields["year"] = document.year
    return fields
