"""Reading the repo's own value tables, and remembering what short texts fold to."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TypeVar

import yaml

from index_format.memo import Memo

__all__ = ["cache_short_text", "load_table"]

CACHED_TEXT_CHARS = 300  # pick-list choices and question keys are shorter; prose is unique
CACHED_TEXTS = 4096  # distinct short texts remembered per function
_Result = TypeVar("_Result")


def cache_short_text(function: Callable[[str], _Result]) -> Callable[[str], _Result]:
    """Memoise a pure function of one string, for strings of at most CACHED_TEXT_CHARS.

    Proposals repeat the same question keys and pick-list answers thousands of times; a
    long answer is seen once, and caching it would only hold on to memory. The function
    must return an immutable value: every caller shares it.
    """
    memo = Memo(function, CACHED_TEXTS)

    @wraps(function)
    def call(text: str) -> _Result:
        return memo[text] if len(text) <= CACHED_TEXT_CHARS else function(text)

    return call


def load_table(path: Path) -> dict:
    """One of the repo's own YAML tables, with libyaml: ten times faster to load, and
    these files are ours, not documents (those go through frontmatter.py's checks)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
