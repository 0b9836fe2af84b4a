"""Every facet, declared once: its name, label, how a user's spelling becomes its value,
and how it is ordered and who carries it.

The columns (index_store), the query syntax (`region:sfv`), URL filters (`region=sfv`),
facet lists, chips, the matrix's axes, type-ahead and the OpenAPI document all read this
registry, so a new facet is one entry here plus where its values come from
(`index_store.columns.Columns.load`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .goals import match_goal
from .metrics import match_metric
from .org_types import normalize_org_type
from .outcomes import match_outcome
from .regions import fold as fold_place, match_region
from .values import KINDS, NOT_STATED, OUTSIDE_LA_COUNTY

__all__ = ["CHRONOLOGICAL", "FACETS", "FACET_LABELS", "Facet", "PROPOSALS_ONLY", "REGISTRY", "canonical_value"]


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter, the query field and the JSON key
    label: str  # as pages name it
    canonical: Callable[[str], str | None]  # a user's spelling -> the value, None when none is meant
    chronological: bool = False  # listed newest first and drawn in time order, not by count
    proposals_only: bool = False  # only proposals state it: a filter leaves the other kinds out


def _kind(value: str) -> str | None:
    return value.lower() if value.lower() in KINDS else None


def _home_region(value: str) -> str | None:
    """A region, or one of the two values that are none of them."""
    special = {fold_place(v): v for v in (OUTSIDE_LA_COUNTY, NOT_STATED)}
    return special.get(fold_place(value)) or match_region(value)


def _topic(value: str) -> str | None:
    """Topics come from the archive's own data: folded against each generation's values."""
    return " ".join(value.split()) or None


def _year(value: str) -> str | None:
    return value.strip() if value.strip().isdigit() else None  # spans and ranges: engine/query.py


REGISTRY = (
    Facet("region", "Region", match_region, proposals_only=True),
    Facet("metric", "Metric", match_metric, proposals_only=True),
    Facet("goal", "Goal", match_goal),
    Facet("year", "Year", _year, chronological=True),
    Facet("kind", "Kind", _kind),
    Facet("outcome", "Outcome", match_outcome),
    Facet("topic", "Topic", _topic),
    Facet("org_type", "Organization type", lambda value: normalize_org_type(value) or None),
    Facet("home_region", "Based in", _home_region),  # organizations: the region of their zip code
)
FACETS = tuple(facet.name for facet in REGISTRY)
FACET_LABELS = {facet.name: facet.label for facet in REGISTRY}
CHRONOLOGICAL = frozenset(facet.name for facet in REGISTRY if facet.chronological)
PROPOSALS_ONLY = tuple(facet.name for facet in REGISTRY if facet.proposals_only)
_BY_NAME = {facet.name: facet for facet in REGISTRY}


def canonical_value(name: str, value: str) -> str | None:
    """The value of facet `name` that `value` stands for (region sfv: San Fernando Valley), or None."""
    facet = _BY_NAME.get(name)
    return facet.canonical(value) if facet else None

