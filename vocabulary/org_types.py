"""Fold an organization's `org_type` to one value per type.

The archive spells some types several ways ("Social enterprise or B-corps" and
"Social enterprise or Bcorps"); data/org_types.yaml names each type once with the
spellings seen. Unknown types are kept as written (trimmed), so nothing is lost.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .fold import fold_key
from .tables import load_table

__all__ = ["normalize_org_type"]

DATA_FILE = Path(__file__).parent / "data" / "org_types.yaml"


@lru_cache(maxsize=1)
def _types_by_key() -> dict[str, str]:
    table = load_table(DATA_FILE)
    by_key = {}
    for name, spellings in table["org_types"].items():
        for spelling in [name, *(spellings or [])]:
            by_key[fold_key(spelling)] = name
    return by_key


def normalize_org_type(raw) -> str:
    """The canonical type for a raw value, or the value itself trimmed; "" when empty."""
    text = " ".join(str(raw or "").split())
    if not text:
        return ""
    return _types_by_key().get(fold_key(text), text)
