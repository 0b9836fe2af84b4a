"""Fold the archive's many spellings of "where the work happens" into a few canonical regions.

Proposals answered the region question from a pick list that changed case and wording
between years ("SFV", "San Fernando Valley", "County of Los Angeles (please select only if
...)", "Other:: Inglewood"), and some answered in free text that names neighbourhoods and
cities. One table, data/regions.yaml, maps every known phrase to a region; a value may name
several places and so several regions. Generic names ("Los Angeles") count only when
nothing more specific is named, and a value that names no known place becomes "Other", so
a proposal with any answer always has at least one region.

A proposal that did not answer (all of 2013) is placed from its own prose instead
(`regions_named_in`): the same table and fold, without the names that prose uses in
passing (the table's `prose` section).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .fold import fold
from .tables import cache_short_text, load_table
from .values import NOT_STATED

__all__ = ["CANONICAL_REGIONS", "OTHER", "match_region", "normalize_regions", "place_region", "regions_named_in"]

DATA_FILE = Path(__file__).parent / "data" / "regions.yaml"
OTHER = "Other"

# The pick list's instructions, e.g. "(please select only if your project has a countywide
# benefit)": they would otherwise read as a mention of "countywide".
_INSTRUCTION = re.compile(r"\(\s*please\b[^)]*\)?", re.IGNORECASE)
# "Other:: Inglewood" and "Other: Inglewood" are the pick list's free-text escape hatch.
_OTHER_PREFIX = re.compile(r"^\s*other\s*:+", re.IGNORECASE)


@dataclass(frozen=True)
class _Table:
    """The loaded region table, with its phrase patterns compiled once."""

    canonical: tuple[str, ...]
    regions_by_phrase: dict[str, tuple[str, ...]]  # specific places, and combined phrases
    fallback_by_phrase: dict[str, tuple[str, ...]]  # generic names, used only as a last resort
    specific: re.Pattern[str]
    generic: re.Pattern[str]
    regions_in_prose: dict[str, tuple[str, ...]]  # what a phrase means in running text; () nothing
    prose: re.Pattern[str]
    prose_range: re.Pattern[str]  # "from Antelope Valley to the South Bay": the whole county


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """One alternation over all phrases, longest first, so the most specific name wins."""
    ordered = sorted(set(phrases), key=lambda phrase: (-len(phrase), phrase))
    return re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b")


def _range_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """ "from <place> to <place>", the way prose says "everywhere", not "there"."""
    place = _phrase_pattern(phrases).pattern
    return re.compile(rf"\bfrom (?:the )?{place} to (?:the )?{place}")


def _index(section: dict[str, list[str]], canonical: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Invert `region: [phrases]` into `phrase: (region,)`, checking the region names."""
    by_phrase: dict[str, tuple[str, ...]] = {}
    for region, phrases in section.items():
        if region not in canonical:
            raise ValueError(f"{DATA_FILE.name}: unknown region {region!r}")
        for phrase in phrases:
            by_phrase[fold(str(phrase))] = (region,)
    return by_phrase


@lru_cache(maxsize=1)
def _table() -> _Table:
    """Load and compile data/regions.yaml (once per process)."""
    data = load_table(DATA_FILE)
    canonical = tuple(data["canonical"])
    specific = _index(data["places"], canonical)
    for phrase, regions in data.get("combined", {}).items():
        if not set(regions) <= set(canonical):
            raise ValueError(f"{DATA_FILE.name}: unknown region in {regions!r}")
        specific[fold(phrase)] = tuple(regions)
    for region in canonical:
        if region != OTHER:  # "other" in prose is not a place
            specific.setdefault(fold(region), (region,))
    fallback = _index(data.get("fallback", {}), canonical)
    prose = data.get("prose", {})
    not_inferred = set(prose.get("regions_not_inferred", ())) | {OTHER}
    if not not_inferred <= set(canonical):
        raise ValueError(f"{DATA_FILE.name}: unknown region in prose.regions_not_inferred")
    in_prose = {p: tuple(r for r in regions if r not in not_inferred) for p, regions in specific.items()}
    in_prose.update(dict.fromkeys((fold(str(phrase)) for phrase in prose.get("not_places", ())), ()))
    return _Table(
        canonical=canonical,
        regions_by_phrase=specific,
        fallback_by_phrase=fallback,
        specific=_phrase_pattern(specific),
        generic=_phrase_pattern(fallback),
        regions_in_prose=in_prose,
        prose=re.compile(r"(?<!\d )" + _phrase_pattern(in_prose).pattern),  # not "1,000 watts"
        prose_range=_range_pattern([*specific, *fallback]),
    )


CANONICAL_REGIONS: tuple[str, ...] = _table().canonical


@cache_short_text
def _regions_in(value: str) -> tuple[str, ...]:
    """All regions one raw value names, in the order they are mentioned; () if none."""
    if not value.strip():
        return ()
    table = _table()
    text = fold(_OTHER_PREFIX.sub(" ", _INSTRUCTION.sub(" ", value)))
    found = [r for m in table.specific.finditer(text) for r in table.regions_by_phrase[m.group()]]
    if not found:
        found = [r for m in table.generic.finditer(text) for r in table.fallback_by_phrase[m.group()]]
    return tuple(found) or (OTHER,)


def normalize_regions(values: Iterable[str]) -> list[str]:
    """Map raw region answers to canonical regions, de-duplicated in first-seen order.

    :param values: the answers as written, one pick-list choice or free-text answer each.
    :returns: canonical region names; at least ``["Other"]`` when any value is non-empty,
        with "Other" for each value that names no known place.
    """
    regions: list[str] = []
    for value in values:
        if value is None:
            continue
        for region in _regions_in(str(value)):
            if region not in regions:
                regions.append(region)
    return regions


def regions_named_in(texts: Iterable[str]) -> list[str]:
    """The regions of the places some prose names, in the order first named.

    For a proposal that never answered the region question: "a garden in Watts" is South
    LA. Generic names ("Los Angeles"), the city and the county, and names that are also
    common words or institutions ("bell", "UCLA") are not read as places here, nor the ends
    of a span ("from Lancaster to Long Beach"); see the `prose` section of
    data/regions.yaml. Nothing named gives [], never "Other".

    :param texts: the proposal's own words (title, summary, answers about the project).
    """
    table = _table()
    regions: list[str] = []
    for text in texts:
        for match in table.prose.finditer(table.prose_range.sub(" ", fold(text or ""))):
            for region in table.regions_in_prose[match.group()]:
                if region not in regions:
                    regions.append(region)
    return regions


def match_region(text: str) -> str | None:
    """Resolve a user's region filter (``sfv``, ``"south la"``, ``watts``) to one region.

    :param text: the filter value as typed.
    :returns: the canonical region, or None when the text names no region or several.
    """
    table = _table()
    key = fold(_OTHER_PREFIX.sub(" ", text))
    if not key:
        return None
    if key in (fold(OTHER), fold(NOT_STATED)):
        return OTHER if key == fold(OTHER) else NOT_STATED
    exact = table.regions_by_phrase.get(key) or table.fallback_by_phrase.get(key)
    if exact and len(exact) == 1:
        return exact[0]
    starts = {region for region in table.canonical if fold(region).startswith(key)}
    if len(starts) == 1:
        return starts.pop()
    named = set(_regions_in(text)) - {OTHER}
    return named.pop() if len(named) == 1 else None


def place_region(phrase: str) -> str | None:
    """The one region a place name means exactly ("the valley", "boyle heights", "sfv"), or
    None: a generic name ("los angeles", "la") or a phrase the table does not hold.

    For places named inside a search ("summer jobs in the Valley"): only whole table
    entries count, never a word that merely occurs in one.
    """
    regions = _table().regions_by_phrase.get(fold(phrase))
    return regions[0] if regions and len(regions) == 1 else None
