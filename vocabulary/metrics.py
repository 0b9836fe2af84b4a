"""Fold the archive's spellings of LA2050 metrics into one canonical name per metric.

The forms listed the same metric under different wordings from year to year ("Obesity
rates" / "Obesity", "Gini coefficient" / "Income inequality"), added "(Dream Metric)" and
explanatory parentheses, used curly quotes and zero-width spaces, and an old import split
some names on their commas ("Arts establishments", "instillations", "and exhibitions").
One table, data/metrics.yaml, lists each canonical metric with the spellings seen; values
are folded before lookup so trivial differences need no entry. Anything the table does not
know (free-text answers) becomes "Other": the raw text stays searchable elsewhere, but a
facet of one-off sentences would help nobody.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .values import NOT_STATED
from .fold import fold
from .tables import cache_short_text, load_table

__all__ = ["CANONICAL_METRICS", "OTHER", "is_dream_metric", "match_metric", "normalize_metrics"]

DATA_FILE = Path(__file__).parent / "data" / "metrics.yaml"
OTHER = "Other"
MAX_FRAGMENTS = 6  # most pieces one comma-split metric name was seen broken into, with room

_DREAM = re.compile(r"\bdream\s+metric\b", re.IGNORECASE)
# Explanatory parentheses, closed or cut off at the end of the value.
_PARENTHESES = re.compile(r"\([^()]*(?:\)|$)")
_FILLER_WORDS = frozenset({"the"})  # "Employment in (the) creative industries"
# A piece of a name split on its commas reads as a continuation: ", and exhibitions".
_CONTINUATION = re.compile(r"^\s*(?:(?:and|or)\s|[a-z])")
# Separators of a list typed into one answer; parentheses are folded away before lookup.
_LIST_SEPARATOR = re.compile(r"[;,](?![^(]*\))")


@dataclass(frozen=True)
class _Table:
    """The loaded metric table: canonical names and every folded spelling."""

    canonical: tuple[str, ...]  # table order, "Other" last
    metric_by_key: dict[str, str]


def metric_key(text: str) -> str:
    """A metric name's lookup key: folded (vocabulary/fold.py) without the "(Dream Metric)"
    marker, parenthesised asides and filler words."""
    text = _DREAM.sub(" ", text)
    for _ in range(2):  # twice, for one level of nesting
        text = _PARENTHESES.sub(" ", text)
    return " ".join(word for word in fold(text).split() if word not in _FILLER_WORDS)


@lru_cache(maxsize=1)
def _table() -> _Table:
    """Load data/metrics.yaml once, refusing a spelling claimed by two metrics."""
    data = load_table(DATA_FILE)
    metric_by_key: dict[str, str] = {}
    for metric, spellings in data["metrics"].items():
        for spelling in [metric, *(spellings or [])]:
            key = metric_key(str(spelling))
            if metric_by_key.setdefault(key, metric) != metric:
                raise ValueError(f"{DATA_FILE.name}: {spelling!r} is listed under two metrics")
    return _Table(canonical=(*data["metrics"], OTHER), metric_by_key=metric_by_key)


CANONICAL_METRICS: tuple[str, ...] = _table().canonical


def is_dream_metric(value: str) -> bool:
    """Whether a raw value carries the "(Dream Metric)" marker of the 2014-2015 forms.

    :param value: a metric as written in a proposal.
    :returns: True for e.g. "Residential segregation (Dream Metric)".
    """
    return bool(_DREAM.search(value or ""))


@cache_short_text
def _lookup(value: str) -> str | None:
    """The canonical metric for one raw value, or None when the table does not know it."""
    return _table().metric_by_key.get(metric_key(value))


def _rejoined(values: Sequence[str], start: int) -> tuple[str | None, int]:
    """Read the metric at `start`, gluing on following comma-split pieces when that helps.

    :returns: the canonical metric (None if unknown) and how many values it used.
    """
    end = start + 1
    while end < len(values) and end - start < MAX_FRAGMENTS and _CONTINUATION.match(values[end]):
        end += 1
    for stop in range(end, start + 1, -1):  # longest join first
        metric = _lookup(", ".join(values[start:stop]))
        if metric:
            return metric, stop - start
    return _lookup(values[start]), 1


def normalize_metrics(values: Iterable[str]) -> list[str]:
    """Map raw metric answers to canonical metrics, de-duplicated in first-seen order.

    :param values: the metrics as written, in their original order (order matters: a name
        split on its commas is rejoined from consecutive values).
    :returns: canonical names from CANONICAL_METRICS; "Other" once for any unknown values.
        A value that lists several known metrics ("Obesity; Homelessness") yields each.
    """
    texts = [str(value).strip() for value in values if value is not None and str(value).strip()]
    metrics: list[str] = []
    index = 0
    while index < len(texts):
        metric, used = _rejoined(texts, index)
        found = [metric] if metric else _listed(texts[index]) if used == 1 else []
        index += used
        for metric in found or [OTHER]:
            if metric not in metrics:
                metrics.append(metric)
    return metrics


def _listed(value: str) -> list[str]:
    """Metrics in one value that lists several ("Obesity; Homelessness"), if it names any.

    :returns: the known metrics, plus "Other" for unknown pieces; [] when none is known.
    """
    pieces = [piece.strip() for piece in _LIST_SEPARATOR.split(value) if piece.strip()]
    if len(pieces) < 2:
        return []
    found: list[str] = []
    index = 0
    while index < len(pieces):
        metric, used = _rejoined(pieces, index)
        found.append(metric or OTHER)
        index += used
    return found if any(metric != OTHER for metric in found) else []


def match_metric(text: str) -> str | None:
    """Resolve a user's metric filter (``obesity``, ``"gini coefficient"``) to one metric.

    Exact spellings win; otherwise the text may start, or start a word of, the spellings of
    exactly one metric.

    :param text: the filter value as typed.
    :returns: the canonical metric, or None when nothing or several metrics match.
    """
    key = metric_key(text or "")
    if not key:
        return None
    if key in (metric_key(OTHER), metric_key(NOT_STATED)):
        return OTHER if key == metric_key(OTHER) else NOT_STATED
    table = _table()
    if key in table.metric_by_key:
        return table.metric_by_key[key]
    for pattern in (re.compile("^" + re.escape(key)), re.compile(r"\b" + re.escape(key))):
        found = {metric for spelling, metric in table.metric_by_key.items() if pattern.search(spelling)}
        if len(found) == 1:
            return found.pop()
        if found:
            return None
    return None
