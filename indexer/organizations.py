"""Turn one organization file of the archive (`_organizations/<slug>.md`) into a `Document`.

An organization's front matter has no `project_id` of its own but lists its proposals
(`project_ids`, `project_titles`) and challenge pages (`challenge_url`, `year_submitted`)
as parallel-ish lists, not always of equal length. They go into `facts` for linking
(indexer/linking.py); the fields a page shows go into `profile`.
"""

from __future__ import annotations

import re

from vocabulary.org_types import normalize_org_type

from .documents import Document, Retracted, SkipDocument
from .locations import ZipProblem, zip_location
from .textutil import html_to_text, safe_url

__all__ = ["is_organization", "read_organization"]

ORGANIZATION_MARKERS = ("project_ids", "org_type", "org_summary")  # and no project_id of its own
SOCIAL_KEYS = ("twitter", "instagram", "facebook")
_BARE_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?:[/?#]\S*)?$", re.IGNORECASE)  # no scheme


def is_organization(front: dict) -> bool:
    """Whether front matter describes an organization rather than one of its proposals."""
    return "project_id" not in front and any(key in front for key in ORGANIZATION_MARKERS)


def read_organization(front: dict, *, doc_id: str, path: str) -> Document:
    """Build an organization document from parsed front matter.

    :raises SkipDocument: for unpublished organizations and ones without a name.
    """
    if front.get("published") is False:
        raise Retracted("unpublished (published: false)")
    name = _text(front.get("title")) or _text(front.get("organization_name"))
    if not name:
        raise SkipDocument("organization has no name (title)")
    problems: list[str] = []
    years = sorted({year for year in map(_year, _list(front.get("year_submitted"))) if year}, reverse=True)
    websites = []
    for written in _list(front.get("organization_website")):
        if url := _website(written):
            websites.append(url)
        else:
            problems.append(f"website {written[:80]!r} is not a web address; left out")
    topics = [" ".join(tag.split()) for tag in _list(front.get("tags_indicators")) if tag.strip()]
    try:
        location = zip_location(front.get("zip"))
    except ZipProblem as problem:
        location = None
        problems.append(str(problem))
    org_type = normalize_org_type(front.get("org_type"))
    profile = {
        "org_type": org_type,
        "topics": topics,
        "websites": websites,
        "social": {key: handles for key in SOCIAL_KEYS if (handles := _handles(front.get(key)))},
        "charity_navigator_url": safe_url(_text(front.get("charity_navigator_url"))),
        "ein": _text(front.get("ein")),
        "zip": _text(front.get("zip")),
        "location": location,
        "years": years,
    }
    project_titles = [title for title in _list(front.get("project_titles")) if title.strip()]
    summary = html_to_text(_text(front.get("org_summary")))
    return Document(
        id=doc_id,
        kind="organization",
        path=path,
        title=name,
        organization=name,
        year=years[0] if years else None,
        summary=summary,
        # Searchable beside the summary: what they proposed and what they work on.
        text="\n\n".join(part for part in ("; ".join(project_titles), "; ".join(topics), org_type) if part),
        url=websites[0] if websites else "",
        profile=profile,
        facts={
            "organization_id": _text(front.get("organization_id")),
            "name": name,
            "project_ids": _list(front.get("project_ids")),
            "project_titles": project_titles,
            "challenge_urls": _list(front.get("challenge_url")),
            "years": [_year(value) for value in _list(front.get("year_submitted"))],
            "topics": topics,
            "org_type": profile["org_type"],
            "location": location,
            "ein": profile["ein"],  # with `websites`, how linking tells one organization's files (org_identity.py)
            "websites": websites,
            "problems": problems,
        },
    )


def _website(text: str) -> str:
    """An http(s) link for a website as written: 4 in 10 organizations give a bare domain
    ("www.826LA.org", "24Connect.net"), which becomes https://…; other schemes are dropped."""
    text = text.strip()
    if _BARE_DOMAIN.match(text):
        text = "https://" + text
    return safe_url(text)


def _handles(value) -> list[str]:
    """An organization's handles on one network: one, or a list (one file in ten that gives
    any, e.g. a fiscal sponsor's beside its own). Links become https links as websites do."""
    return [_handle(handle) for handle in _list(value)]


def _handle(text: str) -> str:
    """A web address as an https link (facebook.com/X), anything else (@name) as written."""
    looks_like_address = "." in text and not text.startswith("@")
    return (_website(text) or text) if looks_like_address else text


def _text(value) -> str:
    if value is None or isinstance(value, (list, dict)):
        return ""
    return str(value).strip()


def _list(value) -> list[str]:
    """A scalar or list field as a list of non-empty strings (the archive uses both)."""
    items = value if isinstance(value, list) else [value]
    return [text for text in map(_text, items) if text]


def _year(value) -> int | None:
    text = _text(value)
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2100 else None
