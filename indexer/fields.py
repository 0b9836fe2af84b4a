"""The mapping from a `Document` to the fields of the index format (index_format/schema.py)."""

from __future__ import annotations

import json
import re
from itertools import chain, filterfalse

from index_format.analysis import ACCENT_FOLDING, words_of

from .documents import Document

__all__ = ["document_fields", "spelling_words", "vector_text"]

_WORD = re.compile(r"[^\W_]{2,30}")


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
    words = dict.fromkeys(_WORD.findall(distinct if distinct.isascii() else distinct.translate(ACCENT_FOLDING)))
    return " ".join(filterfalse(str.isdigit, words))


def vector_text(document: Document) -> str:
    """What a document's vector embeds: its title, summary and the applicant's own words.

    A proposal's form questions are left out (every proposal of a year asks the same ones,
    so they pull all vectors together), and so is the organization's name. Measured on the
    judged needs, dense ranking alone (bench: `python -m bench.run`): this text 0.637 on
    keyword needs and 0.446 on everyday ones; with the questions 0.637 / 0.444; the
    heading three times (more weight to title and summary) 0.651 / 0.394; the heading
    alone 0.558 / 0.261.
    """
    body = "\n".join(section.answer for section in document.sections) if document.sections else document.text
    return "\n".join(part for part in (document.title, document.summary, body) if part)


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
    fields: dict[str, object] = {
        "id": document.id,
        "kind": document.kind,
        "title": document.title,
        "organization": document.organization,
        "summary": document.summary,
        "heading": heading,
        "body": document.text,
        "choices": document.choices,


        "region": ",".join(document.regions),
        "metric": ",".join(document.metrics),
        "goal": document.goal,
        "url": document.url,
        "words": spelling_words(heading, document.text).encode("utf-8"),
        "payload": json.dumps(payload, ensure_ascii=False),
    }
    if document.year is not None:
        fields["year"] = document.year
    if document.regions_inferred:
        fields["regions_inferred"] = True
    return fields
