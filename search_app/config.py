"""Every setting in one place: name, default and help; read from SEARCH_* variables and
checked once, when the app is built, so a wrong value stops `serve` instead of failing requests."""

from __future__ import annotations

from dataclasses import dataclass

from engine import FEW_RESULTS




class InvalidSetting(ValueError):
    """A setting has a value of the wrong type or range; the message names it."""


@dataclass(frozen=True)
class Setting:
    """One configuration key with its default and what it is for."""

    name: str
    default: object
    help: str
    minimum: int = 1  # for whole numbers


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
    Setting("SIMILAR_COUNT", 5, "'Similar proposals' shown on a document page.", minimum=0),
    Setting("FEW_RESULTS", FEW_RESULTS, "Below this many hits, typo-tolerant matching is tried.", minimum=0),
    Setting("MATRIX_LIMIT", 15, "Values per matrix axis shown before 'show all'."),
    Setting("PARTNERS_COUNT", 10, "Organizations listed under 'Who else works on this'.", minimum=0),
    # A description travels in the URL (GET): 2,000 characters stay under gunicorn's
    # 8,190-byte request line even percent-encoded, and are a few paragraphs.
    Setting("MAX_DESCRIPTION_LENGTH", 2000, "Longest 'describe your work' text, in characters.", minimum=1),
    Setting("REQUEST_BUDGET_MS", 500, "CPU milliseconds of search work one request may use; past it the answer is a 400 saying what to narrow."),
    Setting("MAX_PREFIX_TERMS", 200, "Most indexed words one prefix (co*) expands to; the most frequent are kept."),
    Setting("CACHE_BYTES", 64 * 1024**2, "Bytes each worker's per-generation cache may hold (measured, not estimated)."),
    Setting("BASE_URL", "", "Absolute URL the site is served under (https://search.example.org), for absolute links; "
            "empty: links are relative. The request's Host header is never used."),
)


def default_config() -> dict:
    """The defaults as a mapping for `app.config.from_mapping`."""
    return {setting.name: setting.default for setting in SETTINGS}


def validate_config(config) -> None:
    """Check every setting's type against its default's (whole numbers, texts, lists of numbers).

    :raises InvalidSetting: naming the setting (as its SEARCH_ variable) and the value.
    """
    for setting in SETTINGS:
        value = config.get(setting.name)
        where = f"SEARCH_{setting.name}"
        if isinstance(setting.default, bool) or not isinstance(setting.default, (int, str, list)):
            continue
        if isinstance(setting.default, int):
            if not isinstance(value, int) or isinstance(value, bool):
                raise InvalidSetting(f"{where} must be a whole number, not {value!r}")
            if value < setting.minimum:
                raise InvalidSetting(f"{where} must be at least {setting.minimum}, not {value!r}")
        elif isinstance(setting.default, str):
            if not isinstance(value, str):
                raise InvalidSetting(f"{where} must be a text, not {value!r}")
        elif not (isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)):
            raise InvalidSetting(f"{where} must be a list of whole numbers such as [10, 20, 50], not {value!r}")
    if config["RESULTS_PER_PAGE"] > config["MAX_PER_PAGE"]:
        raise InvalidSetting(
            f"SEARCH_RESULTS_PER_PAGE ({config['RESULTS_PER_PAGE']}) must not exceed SEARCH_MAX_PER_PAGE ({config['MAX_PER_PAGE']})"
        )
    base = config["BASE_URL"]
    if base and not (base.startswith(("http://", "https://")) and "?" not in base and "#" not in base):
        raise InvalidSetting(f"SEARCH_BASE_URL must be an http(s) URL without query or fragment, not {base!r}")
