"""Turn one proposal's front matter into a `Document`, whatever year's form it used.

The archive's question keys change every year, so fields are found by rules on key
patterns and value shapes, never by a list of one year's keys:

- metadata keys are identifiers without spaces (`title`, `project_summary`, ...);
- question keys contain spaces; each non-empty answer becomes a `Section`;
- a question about *areas* or *where* the work happens, answered with a list or a short
  string, holds regions (`project_areas` in 2014 too);
- a question mentioning *metric*, answered with a list or a short string, holds metrics;
- a question asking to elaborate, explain or describe is prose, never a list of choices;
- an answer ticked from the form's fixed lists (a list, or a short answer to a closed
  question: "Which ...", "Does ...", "In what stage ...", "Please describe yourself") is a
  *form choice*: shown with the proposal and counted for its facets (regions, metrics),
  but not searched as the applicant's own words. "Money (financial capital)", "ready to
  hit the ground running" and "LA is the best place to LEARN" made 80-120 proposals match
  "money", "ready" and "learn" that never used them. Lists of collaborating organizations
  are the applicant's words and stay searchable;
- the goal is `category`, or the 2013 `indicator` mapped to a goal (see vocabulary/goals.py);
- a proposal that answers no region question (all of 2013) is placed from the places its
  title, summary and answers about the project name (`regions_inferred`); answers about
  the organization's past and its partners are left out, as they name places the project
  does not work in. One with no region or metric at all has "Not stated" (vocabulary/values.py).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from vocabulary.goals import normalize_goal
from vocabulary.metrics import normalize_metrics
from vocabulary.regions import normalize_regions, regions_named_in
from vocabulary.tables import cache_short_text
from vocabulary.values import NOT_STATED

from .documents import Document, Retracted, Section, SkipDocument
from .textutil import html_to_text, safe_url

PROPOSAL_MARKERS = ("project_id", "year_submitted")  # front matter with these is a proposal
YEAR_RANGE = (1900, 2100)  # plausible submission years; others fall back to the folder's year
SHORT_ANSWER = 200  # characters: a longer string answer is prose, not a list of choices
_REGION_QUESTION = re.compile(
    r"\bareas?\b|\bwhere\b.*\b(work|located|serv|benefit|operat)", re.IGNORECASE
)
_METRIC_QUESTION = re.compile(r"metric", re.IGNORECASE)
# "Please elaborate on how your project will impact the above metrics." asks for prose:
# a short answer to it ("See above.") is not a metric choice.
_PROSE_QUESTION = re.compile(r"^(?:please\s+)?(?:elaborate|explain|describe)\b", re.IGNORECASE)
_ORG_NAME_KEY = re.compile(r"organi[sz]ation[ _]?name", re.IGNORECASE)
# A closed question is answered by picking: which, does, is, will, in what stage ...
_CLOSED_QUESTION = re.compile(
    r"^(?:which|does|do|is|are|will|has|have|in\s+what\s+stage|what\s+stage|please\s+describe\s+yourself)\b",
    re.IGNORECASE,
)
# Lists and short answers naming partners are the applicant's own words, not choices.
_PARTNER_QUESTION = re.compile(r"organi[sz]ation|partner|collaborat", re.IGNORECASE)
_YEAR_DIR = re.compile(r"(?:^|/)((?:19|20)\d\d)(?:/|$)")


class _Question(NamedTuple):
    """What a front-matter key is, decided once per distinct key."""

    text: str  # the key as shown, without zero-width spaces
    is_prose: bool  # asks to elaborate, explain or describe
    is_metadata: bool  # an identifier such as `title`, not a question
    holds_regions: bool
    holds_metrics: bool
    is_closed: bool  # answered by picking from the form's list ("Which ...", "Does ...")
    names_partners: bool  # asks for collaborating organizations: free text even as a list


@cache_short_text
def _question(key: str) -> _Question:
    """Classify a key: the same keys recur in every proposal of a year."""
    text = key.replace("\u200b", "").strip()
    holds_metrics = bool(_METRIC_QUESTION.search(text))
    return _Question(
        text=text,
        is_prose=bool(_PROSE_QUESTION.search(text)),
        is_metadata=" " not in text,
        holds_regions=bool(_REGION_QUESTION.search(text)) and not holds_metrics,
        holds_metrics=holds_metrics,
        is_closed=bool(_CLOSED_QUESTION.search(text)),
        names_partners=bool(_PARTNER_QUESTION.search(text)),
    )


def is_proposal(front: dict) -> bool:
    """Whether front matter belongs to a proposal rather than a blog post."""
    return any(key in front for key in PROPOSAL_MARKERS)


def read_proposal(front: dict, *, doc_id: str, path: str) -> Document:
    """Build a proposal document from parsed front matter.

    :raises SkipDocument: for unpublished proposals and ones without a title.
    """
    if front.get("published") is False:
        raise Retracted("unpublished (published: false)")
    title = _as_text(front.get("title"))
    if not title:
        raise SkipDocument("proposal has no title")
    raw_places: list[str] = []
    raw_metrics: list[str] = []
    sections: list[Section] = []
    own_words: list[str] = []  # the answers that are searched: every one but form choices
    about_project: list[str] = []  # own words about the project, not the organization or partners
    ticked: list[str] = []
    for key, value in front.items():
        question = _question(str(key))
        choices = None if question.is_prose else _as_choices(value)
        if question.text == "project_areas":
            raw_places.extend(choices or [])
            continue
        if question.is_metadata:
            continue  # handled by name below
        if choices is not None and question.holds_regions:
            raw_places.extend(choices)
        elif choices is not None and question.holds_metrics:
            raw_metrics.extend(choices)
        answer = _answer_text(value)
        if answer:
            sections.append(Section(question=question.text, answer=answer))
            chosen = _is_form_choice(question, value)
            (ticked if chosen else own_words).append(answer)
            if not chosen and not question.names_partners:
                about_project.append(answer)
    summary = html_to_text(_as_text(front.get("project_summary")))
    regions = normalize_regions(raw_places)
    inferred = [] if regions else regions_named_in([title, summary, *about_project])
    organization, year, url = _organization(front), _year(front, path), safe_url(_as_text(front.get("challenge_url")))
    return Document(
        id=doc_id,
        kind="proposal",
        path=path,
        title=title,
        organization=organization,
        year=year,
        goal=normalize_goal(_as_text(front.get("category")) or _as_text(front.get("indicator"))),
        regions=regions or inferred or [NOT_STATED],
        regions_inferred=bool(inferred),
        metrics=normalize_metrics(raw_metrics) or [NOT_STATED],
        summary=summary,
        sections=sections,
        text="\n\n".join(own_words),
        choices="\n\n".join(ticked),
        url=url,
        raw_places=raw_places,
        raw_metrics=raw_metrics,
        facts={
            "project_id": _as_text(front.get("project_id")),
            "organization_id": _as_text(front.get("organization_id")),
            "title": title,
            "organization": organization,
            "year": year,
            "challenge_url": _as_text(front.get("challenge_url")),
        },
    )


def _is_form_choice(question: _Question, value) -> bool:
    """Whether an answer was ticked from the form's lists rather than written (see the module
    docstring): a list, or a short answer to a closed question, that names no partners."""
    if question.names_partners:
        return False
    if isinstance(value, list):
        return True
    return question.is_closed and len(_as_text(value)) <= SHORT_ANSWER


def _as_text(value) -> str:
    """A scalar as stripped text; lists and mappings are not scalars."""
    if value is None or isinstance(value, (list, dict)):
        return ""
    return str(value).strip()


def _as_choices(value) -> list[str] | None:
    """The answer as a list of short choices, or None when it is prose."""
    if isinstance(value, list):
        return [text for text in (_as_text(item) for item in value) if text]
    text = _as_text(value)
    if text and len(text) <= SHORT_ANSWER:
        return [text]
    return None


def _answer_text(value) -> str:
    """An answer for display and search: lists joined, HTML reduced to text."""
    if isinstance(value, list):
        return "; ".join(text for text in (_as_text(item) for item in value) if text)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_as_text(v)}" for k, v in value.items() if _as_text(v))
    return html_to_text(_as_text(value))


def _organization(front: dict) -> str:
    for key, value in front.items():
        if _ORG_NAME_KEY.search(str(key)):
            text = _as_text(value)
            if text and len(text) <= SHORT_ANSWER:
                return text
    return ""


def _year(front: dict, path: str) -> int | None:
    try:
        year = int(str(front.get("year_submitted")).strip())
    except (TypeError, ValueError):
        year = None
    # A typo like 20199 must not reach the 32-bit year field, where it fails the whole build.
    if year is not None and YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return year
    match = _YEAR_DIR.search(path)
    return int(match.group(1)) if match else None
