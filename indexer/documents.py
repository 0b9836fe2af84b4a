"""The one shape every reader produces: a normalised document, or a reason to skip a file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from index_format.visible_text import remove_invisible_controls


class SkipDocument(Exception):
    """A file cannot be indexed; the message says why, in words a user can act on."""


class Retracted(SkipDocument):
    """A readable file that says it is no longer a document (unpublished, or emptied).

    Unlike a broken file, which keeps the version indexed before, a retracted file's
    document leaves the index: what the index holds is what the files say.
    """


@dataclass
class Section:
    """One question of a proposal form with its answer, kept together for display."""

    question: str
    answer: str


@dataclass
class Document:
    """A proposal, organization, article or archive data file, with clean facet values
    and its searchable text."""

    id: str
    kind: str  # "proposal" | "organization" | "article" | "data" (linked, never written)
    path: str
    title: str
    organization: str = ""
    year: int | None = None
    goal: str = ""  # learn | create | play | connect | live, or "" for articles
    regions: list[str] = field(default_factory=list)  # canonical names, see vocabulary/regions.py
    regions_inferred: bool = False  # regions read from the proposal's prose, not answered
    metrics: list[str] = field(default_factory=list)  # canonical names, see vocabulary/metrics.py
    summary: str = ""
    sections: list[Section] = field(default_factory=list)
    text: str = ""  # all searchable body text (answers, or an article's main text)
    # Answers ticked from the form's lists (metrics, regions, resources, the stage): they
    # never make a document match, and only add to the rank of one whose own words do.
    choices: str = ""
    url: str = ""  # the original page or challenge link (http/https only)
    author: str = ""
    site: str = ""
    date: str = ""  # ISO date when known
    # As written in the file: `parse --json` shows them beside the folded values, and the
    # answers that hold them stay searchable through `text`.
    raw_places: list[str] = field(default_factory=list)
    raw_metrics: list[str] = field(default_factory=list)
    # What linking needs from this file (ids, challenge URLs, outcome entries, topic
    # hierarchy): small, kept in the manifest, so links are recomputed from every file of
    # the index on each run without parsing unchanged files again (indexer/linking.py).
    facts: dict = field(default_factory=dict)
    # An organization's own fields for display: type, topics, websites, handles, EIN, zip.
    profile: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The `parse --json` shape (plus extra keys clients may ignore)."""
        data = asdict(self)
        return data


def without_invisible_controls(document: Document) -> Document:
    """The document with control and bidi-override characters removed from every text it holds."""
    changes = {}
    for spec in fields(document):
        value = getattr(document, spec.name)
        cleaned = _cleaned(value)
        if cleaned is not value and cleaned != value:
            changes[spec.name] = cleaned
    return replace(document, **changes) if changes else document


def _cleaned(value):
    """`value` with its strings cleaned; the same object when nothing changed."""
    if isinstance(value, str):
        return remove_invisible_controls(value)
    if isinstance(value, Section):
        cleaned = Section(_cleaned(value.question), _cleaned(value.answer))
    elif isinstance(value, (list, tuple)):
        cleaned = type(value)(_cleaned(item) for item in value)
    elif isinstance(value, dict):
        cleaned = {_cleaned(key): _cleaned(item) for key, item in value.items()}
    else:
        return value
    return value if cleaned == value else cleaned
