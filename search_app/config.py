"""Every setting in one place: name, default and help; read from SEARCH_* variables."""

from __future__ import annotations

from dataclasses import dataclass

from .engine import FEW_RESULTS


@dataclass(frozen=True)
class Setting:
    """One configuration key with its default and what it is for."""

    name: str
    default: object
    help: str


SETTINGS = (
    Setting("INDEX_DIR", "./var/index", "Index directory holding the generations (env SEARCH_INDEX_DIR)."),
    Setting("RESULTS_PER_PAGE", 10, "Results per page when the request does not say."),
    Setting("MAX_PER_PAGE", 100, "Largest per_page a request may ask for."),
    Setting("PER_PAGE_CHOICES", [10, 20, 50], "Page sizes offered on the search page."),
    Setting("MAX_QUERY_LENGTH", 500, "Longest query accepted, in characters."),
    Setting("FACET_SIZE", 8, "Facet values shown before 'show more'."),
    Setting("FACET_LIMIT", 200, "Most values returned for one facet."),
    Setting("SNIPPET_FRAGMENTS", 2, "Fragments per result snippet."),
    Setting("SNIPPET_CHARS", 300, "Longest snippet, in characters."),
    Setting("SIMILAR_COUNT", 5, "'Similar proposals' shown on a document page."),
    Setting("FEW_RESULTS", FEW_RESULTS, "Below this many hits, typo-tolerant matching is tried."),
    Setting("MATRIX_LIMIT", 15, "Values per matrix axis shown before 'show all'."),
    Setting("PARTNERS_COUNT", 10, "Organizations listed under 'Who else works on this'."),
    # A description travels in the URL (GET): 2,000 characters stay under gunicorn's
    # 8,190-byte request line even percent-encoded, and are a few paragraphs.
    Setting("MAX_DESCRIPTION_LENGTH", 2000, "Longest 'describe your work' text, in characters."),
)


def default_config() -> dict:
    """The defaults as a mapping for `app.config.from_mapping`."""
    return {setting.name: setting.default for setting in SETTINGS}
