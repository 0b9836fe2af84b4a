"""The Whoosh schema, declared once: the index format both the writer (index_store/) and the
indexer (indexer/, which maps a `Document` to these fields in indexer/fields.py) take."""

from __future__ import annotations

from .analysis import FoldStemAnalyzer
from .postings_format import PackedPositions
from .whoosh_compat import columns as wc
from .whoosh_compat import fields as wf



def search_analyzer():
    """Words, lower-cased, accents folded (Nino finds Niño), stop words dropped, stemmed."""
    return FoldStemAnalyzer()


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
        # Form choices (metrics, regions, resources ticked from lists): never searched by
        # plain words, only a ranking signal for documents whose own words match.
        choices=_text(text),


        region=wf.KEYWORD(stored=True, commas=True, scorable=False),  # canonical values, facet
        regions_inferred=wf.STORED(),  # True: `region` was read from a proposal's prose, not answered
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
TEXT_FIELDS = ("heading", "body", "title", "organization", "choices")  # every analysed text field
