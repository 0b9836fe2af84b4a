"""Read the archive's `_data/*.yaml` files: outcome lists and the topic hierarchy.

A data file is recognised by its shape, not its name:
- a mapping of topic -> list of sub-topics is the topic hierarchy (tags.yaml);
- a list of entries (mappings with title/url/year, or bare strings: an organization's
  path `/slug/` or a URL) is an outcome list; which outcome comes from words in the
  file name (winners, finalists, honorable mentions, featured), the only place it is
  said. Bare strings carry no year: it is read from the comment heading above them
  (`### 2018 ###`) or from a year in the URL (`.../2019/learn/...`).
The file becomes a `data` document that is never written to the index; its `facts`
feed the linking step (indexer/linking.py).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from vocabulary.outcomes import match_outcome

from .documents import Document, SkipDocument
from .frontmatter import load_yaml

__all__ = ["read_data_file"]

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_GOAL_HEADING = re.compile(r"^#+\s*(learn|create|play|connect|live)\b", re.IGNORECASE)
_SCALAR_ITEM = re.compile(r"^-\s+(?![\"']?[\w ]+[\"']?\s*:\s)(\S.*?)\s*$")  # `- value`, not `- key: value`


def read_data_file(text: str, *, doc_id: str, path: str) -> Document:
    """Parse one data file into a `data` document whose facts are outcomes or topics.

    :raises SkipDocument: when the YAML is broken or its shape is neither kind.
    """
    data = load_yaml(text)  # the same guarded YAML loading as front matter
    name = PurePosixPath(path).name
    if isinstance(data, dict) and data and all(_is_topic_list(children) for children in data.values()):
        topics = {_clean(parent): [_clean(child) for child in children or [] if _clean(child)] for parent, children in data.items()}
        return _data_document(doc_id, path, name, {"topics": topics})
    if isinstance(data, list):
        outcome = match_outcome(name)
        if outcome is None:
            raise SkipDocument("a list, but its file name names no outcome (winners, finalists, honorable mentions, featured)")
        return _data_document(doc_id, path, name, {"outcome": outcome, "entries": _entries(data, text)})
    raise SkipDocument("not an archive data file (neither an outcome list nor a topic hierarchy)")


def _data_document(doc_id: str, path: str, name: str, facts: dict) -> Document:
    return Document(id=doc_id, kind="data", path=path, title=name, facts={"file": name, **facts})


def _is_topic_list(children) -> bool:
    return children is None or (isinstance(children, list) and all(isinstance(child, str) for child in children))


def _clean(value) -> str:
    return " ".join(str(value or "").split())


def _entries(items: list, text: str) -> list[dict]:
    """One dict per list item: title, url, slug, year, goal (each "" or None when unknown)."""
    headings = _scalar_headings(text)
    scalars = iter(headings if len(headings) == sum(isinstance(item, str) for item in items) else [])
    entries: list[dict] = []
    for item in items:
        if isinstance(item, dict):
            title, url = _clean(item.get("title")), _clean(item.get("url"))
            year, goal = _as_year(item.get("year")), ""
        elif isinstance(item, str):
            title, url = "", _clean(item)
            year, goal = next(scalars, (None, ""))
        else:
            entries.append({"title": "", "url": "", "slug": "", "year": None, "goal": "", "broken": repr(item)[:80]})
            continue
        entries.append(
            {
                "title": title,
                "url": url if "//" in url else "",
                "slug": _slug(url),
                "year": year or _url_year(url),
                "goal": goal,
            }
        )
    return entries


def _scalar_headings(text: str) -> list[tuple[int | None, str]]:
    """(year, goal) of the comment headings above each bare-string item, in order."""
    year, goal, found = None, "", []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            if match := _YEAR.search(stripped):
                year, goal = int(match.group(1)), ""
            if match := _GOAL_HEADING.match(stripped):
                goal = match.group(1).lower()
        elif _SCALAR_ITEM.match(stripped) and not line.startswith(" "):
            found.append((year, goal))
    return found


def _as_year(value) -> int | None:
    match = _YEAR.search(str(value or ""))
    return int(match.group(1)) if match else None


def _url_year(url: str) -> int | None:
    return _as_year(urlsplit(url).path) if url else None


def _slug(value: str) -> str:
    """The organization slug an entry names: `/slug/`, or an archive page `.../slug/`."""
    parts = [part for part in urlsplit(value).path.split("/") if part]
    if not parts:
        return ""
    if "//" not in value or urlsplit(value).netloc.startswith("archive."):
        return parts[-1] if len(parts) == 1 else ""
    return ""
